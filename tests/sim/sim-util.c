// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim-util.h"
#include "rproc/sim.h"

char *tsim_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/rproc-sim-XXXXXX", base && *base ? base : "/tmp") < 0)
		fail_msg("asprintf");
	if (!mkdtemp(dir))
		fail_msg("mkdtemp %s: %s", dir, strerror(errno));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tsim_rmtree(char *dir)
{
	if (!dir)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
}

int tsim_mkfw(const char *dir, const char *name, const char *args)
{
	const char *mkfw = getenv("MKFW");
	char out[PATH_MAX], *cmd;
	int st;

	if (!mkfw)
		fail_msg("MKFW is not set");
	snprintf(out, sizeof(out), "%s/%s", dir, name);
	mkdirs(out);
	if (asprintf(&cmd, "'%s' -o '%s' %s >/dev/null 2>&1", mkfw, out, args ? args : "") < 0)
		fail_msg("asprintf");
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct rproc_dt *tsim_fixture(const char *name)
{
	const char *dir = getenv("RPROC_FIXTURE_DIR");
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;
	char path[PATH_MAX];
	void *blob = NULL;
	size_t len = 0;

	if (!dir)
		fail_msg("RPROC_FIXTURE_DIR is not set");
	snprintf(path, sizeof(path), "%s/%s.dtb", dir, name);
	if (rproc_dt_read_file(path, &blob, &len, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	if (rproc_dt_parse(blob, len, &dt, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	free(blob);
	return dt;
}

void tsim_firmware_for(const struct rproc_dt *dt, const char *dir, const char *mkfw_args)
{
	for (size_t i = 0; i < dt->n; i++) {
		struct rproc_desc d = { 0 };
		char args[512];

		if (rproc_desc_from_dt(&dt->rprocs[i], -1, NULL, &d, NULL) < 0)
			continue;
		for (unsigned int f = 0; f < d.n_firmware; f++) {
			snprintf(args, sizeof(args), "--seed %zu %s", i * 2 + f + 1,
				 mkfw_args ? mkfw_args : "");
			assert_int_equal(tsim_mkfw(dir, d.firmware[f], args), 0);
		}
		rproc_desc_clear(&d);
	}
}

static void board_setup(struct tsim_board *bd, const char *sim_cfg);

void tsim_board_new(struct tsim_board *bd, const char *fixture, const char *sim_cfg,
		    const char *mkfw_args)
{
	memset(bd, 0, sizeof(*bd));
	bd->dt = tsim_fixture(fixture);
	bd->dir = tsim_tmpdir();
	tsim_firmware_for(bd->dt, bd->dir, mkfw_args);
	board_setup(bd, sim_cfg);
}

void tsim_board_new_in(struct tsim_board *bd, const char *fixture, const char *sim_cfg,
		       char *dir)
{
	memset(bd, 0, sizeof(*bd));
	bd->dt = tsim_fixture(fixture);
	bd->dir = dir;
	bd->keep_dir = true;
	board_setup(bd, sim_cfg);
}

static void board_setup(struct tsim_board *bd, const char *sim_cfg)
{
	struct rproc_error err = { 0 };

	if (rproc_sim_new(bd->dt, sim_cfg, &bd->b, &err) < 0)
		fail_msg("rproc_sim_new: %s", err.msg);
	rproc_config_defaults(&bd->cfg);
	bd->fw_dirs[0] = bd->dir;
	bd->cfg.search.dirs = bd->fw_dirs;
	bd->cfg.search.n_dirs = 1;
	bd->cfg.search.root = bd->dir; /* keep the system paths out of the tests */
	bd->cfg.search.release = "test";
	bd->cfg.search.class_path = "";
	bd->cfg.restart_delay_ms = 10;
	for (size_t i = 0; i < bd->dt->n && bd->n < 16; i++) {
		if (rproc_desc_from_dt(&bd->dt->rprocs[i], -1, NULL, &bd->d[bd->n], NULL) < 0)
			continue;
		bd->n++;
	}
}

void tsim_board_cores(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++) {
		struct rproc_error err = { 0 };

		if (rproc_new(&bd->d[i], bd->b, &bd->cfg, &bd->r[i], &err) < 0)
			fail_msg("rproc_new %s: %s", bd->d[i].name, err.msg);
	}
}

void tsim_board_free_cores(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++) {
		rproc_free(bd->r[i]);
		bd->r[i] = NULL;
	}
}

void tsim_board_free(struct tsim_board *bd)
{
	tsim_board_free_cores(bd);
	for (size_t i = 0; i < bd->n; i++)
		rproc_desc_clear(&bd->d[i]);
	rproc_backend_destroy(bd->b);
	rproc_dt_free(bd->dt);
	if (!bd->keep_dir)
		tsim_rmtree(bd->dir);
	memset(bd, 0, sizeof(*bd));
}

void tsim_print_usage(const char *what, const struct rproc_sim_usage *u)
{
	fprintf(stderr,
		"%s: smmu %u bridges %u meta %u running %u cpu %u domains %u votes %u stop "
		"bits %u load_states %u glink %u\n",
		what, u->smmu_mappings, u->bridges, u->metadata_buffers, u->running_cores,
		u->cpu_mappings, u->domains, u->proxy_votes, u->stop_bits, u->load_states,
		u->glink_edges);
}

void tsim_wait_all(struct tsim_board *bd, enum rproc_state state, const char *what)
{
	if (tsim_wait_state(bd->r, bd->n, (1u << bd->n) - 1, state, 20000) == 0)
		return;
	for (size_t i = 0; i < bd->n; i++) {
		struct rproc_info info;

		rproc_get_info(bd->r[i], &info);
		fprintf(stderr, "%s: %s %s %s\n", what, bd->d[i].name,
			rproc_state_name(info.state), info.last_error);
	}
	fail_msg("%s: not every core %s", what, rproc_state_name(state));
}

void tsim_start_all(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++)
		assert_int_equal(rproc_start(bd->r[i]), 0);
	tsim_wait_all(bd, RPROC_RUNNING, "start");
}

void tsim_stop_all(struct tsim_board *bd)
{
	for (size_t i = 0; i < bd->n; i++)
		assert_int_equal(rproc_stop(bd->r[i]), 0);
	tsim_wait_all(bd, RPROC_OFFLINE, "stop");
}

void tsim_daemon_dies(struct tsim_board *bd, const char *sim_cfg,
		      void (*meanwhile)(struct tsim_board *bd))
{
	struct rproc_error err = { 0 };
	struct rproc_fd_entry fe[4];
	size_t n = 0;

	assert_int_equal(bd->b->export_fds(bd->b, fe, 4, &n), 0);
	assert_int_equal(n, 1);
	fe[0].fd = dup(fe[0].fd); /* the service manager's copy */
	assert_true(fe[0].fd >= 0);
	tsim_board_free_cores(bd);
	if (meanwhile)
		meanwhile(bd);
	rproc_backend_destroy(bd->b);
	if (rproc_sim_new(bd->dt, sim_cfg, &bd->b, &err) < 0)
		fail_msg("rproc_sim_new: %s", err.msg);
	assert_int_equal(bd->b->adopt_fds(bd->b, fe, 1), 1);
}

int tsim_board_find(struct tsim_board *bd, const char *name)
{
	for (size_t i = 0; i < bd->n; i++)
		if (!strcmp(bd->d[i].name, name))
			return (int)i;
	fail_msg("no core %s", name);
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int poll_all(struct rproc **r, size_t n, int ms)
{
	struct pollfd p[16];
	size_t k = 0;

	for (size_t i = 0; i < n && k < 16; i++)
		if (r[i])
			p[k++] = (struct pollfd){ .fd = rproc_fd(r[i]), .events = POLLIN };
	int ret = poll(p, k, ms);
	for (size_t i = 0; i < n; i++)
		if (r[i])
			rproc_process(r[i]);
	return ret;
}

static bool busy(struct rproc *r)
{
	enum rproc_state s = rproc_state(r);

	return s == RPROC_STARTING || s == RPROC_STOPPING;
}

int tsim_wait_state(struct rproc **r, size_t n, uint32_t mask, enum rproc_state state,
		    int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		bool all = true;

		for (size_t i = 0; i < n; i++)
			if ((mask & (1u << i)) && r[i] && rproc_state(r[i]) != state)
				all = false;
		if (all)
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		poll_all(r, n, 50);
	}
}

int tsim_wait_idle(struct rproc **r, size_t n, uint32_t mask, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		bool all = true;

		poll_all(r, n, 0);
		for (size_t i = 0; i < n; i++)
			if ((mask & (1u << i)) && r[i] && (busy(r[i]) || rproc_wait_idle(r[i], 0)))
				all = false;
		if (all)
			return 0;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		poll_all(r, n, 50);
	}
}

void tsim_run_for(struct rproc **r, size_t n, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end)
		poll_all(r, n, (int)(end - now_ms()));
}

