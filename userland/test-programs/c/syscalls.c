/*
 * Times one syscall in a loop and prints nanoseconds per operation: the C
 * twin of src/bin/syscalls.rs, built with wasi-libc for wasmux and with the
 * host's libc natively, so the benchmark compares the same C program.
 *
 * usage: syscalls-c write-null|write-file|write-pipe|stat COUNT [PATH]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef __wasi__
/* wasi-libc has no pipe(); WASIX has fd_pipe. */
__attribute__((import_module("wasix_32v1"), import_name("fd_pipe")))
int __wasix_fd_pipe(int *read_end, int *write_end);

static int make_pipe(int fds[2]) { return __wasix_fd_pipe(&fds[0], &fds[1]) == 0 ? 0 : -1; }
#else
static int make_pipe(int fds[2]) { return pipe(fds); }
#endif

static const char line[] = "a line of text, as a shell loop would write it\n";

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) die("write");
        buf += n;
        len -= (size_t)n;
    }
}

int main(int argc, char **argv) {
    if (argc < 3 || atol(argv[2]) <= 0) {
        fprintf(stderr, "usage: syscalls-c write-null|write-file|write-pipe|stat COUNT [PATH]\n");
        return 2;
    }
    const char *what = argv[1];
    long count = atol(argv[2]);
    size_t len = sizeof line - 1;
    double start = now_ns();
    if (strcmp(what, "write-null") == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0) die("/dev/null");
        for (long i = 0; i < count; i++) write_all(fd, line, len);
        close(fd);
    } else if (strcmp(what, "write-file") == 0) {
        const char *path = argc > 3 ? argv[3] : "/tmp/syscalls-bench";
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) die(path);
        for (long i = 0; i < count; i++) write_all(fd, line, len);
        close(fd);
        if (unlink(path) != 0) die("unlink");
    } else if (strcmp(what, "write-pipe") == 0) {
        int fds[2];
        char buf[64];
        if (make_pipe(fds) != 0) die("pipe");
        for (long i = 0; i < count; i++) {
            write_all(fds[1], line, len);
            size_t got = 0;
            while (got < len) {
                ssize_t n = read(fds[0], buf + got, len - got);
                if (n <= 0) die("read");
                got += (size_t)n;
            }
        }
    } else if (strcmp(what, "stat") == 0) {
        const char *path = argc > 3 ? argv[3] : "/etc/passwd";
        struct stat st;
        for (long i = 0; i < count; i++)
            if (stat(path, &st) != 0) die(path);
    } else {
        fprintf(stderr, "syscalls-c: unknown workload %s\n", what);
        return 2;
    }
    printf("%.1f\n", (now_ns() - start) / (double)count);
    return 0;
}
