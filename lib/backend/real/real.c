// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real backend: assembles the shim client, the VFIO DMA contexts (real-iommu.c), the
 * carveout CPU view and the interrupt sources (real-irq.c) into the ops tables of backend.h;
 * hides the PAS ops the shim cannot do; hands its fds to the daemon's fd store.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devmem.h"
#include "rproc/qcom-scm-shim.h"
#include "real-internal.h"
#include "string-table.h"

/* ---- config ------------------------------------------------------------------------------ */

void rproc_real_config_defaults(struct rproc_real_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->iommu = RPROC_REAL_IOMMU_AUTO;
	cfg->carveout = RPROC_REAL_CARVEOUT_AUTO;
	cfg->device_timeout_ms = RPROC_REAL_DEVICE_TIMEOUT_MS;
}

static const char *const real_iommu_table[] = {
	[RPROC_REAL_IOMMU_AUTO] = "auto",
	[RPROC_REAL_IOMMU_IOMMUFD] = "iommufd",
	[RPROC_REAL_IOMMU_TYPE1] = "vfio-type1",
};
DEFINE_STRING_TABLE_LOOKUP_STATIC(real_iommu, enum rproc_real_iommu);

int rproc_real_iommu_from_string(const char *s, enum rproc_real_iommu *out)
{
	/* "type1" is accepted as an older spelling of "vfio-type1" */
	int v = real_iommu_from_string(s && !strcmp(s, "type1") ? "vfio-type1" : s);

	if (v < 0)
		return v;
	*out = v;
	return 0;
}

const char *rproc_real_iommu_to_string(enum rproc_real_iommu v)
{
	return real_iommu_to_string(v) ?: "auto";
}

static const char *const real_carveout_table[] = {
	[RPROC_REAL_CARVEOUT_AUTO] = "auto",
	[RPROC_REAL_CARVEOUT_SHIM] = "shim",
	[RPROC_REAL_CARVEOUT_DEVMEM] = "devmem",
};
DEFINE_STRING_TABLE_LOOKUP_STATIC(real_carveout, enum rproc_real_carveout);

int rproc_real_carveout_from_string(const char *s, enum rproc_real_carveout *out)
{
	int v = real_carveout_from_string(s);

	if (v < 0)
		return v;
	*out = v;
	return 0;
}

const char *rproc_real_carveout_to_string(enum rproc_real_carveout v)
{
	return real_carveout_to_string(v) ?: "auto";
}

/* ---- carveout CPU view ------------------------------------------------------------------ */

/*
 * Any [phys, phys + size): the coredump reads minidump regions and segments wherever the
 * firmware put them, while mmap() of the shim and of /dev/mem takes whole pages.  So the view
 * covers the pages around the range and @m points into it, as the simulator's does.
 */
static int mem_map(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *m)
{
	struct real_backend *b = ctx;
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t page = ps > 0 ? (uint64_t)ps : 4096, delta = phys & (page - 1), len, end;
	bool wc = false;
	void *va;
	int r;

	if (!size || add_overflows(phys, size, &end) || end > UINT64_MAX - page)
		return -EINVAL;
	len = ALIGN_UP(end, page) - (phys - delta);
	r = real_cpu_view(b, phys - delta, len, writable, &va, &wc, NULL);
	if (r < 0)
		return r;
	*m = (struct rproc_mem_map){
		.va = (uint8_t *)va + delta,
		.phys = phys,
		.size = size,
		.write_combined = wc,
		.priv = va,
	};
	return 0;
}

static void mem_unmap(void *ctx, struct rproc_mem_map *m)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t page = ps > 0 ? (uint64_t)ps : 4096;

	/* Right away: after AUTH_AND_RESET the region is XPU-locked and even a speculative
	 * access through a leftover view is fatal (doc/iommu.md#cpu-access). */
	if (m->va)
		munmap(m->priv, (size_t)(ALIGN_UP(m->phys + m->size, page) -
					 (m->phys & ~(page - 1))));
	m->va = NULL;
}

static const struct rproc_mem_ops real_mem_ops = {
	.map = mem_map,
	.unmap = mem_unmap,
};

/* ---- PAS: degrade where the shim lacks an optional capability ------------------------------ */

