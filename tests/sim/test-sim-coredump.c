// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Coredumps on the simulated SoC (doc/boot-sequence.md#coredump): the minidump and when it
 * gives a full dump or none, tables a hostile DSP could write (nothing from outside the
 * core's carveout may reach the file), size limits, the file's mode, group and atomic
 * appearance, and the RPROC notes as readelf shows them.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core-file.h"
#include "minidump.h"
#include "rproc/coredump.h"
#include "rproc/sim.h"
#include "sim-util.h"

#define PAGE 4096u

/* What the test writes into every carveout but the crashed core's. */
static const char marker[8] = { 'r', 'p', 'O', 'U', 'T', 'c', 'v', '!' };

/* Any 8 bytes of the marker pattern, at any phase, in @buf. */
static bool has_marker(const uint8_t *buf, size_t len)
{
	for (unsigned int k = 0; k < sizeof(marker); k++) {
		char rot[sizeof(marker)];

		for (unsigned int j = 0; j < sizeof(marker); j++)
			rot[j] = marker[(k + j) % sizeof(marker)];
		if (memmem(buf, len, rot, sizeof(rot)))
			return true;
	}
	return false;
}

/* The first and last 64 KiB of every other carveout: the marker pattern. */
static void fill_others(struct tsim_board *bd, int crashed)
{
	uint8_t *buf = malloc(64 * 1024);

	assert_non_null(buf);
	for (size_t j = 0; j < 64 * 1024; j++)
		buf[j] = (uint8_t)marker[j % sizeof(marker)];
	for (size_t i = 0; i < bd->n; i++) {
		for (unsigned int c = 0; c < bd->d[i].n_carveouts; c++) {
			const struct rproc_dt_carveout *co = &bd->d[i].carveouts[c];

			if ((int)i == crashed && c == 0)
				continue;
			/* a DTB carveout without a DTB image is no memory of the simulator */
			rproc_sim_write_phys(bd->b, co->base, buf, 64 * 1024);
			rproc_sim_write_phys(bd->b, co->base + co->size - 64 * 1024, buf,
					     64 * 1024);
		}
	}
	free(buf);
}

/* One board whose core crashes once, and its coredump, parsed when there is one. */
struct run {
	struct tsim_board bd;
	struct rproc_info info;
	struct core_file cf; /* cf.buf NULL: no coredump */
	char *dumps;
	int i;
};

static void run_board(struct run *r, const char *sim_cfg, const char *mkfw_args)
{
	memset(r, 0, sizeof(*r));
	r->dumps = tsim_tmpdir();
	tsim_board_new(&r->bd, "lemans-el2", sim_cfg, mkfw_args);
	r->bd.cfg.coredump_dir = r->dumps;
	r->bd.cfg.recovery = false;
}

/* The board of @core crashing with minidump=@minidump. */
static void run_minidump(struct run *r, const char *core, const char *minidump)
{
	char cfg[256];

	snprintf(cfg, sizeof(cfg), "minidump=%s\ncrash=%s:fatal:50", minidump, core);
	run_board(r, cfg, NULL);
	r->i = tsim_board_find(&r->bd, core);
	assert_true(r->i >= 0);
}

/* Start core @core (the sim config crashes it), and let the crash handling finish. */
static void run_crash(struct run *r, const char *core)
{
	struct rproc **rp;

	tsim_board_cores(&r->bd);
	r->i = tsim_board_find(&r->bd, core);
	assert_true(r->i >= 0);
	rp = &r->bd.r[r->i];
	assert_int_equal(rproc_start(*rp), 0);
	assert_int_equal(tsim_wait_crashes(*rp, 1, RPROC_CRASHED, 10000), 0);
	assert_int_equal(tsim_wait_idle(rp, 1, 1, 10000), 0);
	tsim_run_for(rp, 1, 50);
	rproc_get_info(*rp, &r->info);
	if (r->info.last_coredump[0])
		core_file_parse(r->info.last_coredump, &r->cf);
}

static void run_free(struct run *r)
{
	free(r->cf.buf);
	tsim_board_free(&r->bd);
	tsim_rmtree(r->dumps);
}

/* Files in @dir, hidden ones too. */
static unsigned int dir_entries(const char *dir)
{
	char cmd[512];
	unsigned int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(cmd, sizeof(cmd), p))
		n++;
	pclose(p);
	return n;
}

