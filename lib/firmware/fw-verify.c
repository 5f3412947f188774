// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Digests and their check against the hash table (doc/firmware-format.md#digest-rule, rule
 * 7): of an image's files (rprocctl inspect --verify), and of a metadata blob against the
 * bytes loaded into memory (what TrustZone does at AUTH_AND_RESET; the simulated TrustZone
 * uses it).  On top of fw.c (headers, segment sources) and fw-hash.c (the table).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fw-internal.h"

static const EVP_MD *alg_md(enum rproc_hash_alg alg)
{
	if (alg == RPROC_HASH_SHA256)
		return EVP_sha256();
	if (alg == RPROC_HASH_SHA384)
		return EVP_sha384();
	return NULL;
}

static int fw_digest(enum rproc_hash_alg alg, const void *buf, size_t len, uint8_t *md,
		     struct rproc_error *err)
{
	const EVP_MD *type = alg_md(alg);
	unsigned int mdlen;

	if (!type || !EVP_Digest(buf, len, md, &mdlen, type, NULL))
		return rproc_err(err, -EIO, "%s digest failed", rproc_hash_alg_name(alg));
	return 0;
}

static int need_table(struct rproc_fw_image *img, struct rproc_error *err)
{
	int r;

	if (img->alg != RPROC_HASH_NONE)
		return 0;
	/* the lenient parse in open dropped the reason: the strict one reports it */
	r = fw_hash_parse(img, true, err);
	return r < 0 ? r : 0;
}

static int digest_fd(enum rproc_hash_alg alg, int fd, uint64_t off, uint64_t len, uint8_t *md,
		     uint8_t *buf, size_t bsize)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen;
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(ctx, alg_md(alg), NULL)) {
		r = -EIO;
		goto out;
	}
	while (len) {
		size_t n = len < bsize ? (size_t)len : bsize;

		r = fw_pread_full(fd, buf, n, off);
		if (r < 0)
			goto out;
		if (!EVP_DigestUpdate(ctx, buf, n)) {
			r = -EIO;
			goto out;
		}
		off += n;
		len -= n;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen))
		r = -EIO;
out:
	EVP_MD_CTX_free(ctx);
	return r;
}

/* One checked segment's digest from the files, as a worker computes it. */
struct seg_result {
	uint8_t md[RPROC_FW_MAX_DIGEST];
	int r; /* < 0: unreadable, err says why */
	struct rproc_error err;
};

struct verify_job {
	struct rproc_fw_image *img;
	const unsigned int *order; /* checked segments, largest first */
	unsigned int n;
	struct seg_result *res;    /* by segment index */
	pthread_mutex_t lock;
	unsigned int next;         /* in order[] */
	int fatal;                 /* out of memory, digest failure: stop everything */
};

static void hash_one(struct verify_job *j, unsigned int i, uint8_t *buf)
{
	struct rproc_fw_image *img = j->img;
	struct seg_result *res = &j->res[i];
	uint64_t off;
	bool owned;
	int fd;

	if (i == 0) {
		res->r = fw_digest(img->alg, img->metadata, fw_ehdr_size(img), res->md, &res->err);
		return;
	}
	res->r = fw_seg_source(img, i, &fd, &off, &owned, &res->err);
	if (res->r < 0)
		return;
	res->r = digest_fd(img->alg, fd, off, img->segs[i].filesz, res->md, buf, FW_BOUNCE);
	if (owned)
		close(fd);
	if (res->r < 0)
		rproc_err(&res->err, res->r, "segment %u: read: %s", i, strerror(-res->r));
}

/*
 * A worker takes the largest segment not yet taken until none is left: segments cannot be
 * split (one digest each), and largest-first keeps the workers' totals close.
 */
static void *verify_worker(void *arg)
{
	struct verify_job *j = arg;
	uint8_t *buf = malloc(FW_BOUNCE);

	for (;;) {
		unsigned int k;

		pthread_mutex_lock(&j->lock);
		if (!buf && !j->fatal)
			j->fatal = -ENOMEM;
		k = j->fatal ? j->n : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (k >= j->n)
			break;
		hash_one(j, j->order[k], buf);
	}
	free(buf);
	return NULL;
}

static unsigned int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

int rproc_fw_verify_files_threads(struct rproc_fw_image *img, unsigned int threads,
				  struct rproc_error *err)
{
	_cleanup_free_ struct seg_result *res = NULL;
	_cleanup_free_ unsigned int *order = NULL;
	_cleanup_free_ pthread_t *tids = NULL;
	struct verify_job j = { .img = img, .lock = PTHREAD_MUTEX_INITIALIZER };
	int bad = 0, first_bad = -1, r;
	unsigned int started = 0;
	struct rproc_error first = {0};