/*
 * The SHM bridge only inside AUTH_AND_RESET's one ioctl (doc/trustzone-pas.md#shm-bridge): the
 * module creates and deletes it around the call, so no bridge outlives it, whenever the
 * daemon dies.  No separate create/delete: a handle held by a killed process would leak.
 */
static int auth_bridged(void *ctx, uint32_t pas_id, uint64_t pa, uint64_t size)
{
	return rproc_shim_auth_and_reset(ctx, pas_id, pa, size, true);
}

/*
 * Votes in the kernel's two lifetimes (doc/boot-sequence.md#proxy-vote): the shim's PROXY
 * kind until handover, its LOAD_STATE kind until the stop.  A module of ABI 1.0 has one vote
 * for both, which then goes whole at handover.
 */
static int proxy_votes(struct rproc_shim *s, const struct rproc_desc *d, bool on)
{
	if (s->minor < 1)
		return rproc_shim_vote(s, d->device, QCOM_SCM_SHIM_VOTE_PROXY |
							     QCOM_SCM_SHIM_VOTE_LOAD_STATE, on);
	return rproc_shim_proxy_votes(s, d->device, on);
}

static int proxy_vote(void *ctx, const struct rproc_desc *d)
{
	return proxy_votes(ctx, d, true);
}

static int proxy_unvote(void *ctx, const struct rproc_desc *d)
{
	return proxy_votes(ctx, d, false);
}

static int load_state(void *ctx, const struct rproc_desc *d, bool on)
{
	return rproc_shim_load_state(ctx, d->device, on);
}

static int glink(void *ctx, const struct rproc_desc *d, bool registered)
{
	return rproc_shim_glink(ctx, d->device, registered);
}

/* The shim's CORE query: TrustZone's view and the SMP2P levels, where the irqchip has them. */
static int core_query(void *ctx, const struct rproc_desc *d, struct rproc_core_status *st)
{
	const uint32_t lines = 1u << QCOM_SCM_SHIM_IRQ_READY | 1u << QCOM_SCM_SHIM_IRQ_FATAL;
	struct rproc_shim_core_state cs;
	int r = rproc_shim_core(ctx, d->device, QCOM_SCM_SHIM_CORE_QUERY, &cs);

	if (r < 0)
		return r;
	*st = (struct rproc_core_status){
		.running = cs.state & QCOM_SCM_SHIM_STATE_RUNNING,
		.levels = (cs.levels_valid & lines) == lines,
		.ready = cs.levels & (1u << QCOM_SCM_SHIM_IRQ_READY),
		.fatal = cs.levels & (1u << QCOM_SCM_SHIM_IRQ_FATAL),
	};
	return 0;
}

/* The shim lacks @cap: said once, at @level, with what that costs. */
static bool shim_lacks(const struct rproc_shim *s, uint64_t cap, int level, const char *cost)
{
	if (rproc_shim_has(s, cap))
		return false;
	rproc_log(level, NULL, "shim", 0, "%s", cost);
	return true;
}

