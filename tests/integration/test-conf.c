// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocd.conf parsing: values, warnings with file:line, drop-in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"

struct warns {
	unsigned int n;
	char file[8][256];
	unsigned int line[8];
	char msg[8][512];
};

static void collect(const char *file, unsigned int line, const char *msg, void *ud)
{
	struct warns *w = ud;

	if (w->n < 8) {
		snprintf(w->file[w->n], sizeof(w->file[0]), "%s", file);
		w->line[w->n] = line;
		snprintf(w->msg[w->n], sizeof(w->msg[0]), "%s", msg);
	}
	w->n++;
}

static void test_defaults(void **state)
{
	struct conf c;

	conf_init(&c);
	assert_int_equal(c.backend, CONF_BACKEND_AUTO);
	assert_int_equal(c.ready_timeout_ms, 5000);
	assert_int_equal(c.stop_timeout_ms, 5000);
	assert_string_equal(c.control_group, "rprocd");
	assert_string_equal(c.coredump_dir, CONF_DEFAULT_COREDUMP_DIR);
	/* rprocd.conf(5) and conf/rprocd.conf say these */
	assert_int_equal(c.coredump_max, 256ull << 20);
	assert_int_equal(c.coredump_max_use.percent, 10);
	assert_int_equal(c.coredump_keep_free.percent, 15);
	assert_int_equal(c.coredump_max_files, 16);
	assert_null(conf_rproc_find(&c, "adsp"));
	conf_done(&c);
}

