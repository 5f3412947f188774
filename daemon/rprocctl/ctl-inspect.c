// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocctl inspect FILE [--json]: what a PAS image holds and whether its hash table matches
 * its segments (doc/firmware-format.md#digest-rule).
 * Offline: reads the file(s) only.  Exit 0 only if the image
 * parses and every digest the verifier would check matches.
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl.h"
#include "rproc/fw.h"

static const char *seg_type(uint32_t t)
{
	switch (t) {
	case PT_NULL:
		return "NULL";
	case PT_LOAD:
		return "LOAD";
	case PT_DYNAMIC:
		return "DYNAMIC";
	case PT_INTERP:
		return "INTERP";
	case PT_NOTE:
		return "NOTE";
	case PT_PHDR:
		return "PHDR";
	case PT_TLS:
		return "TLS";
	default:
		return NULL;
	}
}

static const char *digest_word(const struct rproc_fw_segment *s)
{
	switch (s->digest) {
	case RPROC_DIGEST_OK:
		return "ok";
	case RPROC_DIGEST_MISMATCH:
		return "MISMATCH";
	case RPROC_DIGEST_UNREADABLE:
		return "UNREADABLE";
	case RPROC_DIGEST_NOT_CHECKED:
		break;
	}
	return "-";
}

/* 1 if the table entry is non-zero (the signer hashed the segment), 0 if zero, -1 unknown */
static int hashed(const struct rproc_fw_image *img, unsigned int i)
{
	const uint8_t *e;

	if (!img->hash_table)
		return -1;
	e = img->hash_table + (size_t)i * img->digest_len;
	for (size_t k = 0; k < img->digest_len; k++)
		if (e[k])
			return 1;
	return 0;
}

static void print_human(const struct rproc_fw_image *img, unsigned int checked,
			unsigned int matched)
{
	char tbuf[16];

	printf("File:          %s\n", img->path);
	printf("Form:          %s\n", img->form == RPROC_FW_SPLIT ? "split (.mdt + .bNN)" : "mbn");
	printf("ELF class:     ELF%u\n", img->elf_class);
	printf("MBN version:   %u\n", img->mbn_version);
	printf("Hash:          %s", rproc_hash_alg_name(img->alg));
	if (img->hash_index >= 0)
		printf(" (hash segment %d)", img->hash_index);
	printf("\n");
	printf("Relocatable:   %s\n", img->relocatable ? "yes" : "no");
	printf("Addresses:     0x%08" PRIx64 "-0x%08" PRIx64 "\n", img->min_addr, img->max_addr);
	printf("Span:          0x%" PRIx64 " (%" PRIu64 " KiB)\n", rproc_fw_span(img),
	       rproc_fw_span(img) >> 10);
	printf("Metadata:      %zu bytes\n\n", img->metadata_len);

	printf("%3s  %-7s  %-10s  %-10s  %-18s  %-10s  %-10s  %-4s  %-6s  %s\n", "IDX", "TYPE",
	       "FLAGS", "OFFSET", "PADDR", "FILESZ", "MEMSZ", "LOAD", "HASHED", "DIGEST");
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		const char *t = seg_type(s->type);
		int h = hashed(img, i);
		char paddr[24];

		if (!t) {
			snprintf(tbuf, sizeof(tbuf), "0x%x", s->type);
			t = tbuf;
		}
		snprintf(paddr, sizeof(paddr), "0x%08" PRIx64, s->paddr);
		printf("%3u  %-7s  0x%08x  0x%-8" PRIx64 "  %-18s  0x%-8" PRIx64 "  0x%-8" PRIx64
		       "  %-4s  %-6s  %s%s\n",
		       i, t, s->flags, s->offset, paddr, s->filesz, s->memsz,
		       s->loadable ? "yes" : "no", h < 0 ? "?" : h ? "yes" : "no",
		       digest_word(s), (int)i == img->hash_index ? "  (hash segment)" : "");
	}
	printf("\nDigests:       %u checked, %u matched (signatures are not checked)\n", checked,
	       matched);
}

