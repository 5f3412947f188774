// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl coredump list|info|dump|debug: the ELF core files rprocd keeps in
 * CoredumpDirectory=, as coredumpctl shows systemd-coredump's.  Offline: reads the directory
 * (and the configuration, for where it is); the core name, crash reason and carveout come from
 * the files' RPROC notes (<rproc/coredump.h>).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "ctl-bus.h"
#include "fd-util.h"
#include "ctl-output.h"
#include "dumpfile.h"
#include "rproc/coredump.h"
#include "util.h"

#define MAX_NOTES_SIZE (1u << 20)
#define MAX_SEGMENTS 0xfff0

struct dump_seg {
	uint64_t da, memsz, filesz;
	char region[32];
};

struct dump {
	char *path;
	uint64_t time_usec;
	uint64_t disk_size, core_size; /* core_size 0: unknown */
	bool compressed;
	char core[64];
	char reason[256];
	char truncated[256];
	uint64_t carveout[2]; /* base, size; size 0: not said */
	struct dump_seg *segs;
	size_t n_segs;
	const char *error; /* why it could not be read; NULL if it was */
};

static void dump_clear(struct dump *d)
{
	free(d->path);
	free(d->segs);
}

static void dumps_free(struct dump *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dump_clear(&v[i]);
	free(v);
}

static void note_text(char *dst, size_t len, const uint8_t *desc, uint32_t descsz)
{
	snprintf(dst, len, "%.*s", (int)strnlen((const char *)desc, descsz), (const char *)desc);
}

/* The notes of the RPROC owner; others are skipped. */
static void parse_notes(struct dump *d, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off + 12 <= len) {
		uint32_t namesz, descsz, type;
		const uint8_t *name, *desc;

		memcpy(&namesz, p + off, 4);
		memcpy(&descsz, p + off + 4, 4);
		memcpy(&type, p + off + 8, 4);
		if (namesz > len || descsz > len ||
		    off + 12 + ALIGN_UP((size_t)namesz, 4) + ALIGN_UP((size_t)descsz, 4) > len)
			return;
		name = p + off + 12;
		desc = name + ALIGN_UP((size_t)namesz, 4);
		off += 12 + ALIGN_UP((size_t)namesz, 4) + ALIGN_UP((size_t)descsz, 4);
		if (namesz != sizeof(RPROC_NOTE_NAME) || memcmp(name, RPROC_NOTE_NAME, namesz))
			continue;
		/* files from before the types moved clear of NT_PRSTATUS and its kin */
		if (type >= 1 && type <= 4)
			type += RPROC_NOTE_CORE - 1;
		if (type == RPROC_NOTE_CORE)
			note_text(d->core, sizeof(d->core), desc, descsz);
		else if (type == RPROC_NOTE_REASON)
			note_text(d->reason, sizeof(d->reason), desc, descsz);
		else if (type == RPROC_NOTE_TRUNCATED)
			note_text(d->truncated, sizeof(d->truncated), desc, descsz);
		else if (type == RPROC_NOTE_CARVEOUT) {
			char text[64];
			unsigned long long base, size;

			note_text(text, sizeof(text), desc, descsz);
			if (sscanf(text, "%llx %llx", &base, &size) == 2) {
				d->carveout[0] = base;
				d->carveout[1] = size;
			}
		}
		else if (type == RPROC_NOTE_REGION) {
			char text[64], *sp;
			unsigned long idx;

			note_text(text, sizeof(text), desc, descsz);
			idx = strtoul(text, &sp, 10);
			if (*sp == ' ' && idx < d->n_segs)
				snprintf(d->segs[idx].region, sizeof(d->segs[idx].region), "%s",
					 sp + 1);
		}
	}
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct dumpfile *, dumpfile_close)

