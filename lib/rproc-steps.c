// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The start and stop sequences as tables of steps (DOMAIN §7.1, §7.2, §2.3), run in the
 * worker thread.
 *
 * Start: a step's do either succeeds or leaves nothing behind (it calls its own undo); a
 * failure at step k runs the undos of k-1..1 in reverse, so a failed start holds nothing.
 * Undos act on the ownership flags in struct rproc, so running one twice is harmless.
 *
 * Stop: every step runs even when an earlier one failed (the kernel logs and goes on); an
 * error is logged and recorded.  Release operations (SHUTDOWN, unmap, bridge delete,
 * metadata release, unvote) are retried before giving up, since leaving them undone leaks
 * TrustZone or SMMU state that only a reboot gives back.
 *
 * A second (DTB) image (DOMAIN §1.8) goes through every image step just before the main
 * one.  The kernel authenticates the DTB image before INIT_IMAGE of the main image and maps
 * its carveout only afterwards (§3.2); here both carveouts are mapped before either
 * AUTH_AND_RESET, which the simulated TrustZone requires.  Whether real firmware cares is
 * unknown (§8.2: no SA8775p driver data uses a DTB image).
 *
 * Recovery (DOMAIN §3.1): the IOMMU context and the resource table's DEVMEM mappings stay;
 * iommu-open and rsc-table do nothing when they already hold them.  A failed start releases
 * them too, so that a failed core holds nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "rproc-priv.h"
#include "rsc.h"
#include "util.h"

#define RELEASE_TRIES 3
#define RELEASE_PAUSE_MS 10
#define DECRYPT_SHUTDOWN_TRIES 50 /* DOMAIN §3.3: every 100 ms, up to 50 times */
#define DECRYPT_SHUTDOWN_PAUSE_MS 100

enum bucket { B_NONE, B_FIRMWARE, B_LOAD, B_AUTH, B_READY };

struct step {
	int (*run)(struct rproc *r, struct rproc_error *err);
	void (*undo)(struct rproc *r);
	enum bucket bucket;
};

int rproc_drain(int fd)
{
	uint64_t v;
	int n = 0;

	if (fd < 0)
		return 0;
	while (read(fd, &v, sizeof(v)) == sizeof(v))
		n++;
	return n;
}

/*
 * Consume a pending interrupt: through the backend's ack when it has one (a level interrupt
 * through VFIO must be unmasked again), else by reading the eventfd.  True if one was pending.
 */
bool rproc_irq_take(struct rproc *r, enum rproc_irq irq)
{
	if (r->irq[irq] < 0)
		return false;
	if (r->b->irq && r->b->irq->ack) {
		struct pollfd p = { .fd = r->irq[irq], .events = POLLIN };

		return poll(&p, 1, 0) == 1 && r->b->irq->ack(r->b->irq_ctx, &r->d, irq) >= 0;
	}
	return rproc_drain(r->irq[irq]) > 0;
}

static void pause_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A PAS call's result: negative errno, or a positive TrustZone code (DOMAIN §2.1). */
static int pas_result(struct rproc_error *err, int e, const char *what, uint32_t pas_id)
{
	if (e > 0)
		return rproc_err(err, -EIO, "%s(PAS %u): TrustZone returned %d", what, pas_id, e);
	return rproc_err(err, e, "%s(PAS %u): %s", what, pas_id, strerror(-e));
}

#define for_each_img(r, im)                                                                        \
	for (struct rproc_img *im = &(r)->img[0]; im <= &(r)->img[1]; im++)                       \
		if (im->present)

#define for_each_img_rev(r, im)                                                                    \
	for (struct rproc_img *im = &(r)->img[1]; im >= &(r)->img[0]; im--)                       \
		if (im->present)

/* Non-PAS ops return 0 or -errno; anything else is a backend bug, treated as -EIO. */
static int neg(int e)
{
	return e > 0 ? -EIO : e;
}

/* ---- release operations, retried ---------------------------------------------------------- */

static int do_shutdown(struct rproc *r, struct rproc_img *im)
{
	unsigned int tries = r->d.decrypt_shutdown ? DECRYPT_SHUTDOWN_TRIES : RELEASE_TRIES;
	unsigned int pause = r->d.decrypt_shutdown ? DECRYPT_SHUTDOWN_PAUSE_MS : RELEASE_PAUSE_MS;
	int e = 0;

	for (unsigned int t = 0; t < tries; t++) {
		if (t)
			pause_ms(pause);
		e = r->b->pas->shutdown(r->b->pas_ctx, im->pas_id);
		if (!e) {
			im->tz_running = false;
			return 0;
		}
		rproc_log(RPROC_LOG_WARNING, r->d.name, "shutdown", e < 0 ? e : -EIO,
			  "SHUTDOWN(PAS %u) returned %d (try %u of %u)", im->pas_id, e, t + 1,
			  tries);
	}
	return e < 0 ? e : -EIO;
}

