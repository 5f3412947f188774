// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The timed half of the daemon benchmarks (bench-daemon.py drives it): what Python would
 * measure with its own overhead on top.
 *
 *   bench-client memcpy BYTES
 *       median thread CPU seconds of one memcpy() of BYTES between present buffers, hot
 *       (seconds=) and with both buffers evicted from the caches first (cold=)
 *   bench-client get ADDRESS DEST PATH INTERFACE PROPERTY SECONDS [DEPTH]
 *   bench-client getall ADDRESS DEST PATH INTERFACE SECONDS [DEPTH]
 *       org.freedesktop.DBus.Properties.Get/GetAll on one connection for SECONDS (0: until
 *       stdin closes), DEPTH calls in flight (default 1): calls per second and, at depth 1, the
 *       latency median / p99 / max in microseconds
 *   bench-client call ADDRESS PATH INTERFACE METHOD N
 *       N calls of a method without arguments, one at a time: latency median / p99 / max
 *   bench-client exec-ready N SOCKET -- ARGV...
 *       N times: run ARGV with NOTIFY_SOCKET=SOCKET, milliseconds until it sends READY=1
 *       (then SIGTERM and wait)
 *   bench-client exec-exit N -- ARGV...
 *       N times: milliseconds from exec to exit of ARGV
 * Results are "key=value" words on one line (exec-*: one number per run).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "bench.h"

#define BUS "org.rprocd1"
#define MAX_SAMPLES (4u << 20)

extern char **environ;

static int die(const char *what, int r)
{
	fprintf(stderr, "bench-client: %s: %s\n", what, strerror(r < 0 ? -r : r));
	return 1;
}

/*
 * Evict [p, p + n) from every cache level: what a buffer nothing has touched for a while looks
 * like (the page cache of an image between two starts).  Elsewhere: sweep a buffer of 1 GiB.
 */
static void evict(const char *p, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	for (size_t k = 0; k < n; k += 64)
		__builtin_ia32_clflush(p + k);
	__builtin_ia32_mfence();
#elif defined(__aarch64__)
	for (size_t k = 0; k < n; k += 64)
		__asm__ volatile("dc civac, %0" : : "r"(p + k) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
#else
	static char *sweep;
	size_t big = 1u << 30;

	(void)p;
	(void)n;
	if (!sweep)
		sweep = malloc(big);
	if (sweep)
		memset(sweep, (int)n, big);
#endif
}

/* memcpy() of @n bytes between present buffers: hot (just touched) and cold (evicted) */
static int cmd_memcpy(size_t n)
{
	char *src = malloc(n), *dst = malloc(n);
	double hot[9], cold[9];

	if (!src || !dst)
		return die("malloc", ENOMEM);
	memset(src, 1, n);
	memset(dst, 2, n);
	for (int i = 0; i < 9; i++) {
		double t0 = bench_thread_cpu();

		memcpy(dst, src, n);
		hot[i] = bench_thread_cpu() - t0;
		evict(src, n);
		evict(dst, n);
		t0 = bench_thread_cpu();
		memcpy(dst, src, n);
		cold[i] = bench_thread_cpu() - t0;
	}
	printf("seconds=%.9f cold=%.9f\n", bench_stats(hot, 9).median, bench_stats(cold, 9).median);
	free(src);
	free(dst);
	return 0;
}

static int connect_bus(const char *address, sd_bus **out)
{
	sd_bus *bus = NULL;
	int r;

	r = sd_bus_new(&bus);
	if (r >= 0)
		r = sd_bus_set_address(bus, address);
	if (r >= 0)
		r = sd_bus_set_bus_client(bus, 1);
	if (r >= 0)
		r = sd_bus_start(bus);
	if (r < 0) {
		sd_bus_unref(bus);
		return r;
	}
	*out = bus;
	return 0;
}

static bool stdin_closed(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return false;
	return read(0, &c, 1) <= 0;
}

static void print_latency(double *lat, unsigned int n)
{
	struct bench_stats s;

	if (!n)
		return;
	s = bench_stats(lat, n);
	printf(" median_us=%.1f p99_us=%.1f max_us=%.1f", s.median * 1e6,
	       lat[n - 1 - n / 100] * 1e6, s.max * 1e6);
}

struct pipe_ctx {
	const char *dest, *path, *iface, *prop; /* prop NULL: GetAll */
	unsigned long done;
	int error;
};

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
	struct pipe_ctx *x = userdata;

	if (sd_bus_message_is_method_error(m, NULL))
		x->error = EIO;
	x->done++;
	return 1;
}

static int send_one(sd_bus *bus, struct pipe_ctx *x)
{
	if (x->prop)
		return sd_bus_call_method_async(bus, NULL, x->dest, x->path,
						"org.freedesktop.DBus.Properties", "Get", on_reply,
						x, "ss", x->iface, x->prop);
	return sd_bus_call_method_async(bus, NULL, x->dest, x->path,
					"org.freedesktop.DBus.Properties", "GetAll", on_reply, x,
					"s", x->iface);
}

static int call_one(sd_bus *bus, struct pipe_ctx *x)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = x->prop ? sd_bus_call_method(bus, x->dest, x->path, "org.freedesktop.DBus.Properties",
					 "Get", &e, &reply, "ss", x->iface, x->prop)
		    : sd_bus_call_method(bus, x->dest, x->path, "org.freedesktop.DBus.Properties",
					 "GetAll", &e, &reply, "s", x->iface);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&e);
	return r;
}