static json_object *jint(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static int print_json(const struct rproc_fw_image *img, unsigned int checked,
		      unsigned int matched, bool pretty)
{
	json_object *o = json_object_new_object(), *segs = json_object_new_array(), *sum;

	json_object_object_add(o, "path", json_object_new_string(img->path));
	json_object_object_add(o, "form", json_object_new_string(img->form == RPROC_FW_SPLIT
									  ? "split"
									  : "mbn"));
	json_object_object_add(o, "elf_class", json_object_new_int((int)img->elf_class));
	json_object_object_add(o, "mbn_version", json_object_new_int((int)img->mbn_version));
	json_object_object_add(o, "hash_alg",
			       img->alg == RPROC_HASH_NONE
				       ? NULL
				       : json_object_new_string(rproc_hash_alg_name(img->alg)));
	json_object_object_add(o, "hash_index",
			       img->hash_index < 0 ? NULL : json_object_new_int(img->hash_index));
	json_object_object_add(o, "relocatable", json_object_new_boolean(img->relocatable));
	json_object_object_add(o, "min_addr", jint(img->min_addr));
	json_object_object_add(o, "max_addr", jint(img->max_addr));
	json_object_object_add(o, "span", jint(rproc_fw_span(img)));
	json_object_object_add(o, "metadata_size", jint(img->metadata_len));
	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		json_object *j = json_object_new_object();
		const char *t = seg_type(s->type);
		int h = hashed(img, i);

		json_object_object_add(j, "index", json_object_new_int((int)i));
		char tb[16];

		snprintf(tb, sizeof(tb), "0x%x", s->type);
		/* a string always: the name, or the number in hex when it has none */
		json_object_object_add(j, "type", json_object_new_string(t ? t : tb));
		json_object_object_add(j, "flags", jint(s->flags));
		json_object_object_add(j, "offset", jint(s->offset));
		json_object_object_add(j, "paddr", jint(s->paddr));
		json_object_object_add(j, "filesz", jint(s->filesz));
		json_object_object_add(j, "memsz", jint(s->memsz));
		json_object_object_add(j, "loadable", json_object_new_boolean(s->loadable));
		json_object_object_add(j, "hashed", h < 0 ? NULL : json_object_new_boolean(h));
		json_object_object_add(j, "checked", json_object_new_boolean(s->checked));
		json_object_object_add(j, "digest",
				       s->digest == RPROC_DIGEST_OK ? json_object_new_string("ok")
				       : s->digest == RPROC_DIGEST_MISMATCH
					       ? json_object_new_string("mismatch")
				       : s->digest == RPROC_DIGEST_UNREADABLE
					       ? json_object_new_string("unreadable")
					       : NULL);
		json_object_array_add(segs, j);
	}
	json_object_object_add(o, "segments", segs);
	sum = json_object_new_object();
	json_object_object_add(sum, "checked", json_object_new_int((int)checked));
	json_object_object_add(sum, "matched", json_object_new_int((int)matched));
	json_object_object_add(o, "summary", sum);
	puts(json_object_to_json_string_ext(o, (pretty ? JSON_C_TO_STRING_PRETTY :
							  JSON_C_TO_STRING_PLAIN) |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: rprocctl inspect FILE [--json]\n"
		   "Describe a PAS firmware image (.mbn, or .mdt with its .bNN files) and check\n"
		   "every segment digest the TrustZone verifier checks.  Signatures are not\n"
		   "checked.  Exit status 0 only if the image parses and every digest matches.\n\n"
		   "  -j, --json[=MODE]  one JSON object on stdout: pretty, short (one line) or\n"
		   "                     off; plain --json: pretty on a terminal, else short\n"
		   "  -h, --help         show this help\n");
}

static int exit_for(int r)
{
	if (r == -ENOENT)
		return CTL_EXIT_NOT_FOUND;
	if (r == -EACCES || r == -EPERM)
		return CTL_EXIT_PERMISSION;
	return CTL_EXIT_FAILURE;
}

int ctl_inspect(int argc, char **argv)
{
	static const struct option lo[] = {
		{"json", optional_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct rproc_error err = {0};
	struct rproc_fw_image *img = NULL;
	unsigned int checked = 0, matched = 0;
	enum ctl_json json = CTL_JSON_OFF;
	int c, r, ret = CTL_EXIT_OK;

	optind = 0; /* full reset: the test suite calls this more than once */
	while ((c = getopt_long(argc, argv, "jh", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
		case 'J':
			r = ctl_parse_json(c == 'j' ? NULL : optarg, &json);
			if (r <= 0)
				return r < 0 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}

	r = rproc_fw_open(argv[optind], &img, &err);
	if (r < 0) {
		fprintf(stderr, "rprocctl inspect: %s\n", err.msg[0] ? err.msg : strerror(-r));
		return exit_for(r);
	}
	r = rproc_fw_verify_files(img, &err);
	for (unsigned int i = 0; i < img->phnum; i++) {
		if (img->segs[i].digest == RPROC_DIGEST_NOT_CHECKED)
			continue;
		checked++;
		matched += img->segs[i].digest == RPROC_DIGEST_OK;
	}
	if (json)
		print_json(img, checked, matched, json == CTL_JSON_PRETTY);
	else
		print_human(img, checked, matched);
	fflush(stdout);

	if (r < 0) {
		fprintf(stderr, "rprocctl inspect: %s: cannot check digests: %s\n", img->path,
			err.msg[0] ? err.msg : strerror(-r));
		ret = CTL_EXIT_FAILURE;
	} else if (r > 0) {
		for (unsigned int i = 0; i < img->phnum; i++) {
			const struct rproc_fw_segment *s = &img->segs[i];

			if (s->digest == RPROC_DIGEST_MISMATCH)
				fprintf(stderr,
					"rprocctl inspect: %s: segment %u: digest MISMATCH (hash "
					"table entry %u)\n",
					img->path, i, i);
			else if (s->digest == RPROC_DIGEST_UNREADABLE)
				fprintf(stderr, "rprocctl inspect: %s: segment %u: unreadable\n",
					img->path, i);
		}
		if (err.msg[0])
			fprintf(stderr, "rprocctl inspect: %s\n", err.msg);
		ret = CTL_EXIT_FAILURE;
	}
	rproc_fw_close(img);
	return ret;
}