/* @n bytes at @at of @ph equal the carveout's at @pa, or are all 0xff (@pa 0). */
static void expect_bytes(struct run *r, const Elf64_Phdr *ph, uint64_t at, uint64_t n,
			 uint64_t pa)
{
	const uint8_t *got = r->cf.buf + ph->p_offset + at;
	uint8_t *want = malloc(n);

	assert_non_null(want);
	assert_true(at + n <= ph->p_filesz);
	if (pa)
		assert_int_equal(rproc_sim_read_phys(r->bd.b, pa, want, n), 0);
	else
		memset(want, 0xff, n);
	assert_memory_equal(got, want, n);
	free(want);
}

static void test_minidump(void **state)
{
	struct run r;

	run_minidump(&r, "adsp", "1");
	run_crash(&r, "adsp");
	assert_int_equal(r.cf.n_load, 2);
	assert_int_equal(r.cf.ph[1].p_paddr, r.bd.d[r.i].carveouts[0].base);
	assert_int_equal(r.cf.ph[1].p_filesz, PAGE);
	assert_ptr_equal(core_file_region(&r.cf, "md_code"), &r.cf.ph[1]);
	assert_ptr_equal(core_file_region(&r.cf, "md_data"), &r.cf.ph[2]);
	expect_bytes(&r, &r.cf.ph[2], 0, PAGE, r.bd.d[r.i].carveouts[0].base + PAGE);
	assert_null(core_file_note(&r.cf, RPROC_NOTE_TRUNCATED, 0));
	core_file_readelf_check(r.info.last_coredump);
	run_free(&r);
}

/* SA8775p's gpdsp0 has minidump id 21: past the ten entries the kernel's struct declares. */
static void test_minidump_high_id(void **state)
{
	struct run r;

	run_minidump(&r, "gpdsp0", "1");
	assert_int_equal(r.bd.d[r.i].minidump_id, 21);
	run_crash(&r, "gpdsp0");
	assert_int_equal(r.cf.n_load, 2);
	assert_non_null(core_file_region(&r.cf, "md_code"));
	run_free(&r);
}

/*
 * The table a hostile DSP writes: a region in another core's carveout, regions across either
 * end of its own, overlapping ones, one wrapping past 2^64, one of 2^64 - 1 bytes, an invalid
 * one.  Nothing of the other carveouts may reach the file; the bytes outside are 0xff.
 */
static void test_minidump_hostile(void **state)
{
	const Elf64_Phdr *p;
	uint64_t base, size;
	struct run r;

	run_minidump(&r, "cdsp0", "hostile");
	fill_others(&r.bd, r.i);
	run_crash(&r, "cdsp0");
	assert_non_null(r.cf.buf);
	assert_false(has_marker(r.cf.buf, r.cf.len));
	base = r.bd.d[r.i].carveouts[0].base;
	size = r.bd.d[r.i].carveouts[0].size;

	assert_int_equal(r.cf.n_load, 7); /* not_valid left out */
	assert_null(core_file_region(&r.cf, "not_valid"));
	p = core_file_region(&r.cf, "md_ok");
	assert_non_null(p);
	assert_int_equal(p->p_vaddr, base);
	expect_bytes(&r, p, 0, PAGE, base);
	p = core_file_region(&r.cf, "neighbour");
	assert_non_null(p);
	assert_int_equal(p->p_filesz, PAGE);
	expect_bytes(&r, p, 0, PAGE, 0);
	p = core_file_region(&r.cf, "straddle_end");
	assert_non_null(p);
	assert_int_equal(p->p_filesz, 2 * PAGE);
	expect_bytes(&r, p, 0, PAGE, base + size - PAGE);
	expect_bytes(&r, p, PAGE, PAGE, 0);
	p = core_file_region(&r.cf, "straddle_start");
	assert_non_null(p);
	expect_bytes(&r, p, 0, PAGE, 0);
	expect_bytes(&r, p, PAGE, PAGE, base);
	p = core_file_region(&r.cf, "overlap");
	assert_non_null(p);
	expect_bytes(&r, p, 0, 2 * PAGE, base);
	p = core_file_region(&r.cf, "wrap");
	assert_non_null(p);
	assert_true(p->p_vaddr + p->p_memsz >= p->p_vaddr); /* no wrap in the file */
	expect_bytes(&r, p, 0, p->p_filesz, 0);
	p = core_file_region(&r.cf, "huge");
	assert_non_null(p);
	assert_int_equal(p->p_memsz, size); /* cut to the carveout's size */
	assert_int_equal(p->p_filesz, size);
	expect_bytes(&r, p, 0, PAGE, base + size - PAGE);
	expect_bytes(&r, p, PAGE, size - PAGE, 0);
	assert_non_null(core_file_note(&r.cf, RPROC_NOTE_TRUNCATED, 0));
	assert_non_null(strstr(core_file_note(&r.cf, RPROC_NOTE_TRUNCATED, 0),
			       "outside the carveout written as 0xff"));
	core_file_readelf_check(r.info.last_coredump);
	run_free(&r);
}

