package org.vgpu.mmio;

import java.util.List;
import java.util.function.Consumer;

import org.vgpu.virtio.api.Interrupt;
import org.vgpu.virtio.api.SharedMemoryWindow;
import org.vgpu.virtio.api.VirtioDevice;
import org.vgpu.virtio.memory.GuestMemory;
import org.vgpu.virtio.queue.QueueException;
import org.vgpu.virtio.queue.SplitQueue;
import org.vgpu.virtio.runtime.BasicActivation;
import org.vgpu.virtio.runtime.QueueWorker;
import org.vgpu.virtio.sys.EventFd;
import org.vgpu.virtio.sys.NativeException;

/**
 * A device between DRIVER_OK and reset: the queues built from the driver's registers, the
 * activation handed to the device, and the worker thread that turns kicks into processQueue.
 * Every ring change while running stops the worker first, so the ring code never sees a queue
 * change under it (SplitQueue is single-threaded by design).
 */
final class RunningDevice {
    private final VirtioDevice device;
    private final GuestMemory memory;
    private final SplitQueue[] queues; // null where the driver did not enable the queue at DRIVER_OK
    private final EventFd[] kicks; // null where queues[i] is null: the worker polls only served queues
    private final BasicActivation activation;
    private final RevocableInterrupt interrupt;
    private final boolean eventIdx;
    private QueueWorker worker;

    private RunningDevice(VirtioDevice device, GuestMemory memory, SplitQueue[] queues, EventFd[] kicks,
            BasicActivation activation, RevocableInterrupt interrupt, boolean eventIdx) {
        this.device = device;
        this.memory = memory;
        this.queues = queues;
        this.kicks = kicks;
        this.activation = activation;
        this.interrupt = interrupt;
        this.eventIdx = eventIdx;
    }

    /**
     * DRIVER_OK: validates every enabled queue against guest memory, activates the device and
     * starts its worker. On failure nothing is left running and the device is reset.
     */
    static RunningDevice start(VirtioDevice device, GuestMemory memory, QueueRegisters[] registers,
            boolean eventIdx, QueueKicks queueKicks, Interrupt interrupt, Consumer<String> needsReset,
            String name, List<SharedMemoryWindow> sharedMemory) throws QueueException, NativeException {
        SplitQueue[] queues = new SplitQueue[registers.length];
        EventFd[] kicks = new EventFd[registers.length];
        for (int i = 0; i < registers.length; i++) {
            if (registers[i].isReady()) {
                SplitQueue q = new SplitQueue(i, registers[i].maxSize());
                registers[i].configure(q, eventIdx);
                q.validate(memory);
                queues[i] = q;
                kicks[i] = queueKicks.kick(i);
            }
        }
        for (SplitQueue q : queues) {
            if (q != null) {
                q.setReady(true);
            }
        }
        // Both paths back to the driver close at stop(), so an old activation cannot reach a new session.
        RevocableInterrupt gate = new RevocableInterrupt(interrupt);
        Consumer<String> gatedNeedsReset = reason -> {
            if (!gate.isRevoked()) {
                needsReset.accept(reason);
            }
        };
        BasicActivation activation = new BasicActivation(memory, queues, gate, gatedNeedsReset, name, sharedMemory);
        RunningDevice running = new RunningDevice(device, memory, queues, kicks, activation, gate, eventIdx);
        try {
            device.activate(activation);
            running.startWorker();
        } catch (NativeException | RuntimeException e) {
            running.stop();
            device.reset();
            throw e;
        }
        return running;
    }

    private void startWorker() throws NativeException {
        worker = new QueueWorker(device, activation, kicks);
        worker.start();
    }

    /** Stops the worker, takes every queue from the device and cuts its interrupts; the caller resets the device. */
    void stop() {
        pauseWorker();
        interrupt.revoke();
        halt();
    }

    /**
     * Makes every queue unusable without waiting for the worker: safe from any thread, including
     * the worker itself when the device reports a broken ring.
     */
    void halt() {
        for (SplitQueue q : queues) {
            if (q != null) {
                q.setReady(false);
            }
        }
    }

    /** QueueReset or QueueReady=0: the device stops using one queue, the others go on. */
    void disableQueue(int index) throws NativeException {
        SplitQueue q = queues[index];
        if (q == null || !q.isReady()) {
            return;
        }
        pauseWorker();
        q.setReady(false);
        q.reset();
        startWorker();
    }

    /**
     * QueueReady=1 after a queue reset: the queue goes back into service with the driver's new
     * registers. Only queues that were part of the activation can come back (the device was
     * told at activation which queues exist). Returns false if the queue cannot be enabled.
     */
    boolean enableQueue(int index, QueueRegisters registers) throws QueueException {
        SplitQueue q = queues[index];
        if (q == null || q.isReady()) {
            return false;
        }
        registers.configure(q, eventIdx);
        q.validate(memory);
        q.setReady(true); // volatile: publishes the fields above to the worker
        return true;
    }

    private void pauseWorker() {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }
}
