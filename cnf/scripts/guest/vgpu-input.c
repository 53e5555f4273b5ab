// vgpu-input: the test guest's view of its virtio-input devices, on the console.
// Waits for COUNT evdev nodes whose device name (the ID_NAME the host configured,
// /sys/class/input/eventN/device/name) starts with "vgpu ", turns CapsLock's LED on through the
// one that has LEDs (an EV_LED write, which the driver sends on the status queue), then prints
// every key, button, absolute and relative event as one line until KEY_ESC is released:
//   VGPU-INPUT-DEVICE eventN <name>     a device found
//   VGPU-INPUT-READY                    LED written, reading events
//   VGPU-EV <name> KEY|ABS|REL <code> <value>
//   VGPU-INPUT-DONE                     KEY_ESC released
// Usage: vgpu-input [--seconds N] COUNT
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES 8

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int) sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    (void) !write(1, line, n); // one write per line: the marker is never split by our own output
}

static int read_name(int index, char *name, size_t size) {
    char path[96];
    snprintf(path, sizeof path, "/sys/class/input/event%d/device/name", index);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(name, (int) size, f)) { fclose(f); return -1; }
    fclose(f);
    name[strcspn(name, "\n")] = 0;
    return 0;
}

static int has_leds(int fd) {
    unsigned long types = 0;
    return ioctl(fd, EVIOCGBIT(0, sizeof types), &types) >= 0 && (types & (1UL << EV_LED));
}

int main(int argc, char **argv) {
    int seconds = 120, first = 1;
    if (argc > 2 && strcmp(argv[1], "--seconds") == 0) { seconds = atoi(argv[2]); first = 3; }
    int wanted = argc == first + 1 ? atoi(argv[first]) : 0;
    if (wanted < 1 || wanted > MAX_DEVICES) { say("VGPU-FAIL usage: vgpu-input [--seconds N] COUNT"); return 2; }
    struct pollfd fds[MAX_DEVICES];
    char names[MAX_DEVICES][128];
    int found = 0, keyboard = -1, taken[32] = {0};
    // The driver probes when the module loads; the nodes appear a little later (devtmpfs).
    for (int tries = 0; tries < 200 && found < wanted; tries++) {
        for (int n = 0; n < 32 && found < wanted; n++) {
            char name[128], dev[32];
            if (taken[n] || read_name(n, name, sizeof name) != 0 || strncmp(name, "vgpu ", 5) != 0) continue;
            snprintf(dev, sizeof dev, "/dev/input/event%d", n);
            int fd = open(dev, O_RDWR);
            if (fd < 0) continue;
            taken[n] = 1;
            fds[found].fd = fd;
            fds[found].events = POLLIN;
            snprintf(names[found], sizeof names[found], "%s", name);
            if (keyboard < 0 && has_leds(fd)) keyboard = found;
            say("VGPU-INPUT-DEVICE event%d %s", n, name);
            found++;
        }
        if (found < wanted) usleep(50000);
    }
    if (found < wanted) { say("VGPU-FAIL %d of %d vgpu input devices", found, wanted); return 1; }
    if (keyboard < 0) { say("VGPU-FAIL no vgpu input device with LEDs"); return 1; }
    struct input_event led[2];
    memset(led, 0, sizeof led);
    led[0].type = EV_LED; led[0].code = LED_CAPSL; led[0].value = 1;
    led[1].type = EV_SYN; led[1].code = SYN_REPORT;
    if (write(fds[keyboard].fd, led, sizeof led) != (ssize_t) sizeof led) { say("VGPU-FAIL LED write: %s", strerror(errno)); return 1; }
    say("VGPU-INPUT-READY");
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        int ready = poll(fds, (nfds_t) wanted, 1000);
        if (ready < 0 && errno != EINTR) { say("VGPU-FAIL poll: %s", strerror(errno)); return 1; }
        for (int i = 0; i < wanted && ready > 0; i++) {
            if (!(fds[i].revents & POLLIN)) continue;
            struct input_event ev[16];
            ssize_t n = read(fds[i].fd, ev, sizeof ev);
            if (n < 0) { say("VGPU-FAIL read %s: %s", names[i], strerror(errno)); return 1; }
            for (size_t k = 0; k < (size_t) n / sizeof ev[0]; k++) {
                const char *type = ev[k].type == EV_KEY ? "KEY" : ev[k].type == EV_ABS ? "ABS" : ev[k].type == EV_REL ? "REL" : NULL;
                if (!type) continue; // SYN, MSC, LED echoes: not what the host sent
                if (ev[k].type == EV_KEY && ev[k].value == 2) continue; // the guest's own autorepeat
                say("VGPU-EV %s %s %u %d", names[i], type, ev[k].code, ev[k].value);
                if (ev[k].type == EV_KEY && ev[k].code == KEY_ESC && ev[k].value == 0) {
                    say("VGPU-INPUT-DONE");
                    return 0;
                }
            }
        }
    }
    say("VGPU-FAIL no KEY_ESC within %d s", seconds);
    return 1;
}