/* Headers and notes: the ELF header, program headers, then the PT_NOTE wherever it is. */
static int dump_read(struct dump *d)
{
	_cleanup_(dumpfile_closep) struct dumpfile *f = NULL;
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	_cleanup_free_ uint8_t *notes = NULL;
	Elf64_Ehdr eh;
	int r, note = -1;

	r = dumpfile_open(d->path, &f);
	if (r < 0) {
		d->error = r == -EOPNOTSUPP ? "compressed, and rprocctl was built without zstd" :
					      strerror(-r);
		return r;
	}
	d->compressed = dumpfile_compressed(f);
	d->core_size = dumpfile_content_size(f);
	r = dumpfile_pread(f, &eh, sizeof(eh), 0);
	if (r < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_type != ET_CORE || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum > MAX_SEGMENTS || eh.e_phoff < sizeof(eh)) {
		d->error = "not an ELF64 core file";
		return -EBADMSG;
	}
	ph = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(*ph));
	d->segs = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(*d->segs));
	if (!ph || !d->segs)
		return -ENOMEM;
	r = dumpfile_pread(f, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff);
	if (r < 0) {
		d->error = "truncated program headers";
		return r;
	}
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE && note < 0)
			note = (int)i;
		/* regions are named by the index among the segments: PT_NOTE is entry 0 */
		if (ph[i].p_type == PT_LOAD)
			d->segs[d->n_segs++] = (struct dump_seg){ .da = ph[i].p_paddr,
								  .memsz = ph[i].p_memsz,
								  .filesz = ph[i].p_filesz };
	}
	if (note < 0 || !ph[note].p_filesz || ph[note].p_filesz > MAX_NOTES_SIZE)
		return 0; /* no notes: a core file still, with what the name says */
	notes = malloc(ph[note].p_filesz);
	if (!notes)
		return -ENOMEM;
	r = dumpfile_pread(f, notes, ph[note].p_filesz, ph[note].p_offset);
	if (r == -ESPIPE) {
		/* notes before the segments we passed: start again */
		dumpfile_close(TAKE_PTR(f));
		r = dumpfile_open(d->path, &f);
		if (r == 0)
			r = dumpfile_pread(f, notes, ph[note].p_filesz, ph[note].p_offset);
	}
	if (r < 0) {
		d->error = "truncated notes";
		return r;
	}
	parse_notes(d, notes, ph[note].p_filesz);
	return 0;
}