static int do_meta_release(struct rproc *r, struct rproc_img *im)
{
	int e = 0;

	if (!im->meta_held)
		return 0;
	if (!r->b->pas->metadata_release) {
		im->meta_held = false;
		return 0;
	}
	for (unsigned int t = 0; t < RELEASE_TRIES; t++) {
		if (t)
			pause_ms(RELEASE_PAUSE_MS);
		e = r->b->pas->metadata_release(r->b->pas_ctx, im->pas_id);
		if (!e) {
			im->meta_held = false;
			return 0;
		}
		rproc_log(RPROC_LOG_WARNING, r->d.name, "metadata-release", e < 0 ? e : -EIO,
			  "metadata release (PAS %u) returned %d", im->pas_id, e);
	}
	return e < 0 ? e : -EIO;
}

static int do_unmap(struct rproc *r, uint64_t iova, uint64_t size)
{
	int e = 0;

	for (unsigned int t = 0; t < RELEASE_TRIES; t++) {
		if (t)
			pause_ms(RELEASE_PAUSE_MS);
		e = neg(r->b->iommu->unmap(r->dom, iova, size));
		if (!e)
			return 0;
		rproc_log(RPROC_LOG_WARNING, r->d.name, "iommu-unmap", e,
			  "unmap [0x%llx, +0x%llx): %s", (unsigned long long)iova,
			  (unsigned long long)size, strerror(-e));
	}
	return e;
}

static int do_unvote(struct rproc *r)
{
	int e = 0;

	if (!r->proxy_voted)
		return 0;
	for (unsigned int t = 0; t < RELEASE_TRIES; t++) {
		if (t)
			pause_ms(RELEASE_PAUSE_MS);
		e = r->b->pas->proxy_unvote(r->b->pas_ctx, &r->d);
		if (!e) {
			r->proxy_voted = false;
			return 0;
		}
		rproc_log(RPROC_LOG_WARNING, r->d.name, "proxy-unvote", e, "proxy unvote: %s",
			  strerror(e < 0 ? -e : EIO));
	}
	return e < 0 ? e : -EIO;
}

static int do_bridge_delete(struct rproc *r, uint64_t handle)
{
	int e = 0;

	for (unsigned int t = 0; t < RELEASE_TRIES; t++) {
		if (t)
			pause_ms(RELEASE_PAUSE_MS);
		e = r->b->pas->shm_bridge_delete(r->b->pas_ctx, handle);
		if (!e)
			return 0;
		rproc_log(RPROC_LOG_WARNING, r->d.name, "auth-and-reset", e < 0 ? e : -EIO,
			  "SHM bridge delete (handle 0x%llx) returned %d",
			  (unsigned long long)handle, e);
	}
	return e < 0 ? e : -EIO;
}

/* ---- start steps --------------------------------------------------------------------------- */

static void undo_iommu_open(struct rproc *r)
{
	if (r->dom)
		r->b->iommu->close(r->dom);
	r->dom = NULL;
	r->n_ranges = 0;
}

/* DOMAIN §7.0.7: one IOMMU context per device, kept across stops. */
static int step_iommu_open(struct rproc *r, struct rproc_error *err)
{
	size_t n = 0;
	int e;

	if (!r->d.n_iommus || !r->b->iommu)
		return 0; /* no iommus: no SMMU stream, nothing to map (DOMAIN §3.9 EL2 overlay) */
	if (!r->dom) {
		e = neg(r->b->iommu->open(r->b->iommu_ctx, &r->d, &r->dom));
		if (e < 0) {
			r->dom = NULL;
			return rproc_err(err, e, "cannot open the IOMMU context of %s: %s",
					 r->d.device, strerror(-e));
		}
	}
	e = neg(r->b->iommu->iova_ranges(r->dom, r->ranges, ARRAY_SIZE(r->ranges), &n));
	if (e < 0) {
		undo_iommu_open(r);
		return rproc_err(err, e, "cannot read the usable IOVA ranges of %s: %s",
				 r->d.device, strerror(-e));
	}
	r->n_ranges = n < ARRAY_SIZE(r->ranges) ? n : ARRAY_SIZE(r->ranges);
	return 0;
}