/*
 * A region count past the end of the carveout: gpdsp0's table ends where gpdsp1's carveout
 * begins, and that memory holds valid-looking entries naming itself.
 */
static void test_minidump_hostile_count(void **state)
{
	struct md_region rg[64];
	struct run r;
	int j;

	run_minidump(&r, "gpdsp0", "hostile-count");
	j = tsim_board_find(&r.bd, "gpdsp1");
	assert_int_equal(r.bd.d[r.i].carveouts[0].base + r.bd.d[r.i].carveouts[0].size,
			 r.bd.d[j].carveouts[0].base);
	fill_others(&r.bd, r.i);
	for (unsigned int k = 0; k < ARRAY_SIZE(rg); k++) {
		memcpy(rg[k].name, marker, sizeof(marker));
		memcpy(rg[k].name + 8, marker, 7);
		rg[k].name[15] = 0;
		rg[k].seq_num = htole32(k);
		rg[k].valid = htole32(MD_REGION_VALID);
		rg[k].address = htole64(r.bd.d[j].carveouts[0].base + 8 * PAGE);
		rg[k].size = htole64(PAGE);
	}
	assert_int_equal(rproc_sim_write_phys(r.bd.b, r.bd.d[j].carveouts[0].base, rg, sizeof(rg)),
			 0);
	tsim_log_clear();
	run_crash(&r, "gpdsp0");
	assert_false(has_marker(r.cf.buf, r.cf.len));
	assert_int_equal(r.cf.n_load, 7);
	assert_true(tsim_log_has("gpdsp0", "coredump", "claims 1000 regions; the first 8 read"));
	run_free(&r);
}

/* The region table itself in another core's carveout: not read, the full dump instead. */
static void test_minidump_table_outside(void **state)
{
	struct run r;

	run_minidump(&r, "cdsp0", "table-outside");
	fill_others(&r.bd, r.i);
	tsim_log_clear();
	run_crash(&r, "cdsp0");
	assert_false(has_marker(r.cf.buf, r.cf.len));
	assert_null(core_file_note(&r.cf, RPROC_NOTE_REGION, 0));
	assert_true(r.cf.n_load >= 2); /* the image's segments */
	assert_true(tsim_log_has("cdsp0", "coredump", "is outside the carveout"));
	run_free(&r);
}

/*
 * Which level gives which dump (the kernel's qcom_minidump()): no table of contents, or its
 * status 0, or encryption not done: no dump; the subsystem's entry not filled in: the full
 * dump.
 */
static void test_minidump_levels(void **state)
{
	static const struct {
		const char *mode, *log;
	} cases[] = {
		{ "absent", "SMEM has no minidump table of contents" },
		{ "off", "minidump is off" },
		{ "encrypting", "encryption not done" },
		{ "0", NULL },
	};

	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct run r;

		run_minidump(&r, "adsp", cases[k].mode);
		tsim_log_clear();
		run_crash(&r, "adsp");
		if (cases[k].log) {
			assert_string_equal(r.info.last_coredump, "");
			assert_int_equal(dir_entries(r.dumps), 0);
			assert_true(tsim_log_has("adsp", "coredump", cases[k].log));
			assert_true(tsim_log_has("adsp", "coredump", "no coredump"));
		} else {
			assert_null(core_file_note(&r.cf, RPROC_NOTE_REGION, 0));
			assert_true(r.cf.n_load >= 2);
		}
		run_free(&r);
	}
}

static void test_coredump_size_cap(void **state)
{
	struct run r;

	run_board(&r, "crash=cdsp0:fatal:50", "--segments 6 --size 192K");
	r.bd.cfg.coredump_max = 64 * 1024;
	run_crash(&r, "cdsp0");
	assert_true(r.cf.len <= 64 * 1024);
	assert_true(r.cf.n_load < 6);
	assert_non_null(core_file_note(&r.cf, RPROC_NOTE_TRUNCATED, 0));
	assert_non_null(strstr(core_file_note(&r.cf, RPROC_NOTE_TRUNCATED, 0),
			       "size limit 65536"));
	core_file_readelf_check(r.info.last_coredump);
	run_free(&r);
}