static void test_values(void **state)
{
	struct warns w = { 0 };
	struct conf c;
	const struct conf_rproc *r;

	conf_init(&c);
	conf_parse_text(&c,
			"# comment\n"
			"[Daemon]\n"
			"Backend=simulated\n"
			"IOMMU=vfio-type1\n"
			"FirmwarePath=/a /b\n"
			"FirmwarePath=/c\n"
			"CoredumpDirectory=\n"
			"CoredumpMaxSize=16M\n"
			"CoredumpMaxUse=2G\n"
			"CoredumpKeepFree=5%\n"
			"CoredumpMaxFiles=5\n"
			"ControlGroup=wheel\n"
			"ReadyTimeoutSec=2.5\n"
			"StopTimeoutSec=750ms\n"
			"SimulationConfig=ready_delay_ms=5;crash=adsp:fatal:10\n"
			"[RemoteProc:adsp]\n"
			"AutoStart=no\n"
			"Recovery=off\n"
			"RestartLimit=64\n"
			"RestartWindowSec=2min\n"
			"Firmware=qcom/x/adsp.mbn\n"
			"PasId=42\n"
			"StopOnExit=yes\n"
			"VfioDevice=pci/0000:00:02.0\n",
			"t.conf", collect, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(c.backend, CONF_BACKEND_SIMULATED);
	assert_int_equal(c.iommu, CONF_IOMMU_VFIO_TYPE1);
	assert_int_equal(c.n_firmware_path, 3);
	assert_string_equal(c.firmware_path[0], "/a");
	assert_string_equal(c.firmware_path[2], "/c");
	assert_null(c.coredump_dir);
	assert_int_equal(c.coredump_max, 16u << 20);
	assert_int_equal(c.coredump_max_use.bytes, 2ull << 30);
	assert_int_equal(c.coredump_max_use.percent, 0);
	assert_int_equal(c.coredump_keep_free.bytes, 0);
	assert_int_equal(c.coredump_keep_free.percent, 5);
	assert_int_equal(c.coredump_max_files, 5);
	assert_string_equal(c.control_group, "wheel");
	assert_int_equal(c.ready_timeout_ms, 2500);
	assert_int_equal(c.stop_timeout_ms, 750);
	assert_string_equal(c.sim_config, "ready_delay_ms=5;crash=adsp:fatal:10");
	r = conf_rproc_find(&c, "adsp");
	assert_non_null(r);
	assert_int_equal(r->auto_start, 0);
	assert_int_equal(r->recovery, 0);
	assert_int_equal(r->restart_limit, 64);
	assert_int_equal(r->restart_window_s, 120);
	assert_string_equal(r->firmware, "qcom/x/adsp.mbn");
	assert_int_equal(r->pas_id, 42);
	assert_int_equal(r->stop_on_exit, 1);
	assert_string_equal(r->vfio_device, "pci/0000:00:02.0");
	assert_null(conf_rproc_find(&c, "cdsp0"));
	conf_done(&c);
}

static void test_firmware_path_reset(void **state)
{
	struct conf c;

	conf_init(&c);
	conf_parse_text(&c, "[Daemon]\nFirmwarePath=/a\nFirmwarePath=\nFirmwarePath=/z\n", "t",
			collect, &(struct warns){ 0 });
	assert_int_equal(c.n_firmware_path, 1);
	assert_string_equal(c.firmware_path[0], "/z");
	conf_done(&c);
}

/* Every bad line is reported with its line number; the good lines around it still apply. */
static void test_warnings(void **state)
{
	struct warns w = { 0 };
	struct conf c;

	conf_init(&c);
	conf_parse_text(&c,
			"[Daemon]\n"                 /* 1 */
			"Backend=quantum\n"          /* 2 */
			"Nope=1\n"                   /* 3 */
			"ReadyTimeoutSec=3\n"        /* 4: good */
			"[RemoteProc:bad name]\n"    /* 5 */
			"AutoStart=yes\n"            /* 6: in the bad section */
			"[RemoteProc:adsp]\n"        /* 7 */
			"AutoStart=maybe\n"          /* 8 */
			"Firmware=/etc/passwd\n",    /* 9 */
			"w.conf", collect, &w);
	assert_int_equal(w.n, 5);
	assert_int_equal(c.n_warnings, 5);
	assert_string_equal(w.file[0], "w.conf");
	assert_int_equal(w.line[0], 2);
	/* an enum's choices are listed from its string table */
	assert_string_equal(w.msg[0],
			    "Backend=quantum: expected auto, simulated, real or module, ignoring");
	assert_int_equal(w.line[1], 3);
	assert_non_null(strstr(w.msg[1], "unknown key 'Nope'"));
	assert_int_equal(w.line[2], 6);
	assert_int_equal(w.line[3], 8);
	assert_int_equal(w.line[4], 9);
	assert_int_equal(c.backend, CONF_BACKEND_AUTO);
	assert_int_equal(c.ready_timeout_ms, 3000);
	assert_int_equal(conf_rproc_find(&c, "adsp")->auto_start, CONF_UNSET);
	assert_null(conf_rproc_find(&c, "adsp")->firmware);
	conf_done(&c);
}

static void test_syntax_error(void **state)
{
	struct warns w = { 0 };
	struct conf c;

	conf_init(&c);
	conf_parse_text(&c, "[Daemon]\n\nthis is not ini\nBackend=real\n", "s.conf", collect, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.line[0], 3);
	assert_int_equal(c.backend, CONF_BACKEND_REAL); /* the line after still applies */
	conf_done(&c);
}

static void test_bad_values(void **state)
{
	static const char *const bad[] = {
		"[Daemon]\nCoredumpMaxSize=12Q\n",
		"[Daemon]\nCoredumpMaxSize=-1\n",
		"[Daemon]\nCoredumpMaxSize=99999999999999999999\n",
		"[Daemon]\nCoredumpMaxSize=20000000000T\n",
		"[Daemon]\nCoredumpMaxUse=101%\n",
		"[Daemon]\nCoredumpMaxUse=%\n",
		"[Daemon]\nCoredumpMaxUse=1.5%\n",
		"[Daemon]\nCoredumpKeepFree=-1\n",
		"[Daemon]\nCoredumpMaxFiles=-1\n",
		"[Daemon]\nCoredumpMaxFiles=100001\n",
		"[Daemon]\nReadyTimeoutSec=0\n",
		"[Daemon]\nReadyTimeoutSec=5h\n",
		"[Daemon]\nStopTimeoutSec=99999999999\n",
		"[Daemon]\nCoredumpDirectory=relative/dir\n",
		"[Daemon]\nFirmwarePath=relative\n",
		"[Daemon]\nControlGroup=bad group\n",
		"[Daemon]\nIOMMU=smmu\n",
		"[Daemon]\nBackend=plugin\n",
		"[Daemon]\nBackendModule=relative/backend.so\n",
		"[RemoteProc:adsp]\nRestartLimit=65\n", /* the crash ring keeps 65 times */
		"[RemoteProc:adsp]\nRestartWindowSec=500ms\n",
		"[RemoteProc:adsp]\nPasId=-1\n",
		"[RemoteProc:adsp]\nPasId=0x10\n",
		"[RemoteProc:adsp]\nFirmware=a/../b.mbn\n",
		"[RemoteProc:adsp]\nStopOnExit=2\n",
		"[RemoteProc:adsp]\nVfioDevice=0000:00:02.0\n",
		"[RemoteProc:adsp]\nVfioDevice=pci/../x\n",
		"[RemoteProc:adsp]\nVfioDevice=pci/a/b\n",
		"[RemoteProc:adsp]\nVfioDevice=/0000:00:02.0\n",
		"[RemoteProc:adsp]\nUnknown=1\n",
		"[RemoteProc:]\nAutoStart=1\n",
		"[Other]\nKey=1\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct warns w = { 0 };
		struct conf c;

		conf_init(&c);
		conf_parse_text(&c, bad[i], "b.conf", collect, &w);
		if (w.n != 1)
			fail_msg("'%s' gave %u warnings", bad[i], w.n);
		assert_int_equal(w.line[0], 2);
		conf_done(&c);
	}
}

static void test_backend_module(void **state)
{
	struct warns w = { 0 };
	struct conf c;

	conf_init(&c);
	conf_parse_text(&c,
			"[Daemon]\nBackend=module\nBackendModule=/usr/lib/rprocd/tee.so\n"
			"BackendModuleArgs=uuid=1234 verbose\n",
			"m.conf", collect, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(c.backend, CONF_BACKEND_MODULE);
	assert_string_equal(conf_backend_to_string(c.backend), "module");
	assert_string_equal(c.backend_module, "/usr/lib/rprocd/tee.so");
	assert_string_equal(c.backend_module_args, "uuid=1234 verbose");
	/* an empty assignment unsets */
	conf_parse_text(&c, "[Daemon]\nBackendModule=\nBackendModuleArgs=\n", "m.conf", collect, &w);
	assert_int_equal(w.n, 0);
	assert_null(c.backend_module);
	assert_null(c.backend_module_args);
	conf_done(&c);
}

static void test_helpers(void **state)
{
	uint64_t sz;
	unsigned int ms;

	assert_int_equal(conf_parse_bool("Yes"), 1);
	assert_int_equal(conf_parse_bool("off"), 0);
	assert_int_equal(conf_parse_bool("yess"), -EINVAL);
	assert_int_equal(conf_parse_size("4K", &sz), 0);
	assert_int_equal(sz, 4096);
	assert_int_equal(conf_parse_size("1GiB", &sz), 0);
	assert_int_equal(sz, 1u << 30);
	assert_int_equal(conf_parse_size("infinity", &sz), 0);
	assert_int_equal(sz, 0);
	assert_int_equal(conf_parse_size("", &sz), -EINVAL);
	assert_int_equal(conf_parse_sec_ms("1.5min", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(conf_parse_sec_ms("0.0015", &ms), 0);
	assert_int_equal(ms, 1);
	assert_int_equal(conf_parse_sec_ms("1.", &ms), 0);
	assert_int_equal(ms, 1000);
	assert_int_equal(conf_parse_sec_ms("x", &ms), -EINVAL);
	assert_int_equal(conf_parse_sec_ms("5000000", &ms), -ERANGE);
	assert_string_equal(conf_backend_to_string(CONF_BACKEND_REAL), "real");
	assert_string_equal(conf_iommu_to_string(CONF_IOMMU_IOMMUFD), "iommufd");
	assert_int_equal(conf_iommu_from_string("vfio-type1"), CONF_IOMMU_VFIO_TYPE1);
	assert_int_equal(conf_backend_from_string("Real"), -EINVAL); /* case matters, as before */
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Drop-ins: sorted by name; for the same name /etc's replaces /run's replaces /usr/lib's. */
static void test_dropins(void **state)
{
	char root[] = "/tmp/rprocd-conf-XXXXXX", p[PATH_MAX];
	struct warns w = { 0 };
	struct conf c;
	const struct conf_rproc *r;

	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "mkdir -p %s/usr/lib/rprocd.conf.d %s" SYSCONFDIR
		 "/rprocd.conf.d %s/run/rprocd.conf.d", root, root, root);
	assert_int_equal(system(p), 0);

	snprintf(p, sizeof(p), "%s%s/rprocd.conf", root, SYSCONFDIR);
	write_file(p, "[Daemon]\nReadyTimeoutSec=1\nStopTimeoutSec=1\n[RemoteProc:adsp]\nRestartLimit=1\n");
	snprintf(p, sizeof(p), "%s/usr/lib/rprocd.conf.d/10-vendor.conf", root);
	write_file(p, "[Daemon]\nReadyTimeoutSec=2\n[RemoteProc:adsp]\nRestartLimit=2\n");
	snprintf(p, sizeof(p), "%s/usr/lib/rprocd.conf.d/20-vendor.conf", root);
	write_file(p, "[Daemon]\nStopTimeoutSec=20\n");
	snprintf(p, sizeof(p), "%s%s/rprocd.conf.d/20-vendor.conf", root, SYSCONFDIR);
	write_file(p, "[Daemon]\nStopTimeoutSec=21\n");
	snprintf(p, sizeof(p), "%s/run/rprocd.conf.d/30-run.conf", root);
	write_file(p, "[RemoteProc:adsp]\nRestartLimit=3\nBogus=1\n");
	snprintf(p, sizeof(p), "%s/run/rprocd.conf.d/ignored.txt", root);
	write_file(p, "[Daemon]\nReadyTimeoutSec=99\n");

	conf_load(&c, NULL, root, collect, &w);
	assert_int_equal(c.ready_timeout_ms, 2000);  /* 10-vendor over the main file */
	assert_int_equal(c.stop_timeout_ms, 21000);  /* /etc's 20-vendor replaced /usr/lib's */
	r = conf_rproc_find(&c, "adsp");
	assert_non_null(r);
	assert_int_equal(r->restart_limit, 3);       /* 30-run is last */
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.file[0], "/run/rprocd.conf.d/30-run.conf"));
	assert_int_equal(w.line[0], 3);
	conf_done(&c);

	/* --config replaces the main file; a missing one is a warning, drop-ins still apply. */
	memset(&w, 0, sizeof(w));
	snprintf(p, sizeof(p), "%s/nonexistent.conf", root);
	conf_load(&c, p, root, collect, &w);
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.msg[0], "cannot read"));
	assert_int_equal(c.ready_timeout_ms, 2000);
	conf_done(&c);

	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

/* @text into @root@dir/@name, @dir made first. */
static void write_at(const char *root, const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "mkdir -p '%s%s'", root, dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s%s/%s", root, dir, name);
	write_file(p, text);
}

/*
 * systemd's precedence (systemd.unit(5), "drop-in"): of the files with one name, the one in
 * /etc wins over /run's, which wins over /usr/lib's; the main file is the first found in the
 * same order; an empty file (or a link to /dev/null) masks the ones below it.
 */
static void test_dropin_precedence(void **state)
{
	char root[] = "/tmp/rprocd-conf-XXXXXX", p[PATH_MAX];
	struct warns w = { 0 };
	struct conf c;

	assert_non_null(mkdtemp(root));
	/* the main file only in /usr/lib: it is read */
	write_at(root, "/usr/lib", "rprocd.conf", "[Daemon]\nReadyTimeoutSec=7\nIOMMU=iommufd\n");
	write_at(root, "/usr/lib/rprocd.conf.d", "50-same.conf", "[Daemon]\nStopTimeoutSec=13\n");
	write_at(root, "/run/rprocd.conf.d", "50-same.conf", "[Daemon]\nStopTimeoutSec=12\n");
	write_at(root, SYSCONFDIR "/rprocd.conf.d", "50-same.conf", "[Daemon]\nStopTimeoutSec=11\n");
	write_at(root, "/usr/lib/rprocd.conf.d", "40-two.conf", "[Daemon]\nControlGroup=vendor\n");
	write_at(root, "/run/rprocd.conf.d", "40-two.conf", "[Daemon]\nControlGroup=runtime\n");
	write_at(root, "/usr/lib/rprocd.conf.d", "60-masked.conf", "[Daemon]\nBackend=real\n");
	snprintf(p, sizeof(p), "%s%s/rprocd.conf.d/60-masked.conf", root, SYSCONFDIR);
	assert_int_equal(symlink("/dev/null", p), 0);

	conf_load(&c, NULL, root, collect, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(c.ready_timeout_ms, 7000);
	assert_int_equal(c.iommu, CONF_IOMMU_IOMMUFD);
	assert_int_equal(c.stop_timeout_ms, 11000);
	assert_string_equal(c.control_group, "runtime");
	assert_int_equal(c.backend, CONF_BACKEND_AUTO);
	conf_done(&c);

	/* /run's main file wins over /usr/lib's, which is then not read at all */
	write_at(root, "/run", "rprocd.conf", "[Daemon]\nReadyTimeoutSec=8\n");
	conf_load(&c, NULL, root, collect, &w);
	assert_int_equal(c.ready_timeout_ms, 8000);
	assert_int_equal(c.iommu, CONF_IOMMU_AUTO);
	conf_done(&c);

	write_at(root, SYSCONFDIR, "rprocd.conf", "[Daemon]\nReadyTimeoutSec=6\n");
	conf_load(&c, NULL, root, collect, &w);
	assert_int_equal(c.ready_timeout_ms, 6000);
	assert_int_equal(w.n, 0);
	conf_done(&c);

	/* past 256 drop-ins the rest are ignored, with a warning each */
	for (int i = 0; i < 257; i++) {
		snprintf(p, sizeof(p), "%s/run/rprocd.conf.d/%03d.conf", root, i);
		write_file(p, "");
	}
	conf_load(&c, NULL, root, collect, &w);
	/* 2 names in /etc, then 40-two.conf and these 257 in /run: 260 */
	assert_int_equal(w.n, 4);
	assert_non_null(strstr(w.msg[0], "more than 256 drop-ins"));
	assert_non_null(strstr(w.file[0], "/run/rprocd.conf.d"));
	conf_done(&c);

	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

/* conf_load() of @root must fail with @code, naming @path and saying @why. */
static void expect_load_fails(const char *root, const char *main, int code, const char *path,
			      const char *why)
{
	struct warns w = { 0 };
	struct conf c;
	int r = conf_load(&c, main, root, collect, &w);

	if (r != code)
		fail_msg("expected %d, got %d (%s)", code, r, c.error ? c.error : "no error");
	assert_non_null(c.error);
	if (!strstr(c.error, path) || !strstr(c.error, why))
		fail_msg("\"%s\" should name %s and say \"%s\"", c.error, path, why);
	conf_done(&c);
}

/*
 * A file that exists but cannot be read stops the load (never the defaults in its place,
 * which start every core): a FIFO (opened without blocking: it used to hang), a directory, a
 * NUL byte, more than 1 MiB, a drop-in directory that cannot be listed, a file the reader may
 * not read.
 */
static void test_fail_closed(void **state)
{
	char root[] = "/tmp/rprocd-conf-XXXXXX", p[PATH_MAX], d[PATH_MAX];
	struct warns w = { 0 };
	struct conf c;
	char *big;

	assert_non_null(mkdtemp(root));
	write_at(root, SYSCONFDIR, "rprocd.conf", "[Daemon]\nReadyTimeoutSec=7\n");
	snprintf(d, sizeof(d), "%s/run/rprocd.conf.d", root);
	snprintf(p, sizeof(p), "%s/50-x.conf", d);
	write_at(root, "/run/rprocd.conf.d", "10-ok.conf", "[Daemon]\nStopTimeoutSec=3\n");

	assert_int_equal(mkfifo(p, 0644), 0);
	expect_load_fails(root, NULL, -EBADFD, p, "a FIFO, not a regular file");
	assert_int_equal(unlink(p), 0);

	assert_int_equal(mkdir(p, 0755), 0);
	expect_load_fails(root, NULL, -EISDIR, p, "a directory, not a regular file");
	assert_int_equal(rmdir(p), 0);

	write_file(p, "[Daemon]\nReadyTimeoutSec=1\n");
	assert_int_equal(truncate(p, 40), 0); /* NUL bytes after the text */
	expect_load_fails(root, NULL, -EBADMSG, p, "NUL byte");

	big = malloc(CONF_MAX_FILE_SIZE + 2);
	assert_non_null(big);
	memset(big, '#', CONF_MAX_FILE_SIZE + 1);
	big[CONF_MAX_FILE_SIZE + 1] = 0;
	write_file(p, big);
	free(big);
	expect_load_fails(root, NULL, -EFBIG, p, "larger than 1048576 bytes");
	assert_int_equal(unlink(p), 0);

	/* the main file, given or found, the same */
	snprintf(p, sizeof(p), "%s%s/rprocd.conf", root, SYSCONFDIR);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_load_fails(root, NULL, -EBADFD, p, "a FIFO");
	expect_load_fails(root, p, -EBADFD, p, "a FIFO");
	assert_int_equal(unlink(p), 0);

	/* what the reader may not read: a drop-in directory it cannot list, a file it cannot
	 * open (checked as nobody: root reads anything) */
	if (geteuid() == 0) {
		pid_t pid;
		int status;

		write_file(p, "[Daemon]\n");
		assert_int_equal(chmod(p, 0600), 0);
		assert_int_equal(chmod(root, 0755), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(2);
			int r = conf_load(&c, NULL, root, NULL, NULL);
			_exit(r == -EACCES && c.error && strstr(c.error, "Permission denied") ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_int_equal(unlink(p), 0);
	}

	/* what is absent is not an error: the defaults, the drop-ins still read */
	assert_int_equal(conf_load(&c, NULL, root, collect, &w), 0);
	assert_null(c.error);
	assert_int_equal(c.stop_timeout_ms, 3000);
	assert_int_equal(c.ready_timeout_ms, 5000);
	conf_done(&c);

	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

/* Settings that hand control to others: warned, with the fix. */
static void test_unsafe_settings(void **state)
{
	char root[] = "/tmp/rprocd-conf-XXXXXX", p[PATH_MAX + 64], fw[PATH_MAX];
	struct warns w = { 0 };
	struct conf c;

	conf_init(&c);
	conf_parse_text(&c, "[Daemon]\nControlGroup=users\n", "g.conf", collect, &w);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.line[0], 2);
	assert_non_null(strstr(w.msg[0], "ControlGroup=users: a catch-all group"));
	assert_non_null(strstr(w.msg[0], "use a group of its own"));
	assert_string_equal(c.control_group, "users"); /* applied all the same */
	conf_done(&c);

	assert_non_null(mkdtemp(root));
	assert_int_equal(chmod(root, 0755), 0);
	snprintf(fw, sizeof(fw), "%s/fw", root);
	assert_int_equal(mkdir(fw, 0755), 0);
	snprintf(p, sizeof(p), "[Daemon]\nFirmwarePath=%s\n", fw);
	write_at(root, SYSCONFDIR, "rprocd.conf", p);
	memset(&w, 0, sizeof(w));
	assert_int_equal(conf_load(&c, NULL, root, collect, &w), 0);
	assert_int_equal(w.n, 0); /* root's, 0755 */
	conf_done(&c);

	assert_int_equal(chmod(fw, 0777), 0);
	assert_int_equal(conf_load(&c, NULL, root, collect, &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.msg[0], "is writable by everyone"));
	assert_non_null(strstr(w.msg[0], fw));
	assert_non_null(strstr(w.msg[0], "make the directory and every one above it owned by root"));
	conf_done(&c);

	/* the sticky bit (as /tmp has) keeps others from replacing root's entries: no warning */
	assert_int_equal(chmod(fw, 01777), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(conf_load(&c, NULL, root, collect, &w), 0);
	assert_int_equal(w.n, 0);
	conf_done(&c);

	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),      cmocka_unit_test(test_values),
		cmocka_unit_test(test_firmware_path_reset), cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_syntax_error),  cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_helpers),       cmocka_unit_test(test_dropins),
		cmocka_unit_test(test_backend_module), cmocka_unit_test(test_dropin_precedence),
		cmocka_unit_test(test_fail_closed),   cmocka_unit_test(test_unsafe_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
