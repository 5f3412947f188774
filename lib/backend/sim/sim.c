// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated SoC: construction from a device tree, its "physical memory" (one sparse
 * memfd), leak accounting, test hooks and re-adoption by a new process.  TrustZone, the
 * SMMU, the DSPs and the CPU-side memory/interrupt ops live in sim-tz.c, sim-smmu.c,
 * sim-dsp.c and sim-mem.c; what they share, in sim-state.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "rproc/error.h"
#include "sim-priv.h"
#include "util.h"

/* The largest configuration file read (SimulationConfig=@FILE). */
#define SIM_CONFIG_MAX (1u << 20)

/* ---- accounting ---------------------------------------------------------------------------- */

int rproc_backend_is_sim(const struct rproc_backend *b)
{
	return b && b->pas == &sim_pas_ops;
}

static struct sim *to_sim(struct rproc_backend *b)
{
	return rproc_backend_is_sim(b) ? (struct sim *)b : NULL;
}

void rproc_sim_report(struct rproc_backend *b, struct rproc_sim_usage *u)
{
	struct sim *s = to_sim(b);

	memset(u, 0, sizeof(*u));
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	u->smmu_mappings = sim_smmu_count(s);
	for (unsigned int i = 0; i < SIM_MAX_BRIDGES; i++)
		u->bridges += !!s->sh->bridges[i].used;
	for (unsigned int i = 0; i < s->sh->n_pas; i++) {
		u->metadata_buffers += !!s->sh->pas[i].meta_held;
		u->running_cores += s->sh->pas[i].state == TZ_RUNNING;
	}
	for (unsigned int i = 0; i < s->sh->n_cores; i++) {
		u->proxy_votes += !!s->sh->cores[i].proxy_voted;
		u->stop_bits += !!s->sh->cores[i].stop_bit;
		u->load_states += !!s->sh->cores[i].load_state;
		u->glink_edges += !!s->sh->cores[i].glink;
	}
	u->cpu_mappings = s->cpu_mappings;
	u->domains = s->domains;
	pthread_mutex_unlock(&s->lock);
}

unsigned int rproc_sim_usage_total(const struct rproc_sim_usage *u)
{
	return u->smmu_mappings + u->bridges + u->metadata_buffers + u->running_cores +
	       u->cpu_mappings + u->domains + u->proxy_votes + u->stop_bits + u->load_states +
	       u->glink_edges;
}

unsigned int rproc_sim_calls(struct rproc_backend *b, const char *op)
{
	struct sim *s = to_sim(b);
	int i = sim_op_from_string(op);
	unsigned int n;

	if (!s || i < 0)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->calls[i];
	pthread_mutex_unlock(&s->lock);
	return n;
}