static bool compressed_exists(int dfd, const char *name)
{
	char zst[NAME_MAX + 8];
	struct stat st;
	size_t n = strlen(name);

	if (n < 5 || strcmp(name + n - 5, ".core"))
		return false;
	snprintf(zst, sizeof(zst), "%s%s", name, DUMPFILE_ZSTD_SUFFIX);
	return fstatat(dfd, zst, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

static int dump_cmp(const void *a, const void *b)
{
	const struct dump *x = a, *y = b;

	if (x->time_usec != y->time_usec)
		return x->time_usec < y->time_usec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Where the coredumps are: --directory, else CoredumpDirectory= of the configuration. */
static int dump_dir(const struct ctl_opts *o, char **out)
{
	if (o->directory) {
		*out = strdup(o->directory);
		return *out ? 0 : -ENOMEM;
	}
	_cleanup_(conf_done) struct conf c;
	if (conf_load(&c, o->config, "", NULL, NULL) < 0) {
		fprintf(stderr, "rprocctl: cannot read the configuration: %s; give the coredump "
				"directory with --directory\n", c.error);
		return -EACCES;
	}
	if (!c.coredump_dir) {
		fprintf(stderr, "rprocctl: coredumps are off (CoredumpDirectory= is empty in "
				"rprocd.conf); give a directory with --directory\n");
		return -ENOENT;
	}
	*out = TAKE_PTR(c.coredump_dir);
	return 0;
}

/* Every coredump in @dir, oldest first; with @name, only that core's. */
static int dumps_scan(const char *dir, const char *name, struct dump **out, size_t *n_out)
{
	DIR *dh = opendir(dir);
	struct dump *v = NULL;
	size_t n = 0;
	struct dirent *de;
	int r = 0;

	if (!dh)
		return -errno;
	while ((de = readdir(dh))) {
		struct dump d = { 0 };
		struct stat st;
		struct dump *nv;

		if (!dumpfile_is_dump_name(de->d_name))
			continue;
		/* rprocd compressing it: the .zst is complete once it is there */
		if (compressed_exists(dirfd(dh), de->d_name))
			continue;
		if (fstatat(dirfd(dh), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (asprintf(&d.path, "%s/%s", dir, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		d.time_usec = (uint64_t)st.st_mtim.tv_sec * 1000000 +
			      (uint64_t)st.st_mtim.tv_nsec / 1000;
		d.disk_size = (uint64_t)st.st_size;
		if (dump_read(&d) == -ENOMEM) {
			dump_clear(&d);
			r = -ENOMEM;
			break;
		}
		if (!d.core[0]) /* no note: the name librproc gives, <core>-<time>.core */
			snprintf(d.core, sizeof(d.core), "%.*s",
				 (int)strcspn(de->d_name, "-"), de->d_name);
		if (name && strcmp(d.core, name)) {
			dump_clear(&d);
			continue;
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			dump_clear(&d);
			r = -ENOMEM;
			break;
		}
		v = nv;
		v[n++] = d;
	}
	closedir(dh);
	if (r < 0) {
		dumps_free(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), dump_cmp);
	*out = v;
	*n_out = n;
	return 0;
}

static json_object *dump_json(const struct dump *d, bool segments)
{
	_cleanup_(json_object_putp) json_object *o = json_object_new_object();
	json_object *a;

	if (!o || ju_add_u64(o, "time_usec", d->time_usec) < 0 ||
	    ju_add_str(o, "name", d->core) < 0 ||
	    ju_add_str(o, "reason", d->reason[0] ? d->reason : NULL) < 0 ||
	    ju_add_u64(o, "size", d->disk_size) < 0 ||
	    (d->core_size ? ju_add_u64(o, "core_size", d->core_size) :
			    ju_add_str(o, "core_size", NULL)) < 0 ||
	    ju_add_bool(o, "compressed", d->compressed) < 0 || ju_add_str(o, "file", d->path) < 0 ||
	    ju_add_str(o, "truncated", d->truncated[0] ? d->truncated : NULL) < 0 ||
	    ju_add_str(o, "error", d->error) < 0)
		return NULL;
	if (d->carveout[1]) {
		json_object *c = json_object_new_object();

		if (ju_add(o, "carveout", c) < 0 || ju_add_u64(c, "base", d->carveout[0]) < 0 ||
		    ju_add_u64(c, "size", d->carveout[1]) < 0)
			return NULL;
	} else if (ju_add_str(o, "carveout", NULL) < 0) {
		return NULL; /* a file from before the note */
	}
	if (!segments)
		return TAKE_PTR(o);
	if (ju_add(o, "segments", a = json_object_new_array()) < 0)
		return NULL;
	for (size_t i = 0; i < d->n_segs; i++) {
		json_object *s = json_object_new_object();

		if (ju_append(a, s) < 0 || ju_add_u64(s, "address", d->segs[i].da) < 0 ||
		    ju_add_u64(s, "size", d->segs[i].memsz) < 0 ||
		    ju_add_u64(s, "file_size", d->segs[i].filesz) < 0 ||
		    ju_add_str(s, "region", d->segs[i].region[0] ? d->segs[i].region : NULL) < 0)
			return NULL;
	}
	return TAKE_PTR(o);
}

static int cmd_list(const struct ctl_opts *o, const char *dir, struct dump *v, size_t n)
{
	static const struct ctl_column cols[] = {
		{ "TIME", 0 },
		{ "CORE", CTL_COL_COLOR },
		{ "SIZE", CTL_COL_RIGHT },
		{ "REASON", CTL_COL_SHORTEN },
		{ "FILE", CTL_COL_SHORTEN },
	};
	struct ctl_table *t;

	if (o->json) {
		_cleanup_(json_object_putp) json_object *j = json_object_new_object();
		json_object *a = json_object_new_array();

		if (!j || ju_add(j, "coredumps", a) < 0)
			return CTL_EXIT_FAILURE;
		for (size_t i = 0; i < n; i++)
			if (ju_append(a, dump_json(&v[i], false)) < 0)
				return CTL_EXIT_FAILURE;
		return ctl_json_print(o, j) < 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
	}
	if (!n) {
		if (!o->quiet)
			fprintf(stderr, "rprocctl: no coredumps in %s\n", dir);
		return CTL_EXIT_NOT_FOUND;
	}
	t = ctl_table_new(o, cols, ARRAY_SIZE(cols));
	if (!t)
		return CTL_EXIT_FAILURE;
	for (size_t i = 0; i < n; i++) {
		char time[64], size[32];
		const char *slash = strrchr(v[i].path, '/');
		const char *cells[] = { time, v[i].core, size,
					v[i].error ? v[i].error : v[i].reason[0] ? v[i].reason : "-",
					slash ? slash + 1 : v[i].path };

		ctl_format_timestamp(v[i].time_usec, time, sizeof(time));
		ctl_format_bytes(v[i].disk_size, size, sizeof(size));
		if (ctl_table_add(t, cells, v[i].error ? ctl_ansi_red() : NULL) < 0) {
			ctl_table_free(t);
			return CTL_EXIT_FAILURE;
		}
	}
	if (ctl_table_print(t) < 0)
		return CTL_EXIT_FAILURE;
	if (!o->quiet && !o->no_legend)
		printf("\n%zu coredump%s in %s.\n", n, n == 1 ? "" : "s", dir);
	return CTL_EXIT_OK;
}

static int cmd_info(const struct ctl_opts *o, const struct dump *d)
{
	static const struct ctl_column cols[] = {
		{ "SEGMENT", CTL_COL_RIGHT }, { "ADDRESS", 0 }, { "SIZE", CTL_COL_RIGHT },
		{ "IN FILE", CTL_COL_RIGHT }, { "REGION", 0 },
	};
	char time[64], a[32], b[32];
	struct ctl_table *t;

	if (o->json) {
		_cleanup_(json_object_putp) json_object *j = dump_json(d, true);
		return !j || ctl_json_print(o, j) < 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
	}
	ctl_format_timestamp(d->time_usec, time, sizeof(time));
	ctl_format_bytes(d->disk_size, a, sizeof(a));
	printf("        File: %s\n        Core: %s\n        Time: %s\n      Reason: %s\n", d->path,
	       d->core, time, d->reason[0] ? d->reason : "-");
	printf("Size on disk: %s%s\n", a, d->compressed ? " (zstd)" : "");
	if (d->core_size) {
		ctl_format_bytes(d->core_size, b, sizeof(b));
		printf("   Core size: %s\n", b);
	}
	if (d->carveout[1]) {
		ctl_format_bytes(d->carveout[1], b, sizeof(b));
		printf("    Carveout: 0x%08" PRIx64 " (%s): the only memory read\n", d->carveout[0],
		       b);
	}
	if (d->truncated[0])
		printf("   Truncated: %s\n", d->truncated);
	if (d->error) {
		printf("       Error: %s%s%s\n", ctl_ansi_red(), d->error, ctl_ansi_normal());
		return CTL_EXIT_FAILURE;
	}
	printf("    Segments: %zu\n\n", d->n_segs);
	t = ctl_table_new(o, cols, ARRAY_SIZE(cols));
	if (!t)
		return CTL_EXIT_FAILURE;
	for (size_t i = 0; i < d->n_segs; i++) {
		char idx[16], da[32];
		const char *cells[] = { idx, da, a, b, d->segs[i].region[0] ? d->segs[i].region : "-" };

		snprintf(idx, sizeof(idx), "%zu", i);
		snprintf(da, sizeof(da), "0x%08" PRIx64, d->segs[i].da);
		ctl_format_bytes(d->segs[i].memsz, a, sizeof(a));
		ctl_format_bytes(d->segs[i].filesz, b, sizeof(b));
		if (ctl_table_add(t, cells, NULL) < 0) {
			ctl_table_free(t);
			return CTL_EXIT_FAILURE;
		}
	}
	return ctl_table_print(t) < 0 ? CTL_EXIT_FAILURE : CTL_EXIT_OK;
}

/* The ELF file, decompressed, to @fd. */
static int copy_out(const struct dump *d, int fd)
{
	_cleanup_(dumpfile_closep) struct dumpfile *f = NULL;
	_cleanup_free_ uint8_t *buf = malloc(1u << 20);
	ssize_t n;
	int r;

	if (!buf)
		return -ENOMEM;
	r = dumpfile_open(d->path, &f);
	if (r < 0)
		return r;
	while ((n = dumpfile_read(f, buf, 1u << 20)) > 0) {
		r = write_full(fd, buf, (size_t)n, -1);
		if (r < 0)
			return r;
	}
	return n < 0 ? (int)n : 0;
}

static int cmd_dump(const struct ctl_opts *o, const struct dump *d)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!o->output && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "rprocctl: refusing to write a core file to a terminal; give "
				"-o FILE or redirect the output\n");
		return CTL_EXIT_USAGE;
	}
	if (o->output) {
		fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
		if (fd < 0) {
			fprintf(stderr, "rprocctl: cannot create %s: %m\n", o->output);
			return CTL_EXIT_FAILURE;
		}
	}
	r = copy_out(d, o->output ? fd : STDOUT_FILENO);
	if (r < 0) {
		fprintf(stderr, "rprocctl: %s: %s\n", d->path,
			r == -EOPNOTSUPP ? "compressed, and rprocctl was built without zstd" :
					   strerror(-r));
		if (o->output)
			unlink(o->output);
		return CTL_EXIT_FAILURE;
	}
	if (o->output && !o->quiet)
		fprintf(stderr, "rprocctl: wrote %s (%s)\n", o->output, d->path);
	return CTL_EXIT_OK;
}

/*
 * As coredumpctl debug: the core decompressed into a temporary file, then
 * DEBUGGER [ARGS] [FIRMWARE] -c CORE (the form gdb and lldb both take).
 */
static int cmd_debug(const struct ctl_opts *o, const struct dump *d)
{
	const char *dbg = o->debugger ?: getenv("SYSTEMD_DEBUGGER") ?: "gdb";
	char tmp[] = "/var/tmp/rprocctl-coredump-XXXXXX";
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	_cleanup_free_ char *args = o->debugger_args ? strdup(o->debugger_args) : NULL;
	const char *argv[64];
	size_t n = 0;
	int r, status;
	pid_t pid;

	if (fd < 0) {
		fprintf(stderr, "rprocctl: cannot create a temporary file: %m\n");
		return CTL_EXIT_FAILURE;
	}
	r = copy_out(d, fd);
	if (r < 0) {
		unlink(tmp);
		fprintf(stderr, "rprocctl: %s: %s\n", d->path, strerror(-r));
		return CTL_EXIT_FAILURE;
	}
	argv[n++] = dbg;
	for (char *save = NULL, *w = args ? strtok_r(args, " \t", &save) : NULL; w && n < 58;
	     w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	if (o->firmware)
		argv[n++] = o->firmware;
	argv[n++] = "-c";
	argv[n++] = tmp;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execvp(dbg, (char *const *)argv);
		fprintf(stderr, "rprocctl: cannot run %s: %m (give one with --debugger)\n", dbg);
		_exit(127);
	}
	/* the debugger takes Ctrl-C */
	signal(SIGINT, SIG_IGN);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unlink(tmp);
	if (pid < 0)
		return CTL_EXIT_FAILURE;
	return WIFEXITED(status) ? WEXITSTATUS(status) : CTL_EXIT_FAILURE;
}

/* info, dump, debug take one: a file, a core's newest, or the newest of all. */
static int pick(const struct dump *v, size_t n, const char *arg)
{
	if (!arg)
		return n ? (int)n - 1 : -1;
	for (size_t i = n; i-- > 0;) {
		const char *slash = strrchr(v[i].path, '/');

		if (!strcmp(v[i].core, arg) || !strcmp(v[i].path, arg) ||
		    (slash && !strcmp(slash + 1, arg)))
			return (int)i;
	}
	return -1;
}

int ctl_coredump(const struct ctl_opts *o, int argc, char **argv)
{
	static const char *const subs[] = { "list", "info", "dump", "debug" };
	const char *sub = argv[1], *sel;
	_cleanup_free_ char *dir = NULL;
	struct dump *v = NULL, one = { 0 };
	size_t n = 0;
	int r, i;

	if (!strcmp(sub, "list") || !strcmp(sub, "info") || !strcmp(sub, "dump") ||
	    !strcmp(sub, "debug")) {
		if (strcmp(sub, "list") && argc > 3) {
			fprintf(stderr, "rprocctl: coredump %s: one NAME or FILE at most\n", sub);
			return CTL_EXIT_USAGE;
		}
	} else {
		const char *guess = ctl_did_you_mean(sub, subs, ARRAY_SIZE(subs));
		fprintf(stderr, "rprocctl: coredump: unknown command '%s'%s%s%s (list, info, dump "
				"or debug)\n",
			sub, guess ? "; did you mean '" : "", guess ?: "", guess ? "'?" : "");
		return CTL_EXIT_USAGE;
	}
	if (o->host) {
		fprintf(stderr, "rprocctl: coredump reads this machine's files; --host cannot go "
				"with it\n");
		return CTL_EXIT_USAGE;
	}
	/* a path: that file, wherever it is */
	if (argc == 3 && strcmp(sub, "list") && strchr(argv[2], '/') && access(argv[2], F_OK) == 0) {
		struct stat st;

		one.path = strdup(argv[2]);
		if (!one.path || stat(argv[2], &st) < 0)
			return CTL_EXIT_FAILURE;
		one.time_usec = (uint64_t)st.st_mtim.tv_sec * 1000000 +
				(uint64_t)st.st_mtim.tv_nsec / 1000;
		one.disk_size = (uint64_t)st.st_size;
		dump_read(&one);
		v = &one;
		n = 1;
		i = 0;
		goto run;
	}
	r = dump_dir(o, &dir);
	if (r < 0 || !dir)
		return CTL_EXIT_NOT_FOUND;
	r = dumps_scan(dir, NULL, &v, &n);
	if (r < 0) {
		fprintf(stderr, "rprocctl: cannot read %s: %s\n", dir, strerror(-r));
		return r == -ENOENT ? CTL_EXIT_NOT_FOUND :
		       r == -EACCES ? CTL_EXIT_PERMISSION : CTL_EXIT_FAILURE;
	}
	/* list and info page; dump and debug hand the terminal to the core or the debugger */
	if (!strcmp(sub, "list") || !strcmp(sub, "info"))
		ctl_pager_open(o);
	if (!strcmp(sub, "list")) {
		/* names filter: keep those of the named cores */
		size_t k = 0;

		for (size_t j = 0; j < n; j++) {
			bool keep = argc == 2;

			for (int a = 2; a < argc && !keep; a++)
				keep = !strcmp(v[j].core, argv[a]);
			if (keep)
				v[k++] = v[j];
			else
				dump_clear(&v[j]);
		}
		r = cmd_list(o, dir, v, k);
		dumps_free(v, k);
		return r;
	}
	sel = argc == 3 ? argv[2] : NULL;
	i = pick(v, n, sel);
	if (i < 0) {
		if (sel)
			fprintf(stderr, "rprocctl: no coredump of '%s' in %s (see rprocctl coredump "
					"list)\n",
				sel, dir);
		else
			fprintf(stderr, "rprocctl: no coredumps in %s\n", dir);
		dumps_free(v, n);
		return CTL_EXIT_NOT_FOUND;
	}
run:
	if (!strcmp(sub, "info")) {
		ctl_pager_open(o);
		r = cmd_info(o, &v[i]);
	}
	else if (!strcmp(sub, "dump"))
		r = cmd_dump(o, &v[i]);
	else
		r = cmd_debug(o, &v[i]);
	if (v == &one)
		dump_clear(&one);
	else
		dumps_free(v, n);
	return r;
}
