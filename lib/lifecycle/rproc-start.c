// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The start sequence as a table of steps (doc/boot-sequence.md#start,
 * doc/trustzone-pas.md#call-order), run in the worker
 * thread.
 *
 * Start: a step's do either succeeds or leaves nothing behind (it calls its own undo); a
 * failure at step k runs the undos of k-1..1 in reverse, so a failed start holds nothing.
 * Undos act on the ownership flags in struct rproc, so running one twice is harmless.
 *
 * A second (DTB) image goes first, in the kernel's order (doc/boot-sequence.md#dtb-image):
 * its INIT_IMAGE, MEM_SETUP and load before the votes (dtb-load, the kernel's adsp_load()),
 * its carveout mapping and AUTH_AND_RESET after them and before the main image's INIT_IMAGE
 * (dtb-auth).  The simulated TrustZone refuses the main INIT_IMAGE otherwise.
 *
 * Recovery (doc/boot-sequence.md#recovery): the IOMMU
 * context and the resource table's DEVMEM mappings stay;
 * iommu-open and rsc-table do nothing when they already hold them.  A failed start releases
 * them too, whichever step failed (also one before iommu-open), so that a failed core holds
 * nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "rproc/error.h"
#include "rproc-priv.h"
#include "rproc/rsc.h"
#include "time-util.h"
#include "util.h"

/* ---- start steps --------------------------------------------------------------------------- */

static void undo_iommu_open(struct rproc *r)
{
	rproc_release_devmem(r); /* mapped in the context: unmapped before it closes */
	if (r->dom)
		r->b->iommu->close(r->dom);
	r->dom = NULL;
	rproc_forget_devmem(r); /* what would not unmap went with the context */
	free(r->ranges);
	r->ranges = NULL;
	r->n_ranges = 0;
}

/*
 * Every usable IOVA range: the backend says how many there are (VFIO's nr_iovas, iommufd's
 * num_iovas), so the buffer grows to that count, and a carveout in a late range is found.
 */
static int read_ranges(struct rproc *r)
{
	size_t cap = 16;

	for (int round = 0; round < 4; round++) {
		struct rproc_iova_range *buf = calloc(cap, sizeof(*buf));
		size_t n = 0;
		int e;

		if (!buf)
			return -ENOMEM;
		e = rproc_neg(r->b->iommu->iova_ranges(r->dom, buf, cap, &n));
		if (e < 0) {
			free(buf);
			return e;
		}
		if (n <= cap) {
			free(r->ranges);
			r->ranges = buf;
			r->n_ranges = n;
			return 0;
		}
		free(buf);
		cap = n; /* more than there was room for: ask again for all of them */
	}
	return -EAGAIN; /* the count kept growing */
}

/* doc/boot-sequence.md#iommu-open: one IOMMU context per device, kept across stops. */
static int step_iommu_open(struct rproc *r, struct rproc_error *err)
{
	int e;

	if (!r->d.n_iommus || !r->b->iommu)
		return 0; /* no iommus, no SMMU stream: doc/devicetree.md#el2-overlay */
	if (!r->dom) {
		e = rproc_neg(r->b->iommu->open(r->b->iommu_ctx, &r->d, &r->dom));
		if (e < 0) {
			r->dom = NULL;
			return rproc_err(err, e, "cannot open the IOMMU context of %s: %s",
					 r->d.device, strerror(-e));
		}
	}
	e = read_ranges(r);
	if (e < 0) {
		undo_iommu_open(r);
		return rproc_err(err, e, "cannot read the usable IOVA ranges of %s: %s",
				 r->d.device, strerror(-e));
	}
	return 0;
}

static void undo_rsc_table(struct rproc *r)
{
	rproc_release_devmem(r);
}

/* What rprocd does not act on, said once per kind and core. */
static void say_skipped(struct rproc *r, const struct rproc_rsc_skipped *sk)
{
	const struct {
		unsigned int n;
		const char *kind;
	} kinds[] = {
		{ sk->carveout, "CARVEOUT" }, { sk->trace, "TRACE" }, { sk->vdev, "VDEV" },
		{ sk->vendor, "vendor" },     { sk->other, "unknown-type" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!kinds[i].n || (r->rsc_said & (1u << i)))
			continue;
		r->rsc_said |= 1u << i;
		rproc_log(RPROC_LOG_NOTICE, r->d.name, "rsc-table", 0,
			  "resource table: %u %s entr%s ignored (rprocd maps the DEVMEM entries; a "
			  "PAS remote processor uses no other kind)",
			  kinds[i].n, kinds[i].kind, kinds[i].n == 1 ? "y" : "ies");
	}
}

#define RSC_SAID_SECTION (1u << 8)

/*
 * GET_RSCTABLE's input, as the kernel's: the image's `.resource_table` when it has a valid
 * one, else the empty header in @hdr.  *@own: *@in is malloc'd.
 */
static void rsc_input(struct rproc *r, uint8_t hdr[RPROC_RSC_HDR_SIZE], void **in,
		      size_t *in_len, bool *own)
{
	struct rproc_error e = { 0 };
	struct rproc_devmem *dm = NULL;
	size_t n = 0;
	void *tab = NULL;
	size_t len = 0;

	if (rproc_fw_resource_table(r->img[1].img, &tab, &len, &e) == 0 && tab &&
	    rproc_rsc_parse(tab, len, &dm, &n, NULL, &e) == 0) {
		free(dm);
		*in = tab;
		*in_len = len;
		*own = true;
		return;
	}
	if (e.msg[0] && !(r->rsc_said & RSC_SAID_SECTION)) {
		r->rsc_said |= RSC_SAID_SECTION;
		rproc_log(RPROC_LOG_WARNING, r->d.name, "rsc-table", e.code,
			  "the image's .resource_table is not usable (%s): GET_RSCTABLE gets the "
			  "empty header",
			  e.msg);
	}
	free(tab);
	rproc_rsc_empty(hdr);
	*in = hdr;
	*in_len = RPROC_RSC_HDR_SIZE;
	*own = false;
}

/*
 * doc/boot-sequence.md#rsc-table: fetched and mapped on every cold boot, as the kernel's
 * parse_fw; a recovery keeps table and mappings (rproc_boot_recovery() does not parse again),
 * and a full stop gives them back (rproc_shutdown()).
 */
static int step_rsc_table(struct rproc *r, struct rproc_error *err)
{
	struct rproc_rsc_skipped skipped;
	uint8_t hdr[RPROC_RSC_HDR_SIZE];
	void *tab = NULL;
	size_t tab_len = 0;
	int e;

	if (r->rsc_done && r->recovery_start)
		return 0;
	/*
	 * A cold boot starts afresh: unmap what an older rprocd's stop kept, or what a stop
	 * failed to unmap (it would make the map below fail with EEXIST).
	 */
	e = rproc_release_devmem(r);
	if (e < 0)
		return rproc_err(err, e,
				 "device memory of the previous boot is still mapped and cannot be "
				 "unmapped (%s); this failed start closes the IOMMU context, which "
				 "drops it: start again",
				 strerror(-e));
	if (!r->dom)
		return 0; /* no IOMMU, no resource table: doc/trustzone-pas.md#get_rsctable */
	if (r->d.n_devmem) {
		r->devmem = calloc(r->d.n_devmem, sizeof(*r->devmem));
		if (!r->devmem)
			return rproc_err(err, -ENOMEM, "out of memory");
		memcpy(r->devmem, r->d.devmem, r->d.n_devmem * sizeof(*r->devmem));
		r->n_devmem = r->d.n_devmem;
	} else if (r->b->pas->get_rsc_table) {
		void *in;
		size_t in_len;
		bool own;

		rsc_input(r, hdr, &in, &in_len, &own);
		e = r->b->pas->get_rsc_table(r->b->pas_ctx, (uint32_t)r->d.pas_id, in, in_len, &tab,
					     &tab_len);
		if (own)
			free(in);
		if (e)
			return rproc_pas_result(err, e, "GET_RSCTABLE", (uint32_t)r->d.pas_id);
		e = rproc_rsc_parse(tab, tab_len, &r->devmem, &r->n_devmem, &skipped, err);
		free(tab);
		if (e < 0) {
			r->devmem = NULL;
			r->n_devmem = 0;
			return rproc_err_prefix(err, e, "resource table from TrustZone");
		}
		say_skipped(r, &skipped);
	}
	if (r->n_devmem > RPROC_SNAP_MAX_DEVMEM) {
		e = rproc_err(err, -E2BIG,
			      "%zu device-memory entries (%s), and rprocd records at most %d for a "
			      "successor to unmap after a restart: none mapped",
			      r->n_devmem, r->d.n_devmem ? "qcom,devmem" : "resource table",
			      RPROC_SNAP_MAX_DEVMEM);
		rproc_release_devmem(r);
		return e;
	}
	rproc_publish_held(r); /* before mapping: a successor must know what to unmap */
	for (size_t i = 0; i < r->n_devmem; i++) {
		struct rproc_devmem *m = &r->devmem[i];

		e = rproc_neg(r->b->iommu->map(r->dom, m->da, m->pa, m->len, m->flags));
		if (e < 0) {
			rproc_err(err, e,
				  "cannot map devmem \"%s\" da 0x%llx -> pa 0x%llx (0x%llx bytes, "
				  "flags 0x%x): %s",
				  m->name, (unsigned long long)m->da, (unsigned long long)m->pa,
				  (unsigned long long)m->len, m->flags, strerror(-e));
			rproc_release_devmem(r);
			return e;
		}
		r->n_devmem_mapped = i + 1;
	}
	r->rsc_done = true;
	return 0;
}

static void undo_firmware(struct rproc *r)
{
	for_each_img(r, im) {
		rproc_fw_close(im->img);
		im->img = NULL;
	}
}

static int step_firmware(struct rproc *r, struct rproc_error *err)
{
	for_each_img(r, im) {
		char *path = NULL;
		uint64_t reloc = 0;
		int e;

		e = rproc_fw_locate(&r->cfg->search, im->fw_name, &path, err);
		if (e < 0) {
			undo_firmware(r);
			return e;
		}
		e = rproc_fw_open(path, &im->img, err);
		free(path);
		if (e < 0) {
			im->img = NULL;
			undo_firmware(r);
			return e;
		}
		e = rproc_fw_reloc(im->img, im->co->base, im->co->size, &reloc, err);
		if (e < 0) {
			undo_firmware(r);
			return rproc_err_prefix(err, e, "%s does not fit carveout %s", im->fw_name,
						im->co->node);
		}
		/* rproc_snapshot() reads it from the caller's thread, under the lock */
		pthread_mutex_lock(&r->lock);
		im->mem_reloc = reloc;
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.firmware_path, sizeof(r->info.firmware_path), "%s", r->img[1].img->path);
	r->info.mem_reloc = r->img[1].mem_reloc;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* ---- one image: what each image step does to it ---------------------------------------- */

static void img_meta_release(struct rproc *r, struct rproc_img *im, const char *step)
{
	if (rproc_do_meta_release(r, im) < 0)
		rproc_log(RPROC_LOG_ERR, r->d.name, step, -EIO,
			  "metadata buffer of PAS %u could not be released", im->pas_id);
}

static int img_init(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	int e;

	/* a stop whose SHUTDOWN failed (no retry, as the kernel) left the PAS id running */
	if (im->tz_running) {
		e = rproc_do_shutdown(r, im);
		if (e < 0)
			return rproc_err(err, e, "PAS %u still runs since a SHUTDOWN failed, and "
						 "SHUTDOWN fails again: %s",
					 im->pas_id, strerror(-e));
	}
	/* a release after ready that failed (a warning there) left the buffer on record */
	if (im->meta_held)
		img_meta_release(r, im, im == &r->img[0] ? "dtb-load" : "init-image");
	rproc_hold(r, &im->meta_held);
	e = r->b->pas->init_image(r->b->pas_ctx, im->pas_id, im->img->metadata,
				  im->img->metadata_len);
	if (e) {
		/* a failed INIT_IMAGE keeps no buffer (the kernel frees it) */
		rproc_unhold(r, &im->meta_held);
		return rproc_pas_result(err, e, "INIT_IMAGE", im->pas_id);
	}
	return 0;
}

/* MEM_SETUP(pas_id, base, span), relocatable images only: doc/firmware-format.md#relocation */
static int img_mem_setup(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	int e;

	if (!im->img->relocatable)
		return 0;
	e = r->b->pas->mem_setup(r->b->pas_ctx, im->pas_id, im->co->base, rproc_fw_span(im->img));
	return e ? rproc_pas_result(err, e, "MEM_SETUP", im->pas_id) : 0;
}

static void load_progress(void *userdata, uint64_t done, uint64_t total)
{
	rproc_report_progress(userdata, done, total);
}

/*
 * Map for the CPU, copy, and unmap again before AUTH_AND_RESET (doc/boot-sequence.md#load).
 * Only the part of the carveout the image spans is mapped: a 6 MiB image in a 30 MiB carveout
 * needs a fifth of the page-table work, and the CPU never sees the rest.
 */
static int img_load(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	struct rproc_mem_map m = { 0 };
	uint64_t size = im->img->relocatable ? rproc_fw_span(im->img)
					     : im->img->max_addr - im->co->base;
	int e;

	if (size > im->co->size)
		size = im->co->size;
	e = rproc_neg(r->b->mem->map(r->b->mem_ctx, im->co->base, size, true, &m));
	if (e < 0)
		return rproc_err(err, e, "cannot map carveout %s [0x%llx, +0x%llx) for loading: %s",
				 im->co->node, (unsigned long long)im->co->base,
				 (unsigned long long)im->co->size, strerror(-e));
	e = rproc_fw_load_view(im->img, m.va, im->co->base, size,
			       m.write_combined ? RPROC_FW_MEM_WC : RPROC_FW_MEM_DEVICE,
			       load_progress, r, err);
	r->b->mem->unmap(r->b->mem_ctx, &m);
	if (e < 0)
		return e;
	for (unsigned int i = 0; i < im->img->phnum; i++)
		if (im->img->segs[i].loadable)
			r->bytes_loaded += im->img->segs[i].filesz;
	return 0;
}

static bool in_ranges(const struct rproc *r, uint64_t start, uint64_t size)
{
	uint64_t last = start + size - 1;

	for (size_t i = 0; i < r->n_ranges; i++)
		if (start >= r->ranges[i].start && last <= r->ranges[i].last)
			return true;
	return false;
}

/* doc/boot-sequence.md#iommu-map: IOVA == PA, read|write, the whole carveout. */
static int img_map(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	int e;

	if (!r->dom)
		return 0;
	if (!in_ranges(r, im->co->base, im->co->size)) {
		char list[256] = "";
		size_t o = 0;

		for (size_t i = 0; i < r->n_ranges && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s0x%llx-0x%llx",
					      i ? ", " : "", (unsigned long long)r->ranges[i].start,
					      (unsigned long long)r->ranges[i].last);
		return rproc_err(err, -ERANGE,
				 "carveout %s [0x%llx, +0x%llx) is not inside the usable IOVA "
				 "ranges of %s (%s): IOVA == PA is impossible",
				 im->co->node, (unsigned long long)im->co->base,
				 (unsigned long long)im->co->size, r->d.device, list);
	}
	rproc_hold(r, &im->mapped);
	e = rproc_neg(r->b->iommu->map(r->dom, im->co->base, im->co->base, im->co->size,
				       RPROC_IOMMU_READ | RPROC_IOMMU_WRITE));
	if (e < 0) {
		rproc_unhold(r, &im->mapped);
		return rproc_err(err, e, "cannot map carveout %s at IOVA == PA 0x%llx: %s",
				 im->co->node, (unsigned long long)im->co->base, strerror(-e));
	}
	return 0;
}

static void img_unmap(struct rproc *r, struct rproc_img *im)
{
	if (im->mapped && rproc_do_unmap(r, im->co->base, im->co->size) == 0)
		rproc_unhold(r, &im->mapped);
}

static void img_shutdown(struct rproc *r, struct rproc_img *im, const char *step)
{
	if (im->tz_running && rproc_do_shutdown(r, im) < 0)
		rproc_log(RPROC_LOG_ERR, r->d.name, step, -EIO,
			  "PAS %u could not be shut down: it may still run", im->pas_id);
}

/* Delete the bridge over @im's carveout, if one may exist: a no-op once it is gone. */
static void bridge_delete(struct rproc *r, struct rproc_img *im)
{
	if (!im->bridged)
		return;
	if (r->b->pas->shm_bridge_delete && rproc_do_bridge_delete(r, im->bridge) < 0) {
		/* kept on record: the next start or a successor tries again */
		rproc_log(RPROC_LOG_ERR, r->d.name, "auth-and-reset", -EIO,
			  "SHM bridge 0x%llx over carveout %s could not be deleted",
			  (unsigned long long)im->bridge, im->co->node);
		return;
	}
	rproc_unhold(r, &im->bridged);
}

/* Where the transport cannot bridge: say so once, and authenticate without. */
static void no_bridge(struct rproc *r, struct rproc_img *im)
{
	if (r->no_bridge_said)
		return;
	r->no_bridge_said = true;
	rproc_log(RPROC_LOG_NOTICE, r->d.name, "auth-and-reset", -EOPNOTSUPP,
		  "the backend cannot create SHM bridges: AUTH_AND_RESET without one over "
		  "carveout %s (fine unless TrustZone runs in SHM-bridge mode)",
		  im->co->node);
}

/* The bridge around AUTH_AND_RESET in the backend's one call; -EOPNOTSUPP: it cannot bridge. */
static int img_auth_bridged(struct rproc *r, struct rproc_img *im, uint64_t size)
{
	int e;

	rproc_hold(r, &im->bridged); /* an in-process backend could die half way */
	rproc_hold(r, &im->tz_running);
	e = r->b->pas->auth_and_reset_bridged(r->b->pas_ctx, im->pas_id, im->co->base, size);
	rproc_unhold(r, &im->bridged); /* deleted whatever the outcome */
	if (e)
		rproc_unhold(r, &im->tz_running);
	return e;
}

/*
 * doc/trustzone-pas.md#shm-bridge (v10): only for a core with `iommus`, only over its
 * carveout: bridge, AUTH_AND_RESET, and always delete the bridge.  Each is on record before
 * it is made: a daemon killed inside this leaves a snapshot that names the bridge and the
 * running PAS id, for its successor to release.
 */
static int img_auth(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	const struct rproc_pas_ops *pas = r->b->pas;
	uint64_t size = ALIGN_UP(im->co->size, (uint64_t)RPROC_FW_PAGE);
	bool bridge = r->d.n_iommus > 0;
	int e;

	bridge_delete(r, im); /* one an earlier start could not delete */
	if (im->bridged)
		return rproc_err(err, -EBUSY,
				 "an SHM bridge over carveout %s is left from an earlier start",
				 im->co->node);
	if (bridge && pas->auth_and_reset_bridged) {
		e = img_auth_bridged(r, im, size);
		if (e != -EOPNOTSUPP)
			return e ? rproc_pas_result(err, e, "AUTH_AND_RESET", im->pas_id) : 0;
		bridge = false;
	} else if (bridge && pas->shm_bridge_create) {
		rproc_hold(r, &im->bridged);
		e = pas->shm_bridge_create(r->b->pas_ctx, im->co->base, size, &im->bridge);
		if (e) {
			rproc_unhold(r, &im->bridged);
			if (e != -EOPNOTSUPP)
				return rproc_err(err, e < 0 ? e : -EIO,
						 "SHM bridge over carveout %s failed: %d",
						 im->co->node, e);
			bridge = false;
		}
	} else {
		bridge = false;
	}
	if (!bridge && r->d.n_iommus)
		no_bridge(r, im);
	rproc_hold(r, &im->tz_running);
	e = pas->auth_and_reset(r->b->pas_ctx, im->pas_id);
	bridge_delete(r, im);
	if (e) {
		rproc_unhold(r, &im->tz_running);
		return rproc_pas_result(err, e, "AUTH_AND_RESET", im->pas_id);
	}
	return 0;
}

/* ---- the DTB image (doc/boot-sequence.md#dtb-image) ------------------------------------- */

static void undo_dtb_load(struct rproc *r)
{
	if (r->img[0].present)
		img_meta_release(r, &r->img[0], "dtb-load");
}

/* What the kernel's adsp_load() does: INIT_IMAGE, MEM_SETUP and the load of the DTB image. */
static int step_dtb_load(struct rproc *r, struct rproc_error *err)
{
	struct rproc_img *im = &r->img[0];
	int e;

	if (!im->present)
		return 0;
	e = img_init(r, im, err);
	if (!e)
		e = img_mem_setup(r, im, err);
	if (!e)
		e = img_load(r, im, err);
	if (e < 0)
		undo_dtb_load(r);
	return e;
}

static void undo_dtb_auth(struct rproc *r)
{
	if (!r->img[0].present)
		return;
	img_shutdown(r, &r->img[0], "dtb-auth");
	img_unmap(r, &r->img[0]);
}

/* After the votes, before the main image's INIT_IMAGE: map and authenticate the DTB image. */
static int step_dtb_auth(struct rproc *r, struct rproc_error *err)
{
	struct rproc_img *im = &r->img[0];
	int e;

	if (!im->present)
		return 0;
	e = img_map(r, im, err);
	if (!e)
		e = img_auth(r, im, err);
	if (e < 0)
		undo_dtb_auth(r);
	return e;
}

/* ---- the main image ------------------------------------------------------------------------ */

static void undo_init_image(struct rproc *r)
{
	img_meta_release(r, &r->img[1], "init-image");
}

static int step_init_image(struct rproc *r, struct rproc_error *err)
{
	return img_init(r, &r->img[1], err);
}

static int step_mem_setup(struct rproc *r, struct rproc_error *err)
{
	return img_mem_setup(r, &r->img[1], err);
}

static int step_load(struct rproc *r, struct rproc_error *err)
{
	return img_load(r, &r->img[1], err);
}

static void undo_proxy_vote(struct rproc *r)
{
	/* the kernel's error path: the proxy votes, then load_state */
	rproc_do_unvote(r);
	rproc_do_load_state_off(r);
}

/*
 * doc/boot-sequence.md#proxy-vote: before INIT_IMAGE, as the kernel's start does: load_state
 * "on" first (qcom_q6v5_prepare()), then the proxy votes.  The proxy votes are held until
 * handover, load_state until the stop or the crash handling.
 */
static int step_proxy_vote(struct rproc *r, struct rproc_error *err)
{
	const struct rproc_pas_ops *pas = r->b->pas;
	int e;

	if (pas->load_state) {
		rproc_hold(r, &r->load_state);
		e = pas->load_state(r->b->pas_ctx, &r->d, true);
		if (e)
			rproc_unhold(r, &r->load_state);
		if (e && e != -EOPNOTSUPP)
			return rproc_err(err, e < 0 ? e : -EIO, "load_state vote: %d", e);
	}
	if (pas->proxy_vote) {
		rproc_hold(r, &r->proxy_voted);
		e = pas->proxy_vote(r->b->pas_ctx, &r->d);
		if (e)
			rproc_unhold(r, &r->proxy_voted);
		if (e && e != -EOPNOTSUPP) {
			undo_proxy_vote(r);
			return rproc_err(err, e < 0 ? e : -EIO,
					 "proxy votes (power domains, clocks, interconnect): %d",
					 e);
		}
	}
	return 0;
}

static void undo_iommu_map(struct rproc *r)
{
	img_unmap(r, &r->img[1]);
}

static int step_iommu_map(struct rproc *r, struct rproc_error *err)
{
	return img_map(r, &r->img[1], err);
}

static void undo_auth(struct rproc *r)
{
	img_shutdown(r, &r->img[1], "auth-and-reset");
}

static int step_auth(struct rproc *r, struct rproc_error *err)
{
	int e = img_auth(r, &r->img[1], err);

	r->t_auth = now_usec(CLOCK_MONOTONIC);
	return e;
}

static void read_reason(struct rproc *r, enum rproc_irq irq, char *buf, size_t len)
{
	buf[0] = 0;
	if (r->b->pas->crash_reason && r->b->pas->crash_reason(r->b->pas_ctx, &r->d, buf, len) < 0)
		buf[0] = 0;
	if (!buf[0])
		snprintf(buf, len, "%s", irq == RPROC_IRQ_WDOG ? "watchdog bite" : "error-fatal");
}

/* doc/boot-sequence.md#wait-ready: wait for ready; handover may come at any time after auth. */
static int step_wait_ready(struct rproc *r, struct rproc_error *err)
{
	enum { P_READY, P_HANDOVER, P_FATAL, P_WDOG, P_CANCEL, P_N };
	uint64_t end = now_usec(CLOCK_MONOTONIC) + r->cfg->ready_timeout_ms * USEC_PER_MSEC;
	struct pollfd p[P_N] = {
		[P_READY] = { .fd = r->irq[RPROC_IRQ_READY], .events = POLLIN },
		[P_HANDOVER] = { .fd = r->irq[RPROC_IRQ_HANDOVER], .events = POLLIN },
		[P_FATAL] = { .fd = r->irq[RPROC_IRQ_FATAL], .events = POLLIN },
		[P_WDOG] = { .fd = r->irq[RPROC_IRQ_WDOG], .events = POLLIN },
		[P_CANCEL] = { .fd = r->cancel_fd, .events = POLLIN },
	};
	char reason[256];

	if (p[P_READY].fd < 0) {
		rproc_log(RPROC_LOG_WARNING, r->d.name, "wait-ready", 0,
			  "the backend has no ready interrupt: assuming the core is up");
		return 0;
	}
	for (;;) {
		uint64_t now = now_usec(CLOCK_MONOTONIC);
		int n;

		if (now >= end)
			return rproc_err(err, -ETIMEDOUT, "no ready interrupt within %u ms",
					 r->cfg->ready_timeout_ms);
		n = poll(p, P_N, (int)((end - now + 999) / 1000));
		if (n < 0 && errno != EINTR)
			return rproc_err(err, -errno, "poll: %m");
		if (n <= 0)
			continue;
		if (p[P_CANCEL].revents)
			return rproc_err(err, -ECANCELED, "start cancelled");
		if (p[P_HANDOVER].revents && rproc_irq_take(r, RPROC_IRQ_HANDOVER))
			rproc_handover(r, "wait-ready");
		bool fatal = p[P_FATAL].revents && rproc_irq_take(r, RPROC_IRQ_FATAL);
		bool wdog = p[P_WDOG].revents && rproc_irq_take(r, RPROC_IRQ_WDOG);

		if (fatal || wdog) {
			enum rproc_irq irq = wdog ? RPROC_IRQ_WDOG : RPROC_IRQ_FATAL;

			read_reason(r, irq, reason, sizeof(reason));
			pthread_mutex_lock(&r->lock);
			snprintf(r->info.last_crash_reason, sizeof(r->info.last_crash_reason), "%s",
				 reason);
			pthread_mutex_unlock(&r->lock);
			return rproc_err(err, -EIO, "crashed while booting (%s): %s",
					 rproc_irq_name(irq), reason);
		}
		if (p[P_READY].revents && rproc_irq_take(r, RPROC_IRQ_READY))
			return 0;
	}
}

/*
 * doc/boot-sequence.md#metadata-release: the kernel's qcom_scm_pas_metadata_release() is a void
 * cleanup after ready and cannot fail a start, so a failure here is a warning and the DSP keeps
 * running.  The buffer stays on record (the snapshot names it), and the next INIT_IMAGE of the
 * PAS id tries to release it first.
 */
static int step_metadata_release(struct rproc *r, struct rproc_error *err)
{
	/* the main image's, then the DTB image's, as the kernel releases them */
	for_each_img_rev(r, im) {
		int e = rproc_do_meta_release(r, im);

		if (e < 0)
			rproc_log(RPROC_LOG_WARNING, r->d.name, "metadata-release", e,
				  "metadata release (PAS %u) failed: %s; the DSP is up and keeps "
				  "running, but TrustZone or the transport may keep the metadata "
				  "buffer until the next start of this PAS id releases it",
				  im->pas_id, strerror(-e));
	}
	return 0;
}

/*
 * doc/boot-sequence.md#glink-register: the glink edge once the firmware is up, as the
 * kernel's glink subdevice starts after the remote processor has; a failure fails the start,
 * as there.  A node without a glink-edge child has none (the kernel adds no subdevice), and a
 * transport without the edge is said once.
 */
static int step_glink_register(struct rproc *r, struct rproc_error *err)
{
	int e;

	if (!r->b->pas->glink)
		return 0;
	rproc_hold(r, &r->glink);
	e = r->b->pas->glink(r->b->pas_ctx, &r->d, true);
	if (!e)
		return 0;
	rproc_unhold(r, &r->glink);
	/* -ENOENT: the node has no glink-edge child, and the kernel then adds no subdevice */
	if (e == -EOPNOTSUPP || e == -ENOENT) {
		if (!r->no_glink_said)
			rproc_log(e == -ENOENT ? RPROC_LOG_INFO : RPROC_LOG_NOTICE, r->d.name,
				  "glink-register", e, "%s: no rpmsg (fastrpc, audio, qrtr) for this "
				  "processor",
				  e == -ENOENT ? "the device tree gives it no glink-edge"
					       : "the backend cannot register the glink edge");
		r->no_glink_said = true;
		return 0;
	}
	return rproc_err(err, e < 0 ? e : -EIO, "cannot register the glink edge: %s",
			 strerror(e < 0 ? -e : EIO));
}

static const char *const start_names[] = {
	"firmware",	  "iommu-open", "rsc-table",	    "dtb-load",	     "proxy-vote",
	"dtb-auth",	  "init-image", "mem-setup",	    "load",	     "iommu-map",
	"auth-and-reset", "wait-ready", "metadata-release", "glink-register", NULL,
};

/* The firmware first: a missing or broken image must cost no SMMU or TrustZone call. */
static const struct rproc_step start_steps[] = {
	{ step_firmware, undo_firmware, B_FIRMWARE },
	{ step_iommu_open, undo_iommu_open, B_NONE },
	{ step_rsc_table, undo_rsc_table, B_NONE },
	{ step_dtb_load, undo_dtb_load, B_LOAD },
	{ step_proxy_vote, undo_proxy_vote, B_LOAD },
	{ step_dtb_auth, undo_dtb_auth, B_AUTH },
	{ step_init_image, undo_init_image, B_LOAD },
	{ step_mem_setup, NULL, B_LOAD },
	{ step_load, NULL, B_LOAD },
	{ step_iommu_map, undo_iommu_map, B_AUTH },
	{ step_auth, undo_auth, B_AUTH },
	{ step_wait_ready, NULL, B_READY },
	{ step_metadata_release, NULL, B_NONE },
	{ step_glink_register, NULL, B_NONE },
};
_Static_assert(ARRAY_SIZE(start_names) == ARRAY_SIZE(start_steps) + 1, "one name per step");

const char *const *rproc_start_steps(unsigned int *n)
{
	if (n)
		*n = ARRAY_SIZE(start_steps);
	return start_names;
}

int rproc_run_start(struct rproc *r)
{
	uint64_t t0 = now_usec(CLOCK_MONOTONIC), b[B_READY + 1] = { 0 };
	size_t k;
	int e = 0;

	r->handover = false;
	r->bytes_loaded = 0;
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		rproc_irq_take(r, (enum rproc_irq)i);
	for (k = 0; k < ARRAY_SIZE(start_steps); k++) {
		const struct rproc_step *s = &start_steps[k];
		const char *name = start_names[k];
		struct rproc_error err = { 0 };
		uint64_t ts = now_usec(CLOCK_MONOTONIC);

		rproc_report_phase(r, name);
		if (rproc_cancelled(r))
			e = rproc_err(&err, -ECANCELED, "start cancelled");
		else if (!rproc_step_injected(r, name, &e, &err))
			e = s->run(r, &err);
		if (e < 0) {
			rproc_record_failure(r, name, e, err.msg, RPROC_LOG_DEBUG);
			break;
		}
		b[s->bucket] += now_usec(CLOCK_MONOTONIC) - ts;
		if (rproc_step_dies(r, name))
			return -EINTR; /* test hook: as if killed, everything stays held */
	}
	if (e < 0) {
		while (k-- > 0)
			if (start_steps[k].undo)
				start_steps[k].undo(r);
		/*
		 * A recovery start found the devmem and the IOMMU context kept by the crash
		 * handling: they go too, whichever step failed, even one before the steps that
		 * would have taken them.
		 */
		rproc_release_kept(r);
		undo_firmware(r);
		return e;
	}
	rproc_keep_segments(r);
	undo_firmware(r); /* the image files are not needed while running */
	pthread_mutex_lock(&r->lock);
	r->info.timings.firmware_us = b[B_FIRMWARE];
	r->info.timings.load_us = b[B_LOAD];
	r->info.timings.auth_us = b[B_AUTH];
	r->info.timings.ready_us = b[B_READY];
	r->info.timings.total_us = now_usec(CLOCK_MONOTONIC) - t0;
	r->info.timings.image_bytes = r->bytes_loaded;
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, NULL, 0,
		  "running: firmware %llu us, load %llu us, auth %llu us, ready %llu us",
		  (unsigned long long)b[B_FIRMWARE], (unsigned long long)b[B_LOAD],
		  (unsigned long long)b[B_AUTH], (unsigned long long)b[B_READY]);
	return 0;
}

void rproc_release_kept(struct rproc *r)
{
	undo_iommu_open(r);
}