static void setup_pas(struct real_backend *b)
{
	struct rproc_shim *s = b->shim;

	b->pas = rproc_shim_pas_ops;
	b->pas.shm_bridge_create = NULL;
	b->pas.shm_bridge_delete = NULL;
	/* without the capability the lifecycle says, once, that it authenticates unbridged */
	b->pas.auth_and_reset_bridged =
		rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE) ? auth_bridged : NULL;
	if (shim_lacks(s, QCOM_SCM_SHIM_CAP_STOP_BIT, RPROC_LOG_WARNING,
		       "the shim has no SMP2P stop bit: stops shut down without the handshake"))
		b->pas.stop_bit = NULL;
	b->pas.proxy_vote = proxy_vote;
	b->pas.proxy_unvote = proxy_unvote;
	b->pas.load_state = load_state;
	if (shim_lacks(s, QCOM_SCM_SHIM_CAP_PROXY_VOTE, RPROC_LOG_WARNING,
		       "the shim takes no proxy votes: the DSPs boot only if their power "
		       "domains, clocks and interconnect stay on")) {
		b->pas.proxy_vote = b->pas.proxy_unvote = NULL;
		b->pas.load_state = NULL;
	} else if (s->minor < 1) {
		b->pas.load_state = NULL;
		rproc_log(RPROC_LOG_NOTICE, NULL, "shim", 0,
			  "the shim (ABI %u.%u) has one vote for everything: load_state goes with "
			  "the proxy votes at handover instead of at the stop; update the module",
			  s->major, s->minor);
	} else if (shim_lacks(s, QCOM_SCM_SHIM_CAP_LOAD_STATE, RPROC_LOG_NOTICE,
			      "the shim sends no load_state (no AOSS QMP): the DSPs run only "
			      "while AOSS keeps them powered anyway")) {
		b->pas.load_state = NULL;
	}
	b->pas.glink = shim_lacks(s, QCOM_SCM_SHIM_CAP_GLINK, RPROC_LOG_NOTICE,
				  "the shim cannot register glink edges: no rpmsg (fastrpc, "
				  "audio, qrtr) for the DSPs rprocd boots")
			       ? NULL
			       : glink;
	b->pas.core_query = shim_lacks(s, QCOM_SCM_SHIM_CAP_CORE, RPROC_LOG_NOTICE,
				       "the shim has no CORE query: a restarted rprocd cannot "
				       "check that the DSPs it adopts still run")
				    ? NULL
				    : core_query;
	if (shim_lacks(s, QCOM_SCM_SHIM_CAP_SMEM, RPROC_LOG_NOTICE,
		       "the shim cannot read SMEM: no crash reasons, no minidumps")) {
		b->pas.crash_reason = NULL;
		b->pas.smem_read = NULL;
	}
	if (shim_lacks(s, QCOM_SCM_SHIM_CAP_RSCTABLE, RPROC_LOG_NOTICE,
		       "the shim has no GET_RSCTABLE: device memory comes from qcom,devmem only"))
		b->pas.get_rsc_table = NULL;
	b->pub.pas = &b->pas;
	b->pub.pas_ctx = s;
}

/* ---- fd store ----------------------------------------------------------------------------- */

static int add_fd(struct rproc_fd_entry *out, size_t max, size_t *n, int fd, const char *name)
{
	if (fd < 0)
		return 0;
	if (*n >= max)
		return -ENOBUFS;
	snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
	out[*n].fd = fd;
	(*n)++;
	return 0;
}

static int real_export_fds(struct rproc_backend *pub, struct rproc_fd_entry *out, size_t max,
			   size_t *n)
{
	struct real_backend *b = (struct real_backend *)pub;
	int r;

	*n = 0;
	b->exported = true;
	r = add_fd(out, max, n, b->shim->fd, "shim");
	for (struct real_dev *d = b->devs; d && !r; d = d->next) {
		if (d->vfio)
			r = rproc_vfio_export_fds(d->vfio, d->device, out, max, n);
		for (int i = 0; i < RPROC_IRQ_COUNT && !r; i++) {
			char name[64];

			real_irq_fd_name(name, sizeof(name), d, i, d->irq_src[i]);
			r = add_fd(out, max, n, d->irq_fd[i], name);
		}
	}
	return r;
}

/* Names real_export_fds() and rproc_vfio_export_fds() produce: "<device>.<role>[...]". */
static bool ours(const char *name)
{
	static const char *const roles[] = { ".container", ".group", ".device", ".iommufd.ioas",
					     ".irq." };

	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		const char *p = strstr(name, roles[i]);

		if (p && p != name)
			return true;
	}
	return false;
}

static int real_adopt_fds(struct rproc_backend *pub, struct rproc_fd_entry *in, size_t n)
{
	struct real_backend *b = (struct real_backend *)pub;
	struct rproc_fd_entry *all;
	size_t taken = 0;

	pthread_mutex_lock(&b->lock);
	all = reallocarray(b->adopted, b->n_adopted + n, sizeof(*all));
	if (!all) {
		pthread_mutex_unlock(&b->lock);
		return -ENOMEM;
	}
	b->adopted = all;
	for (size_t i = 0; i < n; i++) {
		if (in[i].fd < 0)
			continue;
		if (!strcmp(in[i].name, "shim")) {
			/* Metadata, votes, the stop bit and irq registrations belong to the old
			 * open file: keep using it. */
			struct rproc_shim *s;

			if (rproc_shim_adopt(in[i].fd, &s, NULL) < 0)
				continue;
			rproc_shim_close(b->shim);
			b->shim = s;
			b->pub.pas_ctx = s;
			in[i].fd = -1;
			taken++;
			continue;
		}
		if (!ours(in[i].name))
			continue;
		b->adopted[b->n_adopted++] = in[i];
		in[i].fd = -1;
		taken++;
	}
	pthread_mutex_unlock(&b->lock);
	return (int)taken;
}