	r = need_table(img, err);
	if (r < 0)
		return r;
	res = calloc(img->phnum, sizeof(*res));
	order = calloc(img->phnum, sizeof(*order));
	if (!res || !order)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (unsigned int i = 0; i < img->phnum; i++) {
		unsigned int k = j.n++;

		img->segs[i].digest = RPROC_DIGEST_NOT_CHECKED;
		if (!img->segs[i].checked) {
			j.n--;
			continue;
		}
		/* insertion sort, largest first: a few dozen segments at most */
		while (k > 0 && img->segs[order[k - 1]].filesz < img->segs[i].filesz) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	j.order = order;
	j.res = res;

	if (!threads)
		threads = online_cpus();
	if (threads > j.n)
		threads = j.n;
	if (threads > 1) {
		tids = calloc(threads - 1, sizeof(*tids));
		for (; tids && started < threads - 1; started++)
			if (pthread_create(&tids[started], NULL, verify_worker, &j))
				break; /* fewer workers, same result */
	}
	verify_worker(&j);
	for (unsigned int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	if (j.fatal)
		return rproc_err(err, j.fatal, "out of memory");

	for (unsigned int i = 0; i < img->phnum; i++) {
		struct rproc_fw_segment *s = &img->segs[i];
		const uint8_t *want = img->hash_table + (size_t)i * img->digest_len;

		if (!s->checked)
			continue;
		if (res[i].r < 0 && i == 0)
			return rproc_err(err, res[i].r, "%s", res[i].err.msg);
		if (res[i].r < 0) {
			s->digest = RPROC_DIGEST_UNREADABLE;
			if (first_bad < 0) {
				first_bad = (int)i;
				first = res[i].err;
			}
			bad++;
		} else if (memcmp(res[i].md, want, img->digest_len)) {
			s->digest = RPROC_DIGEST_MISMATCH;
			if (first_bad < 0) {
				first_bad = (int)i;
				rproc_err(&first, -EBADMSG,
					  "segment %u: %s digest does not match hash table entry %u",
					  i, rproc_hash_alg_name(img->alg), i);
			}
			bad++;
		} else {
			s->digest = RPROC_DIGEST_OK;
		}
	}
	if (bad && err)
		*err = first;
	return bad;
}

int rproc_fw_verify_files(struct rproc_fw_image *img, struct rproc_error *err)
{
	return rproc_fw_verify_files_threads(img, 0, err);
}

int rproc_fw_parse_metadata(const void *meta, size_t meta_len, struct rproc_fw_image **out,
			    struct rproc_error *err)
{
	struct rproc_fw_image *img = NULL;
	enum fw_hash_src src;
	uint64_t off;
	size_t need = 0;
	int r;

	*out = NULL;
	r = fw_parse_headers(meta, meta_len, meta_len, FW_MODE_META, &img, &need, &src, &off, err);
	if (r == -EAGAIN)
		r = rproc_err(err, -EINVAL, "metadata is truncated (%zu bytes, %zu needed)",
			      meta_len, need);
	if (r < 0)
		return rproc_err_prefix(err, r, "metadata");
	memcpy(img->metadata + fw_ehdr_size(img), (const uint8_t *)meta + off, fw_hash_size(img));
	r = fw_hash_parse(img, true, err);
	if (r < 0) {
		rproc_fw_close(img);
		return rproc_err_prefix(err, r, "metadata");
	}
	*out = img;
	return 0;
}

int rproc_fw_verify_metadata(const void *meta, size_t meta_len, const void *mem,
			     uint64_t region_base, uint64_t mem_size, int *bad_segment,
			     struct rproc_error *err)
{
	struct rproc_fw_image *img = NULL;
	uint8_t md[RPROC_FW_MAX_DIGEST];
	int r;

	if (bad_segment)
		*bad_segment = -1;
	r = rproc_fw_parse_metadata(meta, meta_len, &img, err);
	if (r < 0)
		return r;

	for (unsigned int i = 0; i < img->phnum; i++) {
		const struct rproc_fw_segment *s = &img->segs[i];
		const uint8_t *want = img->hash_table + (size_t)i * img->digest_len;
		uint64_t off;

		if (!s->checked)
			continue;
		if (i == 0) {
			r = fw_digest(img->alg, img->metadata, fw_ehdr_size(img), md, err);
		} else {
			/*
			 * doc/firmware-format.md#digest-rule, rule 7: a
			 * relocatable image sits at p_paddr - min_paddr +
			 * region_base.  A non-relocatable one was loaded at its absolute p_paddr
			 * (doc/firmware-format.md#relocation),
			 * which is p_paddr - region_base into @mem.
			 */
			uint64_t origin = img->relocatable ? img->min_addr : region_base;

			if (s->paddr < origin ||
			    !range_within(s->paddr - origin, s->filesz, mem_size)) {
				r = rproc_err(err, -EINVAL,
					      "segment %u [0x%llx, +0x%llx) lies outside the "
					      "authenticated region [0x%llx, +0x%llx)",
					      i, (unsigned long long)s->paddr,
					      (unsigned long long)s->filesz,
					      (unsigned long long)region_base,
					      (unsigned long long)mem_size);
				if (bad_segment)
					*bad_segment = (int)i;
				break;
			}
			off = s->paddr - origin;
			r = fw_digest(img->alg, (const uint8_t *)mem + off, (size_t)s->filesz, md,
				      err);
		}
		if (r < 0)
			break;
		if (memcmp(md, want, img->digest_len)) {
			r = rproc_err(err, -EBADMSG,
				      "segment %u: %s digest of %s does not match hash table "
				      "entry %u",
				      i, rproc_hash_alg_name(img->alg),
				      i ? "the loaded bytes" : "the ELF and program headers", i);
			if (bad_segment)
				*bad_segment = (int)i;
			break;
		}
	}
	rproc_fw_close(img);
	return r < 0 ? r : 0;
}