static void undo_rsc_table(struct rproc *r)
{
	while (r->n_devmem_mapped) {
		struct rproc_devmem *m = &r->devmem[r->n_devmem_mapped - 1];

		if (r->dom)
			do_unmap(r, m->da, m->len);
		r->n_devmem_mapped--;
	}
	free(r->devmem);
	r->devmem = NULL;
	r->n_devmem = 0;
	r->rsc_done = false;
}

/* DOMAIN §7.1.1: first boot only; the table and its DEVMEM mappings survive recovery. */
static int step_rsc_table(struct rproc *r, struct rproc_error *err)
{
	uint8_t hdr[RPROC_RSC_HDR_SIZE];
	unsigned int skipped = 0;
	void *tab = NULL;
	size_t tab_len = 0;
	int e;

	if (r->rsc_done || !r->dom)
		return 0; /* without an IOMMU the kernel uses no resource table (§2.6) */
	if (r->d.n_devmem) {
		r->devmem = calloc(r->d.n_devmem, sizeof(*r->devmem));
		if (!r->devmem)
			return rproc_err(err, -ENOMEM, "out of memory");
		memcpy(r->devmem, r->d.devmem, r->d.n_devmem * sizeof(*r->devmem));
		r->n_devmem = r->d.n_devmem;
	} else if (r->b->pas->get_rsc_table) {
		rproc_rsc_empty(hdr);
		e = r->b->pas->get_rsc_table(r->b->pas_ctx, (uint32_t)r->d.pas_id, hdr, sizeof(hdr),
					     &tab, &tab_len);
		if (e)
			return pas_result(err, e, "GET_RSCTABLE", (uint32_t)r->d.pas_id);
		e = rproc_rsc_parse(tab, tab_len, &r->devmem, &r->n_devmem, &skipped, err);
		free(tab);
		if (e < 0) {
			r->devmem = NULL;
			r->n_devmem = 0;
			return rproc_err_prefix(err, e, "resource table from TrustZone");
		}
		if (skipped)
			rproc_log(RPROC_LOG_NOTICE, r->d.name, "rsc-table", 0,
				  "%u resource table entries of unknown type ignored", skipped);
	}
	for (size_t i = 0; i < r->n_devmem; i++) {
		struct rproc_devmem *m = &r->devmem[i];

		e = neg(r->b->iommu->map(r->dom, m->da, m->pa, m->len, m->flags));
		if (e < 0) {
			rproc_err(err, e,
				  "cannot map devmem \"%s\" da 0x%llx -> pa 0x%llx (0x%llx bytes, "
				  "flags 0x%x): %s",
				  m->name, (unsigned long long)m->da, (unsigned long long)m->pa,
				  (unsigned long long)m->len, m->flags, strerror(-e));
			undo_rsc_table(r);
			return e;
		}
		r->n_devmem_mapped = i + 1;
	}
	r->rsc_done = true;
	return 0;
}

static void undo_firmware(struct rproc *r)
{
	for_each_img(r, im)
	{
		rproc_fw_close(im->img);
		im->img = NULL;
	}
}

static int step_firmware(struct rproc *r, struct rproc_error *err)
{
	for_each_img(r, im)
	{
		char *path = NULL;
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
		e = rproc_fw_reloc(im->img, im->co->base, im->co->size, &im->mem_reloc, err);
		if (e < 0) {
			undo_firmware(r);
			return rproc_err_prefix(err, e, "%s does not fit carveout %s", im->fw_name,
						im->co->node);
		}
	}
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.firmware_path, sizeof(r->info.firmware_path), "%s", r->img[1].img->path);
	r->info.mem_reloc = r->img[1].mem_reloc;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void undo_init_image(struct rproc *r)
{
	for_each_img_rev(r, im)
	{
		if (do_meta_release(r, im) < 0)
			rproc_log(RPROC_LOG_ERR, r->d.name, "init-image", -EIO,
				  "metadata buffer of PAS %u could not be released", im->pas_id);
	}
}

static int step_init_image(struct rproc *r, struct rproc_error *err)
{
	for_each_img(r, im)
	{
		int e = r->b->pas->init_image(r->b->pas_ctx, im->pas_id, im->img->metadata,
					      im->img->metadata_len);

		if (e) {
			undo_init_image(r);
			return pas_result(err, e, "INIT_IMAGE", im->pas_id);
		}
		im->meta_held = true;
	}
	return 0;
}

