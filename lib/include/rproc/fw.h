/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Qualcomm PAS firmware images: .mbn and .mdt + .bNN (doc/firmware-format.md).
 *
 * - locate: the kernel's firmware search order, every path tried reported on failure;
 * - open: validate the ELF and every program header, detect the split form, build the
 *   metadata blob handed to INIT_IMAGE (doc/firmware-format.md#metadata),
 *   compute span and relocation (doc/firmware-format.md#relocation);
 * - plan/load: bounds-check every loadable segment against a carveout and copy it straight
 *   from the file into the carveout (no heap copy of the image);
 * - hash: parse the hash segment (MBN v3/v5/v6/v7) and check digests by the digest rule
 *   (doc/firmware-format.md#digest-rule),
 *   either against the files or against bytes already in memory (the simulated TrustZone).
 */
#ifndef RPROC_FW_H
#define RPROC_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rproc/error.h>

/* Qualcomm bits in p_flags (doc/firmware-format.md#segment-flags) */
#define QCOM_MDT_TYPE_MASK (7u << 24)
#define QCOM_MDT_TYPE_HASH (2u << 24)
#define QCOM_MDT_TYPE_PHDR (7u << 24)
#define QCOM_MDT_RELOCATABLE (1u << 27)
#define QCOM_MDT_ACCESS_SHIFT 21
#define QCOM_MDT_ACCESS_NOTUSED 3
#define QCOM_MDT_ACCESS_SHARED 4

#define RPROC_FW_PAGE 4096u

/* ---- search path ---------------------------------------------------------------------- */

struct rproc_fw_search {
	const char *const *dirs; /* caller's directories, searched first (may be NULL) */
	size_t n_dirs;
	const char *root;        /* prefix for the system paths ("" or NULL = /), for tests */
	const char *release;     /* uname -r; NULL = ask uname() */
	const char *class_path;  /* firmware_class.path; NULL = read it from sysfs under root */
};

/*
 * rproc_fw_name_valid() - a firmware name as the DT or a user gives it: relative, no "..",
 * no control characters, no empty component, at most 255 bytes.
 */
int rproc_fw_name_valid(const char *name, struct rproc_error *err);

/*
 * rproc_fw_locate() - find @name on the search path.  *@path is malloc'd.  -ENOENT with a
 * message listing every path tried when it is nowhere.
 */
int rproc_fw_locate(const struct rproc_fw_search *s, const char *name, char **path,
		    struct rproc_error *err);

/* ---- image ---------------------------------------------------------------------------- */

enum rproc_fw_form {
	RPROC_FW_MBN,   /* every segment inside the one file */
	RPROC_FW_SPLIT, /* .mdt headers + hash, each segment in <name>.bNN */
};

enum rproc_hash_alg {
	RPROC_HASH_NONE,
	RPROC_HASH_SHA256,
	RPROC_HASH_SHA384,
};

#define RPROC_FW_MAX_DIGEST 64

enum rproc_digest_status {
	RPROC_DIGEST_NOT_CHECKED, /* not verified: doc/firmware-format.md#digest-rule, rule 7 */
	RPROC_DIGEST_OK,
	RPROC_DIGEST_MISMATCH,
	RPROC_DIGEST_UNREADABLE,  /* the segment's bytes could not be read */
};

struct rproc_fw_segment {
	unsigned int index;
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
	bool loadable; /* PT_LOAD, not hash, memsz != 0: doc/firmware-format.md#loadable-segments */
	bool checked;  /* the verifier checks it: doc/firmware-format.md#digest-rule, rule 7 */
	enum rproc_digest_status digest;
};

struct rproc_fw_image {
	char *path;          /* the file that was opened (.mbn or .mdt) */
	enum rproc_fw_form form;
	unsigned int elf_class; /* 32 or 64 */
	uint64_t file_size;

	unsigned int phnum;
	struct rproc_fw_segment *segs; /* phnum entries */

	int hash_index;      /* index of the hash segment, -1 if none */
	unsigned int mbn_version;
	enum rproc_hash_alg alg;
	size_t digest_len;
	const uint8_t *hash_table; /* phnum entries of digest_len bytes, inside metadata */

	bool relocatable;
	uint64_t min_addr;   /* lowest p_paddr of the loadable segments */
	uint64_t max_addr;   /* highest ALIGN(p_paddr + p_memsz, 4 KiB) */

	uint8_t *metadata;   /* ehdr+phdrs followed by the hash segment: INIT_IMAGE's blob */
	size_t metadata_len;

	int fd;              /* the opened file, kept for loading */
	int *seg_fds;        /* split form: segment i's .bNN, opened once by rproc_fw_open(), or -1 */
};

/* Span the carveout must hold: max_addr - min_addr. */
static inline uint64_t rproc_fw_span(const struct rproc_fw_image *img)
{
	return img->max_addr - img->min_addr;
}

/*
 * rproc_fw_open() - open @path (.mbn or .mdt), validate it and build the metadata blob.
 * Reads only headers and the hash segment; segment data stays in the files, which stay open
 * (the .mbn, or every .bNN of a split image) until rproc_fw_close(): a load reads the files
 * that were checked, even if they are replaced or removed in between.
 */
int rproc_fw_open(const char *path, struct rproc_fw_image **img, struct rproc_error *err);
void rproc_fw_close(struct rproc_fw_image *img);

/*
 * rproc_fw_parse() - the pure core of rproc_fw_open(): @buf holds the first @len bytes of a
 * file of @file_size bytes (len may be < file_size for a large .mbn; then everything
 * metadata needs must lie inside buf, else -EAGAIN with the size needed in *@need).
 */
int rproc_fw_parse(const void *buf, size_t len, uint64_t file_size, struct rproc_fw_image **img,
		   size_t *need, struct rproc_error *err);

/*
 * rproc_fw_resource_table() - the image's `.resource_table` section, which the kernel sends
 * to GET_RSCTABLE (doc/boot-sequence.md#rsc-table): *@table malloc'd, or NULL with *@len 0
 * when the image has none (no section headers, no such section, an empty one).  An unusable
 * section header table or section is an error; nothing in it is trusted.
 */
int rproc_fw_resource_table(const struct rproc_fw_image *img, void **table, size_t *len,
			    struct rproc_error *err);

/*
 * rproc_fw_reloc() - where the image goes in a carveout at @mem_phys of @mem_size bytes:
 * mem_reloc (doc/firmware-format.md#relocation) and a bounds check
 * of every loadable segment (doc/firmware-format.md#load-checks).
 */
int rproc_fw_reloc(const struct rproc_fw_image *img, uint64_t mem_phys, uint64_t mem_size,
		   uint64_t *mem_reloc, struct rproc_error *err);

/*
 * What kind of memory a carveout's CPU view is (struct rproc_mem_map.write_combined says which).
 * Device memory (/dev/mem on arm64) takes naturally aligned stores only and nothing may write
 * it for us; Normal memory, write-combined (the shim's mapping) or cached (the simulator), takes
 * any store, and read() may fill it directly.
 */
enum rproc_fw_mem {
	RPROC_FW_MEM_DEVICE,
	RPROC_FW_MEM_WC,
};

/*
 * rproc_fw_load_view() - copy every loadable segment into @mem (the CPU view of the carveout at
 * @mem_phys, @mem_size bytes, of memory @type) and zero-fill up to memsz.  @mem is never read.
 * Into a write-combined view the file bytes are read() straight from the page cache (one copy)
 * and bss is zeroed with 64-byte stores; into Device memory they go through a small bounce
 * buffer and aligned 8-byte stores.  @progress, if set, is called after each segment with bytes
 * done and total.
 */
typedef void (*rproc_fw_progress_fn)(void *userdata, uint64_t done, uint64_t total);
int rproc_fw_load_view(const struct rproc_fw_image *img, void *mem, uint64_t mem_phys,
		       uint64_t mem_size, enum rproc_fw_mem type, rproc_fw_progress_fn progress,
		       void *userdata, struct rproc_error *err);

/* rproc_fw_load() - rproc_fw_load_view() into Device memory (aligned stores only). */
int rproc_fw_load(const struct rproc_fw_image *img, void *mem, uint64_t mem_phys,
		  uint64_t mem_size, rproc_fw_progress_fn progress, void *userdata,
		  struct rproc_error *err);

/*
 * rproc_fw_verify_files() - check each checked segment's digest against the file data,
 * filling segs[i].digest.  Returns the number of mismatches (0 = all good) or negative errno.
 * Segments are hashed on as many threads as there are online CPUs.
 */
int rproc_fw_verify_files(struct rproc_fw_image *img, struct rproc_error *err);

/* The same on at most @threads threads (0: one per online CPU; 1: the calling thread only). */
int rproc_fw_verify_files_threads(struct rproc_fw_image *img, unsigned int threads,
				  struct rproc_error *err);

/* ---- metadata as TrustZone sees it ---------------------------------------------------- */

/*
 * rproc_fw_verify_metadata() - what the simulated TrustZone does at AUTH_AND_RESET: parse
 * @meta (ehdr + phdrs + hash segment, as INIT_IMAGE received it), check entry 0 against the
 * headers, then every checked segment's digest against the bytes at
 * p_paddr - min_paddr + @region_base inside @mem (@mem_size bytes starting at physical
 * @region_base).  Signatures are not checked.  On a mismatch: -EBADMSG and the segment index in
 * *@bad_segment.
 */
int rproc_fw_verify_metadata(const void *meta, size_t meta_len, const void *mem,
			     uint64_t region_base, uint64_t mem_size, int *bad_segment,
			     struct rproc_error *err);

/* Parse only: the image described by a metadata blob (segments, hash table, span). */
int rproc_fw_parse_metadata(const void *meta, size_t meta_len, struct rproc_fw_image **img,
			    struct rproc_error *err);

const char *rproc_hash_alg_name(enum rproc_hash_alg alg);

/* ---- memory copies ---------------------------------------------------------------------- */

/* Copy to / zero memory that may be write-combined or Device memory: aligned stores only. */
void rproc_io_copy(void *dst, const void *src, size_t n);
void rproc_io_zero(void *dst, size_t n);
/* Zero write-combined (Normal) memory in whole 64-byte lines: one line per store burst. */
void rproc_io_zero_wc(void *dst, size_t n);

#endif