unsigned int rproc_sim_auth_held(struct rproc_backend *b)
{
	struct sim *s = to_sim(b);
	unsigned int n;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->auth_held;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int rproc_sim_raise(struct rproc_backend *b, const char *core, enum rproc_irq irq,
		    const char *reason)
{
	struct sim *s = to_sim(b);
	int c;

	if (!s || irq >= RPROC_IRQ_COUNT)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	c = sim_core_by_name(s, core);
	if (c >= 0) {
		if (irq == RPROC_IRQ_FATAL || irq == RPROC_IRQ_WDOG)
			sim_dsp_crash(s, (unsigned int)c, irq, reason);
		else
			sim_raise(s, (unsigned int)c, irq);
	}
	pthread_mutex_unlock(&s->lock);
	return c < 0 ? -ENODEV : 0;
}

static int phys_rw(struct rproc_backend *b, uint64_t pa, void *buf, size_t len, bool write)
{
	struct sim *s = to_sim(b);
	uint8_t *p;

	if (!s)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	p = sim_phys(s, pa, len);
	if (p) {
		if (write)
			memcpy(p, buf, len);
		else
			memcpy(buf, p, len);
	}
	pthread_mutex_unlock(&s->lock);
	return p ? 0 : -EFAULT;
}

int rproc_sim_read_phys(struct rproc_backend *b, uint64_t pa, void *buf, size_t len)
{
	return phys_rw(b, pa, buf, len, false);
}

int rproc_sim_write_phys(struct rproc_backend *b, uint64_t pa, const void *buf, size_t len)
{
	return phys_rw(b, pa, (void *)buf, len, true);
}

int rproc_sim_set(struct rproc_backend *b, const char *config, struct rproc_error *err)
{
	struct sim *s = to_sim(b);
	struct sim_config c;
	int r;

	if (!s)
		return rproc_err(err, -EINVAL, "not a simulated backend");
	pthread_mutex_lock(&s->lock);
	c = s->cfg;
	r = sim_config_parse(s, &c, config, true, err);
	if (!r)
		s->cfg = c;
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* ---- construction, re-adoption, teardown -------------------------------------------------- */

static int add_region(struct sim_shared *sh, const struct rproc_dt_carveout *co, uint32_t *idx,
		      struct rproc_error *err)
{
	for (unsigned int i = 0; i < sh->n_regions; i++) {
		struct sim_region *r = &sh->regions[i];

		if (r->base == co->base && r->size == co->size) {
			*idx = i;
			return 0;
		}
		if (ranges_overlap(r->base, r->size, co->base, co->size))
			return rproc_err(err, -EINVAL,
					 "%s: carveout [0x%llx, +0x%llx) overlaps another one",
					 co->node, (unsigned long long)co->base,
					 (unsigned long long)co->size);
	}
	if (sh->n_regions == SIM_MAX_REGIONS)
		return rproc_err(err, -E2BIG, "more than %d carveouts", SIM_MAX_REGIONS);
	if (!co->size || !IS_ALIGNED(co->base, SIM_PAGE) || co->base + co->size < co->base)
		return rproc_err(err, -EINVAL,
				 "%s: carveout [0x%llx, +0x%llx) is empty or not 4 KiB aligned",
				 co->node, (unsigned long long)co->base,
				 (unsigned long long)co->size);
	sh->regions[sh->n_regions].base = co->base;
	sh->regions[sh->n_regions].size = co->size;
	*idx = sh->n_regions++;
	return 0;
}

static int add_pas(struct sim_shared *sh, int pas_id, unsigned int core, uint32_t region,
		   bool dtb, int32_t *idx)
{
	if (sh->n_pas == SIM_MAX_PAS)
		return -E2BIG;
	for (unsigned int i = 0; i < sh->n_pas; i++)
		if (sh->pas[i].pas_id == pas_id)
			return -EEXIST;
	sh->pas[sh->n_pas] = (struct sim_pas){
		.pas_id = pas_id,
		.core = core,
		.region = region,
		.is_dtb = dtb,
	};
	*idx = (int32_t)sh->n_pas++;
	return 0;
}

/* The PAS id pas_id= gives @name, or -1. */
static int layout_pas_id(struct sim_layout_config *l, const char *name)
{
	for (unsigned int i = 0; i < l->n; i++)
		if (!strcmp(l->pas[i].core, name)) {
			l->pas[i].used = true;
			return l->pas[i].pas_id;
		}
	return -1;
}

/* Lay out the machine described by @dt into @sh (not yet placed in memory). */
static int build_layout(const struct rproc_dt *dt, struct sim_layout_config *l,
			struct sim_shared *sh, struct rproc_error *err)
{
	uint64_t off;

	sh->magic = SIM_MAGIC;
	sh->version = SIM_VERSION;
	sh->next_handle = 0x1000;
	for (size_t i = 0; dt && i < dt->n; i++) {
		const struct rproc_dt_rproc *n = &dt->rprocs[i];
		struct rproc_error e = { 0 };
		struct rproc_desc d = { 0 };
		struct sim_core *c;
		uint32_t reg;
		int r;

		r = rproc_desc_from_dt(n, layout_pas_id(l, n->name), NULL, &d, &e);
		if (r < 0) {
			rproc_log(RPROC_LOG_NOTICE, n->name, "sim", r, "left out: %s", e.msg);
			continue;
		}
		if (!d.n_carveouts) {
			rproc_log(RPROC_LOG_NOTICE, n->name, "sim", -ENOENT,
				  "left out: no memory-region");
			rproc_desc_clear(&d);
			continue;
		}
		if (sh->n_cores == SIM_MAX_CORES) {
			rproc_desc_clear(&d);
			return rproc_err(err, -E2BIG, "more than %d remote processors",
					 SIM_MAX_CORES);
		}
		c = &sh->cores[sh->n_cores];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", d.name);
		c->has_stream = d.n_iommus > 0;
		c->sid = d.n_iommus ? d.iommus[0].sid : 0;
		c->crash_reason_smem = d.crash_reason_smem;
		c->minidump_id = d.minidump_id;
		c->dtb_pas = -1;
		r = add_region(sh, &d.carveouts[0], &reg, err);
		if (!r) {
			r = add_pas(sh, d.pas_id, sh->n_cores, reg, false, &c->main_pas);
			if (r == -EEXIST) {
				rproc_log(RPROC_LOG_NOTICE, d.name, "sim", r,
					  "left out: PAS id %d already used", d.pas_id);
				rproc_desc_clear(&d);
				continue;
			}
		}
		if (!r && d.dtb_pas_id != RPROC_NO_ID && d.n_carveouts > 1) {
			r = add_region(sh, &d.carveouts[1], &reg, err);
			if (!r)
				r = add_pas(sh, d.dtb_pas_id, sh->n_cores, reg, true, &c->dtb_pas);
		}
		rproc_desc_clear(&d);
		if (r < 0)
			return err && err->code
				   ? err->code
				   : rproc_err(err, r, "%s: cannot add PAS ids", c->name);
		sh->n_cores++;
	}
	for (unsigned int i = 0; i < l->n; i++)
		if (!l->pas[i].used)
			return rproc_err(err, -EINVAL,
					 "simulator config line %u: pas_id: no such core in the "
					 "device tree: %s",
					 l->pas[i].line, l->pas[i].core);
	off = ALIGN_UP((uint64_t)sizeof(*sh), SIM_PAGE);
	for (unsigned int i = 0; i < sh->n_pas; i++) {
		sh->pas[i].meta_off = off;
		off += SIM_META_MAX;
	}
	for (unsigned int i = 0; i < sh->n_regions; i++) {
		sh->regions[i].off = off;
		off += ALIGN_UP(sh->regions[i].size, SIM_PAGE);
	}
	sh->total_size = off;
	return 0;
}

static int map_memfd(int fd, uint64_t size, uint8_t **mem)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*mem = p;
	return 0;
}

/* Same machine?  A restarted daemon must be given the tree the state was built from. */
static bool same_layout(const struct sim_shared *a, const struct sim_shared *b)
{
	if (a->magic != b->magic || a->version != b->version || a->n_cores != b->n_cores ||
	    a->n_pas != b->n_pas || a->n_regions != b->n_regions ||
	    a->total_size != b->total_size)
		return false;
	for (unsigned int i = 0; i < a->n_cores; i++)
		if (strcmp(a->cores[i].name, b->cores[i].name))
			return false;
	for (unsigned int i = 0; i < a->n_pas; i++)
		if (a->pas[i].pas_id != b->pas[i].pas_id)
			return false;
	for (unsigned int i = 0; i < a->n_regions; i++)
		if (a->regions[i].base != b->regions[i].base ||
		    a->regions[i].size != b->regions[i].size)
			return false;
	return true;
}

static int sim_export_fds(struct rproc_backend *b, struct rproc_fd_entry *out, size_t max,
			  size_t *n)
{
	struct sim *s = (struct sim *)b;

	*n = 1;
	if (max < 1)
		return -ENOBUFS;
	snprintf(out[0].name, sizeof(out[0].name), "%s", SIM_FD_NAME);
	out[0].fd = s->memfd;
	return 0;
}

static int sim_adopt_fds(struct rproc_backend *b, struct rproc_fd_entry *in, size_t n)
{
	struct sim *s = (struct sim *)b;
	struct stat st;
	uint8_t *mem = NULL;
	int r;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(in[i].name, SIM_FD_NAME) || in[i].fd < 0)
			continue;
		if (fstat(in[i].fd, &st) < 0 || (uint64_t)st.st_size != s->mem_size)
			return -EINVAL;
		r = map_memfd(in[i].fd, s->mem_size, &mem);
		if (r < 0)
			return r;
		pthread_mutex_lock(&s->lock);
		if (!same_layout(s->sh, (struct sim_shared *)mem) || s->domains ||
		    s->cpu_mappings) {
			pthread_mutex_unlock(&s->lock);
			munmap(mem, s->mem_size);
			rproc_log(RPROC_LOG_ERR, NULL, "sim", -EINVAL,
				  "adopted state is for another device tree (or cores are open)");
			return -EINVAL;
		}
		sim_mem_windows_release(s); /* they map the old memfd */
		munmap(s->mem, s->mem_size);
		close(s->memfd);
		s->mem = mem;
		s->sh = (struct sim_shared *)mem;
		s->memfd = in[i].fd;
		in[i].fd = -1; /* ours now */
		sim_dsp_resume(s);
		pthread_mutex_unlock(&s->lock);
		rproc_log(RPROC_LOG_INFO, NULL, "sim", 0, "adopted simulated SoC state");
		return 1;
	}
	return 0;
}