static int step_mem_setup(struct rproc *r, struct rproc_error *err)
{
	for_each_img(r, im)
	{
		int e;

		if (!im->img->relocatable)
			continue;
		/* DOMAIN §1.6: MEM_SETUP(pas_id, mem_phys, max_addr - min_addr) */
		e = r->b->pas->mem_setup(r->b->pas_ctx, im->pas_id, im->co->base,
					 rproc_fw_span(im->img));
		if (e)
			return pas_result(err, e, "MEM_SETUP", im->pas_id);
	}
	return 0;
}

static void load_progress(void *userdata, uint64_t done, uint64_t total)
{
	rproc_progress(userdata, done, total);
}

/* DOMAIN §7.1.7: map for the CPU, copy, and unmap again before AUTH_AND_RESET (S12). */
static int step_load(struct rproc *r, struct rproc_error *err)
{
	uint64_t bytes = 0;

	for_each_img(r, im)
	{
		struct rproc_mem_map m = { 0 };
		int e;

		e = neg(r->b->mem->map(r->b->mem_ctx, im->co->base, im->co->size, true, &m));
		if (e < 0)
			return rproc_err(err, e, "cannot map carveout %s [0x%llx, +0x%llx) for "
						 "loading: %s",
					 im->co->node, (unsigned long long)im->co->base,
					 (unsigned long long)im->co->size, strerror(-e));
		e = rproc_fw_load(im->img, m.va, im->co->base, im->co->size, load_progress, r, err);
		r->b->mem->unmap(r->b->mem_ctx, &m);
		if (e < 0)
			return e;
		for (unsigned int i = 0; i < im->img->phnum; i++)
			if (im->img->segs[i].loadable)
				bytes += im->img->segs[i].filesz;
	}
	pthread_mutex_lock(&r->lock);
	r->info.timings.image_bytes = bytes;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static void undo_proxy_vote(struct rproc *r)
{
	do_unvote(r);
}

/* DOMAIN §3.5: held across AUTH_AND_RESET until handover (or stop). */
static int step_proxy_vote(struct rproc *r, struct rproc_error *err)
{
	int e;

	if (!r->b->pas->proxy_vote)
		return 0;
	e = r->b->pas->proxy_vote(r->b->pas_ctx, &r->d);
	if (e == -EOPNOTSUPP)
		return 0;
	if (e)
		return rproc_err(err, e < 0 ? e : -EIO, "proxy votes (power domains, clocks, "
							 "interconnect): %d",
				 e);
	r->proxy_voted = true;
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

static void undo_iommu_map(struct rproc *r)
{
	for_each_img_rev(r, im)
	{
		if (im->mapped && do_unmap(r, im->co->base, im->co->size) == 0)
			im->mapped = false;
	}
}

/* DOMAIN §3.2 step 6, §7.1.9: IOVA == PA, read|write, the whole carveout. */
static int step_iommu_map(struct rproc *r, struct rproc_error *err)
{
	if (!r->dom)
		return 0;
	for_each_img(r, im)
	{
		int e;

		if (!in_ranges(r, im->co->base, im->co->size)) {
			char list[256] = "";
			size_t o = 0;

			for (size_t i = 0; i < r->n_ranges && o < sizeof(list); i++)
				o += (size_t)snprintf(list + o, sizeof(list) - o, "%s0x%llx-0x%llx",
						      i ? ", " : "",
						      (unsigned long long)r->ranges[i].start,
						      (unsigned long long)r->ranges[i].last);
			undo_iommu_map(r);
			return rproc_err(
			    err, -ERANGE,
			    "carveout %s [0x%llx, +0x%llx) is not inside the usable IOVA "
			    "ranges of %s (%s): IOVA == PA is impossible",
			    im->co->node, (unsigned long long)im->co->base,
			    (unsigned long long)im->co->size, r->d.device, list);
		}
		e = neg(r->b->iommu->map(r->dom, im->co->base, im->co->base, im->co->size,
					 RPROC_IOMMU_READ | RPROC_IOMMU_WRITE));
		if (e < 0) {
			undo_iommu_map(r);
			return rproc_err(err, e, "cannot map carveout %s at IOVA == PA 0x%llx: %s",
					 im->co->node, (unsigned long long)im->co->base,
					 strerror(-e));
		}
		im->mapped = true;
	}
	return 0;
}

static void undo_auth(struct rproc *r)
{
	for_each_img_rev(r, im)
	{
		if (im->tz_running && do_shutdown(r, im) < 0)
			rproc_log(RPROC_LOG_ERR, r->d.name, "auth-and-reset", -EIO,
				  "PAS %u could not be shut down: it may still run", im->pas_id);
	}
}

/* DOMAIN §2.5 (v10): bridge, AUTH_AND_RESET, and always delete the bridge. */
static int step_auth(struct rproc *r, struct rproc_error *err)
{
	const struct rproc_pas_ops *pas = r->b->pas;

	for_each_img(r, im)
	{
		uint64_t handle = 0, size = ALIGN_UP(im->co->size, (uint64_t)RPROC_FW_PAGE);
		bool bridged = false;
		int e;

		if (pas->shm_bridge_create) {
			e = pas->shm_bridge_create(r->b->pas_ctx, im->co->base, size, &handle);
			if (e && e != -EOPNOTSUPP) {
				undo_auth(r);
				return rproc_err(err, e < 0 ? e : -EIO,
						 "SHM bridge over carveout %s failed: %d",
						 im->co->node, e);
			}
			bridged = e == 0;
		}
		e = pas->auth_and_reset(r->b->pas_ctx, im->pas_id);
		if (bridged && pas->shm_bridge_delete && do_bridge_delete(r, handle) < 0)
			rproc_log(RPROC_LOG_ERR, r->d.name, "auth-and-reset", -EIO,
				  "SHM bridge 0x%llx could not be deleted",
				  (unsigned long long)handle);
		if (e) {
			undo_auth(r);
			return pas_result(err, e, "AUTH_AND_RESET", im->pas_id);
		}
		im->tz_running = true;
	}
	r->t_auth = rproc_mono_us();
	return 0;
}

static void read_reason(struct rproc *r, enum rproc_irq irq, char *buf, size_t len)
{
	buf[0] = 0;
	if (r->b->pas->crash_reason && r->b->pas->crash_reason(r->b->pas_ctx, &r->d, buf, len) < 0)
		buf[0] = 0;
	if (!buf[0])
		snprintf(buf, len, "%s", irq == RPROC_IRQ_WDOG ? "watchdog bite" : "error-fatal");
}

static void on_handover(struct rproc *r)
{
	r->handover = true;
	do_unvote(r);
	rproc_log(RPROC_LOG_DEBUG, r->d.name, "wait-ready", 0, "handover");
}

/* DOMAIN §7.1.11: wait for ready; handover may come at any time after auth. */
static int step_wait_ready(struct rproc *r, struct rproc_error *err)
{
	enum { P_READY, P_HANDOVER, P_FATAL, P_WDOG, P_CANCEL, P_N };
	uint64_t end = rproc_mono_us() + (uint64_t)r->cfg->ready_timeout_ms * 1000;
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
		uint64_t now = rproc_mono_us();
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
		if (p[P_HANDOVER].revents && rproc_irq_take(r, RPROC_IRQ_HANDOVER) && !r->handover)
			on_handover(r);
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

static int step_metadata_release(struct rproc *r, struct rproc_error *err)
{
	for_each_img(r, im)
	{
		int e = do_meta_release(r, im);

		if (e < 0)
			return rproc_err(err, e, "metadata release (PAS %u): %s", im->pas_id,
					 strerror(-e));
	}
	return 0;
}

static const char *const start_names[] = {
	"iommu-open", "rsc-table",  "firmware",	      "init-image", "mem-setup",	"load",
	"proxy-vote", "iommu-map", "auth-and-reset", "wait-ready", "metadata-release", NULL,
};

static const struct step start_steps[] = {
	{ step_iommu_open, undo_iommu_open, B_NONE },
	{ step_rsc_table, undo_rsc_table, B_NONE },
	{ step_firmware, undo_firmware, B_FIRMWARE },
	{ step_init_image, undo_init_image, B_LOAD },
	{ step_mem_setup, NULL, B_LOAD },
	{ step_load, NULL, B_LOAD },
	{ step_proxy_vote, undo_proxy_vote, B_AUTH },
	{ step_iommu_map, undo_iommu_map, B_AUTH },
	{ step_auth, undo_auth, B_AUTH },
	{ step_wait_ready, NULL, B_READY },
	{ step_metadata_release, NULL, B_NONE },
};
_Static_assert(ARRAY_SIZE(start_names) == ARRAY_SIZE(start_steps) + 1, "one name per step");

/* ---- stop steps ------------------------------------------------------------------------------ */

/* DOMAIN §7.2.1: set the stop bit, wait for stop-ack (a wdog counts too), clear the bit. */
static int stop_handshake(struct rproc *r, struct rproc_error *err)
{
	struct pollfd p[4] = {
		{ .fd = r->irq[RPROC_IRQ_STOP_ACK], .events = POLLIN },
		{ .fd = r->irq[RPROC_IRQ_WDOG], .events = POLLIN },
		{ .fd = r->irq[RPROC_IRQ_FATAL], .events = POLLIN },
		{ .fd = r->cancel_fd, .events = POLLIN },
	};
	uint64_t end;
	int e, ret = 0;

	if (r->stop_crashed || !r->b->pas->stop_bit || !r->img[1].tz_running)
		return 0;
	rproc_irq_take(r, RPROC_IRQ_STOP_ACK);
	e = r->b->pas->stop_bit(r->b->pas_ctx, &r->d, true);
	if (e)
		return rproc_err(err, e < 0 ? e : -EIO, "cannot set the stop bit: %d", e);
	end = rproc_mono_us() + (uint64_t)r->cfg->stop_timeout_ms * 1000;
	for (;;) {
		uint64_t now = rproc_mono_us();
		int n;

		if (now >= end) {
			ret =
			    rproc_err(err, -ETIMEDOUT, "no stop-ack within %u ms; stopping anyway",
				      r->cfg->stop_timeout_ms);
			break;
		}
		n = poll(p, p[0].fd >= 0 ? 4 : 0, (int)((end - now + 999) / 1000));
		if (n < 0 && errno != EINTR) {
			ret = rproc_err(err, -errno, "poll: %m");
			break;
		}
		if (n <= 0)
			continue;
		if (p[3].revents) {
			ret = rproc_err(err, -ECANCELED, "stop-ack wait cancelled");
			break;
		}
		/* a wdog (or fatal) during the handshake is the acknowledgement (DOMAIN §7.3.1) */
		if (rproc_irq_take(r, RPROC_IRQ_STOP_ACK) | rproc_irq_take(r, RPROC_IRQ_WDOG) |
		    rproc_irq_take(r, RPROC_IRQ_FATAL))
			break;
	}
	for (unsigned int t = 0; t < RELEASE_TRIES; t++) {
		e = r->b->pas->stop_bit(r->b->pas_ctx, &r->d, false);
		if (!e)
			break;
		pause_ms(RELEASE_PAUSE_MS);
	}
	if (e && !ret)
		ret = rproc_err(err, e < 0 ? e : -EIO, "cannot clear the stop bit: %d", e);
	return ret;
}

static int stop_shutdown_img(struct rproc *r, struct rproc_img *im, struct rproc_error *err)
{
	int e;

	if (!im->present || !im->tz_running)
		return 0;
	e = do_shutdown(r, im);
	if (e < 0)
		return rproc_err(err, e, "SHUTDOWN(PAS %u) failed; the core may still run",
				 im->pas_id);
	return 0;
}

static int stop_shutdown(struct rproc *r, struct rproc_error *err)
{
	return stop_shutdown_img(r, &r->img[1], err);
}

static int stop_dtb_shutdown(struct rproc *r, struct rproc_error *err)
{
	return stop_shutdown_img(r, &r->img[0], err);
}

/* After SHUTDOWN, so the DSP never sees its memory go while it runs (DOMAIN §3.4). */
static int stop_iommu_unmap(struct rproc *r, struct rproc_error *err)
{
	undo_iommu_map(r);
	for_each_img(r, im) if (im->mapped) return rproc_err(err, -EIO,
							     "carveout %s stays mapped in the SMMU",
							     im->co->node);
	return 0;
}

static int stop_proxy_unvote(struct rproc *r, struct rproc_error *err)
{
	int e = 0;

	/* A core that never handed over still has our votes (DOMAIN §3.4 step 5). */
	if (r->proxy_voted)
		e = do_unvote(r);
	return e < 0 ? rproc_err(err, e, "proxy unvote failed") : 0;
}

static const char *const stop_names[] = {
	"stop-handshake", "shutdown", "dtb-shutdown", "iommu-unmap", "proxy-unvote", NULL,
};

static const struct step stop_steps[] = {
	{ stop_handshake, NULL, B_NONE },
	{ stop_shutdown, NULL, B_NONE },
	{ stop_dtb_shutdown, NULL, B_NONE },
	{ stop_iommu_unmap, NULL, B_NONE },
	{ stop_proxy_unvote, NULL, B_NONE },
};
_Static_assert(ARRAY_SIZE(stop_names) == ARRAY_SIZE(stop_steps) + 1, "one name per step");

const char *const *rproc_start_steps(unsigned int *n)
{
	if (n)
		*n = ARRAY_SIZE(start_steps);
	return start_names;
}

const char *const *rproc_stop_steps(unsigned int *n)
{
	if (n)
		*n = ARRAY_SIZE(stop_steps);
	return stop_names;
}

int rproc_debug_fail_step(struct rproc *r, const char *step, int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(start_steps); i++)
		if (!strcmp(start_names[i], step)) {
			r->fail_step = start_names[i];
			r->fail_err = err;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(stop_steps); i++)
		if (!strcmp(stop_names[i], step)) {
			r->fail_step = stop_names[i];
			r->fail_err = err;
			return 0;
		}
	return -ENOENT;
}

static bool injected(struct rproc *r, const char *step, int *e, struct rproc_error *err)
{
	if (r->fail_step != step)
		return false;
	r->fail_step = NULL;
	*e = rproc_err(err, r->fail_err, "injected failure");
	return true;
}

static bool cancelled(struct rproc *r)
{
	struct pollfd p = { .fd = r->cancel_fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void record_failure(struct rproc *r, const char *step, int e, const char *msg, int level)
{
	char full[512];

	snprintf(full, sizeof(full), "%s: %s", step, msg[0] ? msg : strerror(e < 0 ? -e : EIO));
	rproc_log(level, r->d.name, step, e, "%s", full);
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_error, sizeof(r->info.last_error), "%s", full);
	snprintf(r->info.last_error_step, sizeof(r->info.last_error_step), "%s", step);
	r->info.last_errno = e;
	pthread_mutex_unlock(&r->lock);
}

/* Remember where the running image's segments are, for a later coredump (DOMAIN §3.6). */
static void keep_segments(struct rproc *r)
{
	const struct rproc_img *im = &r->img[1];
	size_t n = 0;

	free(r->segs);
	r->segs = NULL;
	r->n_segs = 0;
	r->segs = calloc(im->img->phnum ? im->img->phnum : 1, sizeof(*r->segs));
	if (!r->segs)
		return;
	for (unsigned int i = 0; i < im->img->phnum; i++) {
		const struct rproc_fw_segment *s = &im->img->segs[i];

		if (!s->loadable)
			continue;
		r->segs[n].da = s->paddr;
		r->segs[n].phys = im->co->base + (s->paddr - im->mem_reloc);
		r->segs[n].size = s->memsz;
		n++;
	}
	r->n_segs = n;
}

int rproc_run_start(struct rproc *r)
{
	uint64_t t0 = rproc_mono_us(), b[B_READY + 1] = { 0 };
	size_t k;
	int e = 0;

	r->handover = false;
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		rproc_irq_take(r, (enum rproc_irq)i);
	for (k = 0; k < ARRAY_SIZE(start_steps); k++) {
		const struct step *s = &start_steps[k];
		const char *name = start_names[k];
		struct rproc_error err = { 0 };
		uint64_t ts = rproc_mono_us();

		rproc_set_phase(r, name);
		if (cancelled(r))
			e = rproc_err(&err, -ECANCELED, "start cancelled");
		else if (!injected(r, name, &e, &err))
			e = s->run(r, &err);
		if (e < 0) {
			record_failure(r, name, e, err.msg, RPROC_LOG_ERR);
			break;
		}
		b[s->bucket] += rproc_mono_us() - ts;
	}
	if (e < 0) {
		while (k-- > 0)
			if (start_steps[k].undo)
				start_steps[k].undo(r);
		undo_firmware(r);
		return e;
	}
	keep_segments(r);
	undo_firmware(r); /* the image files are not needed while running */
	pthread_mutex_lock(&r->lock);
	r->info.timings.firmware_us = b[B_FIRMWARE];
	r->info.timings.load_us = b[B_LOAD];
	r->info.timings.auth_us = b[B_AUTH];
	r->info.timings.ready_us = b[B_READY];
	r->info.timings.total_us = rproc_mono_us() - t0;
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_INFO, r->d.name, NULL, 0,
		  "running: firmware %llu us, load %llu us, auth %llu us, ready %llu us",
		  (unsigned long long)b[B_FIRMWARE], (unsigned long long)b[B_LOAD],
		  (unsigned long long)b[B_AUTH], (unsigned long long)b[B_READY]);
	return 0;
}

int rproc_run_stop(struct rproc *r, bool crashed)
{
	int ret = 0;

	r->stop_crashed = crashed;
	for (size_t k = 0; k < ARRAY_SIZE(stop_steps); k++) {
		const struct step *s = &stop_steps[k];
		const char *name = stop_names[k];
		struct rproc_error err = { 0 };
		int e;

		rproc_set_phase(r, name);
		/* An injected failure is a failed first attempt: it is recorded, then the step
		 * runs (and retries) as it would after a real error. */
		if (injected(r, name, &e, &err))
			record_failure(r, name, e, err.msg, RPROC_LOG_WARNING);
		err = (struct rproc_error){ 0 };
		e = s->run(r, &err);
		if (e < 0) {
			record_failure(r, name, e, err.msg, RPROC_LOG_WARNING);
			if (!ret)
				ret = e;
		}
	}
	return ret;
}

/* Segments of the firmware a previous daemon started: reopen it (only headers are read). */
static void segments_from_file(struct rproc *r)
{
	struct rproc_fw_image *img = NULL;
	char path[PATH_MAX];

	pthread_mutex_lock(&r->lock);
	snprintf(path, sizeof(path), "%s", r->info.firmware_path);
	pthread_mutex_unlock(&r->lock);
	if (!path[0] || rproc_fw_open(path, &img, NULL) < 0)
		return;
	r->img[1].img = img;
	keep_segments(r);
	r->img[1].img = NULL;
	rproc_fw_close(img);
}

static void coredump(struct rproc *r)
{
	struct rproc_dump_seg *md = NULL, whole;
	struct rproc_error err = { 0 };
	const struct rproc_dump_seg *segs;
	char path[PATH_MAX] = "", reason[256];
	size_t n;
	int e;

	if (!r->cfg->coredump_dir)
		return;
	rproc_set_phase(r, "coredump");
	if (!r->segs)
		segments_from_file(r);
	segs = r->segs;
	n = r->n_segs;
	if (r->d.minidump_id >= 0 && r->b->pas->smem_read) {
		void *toc = NULL;
		size_t len = 0;

		if (r->b->pas->smem_read(r->b->pas_ctx, RPROC_SMEM_MINIDUMP_TOC, &toc, &len) == 0) {
			e = rproc_minidump_regions(r->b, toc, len, r->d.minidump_id, &md, &err);
			free(toc);
			if (e == -EAGAIN) {
				rproc_log(RPROC_LOG_NOTICE, r->d.name, "coredump", e,
					  "minidump not ready (encryption not done): no dump");
				return;
			}
			if (e > 0) {
				segs = md;
				n = (size_t)e;
			}
		}
	}
	if (!n) {
		/* Nothing known of the image: dump the whole carveout. */
		whole = (struct rproc_dump_seg){ .da = r->d.carveouts[0].base,
						  .phys = r->d.carveouts[0].base,
						  .size = r->d.carveouts[0].size };
		segs = &whole;
		n = 1;
	}
	pthread_mutex_lock(&r->lock);
	snprintf(reason, sizeof(reason), "%s", r->info.last_crash_reason);
	pthread_mutex_unlock(&r->lock);
	e = rproc_coredump_write(r->b, r->cfg->coredump_dir, r->d.name, reason, segs, n,
				 r->cfg->coredump_max, path, sizeof(path), &err);
	free(md);
	if (e < 0) {
		rproc_log(RPROC_LOG_ERR, r->d.name, "coredump", e, "%s", err.msg);
		return;
	}
	pthread_mutex_lock(&r->lock);
	snprintf(r->info.last_coredump, sizeof(r->info.last_coredump), "%s", path);
	pthread_mutex_unlock(&r->lock);
	rproc_log(RPROC_LOG_NOTICE, r->d.name, "coredump", 0, "coredump written to %s", path);
	rproc_push_event(r, RPROC_EV_COREDUMP, 0, 0);
}

/* DOMAIN §7.3: no handshake; SHUTDOWN unlocks the carveout, then unmap, then dump. */
int rproc_run_crash(struct rproc *r)
{
	int e = rproc_run_stop(r, true);

	coredump(r);
	return e;
}

void rproc_release_kept(struct rproc *r)
{
	undo_rsc_table(r);
	undo_iommu_open(r);
}
