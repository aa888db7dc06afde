/*
 * bench/cjson_lines.c - the "cJSON, parse + free per line" reference of
 * SPEC section 11.
 *
 *   cjson_lines FILE
 *
 * Reads FILE in 1 MiB chunks, splits at '\n', parses every line with
 * cJSON_ParseWithLength and frees the tree.  Prints
 * "lines=N ok=M" on stdout (ok = lines cJSON accepted; cJSON rejects the
 * NaN/Infinity tokens the reference writer may emit, so ok can be a little
 * below lines on valid data).  Exit 0, or 74 on an I/O error.
 *
 * Build: cc -std=c11 -O2 bench/cjson_lines.c -lcjson
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 20)

static unsigned long long lines, ok;

static void parse_line(const char *p, size_t n)
{
    cJSON *j = cJSON_ParseWithLength(p, n);
    if (j) {
        ok++;
        cJSON_Delete(j);
    }
    lines++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cjson_lines FILE\n");
        return 64;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "cjson_lines: %s: %s\n", argv[1], strerror(errno));
        return 74;
    }
    size_t cap = 2 * CHUNK, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fprintf(stderr, "cjson_lines: out of memory\n");
        return 74;
    }
    for (;;) {
        if (cap - len < CHUNK) { /* a line longer than the buffer: grow */
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                fprintf(stderr, "cjson_lines: out of memory\n");
                return 74;
            }
            buf = nb;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "cjson_lines: %s: %s\n", argv[1], strerror(errno));
            return 74;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        size_t start = 0;
        for (;;) {
            const char *nl = memchr(buf + start, '\n', len - start);
            if (!nl)
                break;
            size_t end = (size_t)(nl - buf);
            parse_line(buf + start, end - start);
            start = end + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
    }
    if (len)
        parse_line(buf, len);
    close(fd);
    free(buf);
    printf("lines=%llu ok=%llu\n", lines, ok);
    return 0;
}
