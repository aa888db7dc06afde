/*
 * bench/measure.c - run a command, report its wall time and peak RSS.
 *
 *   measure [--stdout FILE] [--stdin FILE] -- cmd args...
 *
 * The child's stdout goes to FILE (default /dev/null), its stdin comes from
 * FILE (default: inherited).  After the child ends (wait4) one line goes to
 * stderr:
 *
 *   wall_s=1.234567 maxrss_kb=2048 exit=0 user_s=1.100000 sys_s=0.120000
 *
 * exit is the child's exit status, 128+N when killed by signal N, 127 when
 * the command could not be started.  Time and RSS come from the same run, so
 * no GNU time is needed.  measure itself exits with the child's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
    fprintf(stderr, "usage: measure [--stdout FILE] [--stdin FILE] -- cmd args...\n");
    exit(64);
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *out = "/dev/null", *in = NULL;
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        } else if (!strcmp(argv[i], "--stdout") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--stdin") && i + 1 < argc) {
            in = argv[++i];
        } else {
            usage();
        }
    }
    if (i >= argc)
        usage();

    int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ofd < 0) {
        fprintf(stderr, "measure: %s: %s\n", out, strerror(errno));
        return 74;
    }
    int ifd = -1;
    if (in) {
        ifd = open(in, O_RDONLY | O_CLOEXEC);
        if (ifd < 0) {
            fprintf(stderr, "measure: %s: %s\n", in, strerror(errno));
            return 74;
        }
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 71;
    }
    if (pid == 0) {
        if (dup2(ofd, STDOUT_FILENO) < 0)
            _exit(127);
        if (ifd >= 0 && dup2(ifd, STDIN_FILENO) < 0)
            _exit(127);
        execvp(argv[i], argv + i);
        fprintf(stderr, "measure: %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    close(ofd);
    if (ifd >= 0)
        close(ifd);

    /* the terminal's ^C goes to the child; we only report */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &status, 0, &ru);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            perror("measure: wait4");
            return 71;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status)
             : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    fprintf(stderr, "wall_s=%.6f maxrss_kb=%ld exit=%d user_s=%.6f sys_s=%.6f\n", wall,
            (long)ru.ru_maxrss, code, tv_s(ru.ru_utime), tv_s(ru.ru_stime));
    return code;
}
