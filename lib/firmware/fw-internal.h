/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between fw.c (ELF, metadata, loading) and fw-hash.c (hash segment, digests). */
#ifndef RPROC_FW_INTERNAL_H
#define RPROC_FW_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "rproc/fw.h"
#include "unaligned.h"
#include "util.h"

/*
 * Limits on untrusted counts and sizes.  Real PAS images have fewer than 100 program
 * headers, headers of a few KiB and hash segments of a few tens of KiB; anything far beyond
 * is a corrupt or hostile file, rejected before any allocation is sized from it.
 */
#define FW_MAX_PHNUM 1024u
#define FW_MAX_HDR (1u << 20)
#define FW_MAX_HASH_SEG (16u << 20)
#define FW_MAX_SEG (1ull << 32)
#define FW_BOUNCE (256u << 10)

/* doc/firmware-format.md#digest-rule, rule 6: paged segments, one digest per 4 KiB */
#define FW_PF_PAGED (1u << 20)

enum fw_mode {
	FW_MODE_FILE, /* headers of a file of known size: split detection, section headers */
	FW_MODE_META, /* an INIT_IMAGE blob: ehdr + phdrs + hash segment, nothing else */
};

enum fw_hash_src {
	FW_HASH_AFTER_HDR, /* doc/firmware-format.md#metadata, step 4.1: after the headers (.mdt) */
	FW_HASH_AT_OFFSET, /* doc/firmware-format.md#metadata, step 4.2: at its p_offset (.mbn) */
	FW_HASH_BNN,       /* doc/firmware-format.md#metadata, step 4.3: in <name>.bNN */
};

/*
 * Field @f of the <elf.h> struct @T whose bytes start at @p: untrusted bytes of any alignment,
 * little-endian (checked before a field is read).  The caller has checked that @p holds a
 * whole @T.
 */
#define ELF_FIELD(p, T, f) fw_le_field((const uint8_t *)(p) + offsetof(T, f), sizeof(((T *)0)->f))

static inline uint64_t fw_le_field(const uint8_t *p, size_t size)
{
	switch (size) {
	case 2:
		return unaligned_read_le16(p);
	case 4:
		return unaligned_read_le32(p);
	default:
		return unaligned_read_le64(p);
	}
}

static inline size_t fw_ehdr_size(const struct rproc_fw_image *img)
{
	return (size_t)img->segs[0].filesz;
}

static inline size_t fw_hash_size(const struct rproc_fw_image *img)
{
	return (size_t)img->segs[img->hash_index].filesz;
}

/*
 * fw_parse_headers() - validate the ELF header and every program header in @buf (the first
 * @len bytes of @file_size), allocate the image and its metadata buffer, copy the headers into
 * it.  The caller fills the hash part (from *@src at *@src_off) and calls fw_hash_parse().
 * -EAGAIN with *@need when @buf is too short.
 */
int fw_parse_headers(const uint8_t *buf, size_t len, uint64_t file_size, enum fw_mode mode,
		     struct rproc_fw_image **out, size_t *need, enum fw_hash_src *src,
		     uint64_t *src_off, struct rproc_error *err);

/*
 * fw_hash_parse() - read the hash-segment header in img->metadata
 * (doc/firmware-format.md#digest-rule, rule 4) and set
 * mbn_version, alg, digest_len, hash_table and each segment's checked flag.  A layout it does
 * not know is an error when @strict, else the image stays usable without digests (alg NONE):
 * the loader passes the blob through (doc/firmware-format.md#hash-segment),
 * only verification needs to understand it.
 */
int fw_hash_parse(struct rproc_fw_image *img, bool strict, struct rproc_error *err);


/* <path> with its last three characters replaced by bNN (doc/firmware-format.md#packaging).  NULL
 * on ENOMEM. */
char *fw_bnn_path(const char *path, unsigned int index);

/*
 * fw_seg_source() - where segment @i's p_filesz file bytes are: *@fd at *@off.  For a split
 * image that is a newly opened .bNN (*@owned set, the caller closes it), whose size must equal
 * p_filesz.
 */
int fw_seg_source(const struct rproc_fw_image *img, unsigned int i, int *fd, uint64_t *off,
		  bool *owned, struct rproc_error *err);

/* pread() exactly @n bytes or fail (-EIO on a short file). */
int fw_pread_full(int fd, void *buf, size_t n, uint64_t off);

#endif