/* Get or GetAll for @secs seconds, @depth calls in flight. */
static int cmd_get(const char *address, struct pipe_ctx *x, double secs, unsigned int depth)
{
	double *lat = NULL, t0, end;
	unsigned long sent = 0;
	unsigned int n = 0;
	sd_bus *bus = NULL;
	int r;

	r = connect_bus(address, &bus);
	if (r < 0)
		return die("connect", r);
	if (depth <= 1) {
		lat = malloc(MAX_SAMPLES * sizeof(*lat));
		if (!lat)
			return die("malloc", ENOMEM);
	}
	t0 = bench_wall();
	end = t0 + (secs > 0 ? secs : 3600);
	if (depth <= 1) {
		while (bench_wall() < end && n < MAX_SAMPLES && !(secs <= 0 && stdin_closed())) {
			double t = bench_wall();

			r = call_one(bus, x);
			lat[n++] = bench_wall() - t;
			if (r < 0)
				return die(x->prop ? "Get" : "GetAll", r);
		}
		x->done = n;
	} else {
		while (bench_wall() < end) {
			while (sent - x->done < depth) {
				r = send_one(bus, x);
				if (r < 0)
					return die("send", r);
				sent++;
			}
			r = sd_bus_process(bus, NULL);
			if (r < 0)
				return die("process", r);
			if (r == 0 && sd_bus_wait(bus, 100000) < 0)
				return die("wait", errno);
		}
		while (x->done < sent) {
			r = sd_bus_process(bus, NULL);
			if (r < 0)
				return die("process", r);
			if (r == 0)
				sd_bus_wait(bus, 100000);
		}
		if (x->error)
			return die("reply", x->error);
	}
	printf("calls=%lu rate=%.0f", x->done, (double)x->done / (bench_wall() - t0));
	print_latency(lat, n);
	putchar('\n');
	free(lat);
	sd_bus_flush_close_unref(bus);
	return 0;
}

static int cmd_call(const char *address, const char *path, const char *iface, const char *method,
		    unsigned int count)
{
	double *lat = calloc(count ? count : 1, sizeof(*lat));
	sd_bus *bus = NULL;
	int r;

	if (!lat)
		return die("malloc", ENOMEM);
	r = connect_bus(address, &bus);
	if (r < 0)
		return die("connect", r);
	for (unsigned int i = 0; i < count; i++) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		double t = bench_wall();

		r = sd_bus_call_method(bus, BUS, path, iface, method, &e, &reply, "");
		lat[i] = bench_wall() - t;
		sd_bus_message_unref(reply);
		sd_bus_error_free(&e);
		if (r < 0)
			return die(method, r);
	}
	printf("calls=%u", count);
	print_latency(lat, count);
	putchar('\n');
	free(lat);
	sd_bus_flush_close_unref(bus);
	return 0;
}

static int spawn(char **argv, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int r;

	/* stdout is for our results: the child's output goes to our stderr */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	r = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* Wait up to @ms for a datagram containing READY=1 on @fd. */
static int wait_ready(int fd, int ms)
{
	double end = bench_wall() + ms / 1e3;
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((end - bench_wall()) * 1e3);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return -errno;
		buf[n] = 0;
		if (!strncmp(buf, "READY=1", 7) || strstr(buf, "\nREADY=1"))
			return 0;
	}
}

static int cmd_exec_ready(unsigned int count, const char *sock, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return die("socket path", ENAMETOOLONG);
	strcpy(sa.sun_path, sock);
	unlink(sock);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return die("notify socket", errno);
	setenv("NOTIFY_SOCKET", sock, 1);
	for (unsigned int i = 0; i < count; i++) {
		double t0 = bench_wall();
		pid_t pid;
		int status;

		r = spawn(argv, &pid);
		if (r < 0)
			return die(argv[0], r);
		r = wait_ready(fd, 10000);
		printf("%.3f\n", (bench_wall() - t0) * 1e3);
		fflush(stdout);
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
		if (r < 0)
			return die("READY=1", r);
	}
	close(fd);
	unlink(sock);
	return 0;
}

static int cmd_exec_exit(unsigned int count, char **argv)
{
	for (unsigned int i = 0; i < count; i++) {
		double t0 = bench_wall();
		int status, r;
		pid_t pid;

		r = spawn(argv, &pid);
		if (r < 0)
			return die(argv[0], r);
		waitpid(pid, &status, 0);
		printf("%.3f\n", (bench_wall() - t0) * 1e3);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "memcpy") && argc == 3)
		return cmd_memcpy(strtoull(argv[2], NULL, 0));
	if (!strcmp(cmd, "get") && (argc == 8 || argc == 9)) {
		struct pipe_ctx x = { argv[3], argv[4], argv[5], argv[6], 0, 0 };

		return cmd_get(argv[2], &x, strtod(argv[7], NULL),
			       argc == 9 ? (unsigned int)atoi(argv[8]) : 1);
	}
	if (!strcmp(cmd, "getall") && (argc == 7 || argc == 8)) {
		struct pipe_ctx x = { argv[3], argv[4], argv[5], NULL, 0, 0 };

		return cmd_get(argv[2], &x, strtod(argv[6], NULL),
			       argc == 8 ? (unsigned int)atoi(argv[7]) : 1);
	}
	if (!strcmp(cmd, "call") && argc == 7)
		return cmd_call(argv[2], argv[3], argv[4], argv[5], (unsigned int)atoi(argv[6]));
	if (!strcmp(cmd, "exec-ready") && argc > 5 && !strcmp(argv[4], "--"))
		return cmd_exec_ready((unsigned int)atoi(argv[2]), argv[3], argv + 5);
	if (!strcmp(cmd, "exec-exit") && argc > 4 && !strcmp(argv[3], "--"))
		return cmd_exec_exit((unsigned int)atoi(argv[2]), argv + 4);
	fprintf(stderr, "usage: see the comment at the top of bench-client.c\n");
	return 2;
}
