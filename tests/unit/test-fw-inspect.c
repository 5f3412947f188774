// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl inspect, in process (so that ASan and valgrind see its allocations): exit codes,
 * the JSON document against mkfw's description, the bad segment named on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"
#include "test-fw-util.h"

struct run {
	int status;
	char *out, *err;
};

static char *slurp(const char *path)
{
	size_t len;
	char *s = (char *)tfw_read(path, &len);

	assert_non_null(s);
	s = realloc(s, len + 1);
	assert_non_null(s);
	s[len] = '\0';
	return s;
}

/* ctl_inspect(argv) with stdout and stderr captured in files under @dir */
static struct run inspect(const char *dir, const char *a1, const char *a2)
{
	char out[512], err[512];
	char *argv[4] = {(char *)"inspect", (char *)a1, (char *)a2, NULL};
	int argc = 1 + !!a1 + !!a2, so, se, fo, fe;
	struct run r;

	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	fo = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fe = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	r.status = ctl_inspect(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(fo);
	close(fe);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void check_json(json_object *d, const char *text, int mismatch)
{
	json_object *o = json_tokener_parse(text), *segs, *dsegs, *sum;
	static const char *const keys[] = {"form",    "elf_class", "mbn_version",  "hash_alg",
					   "relocatable", "min_addr", "max_addr", "span",
					   "metadata_size", "hash_index"};
	unsigned int checked = 0;

	if (!o)
		fail_msg("inspect --json printed no JSON: %s", text);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *a = tfw_obj(o, keys[i]), *b = tfw_obj(d, keys[i]);

		if (!json_object_equal(a, b))
			fail_msg("%s: %s != %s", keys[i], json_object_to_json_string(a),
				 json_object_to_json_string(b));
	}
	segs = tfw_obj(o, "segments");
	dsegs = tfw_obj(d, "segments");
	assert_int_equal(json_object_array_length(segs), tfw_u64(d, "phnum"));
	for (size_t i = 0; i < json_object_array_length(segs); i++) {
		json_object *s = json_object_array_get_idx(segs, i);
		json_object *t = json_object_array_get_idx(dsegs, i);
		json_object *dg = tfw_obj(s, "digest");

		assert_int_equal(tfw_u64(s, "index"), i);
		assert_int_equal(tfw_u64(s, "flags"), tfw_u64(t, "flags"));
		assert_int_equal(tfw_u64(s, "paddr"), tfw_u64(t, "paddr"));
		assert_int_equal(tfw_u64(s, "offset"), tfw_u64(t, "offset"));
		assert_int_equal(tfw_u64(s, "filesz"), tfw_u64(t, "filesz"));
		assert_int_equal(tfw_u64(s, "memsz"), tfw_u64(t, "memsz"));
		assert_int_equal(tfw_bool(s, "loadable"), tfw_bool(t, "loadable"));
		assert_int_equal(tfw_bool(s, "checked"), tfw_bool(t, "checked"));
		assert_int_equal(tfw_bool(s, "hashed"), tfw_bool(t, "hashed"));
		if (!tfw_bool(t, "checked")) {
			assert_null(dg);
			continue;
		}
		checked++;
		assert_string_equal(json_object_get_string(dg),
				    (int)i == mismatch ? "mismatch" : "ok");
	}
	sum = tfw_obj(o, "summary");
	assert_int_equal(tfw_u64(sum, "checked"), checked);
	assert_int_equal(tfw_u64(sum, "checked"), tfw_u64(d, "checked"));
	assert_int_equal(tfw_u64(sum, "matched"), checked - (mismatch >= 0));
	json_object_put(o);
}

static void test_good(void **state)
{
	static const char *const cases[][2] = {
		{"a.mbn", "--mbn-version 3"},
		{"a.mdt", "--mbn-version 5 --hash sha384"},
		{"b.mbn", "--mbn-version 6 --no-reloc --elf64"},
		{"b.mdt", "--mbn-version 7 --hash sha256 --segments 7"},
	};
	char *dir = tfw_tmpdir();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512];
		json_object *d;
		struct run r;