int tsim_wait_crashes(struct rproc *r, unsigned int n, enum rproc_state state, int ms)
{
	for (int t = 0; t < ms / 20; t++) {
		struct rproc_info info;

		rproc_get_info(r, &info);
		if (info.crash_count >= n && info.state == state)
			return 0;
		tsim_run_for(&r, 1, 20);
	}
	return -ETIMEDOUT;
}

unsigned int tsim_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

size_t tsim_heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

#define LOG_LINES 512
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_lines[LOG_LINES];
static unsigned int log_next;

static void log_cb(void *userdata, int level, const char *core, const char *step, int err,
		   const char *msg)
{
	char *line;

	if (asprintf(&line, "%s|%s|%d|%s", core ? core : "-", step ? step : "-", err, msg) < 0)
		return;
	if (getenv("TSIM_VERBOSE"))
		fprintf(stderr, "%s\n", line);
	pthread_mutex_lock(&log_lock);
	free(log_lines[log_next % LOG_LINES]);
	log_lines[log_next++ % LOG_LINES] = line;
	pthread_mutex_unlock(&log_lock);
}

void tsim_log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	for (unsigned int i = 0; i < LOG_LINES; i++) {
		free(log_lines[i]);
		log_lines[i] = NULL;
	}
	log_next = 0;
	pthread_mutex_unlock(&log_lock);
}

static void log_free_at_exit(void)
{
	tsim_log_clear();
}

void tsim_log_capture(void)
{
	static bool registered;

	if (!registered) {
		atexit(log_free_at_exit);
		registered = true;
	}
	rproc_log_set(log_cb, NULL, RPROC_LOG_DEBUG);
}

bool tsim_log_has(const char *core, const char *step, const char *needle)
{
	return tsim_log_count(core, step, needle) > 0;
}

unsigned int tsim_log_count(const char *core, const char *step, const char *needle)
{
	unsigned int found = 0;

	pthread_mutex_lock(&log_lock);
	for (unsigned int i = 0; i < LOG_LINES; i++) {
		char *l = log_lines[i];
		char prefix[128];

		if (!l)
			continue;
		snprintf(prefix, sizeof(prefix), "%s|%s|", core ? core : "", step ? step : "");
		if (core && strncmp(l, prefix, strlen(core) + 1))
			continue;
		if (step) {
			const char *s = strchr(l, '|');

			if (!s || strncmp(s + 1, step, strlen(step)) || s[1 + strlen(step)] != '|')
				continue;
		}
		if (!needle || strstr(l, needle))
			found++;
	}
	pthread_mutex_unlock(&log_lock);
	return found;
}