static void sim_destroy(struct rproc_backend *b)
{
	struct sim *s = (struct sim *)b;

	sim_dsp_thread_stop(s);
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++)
		for (int j = 0; j < RPROC_IRQ_COUNT; j++)
			if (s->local[i].irq[j] >= 0)
				close(s->local[i].irq[j]);
	sim_mem_windows_release(s);
	if (s->mem)
		munmap(s->mem, s->mem_size);
	if (s->memfd >= 0)
		close(s->memfd);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int rproc_sim_config_load(const char *path, char **text, struct rproc_error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;
	struct stat st;

	fd = open_regular(path, 0, &st);
	if (fd == -EISDIR || fd == -EBADFD)
		return rproc_err(err, -EINVAL, "simulator config %s is %s, not a regular file", path,
				 file_type_name(st.st_mode));
	if (fd < 0)
		return rproc_err(err, fd, "cannot open simulator config %s: %s", path,
				 strerror(-fd));
	if (st.st_size > SIM_CONFIG_MAX)
		return rproc_err(err, -EFBIG, "%s: larger than %u bytes", path, SIM_CONFIG_MAX);
	buf = malloc(SIM_CONFIG_MAX + 1);
	if (!buf)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (;;) {
		ssize_t n = read(fd, buf + len, SIM_CONFIG_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rproc_err(err, -errno, "%s: read: %m", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SIM_CONFIG_MAX)
			return rproc_err(err, -EFBIG, "%s: larger than %u bytes", path,
					 SIM_CONFIG_MAX);
	}
	buf[len] = 0;
	*text = TAKE_PTR(buf);
	return 0;
}

int rproc_sim_new(const struct rproc_dt *dt, const char *config, struct rproc_backend **out,
		  struct rproc_error *err)
{
	_cleanup_free_ struct sim_layout_config *lc = NULL;
	_cleanup_free_ struct sim_shared *layout = NULL;
	_cleanup_free_ char *file_text = NULL;
	pthread_condattr_t ca;
	struct sim *s;
	int r;

	if (config && config[0] == '@') {
		r = rproc_sim_config_load(config + 1, &file_text, err);
		if (r < 0)
			return r;
		config = file_text;
	}
	layout = calloc(1, sizeof(*layout));
	lc = malloc(sizeof(*lc));
	s = calloc(1, sizeof(*s));
	if (!layout || !lc || !s) {
		free(s);
		return rproc_err(err, -ENOMEM, "out of memory");
	}
	s->memfd = -1;
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++)
		for (int j = 0; j < RPROC_IRQ_COUNT; j++)
			s->local[i].irq[j] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);

	r = sim_config_layout(config, lc, err);
	if (r >= 0)
		r = build_layout(dt, lc, layout, err);
	if (r < 0)
		goto fail;
	s->mem_size = layout->total_size;
	s->memfd = memfd_create("rproc-sim-soc", MFD_CLOEXEC);
	if (s->memfd < 0) {
		r = rproc_err(err, -errno, "memfd_create: %m");
		goto fail;
	}
	if (ftruncate(s->memfd, (off_t)s->mem_size) < 0) {
		r = rproc_err(err, -errno, "cannot size simulated memory (%llu bytes): %m",
			      (unsigned long long)s->mem_size);
		goto fail;
	}
	r = map_memfd(s->memfd, s->mem_size, &s->mem);
	if (r < 0) {
		rproc_err(err, r, "cannot map simulated memory: %s", strerror(-r));
		goto fail;
	}
	s->sh = (struct sim_shared *)s->mem;
	memcpy(s->sh, layout, sizeof(*layout));
	for (unsigned int i = 0; i < s->sh->n_cores; i++)
		for (int j = 0; j < RPROC_IRQ_COUNT; j++) {
			s->local[i].irq[j] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (s->local[i].irq[j] < 0) {
				r = rproc_err(err, -errno, "eventfd: %m");
				goto fail;
			}
		}
	sim_config_defaults(&s->cfg);
	if (config) {
		r = sim_config_parse(s, &s->cfg, config, false, err);
		if (r < 0)
			goto fail;
	}
	s->b = (struct rproc_backend){
		.name = "simulated",
		.pas = &sim_pas_ops,
		.pas_ctx = s,
		.iommu = &sim_iommu_ops,
		.iommu_ctx = s,
		.mem = &sim_mem_ops,
		.mem_ctx = s,
		.irq = &sim_irq_ops,
		.irq_ctx = s,
		.export_fds = sim_export_fds,
		.adopt_fds = sim_adopt_fds,
		.destroy = sim_destroy,
	};
	r = sim_dsp_thread_start(s);
	if (r < 0) {
		rproc_err(err, r, "cannot start the DSP model thread: %s", strerror(-r));
		goto fail;
	}
	rproc_log(RPROC_LOG_INFO, NULL, "sim", 0,
		  "simulated SoC: %u cores, %u PAS ids, %u carveouts, %llu MiB of memory",
		  s->sh->n_cores, s->sh->n_pas, s->sh->n_regions,
		  (unsigned long long)(s->mem_size >> 20));
	*out = &s->b;
	return 0;
fail:
	sim_destroy(&s->b);
	return r;
}