/*
 * readelf -n names core-file note types whatever their owner: the RPROC notes must not use
 * theirs (NT_PRSTATUS is 1).  Shown as the RPROC owner's own types, with their text.
 */
static void test_coredump_notes_readelf(void **state)
{
	bool owner = false, core_hex = false;
	char cmd[4300], line[512];
	struct run r;
	FILE *p;

	if (system("readelf --version >/dev/null 2>&1") != 0)
		skip();
	run_board(&r, "crash=cdsp0:fatal:50", NULL);
	run_crash(&r, "cdsp0");
	snprintf(cmd, sizeof(cmd), "readelf -nW '%s' 2>&1", r.info.last_coredump);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		fprintf(stderr, "%s", line);
		assert_null(strstr(line, "NT_PRSTATUS"));
		assert_null(strstr(line, "NT_FPREGSET"));
		assert_null(strstr(line, "NT_PRPSINFO"));
		assert_null(strstr(line, "NT_TASKSTRUCT"));
		assert_null(strstr(line, "NT_AUXV"));
		if (strstr(line, "RPROC") && strstr(line, "0x52500001"))
			owner = true;
		/* "cdsp0" and its NUL */
		if (strstr(line, "63 64 73 70 30 00"))
			core_hex = true;
	}
	assert_int_equal(WEXITSTATUS(pclose(p)), 0);
	assert_true(owner);
	assert_true(core_hex);
	run_free(&r);
}

/* 0640 and the directory's group (the unit's UMask= comment, rprocd(8)), whatever the umask. */
static void test_coredump_mode_group(void **state)
{
	struct stat st, dst;
	mode_t old;
	struct run r;

	run_board(&r, "crash=cdsp0:fatal:50", NULL);
	/* as root: a group the process is not in, as the unit's rprocd group */
	if (geteuid() == 0)
		assert_int_equal(chown(r.dumps, (uid_t)-1, 4242), 0);
	assert_int_equal(stat(r.dumps, &dst), 0);
	old = umask(077);
	run_crash(&r, "cdsp0");
	umask(old);
	assert_int_equal(stat(r.info.last_coredump, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_gid, dst.st_gid);
	assert_int_equal(dir_entries(r.dumps), 1);
	run_free(&r);
}

/* The name appears once the file is complete: no write to it after it has a name. */
static void test_coredump_atomic(void **state)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	bool named = false;
	struct run r;
	ssize_t n;
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(in >= 0);
	run_board(&r, "crash=cdsp0:fatal:50", "--segments 4 --size 256K");
	assert_true(inotify_add_watch(in, r.dumps, IN_CREATE | IN_MOVED_TO | IN_MODIFY) >= 0);
	run_crash(&r, "cdsp0");
	assert_true(r.info.last_coredump[0]);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			bool dump = ev->len && strstr(ev->name, ".core");

			if (dump && (ev->mask & (IN_CREATE | IN_MOVED_TO)))
				named = true;
			if (dump && (ev->mask & IN_MODIFY))
				fail_msg("%s written to after it appeared", ev->name);
			p += sizeof(*ev) + ev->len;
		}
	close(in);
	assert_true(named);
	assert_int_equal(dir_entries(r.dumps), 1);
	run_free(&r);
}

/* Less free space than keep_free: no coredump, and it says why. */
static void test_coredump_keep_free(void **state)
{
	struct run r;

	run_board(&r, "crash=cdsp0:fatal:50", NULL);
	r.bd.cfg.coredump_keep_free = UINT64_MAX / 2;
	tsim_log_clear();
	run_crash(&r, "cdsp0");
	assert_string_equal(r.info.last_coredump, "");
	assert_int_equal(dir_entries(r.dumps), 0);
	assert_true(tsim_log_has("cdsp0", "coredump", "to be kept free"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minidump),
		cmocka_unit_test(test_minidump_high_id),
		cmocka_unit_test(test_minidump_hostile),
		cmocka_unit_test(test_minidump_hostile_count),
		cmocka_unit_test(test_minidump_table_outside),
		cmocka_unit_test(test_minidump_levels),
		cmocka_unit_test(test_coredump_size_cap),
		cmocka_unit_test(test_coredump_notes_readelf),
		cmocka_unit_test(test_coredump_mode_group),
		cmocka_unit_test(test_coredump_atomic),
		cmocka_unit_test(test_coredump_keep_free),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
