package org.vgpu.virtio.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class UnixSocketTest {

    @Test
    void aGatherSendDeliversHeadThenBodyInOrder() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        try {
            ByteBuffer head = ByteBuffer.allocateDirect(28);
            for (int i = 0; i < 28; i++) {
                head.put(i, (byte) (200 + i % 50));
            }
            int bodySize = 4 << 20; // far more than the socket buffer: the reader drains while it is sent
            ByteBuffer frame = ByteBuffer.allocateDirect(bodySize + 4096);
            for (int i = 0; i < frame.capacity(); i++) {
                frame.put(i, (byte) (i * 31 + 7));
            }
            ByteBuffer body = frame.duplicate().position(4096).limit(4096 + bodySize);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteBuffer all = ByteBuffer.allocateDirect(28 + bodySize);
                    while (all.hasRemaining()) {
                        if (pair[1].recv(all, new int[UnixSocket.MAX_FDS]) == 0) {
                            break;
                        }
                    }
                    byte[] bytes = new byte[all.position()];
                    all.flip().get(bytes);
                    return bytes;
                } catch (NativeException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (head.hasRemaining() || body.hasRemaining()) {
                pair[0].send(head, body);
            }
            byte[] got = received.get(30, TimeUnit.SECONDS);
            assertEquals(28 + bodySize, got.length);
            for (int i = 0; i < 28; i++) {
                assertEquals((byte) (200 + i % 50), got[i], "head byte " + i);
            }
            for (int i = 0; i < bodySize; i++) {
                if (got[28 + i] != (byte) ((4096 + i) * 31 + 7)) {
                    throw new AssertionError("body byte " + i + " is " + got[28 + i]);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> pair[0].send(ByteBuffer.allocate(1), body));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void callsAfterCloseFailInsteadOfUsingTheFdNumber() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        pair[0].close();
        // The freed number goes to the next socket; the closed one must not reach it.
        UnixSocket[] next = UnixSocket.pair();
        try {
            assertEquals(pair[0].fd(), next[0].fd(), "the kernel gives the lowest free number");
            next[1].send(ByteBuffer.wrap(new byte[] {42}));
            NativeException e = assertThrows(NativeException.class,
                    () -> pair[0].recv(ByteBuffer.allocate(1), new int[UnixSocket.MAX_FDS]));
            assertEquals(LinuxNative.EBADF, e.errno());
            assertThrows(NativeException.class, () -> pair[0].send(ByteBuffer.wrap(new byte[] {1})));
            assertThrows(NativeException.class, () -> pair[0].awaitReadable(0));
            ByteBuffer got = ByteBuffer.allocate(1);
            assertEquals(1, next[0].recv(got, new int[UnixSocket.MAX_FDS]), "the byte stayed for its owner");
            assertEquals(42, got.get(0));
            assertTrue(pair[0].isClosed());
        } finally {
            next[0].close();
            next[1].close();
            pair[1].close();
        }
    }

    @Test
    void aCallInTheKernelKeepsTheNumberUntilItReturns() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        ByteBuffer got = ByteBuffer.allocate(1);
        CompletableFuture<Integer> reader = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                reader.complete(pair[0].recv(got, new int[UnixSocket.MAX_FDS]));
            } catch (Throwable e) {
                reader.completeExceptionally(e);
            }
        }, "blocked-reader");
        thread.start();
        awaitInNativeRecv(thread);
        pair[0].close();
        UnixSocket[] next = UnixSocket.pair();
        try {
            assertNotEquals(pair[0].fd(), next[0].fd(), "number reused while recv was in the kernel");
            assertNotEquals(pair[0].fd(), next[1].fd(), "number reused while recv was in the kernel");
            pair[1].send(ByteBuffer.wrap(new byte[] {7}));
            assertEquals(1, reader.get(10, TimeUnit.SECONDS));
            assertEquals(7, got.get(0));
            UnixSocket[] afterwards = UnixSocket.pair();
            assertEquals(pair[0].fd(), afterwards[0].fd(), "freed once the call returned");
            afterwards[0].close();
            afterwards[1].close();
        } finally {
            next[0].close();
            next[1].close();
            pair[1].close();
        }
    }

    /** Once the thread's top frame is the native recvmsg, it has passed the closed check. */
    private static void awaitInNativeRecv(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            StackTraceElement[] stack = thread.getStackTrace();
            if (stack.length > 0 && stack[0].getMethodName().equals("recvmsg")) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("reader never reached recvmsg");
    }
}