static void real_destroy(struct rproc_backend *pub)
{
	struct real_backend *b = (struct real_backend *)pub;

	while (b->devs) {
		struct real_dev *d = b->devs;

		b->devs = d->next;
		real_dev_free(d, b->exported);
	}
	for (size_t i = 0; i < b->n_adopted; i++)
		if (b->adopted[i].fd >= 0)
			close(b->adopted[i].fd);
	free(b->adopted);
	for (size_t i = 0; b->vfio_devices && i < b->cfg.n_vfio_devices; i++) {
		free((char *)b->vfio_devices[i].core);
		free((char *)b->vfio_devices[i].device);
	}
	free(b->vfio_devices);
	rproc_shim_close(b->shim);
	free(b->shim_path);
	free(b->sysfs_root);
	free(b->dev_root);
	free(b->devmem_path);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (!s || !s[0])
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static int dup_vfio_devices(struct real_backend *b)
{
	const struct rproc_real_vfio_device *in = b->cfg.vfio_devices;
	size_t n = b->cfg.n_vfio_devices;

	b->cfg.vfio_devices = NULL;
	b->cfg.n_vfio_devices = 0;
	if (!n)
		return 0;
	b->vfio_devices = calloc(n, sizeof(*b->vfio_devices));
	if (!b->vfio_devices)
		return -ENOMEM;
	b->cfg.vfio_devices = b->vfio_devices;
	for (size_t i = 0; i < n; i++) {
		struct rproc_real_vfio_device *o = &b->vfio_devices[i];

		/* Counted before the copies: destroy frees whatever was set. */
		b->cfg.n_vfio_devices++;
		o->core = strdup(in[i].core);
		o->device = strdup(in[i].device);
		if (!o->core || !o->device)
			return -ENOMEM;
	}
	return 0;
}

int rproc_real_backend_new(const struct rproc_real_config *cfg, struct rproc_backend **out,
			   struct rproc_error *err)
{
	struct real_backend *b;
	int r;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return rproc_err(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&b->lock, NULL);
	if (cfg)
		b->cfg = *cfg;
	else
		rproc_real_config_defaults(&b->cfg);
	if (b->cfg.device_timeout_ms < 0)
		b->cfg.device_timeout_ms = RPROC_REAL_DEVICE_TIMEOUT_MS;
	if (dup_opt(b->cfg.shim_path, &b->shim_path) < 0 ||
	    dup_opt(b->cfg.sysfs_root, &b->sysfs_root) < 0 ||
	    dup_opt(b->cfg.dev_root, &b->dev_root) < 0 ||
	    dup_opt(b->cfg.devmem_path, &b->devmem_path) < 0 || dup_vfio_devices(b) < 0) {
		real_destroy(&b->pub);
		return rproc_err(err, -ENOMEM, "out of memory");
	}
	b->cfg.shim_path = b->shim_path;
	b->cfg.sysfs_root = b->sysfs_root;
	b->cfg.dev_root = b->dev_root;
	b->cfg.devmem_path = b->devmem_path;
	r = rproc_shim_open(b->shim_path, &b->shim, err);
	if (r < 0) {
		real_destroy(&b->pub);
		return r;
	}
	setup_pas(b);
	b->pub.iommu = &real_iommu_ops;
	b->pub.iommu_ctx = b;
	b->pub.mem = &real_mem_ops;
	b->pub.mem_ctx = b;
	b->pub.irq = &real_irq_ops;
	b->pub.irq_ctx = b;
	b->pub.export_fds = real_export_fds;
	b->pub.adopt_fds = real_adopt_fds;
	b->pub.destroy = real_destroy;
	switch (b->cfg.iommu) {
	case RPROC_REAL_IOMMU_IOMMUFD:
		b->pub.name = "shim+iommufd";
		break;
	case RPROC_REAL_IOMMU_TYPE1:
		b->pub.name = "shim+vfio-type1";
		break;
	default:
		b->pub.name = "shim+vfio";
		break;
	}
	*out = &b->pub;
	return 0;
}