		snprintf(path, sizeof(path), "%s/%s", dir, cases[i][0]);
		d = tfw_mkfw(path, cases[i][1]);
		assert_non_null(d);
		r = inspect(dir, path, "--json");
		if (r.status != CTL_EXIT_OK)
			fail_msg("%s: exit %d: %s", cases[i][1], r.status, r.err);
		assert_string_equal(r.err, "");
		check_json(d, r.out, -1);
		run_free(&r);

		r = inspect(dir, path, NULL);
		assert_int_equal(r.status, CTL_EXIT_OK);
		assert_non_null(strstr(r.out, "Digests:"));
		assert_non_null(strstr(r.out, "(hash segment)"));
		assert_non_null(strstr(r.out, tfw_str(d, "hash_alg")));
		run_free(&r);
		json_object_put(d);
	}
	tfw_rmtree(dir);
}

static void test_bad(void **state)
{
	char *dir = tfw_tmpdir(), path[512], want[64];
	json_object *d;
	struct run r;
	int seg;

	/* a flipped byte: exit 1, the segment named, JSON marks it */
	snprintf(path, sizeof(path), "%s/f.mdt", dir);
	d = tfw_mkfw(path, "--bad flip --seed 5");
	assert_non_null(d);
	seg = (int)tfw_i64(tfw_obj(d, "bad"), "segment");
	r = inspect(dir, "--json", path);
	assert_int_equal(r.status, CTL_EXIT_FAILURE);
	snprintf(want, sizeof(want), "segment %d: digest MISMATCH", seg);
	if (!strstr(r.err, want))
		fail_msg("stderr lacks '%s': %s", want, r.err);
	check_json(d, r.out, seg);
	run_free(&r);
	json_object_put(d);

	/* images that do not parse: a message, nothing on stdout */
	snprintf(path, sizeof(path), "%s/o.mbn", dir);
	d = tfw_mkfw(path, "--bad overlap");
	assert_non_null(d);
	r = inspect(dir, path, NULL);
	assert_int_equal(r.status, CTL_EXIT_FAILURE);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "overlaps"));
	run_free(&r);
	json_object_put(d);

	snprintf(path, sizeof(path), "%s/m.mdt", dir);
	d = tfw_mkfw(path, "--bad missing-bnn");
	assert_non_null(d);
	r = inspect(dir, path, "--json");
	assert_int_equal(r.status, CTL_EXIT_NOT_FOUND);
	assert_string_equal(r.out, "");
	run_free(&r);
	json_object_put(d);

	/* parses, but its hash segment is not one we can read */
	snprintf(path, sizeof(path), "%s/v.mbn", dir);
	d = tfw_mkfw(path, "--bad bad-version");
	assert_non_null(d);
	r = inspect(dir, path, "--json");
	assert_int_equal(r.status, CTL_EXIT_FAILURE);
	assert_non_null(strstr(r.err, "unknown MBN version 4"));
	{
		json_object *o = json_tokener_parse(r.out);

		assert_non_null(o);
		assert_null(tfw_obj(o, "hash_alg"));
		assert_int_equal(tfw_u64(tfw_obj(o, "summary"), "checked"), 0);
		json_object_put(o);
	}
	run_free(&r);
	json_object_put(d);

	/* usage */
	r = inspect(dir, NULL, NULL);
	assert_int_equal(r.status, CTL_EXIT_USAGE);
	run_free(&r);
	r = inspect(dir, "--bogus", path);
	assert_int_equal(r.status, CTL_EXIT_USAGE);
	run_free(&r);
	r = inspect(dir, path, path);
	assert_int_equal(r.status, CTL_EXIT_USAGE);
	run_free(&r);
	r = inspect(dir, "--help", NULL);
	assert_int_equal(r.status, CTL_EXIT_OK);
	assert_non_null(strstr(r.out, "Usage"));
	run_free(&r);
	snprintf(path, sizeof(path), "%s/nonexistent.mbn", dir);
	r = inspect(dir, path, NULL);
	assert_int_equal(r.status, CTL_EXIT_NOT_FOUND);
	assert_non_null(strstr(r.err, "nonexistent.mbn"));
	run_free(&r);
	tfw_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
