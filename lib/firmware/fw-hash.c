// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The hash segment and the digest rule (doc/firmware-format.md#hash-segment): which segments
 * have a digest and where the table is.  Computing and comparing digests is fw-verify.c's.
 *
 * Layouts (doc/firmware-format.md#digest-rule, rule 4; all fields LE u32):
 *   v3, v5: 40-byte header, table at 40, table size in word 5;
 *   v6:     48-byte header (v5 + qti_metadata_size, oem_metadata_size), table after both
 *           metadata blocks;
 *   v7:     40-byte header (0, 7, common_md_size, qti_md_size, oem_md_size, hash_table_size,
 *           ...), then the common metadata, QTI and OEM metadata, then the table.
 * The digest length is table_size / e_phnum (rule 5): 32 = SHA-256, 48 = SHA-384.
 * Signatures and certificates are not checked: no keys (rule 7).
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "fw-internal.h"
#include "string-table.h"

/* common metadata hash_table_algorithm (doc/firmware-format.md#digest-rule, rule 4) */
#define V7_ALG_SHA384 3

static const char *const hash_alg_table[] = {
	[RPROC_HASH_NONE] = "none",
	[RPROC_HASH_SHA256] = "sha256",
	[RPROC_HASH_SHA384] = "sha384",
};
DEFINE_STRING_TABLE_LOOKUP_TO_STRING_STATIC(hash_alg, enum rproc_hash_alg);

const char *rproc_hash_alg_name(enum rproc_hash_alg alg)
{
	return hash_alg_to_string(alg) ?: "none";
}

/* The verifier's predicate (doc/firmware-format.md#digest-rule, rule 7; TZ
 * tzbsp_is_valid_segment). */
static bool segment_checked(const struct rproc_fw_image *img, const struct rproc_fw_segment *s)
{
	unsigned int access = (s->flags >> QCOM_MDT_ACCESS_SHIFT) & 7;

	if (s->index == 0)
		return true; /* entry 0: the headers TZ was given */
	return s->type == PT_LOAD && !(s->flags & FW_PF_PAGED) &&
	       (int)s->index != img->hash_index && access != QCOM_MDT_ACCESS_NOTUSED &&
	       access != QCOM_MDT_ACCESS_SHARED && s->filesz > 0;
}

static int hash_layout(struct rproc_fw_image *img, struct rproc_error *err)
{
	const uint8_t *h = img->metadata + fw_ehdr_size(img);
	size_t hlen = fw_hash_size(img);
	uint64_t table_off, table_size, end, entry;
	unsigned int version;

	if (hlen < 8)
		return rproc_err(err, -EINVAL, "hash segment is %zu bytes, too small for a header",
				 hlen);
	version = unaligned_read_le32(h + 4);
	img->mbn_version = version;
	switch (version) {
	case 3:
	case 5:
		if (hlen < 40)
			goto short_hdr;
		table_off = 40;
		table_size = unaligned_read_le32(h + 20);
		break;
	case 6:
		if (hlen < 48)
			goto short_hdr;
		table_off = 48 + (uint64_t)unaligned_read_le32(h + 40) +
			    unaligned_read_le32(h + 44);
		table_size = unaligned_read_le32(h + 20);
		break;
	case 7:
		if (hlen < 40)
			goto short_hdr;
		table_off = 40 + (uint64_t)unaligned_read_le32(h + 8) +
			    unaligned_read_le32(h + 12) + unaligned_read_le32(h + 16);
		table_size = unaligned_read_le32(h + 20);
		break;
	default:
		return rproc_err(err, -EINVAL,
				 "hash segment: unknown MBN version %u (known: 3, 5, 6, 7)",
				 version);
	}
	if (add_overflows(table_off, table_size, &end) || end > hlen)
		return rproc_err(err, -EINVAL,
				 "hash segment (MBN v%u): hash table [%llu, +%llu) does not fit in "
				 "the segment's %zu bytes",
				 version, (unsigned long long)table_off,
				 (unsigned long long)table_size, hlen);
	if (table_size % img->phnum)
		return rproc_err(err, -EINVAL,
				 "hash segment (MBN v%u): table size %llu is not a multiple of "
				 "e_phnum %u",
				 version, (unsigned long long)table_size, img->phnum);
	entry = table_size / img->phnum;
	if (entry == 32) {
		img->alg = RPROC_HASH_SHA256;
	} else if (entry == 48) {
		img->alg = RPROC_HASH_SHA384;
	} else {
		return rproc_err(err, -EINVAL,
				 "hash segment (MBN v%u): %llu-byte table entries (table %llu "
				 "bytes / %u program headers); expected 32 (SHA-256) or 48 "
				 "(SHA-384)",
				 version, (unsigned long long)entry, (unsigned long long)table_size,
				 img->phnum);
	}
	/* v7 also names the algorithm; a contradiction means a corrupt header */
	if (version == 7 && unaligned_read_le32(h + 8) >= 20 && hlen >= 60 &&
	    unaligned_read_le32(h + 56) == V7_ALG_SHA384 && entry != 48)
		return rproc_err(err, -EINVAL,
				 "hash segment (MBN v7): common metadata says SHA-384 but table "
				 "entries are %llu bytes",
				 (unsigned long long)entry);
	img->digest_len = (size_t)entry;
	img->hash_table = h + table_off;
	return 0;

short_hdr:
	return rproc_err(err, -EINVAL, "hash segment is %zu bytes, too small for an MBN v%u header",
			 hlen, version);
}

int fw_hash_parse(struct rproc_fw_image *img, bool strict, struct rproc_error *err)
{
	struct rproc_error local;
	int r;

	img->alg = RPROC_HASH_NONE;
	img->digest_len = 0;
	img->hash_table = NULL;
	for (unsigned int i = 0; i < img->phnum; i++) {
		img->segs[i].checked = false;
		img->segs[i].digest = RPROC_DIGEST_NOT_CHECKED;
	}
	r = hash_layout(img, strict ? err : &local);
	if (r < 0) {
		img->alg = RPROC_HASH_NONE;
		img->digest_len = 0;
		img->hash_table = NULL;
		if (strict)
			return r;
		rproc_log(RPROC_LOG_WARNING, NULL, "firmware", r,
			  "%s: %s; digests cannot be checked", img->path ? img->path : "image",
			  local.msg);
		return 0;
	}
	for (unsigned int i = 0; i < img->phnum; i++)
		img->segs[i].checked = segment_checked(img, &img->segs[i]);
	return 0;
}
