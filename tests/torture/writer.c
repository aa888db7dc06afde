/* A writer that appends to a store the way Papyra's own writers do
 * (dymmond/papyra: JsonFilePersistence, RotatingFilePersistence), for the
 * torture suite: no lock; per record open(O_APPEND), a short pause (the
 * Python writer spends ~100 us between open and write), one write, close;
 * then 0-3 ms of idle time.  Every record carries a unique sequence number
 * ("seq"), counting up from --first.
 *
 *   --mode json       append to --path
 *   --mode rotating   before each append rotate like RotatingFilePersistence:
 *                     when P + the record would exceed --max-bytes and
 *                     P.(max_files-1) does not exist, rename P.(F-2) -> P.(F-1),
 *                     ..., P.1 -> P.2, then P -> P.1 (the reference stops
 *                     rotating once the oldest member exists)
 *   --mode hold       open --path once and write every record through that one
 *                     descriptor (an application that keeps its file open)
 *   --split           write each record in two write() calls 300 us apart, so
 *                     readers see half-written lines
 *   --latch FILE      the application that holds the replaced file past the
 *                     drain: when an open returns a file that no longer has
 *                     the name (it waited on the lease during a switch), keep
 *                     that descriptor, write the record through it, write
 *                     "held <seq>" to --report, wait for
 *                     FILE to exist (up to 60 s), write --latch-count (10)
 *                     more records through it, close it and stop
 *
 * Runs until SIGTERM or SIGINT, finishes the record in progress, then writes
 * "<first> <last>" (the range of sequence numbers written; last = first - 1
 * when none) to --report and exits 0.  An append that fails is fatal: the
 * report then says "error <seq> <reason>" and the exit status is 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t writer_stop;

static void writer_on_signal(int sig)
{
	(void)sig;
	writer_stop = 1;
}

static void writer_sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !writer_stop)
		;
}

static int writer_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* RotatingFilePersistence._maybe_rotate, step by step. */
static int writer_rotate(const char *path, long max_files, long max_bytes, size_t next)
{
	struct stat st;
	if (stat(path, &st) != 0 || (long long)st.st_size + (long long)next <= max_bytes)
		return 0;
	if (max_files == 1)
		return truncate(path, 0);
	char src[4096], dst[4096];
	snprintf(dst, sizeof dst, "%s.%ld", path, max_files - 1);
	if (writer_exists(dst))
		return 0;
	for (long i = max_files - 2; i >= 1; i--) {
		snprintf(src, sizeof src, "%s.%ld", path, i);
		snprintf(dst, sizeof dst, "%s.%ld", path, i + 1);
		if (writer_exists(src) && rename(src, dst) != 0)
			return -1;
	}
	snprintf(dst, sizeof dst, "%s.1", path);
	return rename(path, dst);
}

/* Whether fd is no longer the file named path (replaced while we opened it). */
static int writer_replaced(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && (stat(path, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

/* Up to 60 s for `path` to exist. */
static void writer_wait_for(const char *path)
{
	for (int i = 0; i < 60000 && !writer_exists(path); i++)
		writer_sleep_us(1000);
}

static int writer_put(int fd, const char *line, size_t n, int split)
{
	size_t first = split ? n / 2 : n;
	if (write(fd, line, first) != (ssize_t)first)
		return -1;
	if (split) {
		writer_sleep_us(300);
		if (write(fd, line + first, n - first) != (ssize_t)(n - first))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = NULL, *mode = "json", *report = NULL, *latch = NULL;
	long max_files = 5, max_bytes = 50000000, first = 1, pause_us = 100, latch_count = 10;
	int split = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--split") == 0) {
			split = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "writer: %s needs a value\n", a);
			return 64;
		}
		i++;
		if (strcmp(a, "--path") == 0)
			path = v;
		else if (strcmp(a, "--mode") == 0)
			mode = v;
		else if (strcmp(a, "--report") == 0)
			report = v;
		else if (strcmp(a, "--max-files") == 0)
			max_files = atol(v);
		else if (strcmp(a, "--max-bytes") == 0)
			max_bytes = atol(v);
		else if (strcmp(a, "--first") == 0)
			first = atol(v);
		else if (strcmp(a, "--pause-us") == 0)
			pause_us = atol(v);
		else if (strcmp(a, "--latch") == 0)
			latch = v;
		else if (strcmp(a, "--latch-count") == 0)
			latch_count = atol(v);
		else {
			fprintf(stderr, "writer: unknown option %s\n", a);
			return 64;
		}
	}
	if (!path || !report) {
		fprintf(stderr, "usage: writer --path P --report R [--mode json|rotating|hold] "
			"[--max-files F --max-bytes B] [--first N] [--split]\n");
		return 64;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = writer_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	srand((unsigned)getpid());
	int rotating = strcmp(mode, "rotating") == 0, hold = strcmp(mode, "hold") == 0;
	int held = -1;
	long seq = first;
	char err[256] = "";
	/* a started signal lets the runner know the writer is live */
	for (; !writer_stop; seq++) {
		char line[512];
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		int n = snprintf(line, sizeof line,
				 "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": "
				 "\"local:%ld\", \"event_type\": \"ActorStarted\", \"payload\": "
				 "{\"seq\": %ld, \"pad\": \"%.*s\"}, \"timestamp\": %lld.%03ld}\n",
				 seq % 7, seq, (int)(seq % 40), "........................................",
				 (long long)now.tv_sec, now.tv_nsec / 1000000);
		if (rotating && writer_rotate(path, max_files, max_bytes, (size_t)n) != 0) {
			snprintf(err, sizeof err, "error %ld rotate: %s", seq, strerror(errno));
			break;
		}
		int fd = held;
		if (fd < 0)
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			snprintf(err, sizeof err, "error %ld open: %s", seq, strerror(errno));
			break;
		}
		int latched = latch && writer_replaced(fd, path);
		if (!hold)
			writer_sleep_us(pause_us);
		if (writer_put(fd, line, (size_t)n, split) != 0) {
			snprintf(err, sizeof err, "error %ld write: %s", seq, strerror(errno));
			break;
		}
		if (latched) {
			FILE *r = fopen(report, "w"); /* "held": the runner may go on */
			if (r) {
				fprintf(r, "held %ld\n", seq);
				fclose(r);
			}
			writer_wait_for(latch);
			for (long k = 0; k < latch_count && *err == '\0'; k++) {
				seq++;
				n = snprintf(line, sizeof line,
					     "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": "
					     "\"local:%ld\", \"event_type\": \"ActorHeld\", \"payload\": "
					     "{\"seq\": %ld}, \"timestamp\": %lld.5}\n", seq % 7, seq,
					     (long long)now.tv_sec);
				if (writer_put(fd, line, (size_t)n, 0) != 0)
					snprintf(err, sizeof err, "error %ld write: %s", seq, strerror(errno));
			}
			close(fd);
			seq++;
			break;
		}
		if (hold)
			held = fd;
		else
			close(fd);
		writer_sleep_us(rand() % 3001);
	}
	FILE *f = fopen(report, "w");
	if (!f)
		return 1;
	if (*err)
		fprintf(f, "%s\n", err);
	else
		fprintf(f, "%ld %ld\n", first, seq - 1);
	fclose(f);
	return *err ? 1 : 0;
}
