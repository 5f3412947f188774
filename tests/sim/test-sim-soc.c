// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The simulated SoC on its own, driven through the backend ops the way a buggy lifecycle
 * might drive it: TrustZone's rules (each violation a distinct error), the SMMU checks, the
 * DSP faulting on a missing translation, configuration parsing, and re-adoption of its state
 * by a new instance (a daemon restarted after SIGKILL).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rproc/fw.h"
#include "sim-priv.h"
#include "sim-util.h"
#include "rproc/sim.h"

#define RW (RPROC_IOMMU_READ | RPROC_IOMMU_WRITE)

struct rig {
	struct tsim_board bd;
	struct rproc_desc *d;
	struct rproc_fw_image *img;
	uint32_t pas;
	uint64_t base, size;
	const struct rproc_pas_ops *p;
	void *ctx;
};

static void rig_new(struct rig *g, const char *sim_cfg, const char *core)
{
	struct rproc_error err = { 0 };
	char path[PATH_MAX];
	int i;

	tsim_board_new(&g->bd, "lemans-el2", sim_cfg, NULL);
	i = tsim_board_find(&g->bd, core);
	g->d = &g->bd.d[i];
	snprintf(path, sizeof(path), "%s/%s", g->bd.dir, g->d->firmware[0]);
	if (rproc_fw_open(path, &g->img, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	g->pas = (uint32_t)g->d->pas_id;
	g->base = g->d->carveouts[0].base;
	g->size = g->d->carveouts[0].size;
	g->p = g->bd.b->pas;
	g->ctx = g->bd.b->pas_ctx;
}

static void rig_free(struct rig *g)
{
	rproc_fw_close(g->img);
	tsim_board_free(&g->bd);
}

static void rig_load(struct rig *g, struct rproc_mem_map *m, bool keep_mapped)
{
	struct rproc_backend *b = g->bd.b;
	struct rproc_error err = { 0 };

	assert_int_equal(b->mem->map(b->mem_ctx, g->base, g->size, true, m), 0);
	assert_int_equal(rproc_fw_load(g->img, m->va, g->base, g->size, NULL, NULL, &err), 0);
	if (!keep_mapped)
		b->mem->unmap(b->mem_ctx, m);
}

/* Offset in the carveout of the first byte of a segment whose digest TZ checks. */
static uint64_t checked_offset(const struct rproc_fw_image *img)
{
	for (unsigned int i = 0; i < img->phnum; i++)
		if (img->segs[i].loadable && img->segs[i].checked && img->segs[i].filesz > 0)
			return img->segs[i].paddr - img->min_addr + img->segs[i].filesz / 2;
	fail_msg("no checked segment");
	return 0;
}

static void test_tz_rules(void **state)
{
	struct rproc_mem_map m = { 0 };
	struct rproc_sim_usage u;
	struct rig g;
	void *dom = NULL;
	uint64_t h = 0, off;
	uint8_t byte;
	int errs[9], n = 0;
	struct rproc_backend *b;

	rig_new(&g, NULL, "adsp");
	b = g.bd.b;
	assert_int_equal(g.p->is_supported(g.ctx, g.pas), 1);
	assert_int_equal(g.p->is_supported(g.ctx, 4242), 0);
	assert_int_equal(g.p->init_image(g.ctx, 4242, g.img->metadata, g.img->metadata_len),
			 -ENODEV);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* no init_image */
	assert_int_equal(errs[0], -EPERM);
	assert_int_equal(g.p->mem_setup(g.ctx, g.pas, g.base, rproc_fw_span(g.img)), -EPERM);
	/* the votes come first, as in the kernel */
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len),
			 -EPERM);
	assert_int_equal(g.p->load_state(g.ctx, g.d, true), 0);
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len),
			 -EPERM);
	assert_int_equal(g.p->proxy_vote(g.ctx, g.d), 0);
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len), 0);
	assert_true(g.img->relocatable);
	assert_int_equal(g.p->proxy_unvote(g.ctx, g.d), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* no power */
	assert_int_equal(errs[1], -EHOSTDOWN);
	assert_int_equal(g.p->proxy_vote(g.ctx, g.d), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* relocatable, no mem_setup */
	assert_int_equal(errs[2], -ENOEXEC);
	assert_int_equal(g.p->mem_setup(g.ctx, g.pas, g.base - 0x1000, 0x1000), -EINVAL);
	assert_int_equal(g.p->mem_setup(g.ctx, g.pas, g.base, rproc_fw_span(g.img)), 0);
	rig_load(&g, &m, true);
	assert_int_equal(b->iommu->open(b->iommu_ctx, g.d, &dom), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* no SMMU mapping */
	assert_int_equal(errs[3], -EFAULT);
	/* a mapping that is not IOVA == PA does not count either */
	assert_int_equal(b->iommu->map(dom, g.base, g.base + g.size, g.size, RW), 0);
	assert_int_equal(g.p->auth_and_reset(g.ctx, g.pas), -EFAULT);
	assert_int_equal(b->iommu->unmap(dom, g.base, g.size), 0);
	assert_int_equal(b->iommu->map(dom, g.base, g.base, g.size, RPROC_IOMMU_READ), 0);
	assert_int_equal(g.p->auth_and_reset(g.ctx, g.pas), -EFAULT); /* read-only */
	assert_int_equal(b->iommu->unmap(dom, g.base, g.size), 0);
	assert_int_equal(b->iommu->map(dom, g.base, g.base, g.size, RW), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* no SHM bridge */
	assert_int_equal(errs[4], -ENOLINK);
	assert_int_equal(g.p->shm_bridge_create(g.ctx, g.base + 1, g.size - 4096, &h), -EINVAL);
	/* v10: over a carveout of a core with iommus only */
	assert_int_equal(g.p->shm_bridge_create(g.ctx, 0x1000, 0x1000, &h), -EPERM);
	assert_int_equal(g.p->shm_bridge_create(g.ctx, g.base, g.size, &h), 0);
	assert_int_equal(g.p->shm_bridge_create(g.ctx, g.base, 4096, &h), -EEXIST);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* CPU view still mapped */
	assert_int_equal(errs[5], -EACCES);
	b->mem->unmap(b->mem_ctx, &m);
	off = checked_offset(g.img);
	assert_int_equal(rproc_sim_read_phys(b, g.base + off, &byte, 1), 0);
	byte ^= 0x01;
	assert_int_equal(rproc_sim_write_phys(b, g.base + off, &byte, 1), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* wrong digest */
	assert_int_equal(errs[6], -EBADMSG);
	byte ^= 0x01;
	assert_int_equal(rproc_sim_write_phys(b, g.base + off, &byte, 1), 0);
	assert_int_equal(g.p->auth_and_reset(g.ctx, g.pas), 0);
	errs[n++] = g.p->auth_and_reset(g.ctx, g.pas); /* running */
	assert_int_equal(errs[7], -EBUSY);
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len),
			 -EBUSY);
	/* TZ locks the carveout while the image runs (XPU) */
	assert_int_equal(b->mem->map(b->mem_ctx, g.base, 4096, false, &m), -EACCES);
	/* every rule has its own error */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			assert_int_not_equal(errs[i], errs[j]);

	assert_int_equal(g.p->shm_bridge_delete(g.ctx, h), 0);
	assert_int_equal(g.p->shm_bridge_delete(g.ctx, h), -ENOENT);
	assert_int_equal(g.p->shutdown(g.ctx, g.pas), 0);
	assert_int_equal(g.p->metadata_release(g.ctx, g.pas), 0);
	assert_int_equal(b->iommu->unmap(dom, g.base, g.size), 0);
	b->iommu->close(dom);
	assert_int_equal(g.p->proxy_unvote(g.ctx, g.d), 0);
	assert_int_equal(g.p->load_state(g.ctx, g.d, false), 0);
	rproc_sim_report(b, &u);
	assert_int_equal(rproc_sim_usage_total(&u), 0);
	rig_free(&g);
}

static void test_smmu_checks(void **state)
{
	struct rproc_iova_range r[4];
	struct rig g;
	void *dom = NULL, *dom2 = NULL;
	struct rproc_backend *b;
	size_t n = 0;

	rig_new(&g, NULL, "cdsp0");
	b = g.bd.b;
	assert_int_equal(b->iommu->open(b->iommu_ctx, g.d, &dom), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, g.d, &dom2), -EBUSY);
	assert_int_equal(b->iommu->iova_ranges(dom, r, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].last, 0x07ffffff);
	assert_int_equal(r[1].start, 0x08100000);
	assert_int_equal(b->iommu->map(dom, 0x1000, 0x1000, 0x800, RW), -EINVAL);
	assert_int_equal(b->iommu->map(dom, 0x1800, 0x1000, 0x1000, RW), -EINVAL);
	assert_int_equal(b->iommu->map(dom, 0x1000, 0x1000, 0x1000, 0), -EINVAL);
	assert_int_equal(b->iommu->map(dom, 0x07fff000, 0x1000, 0x2000, RW), -ERANGE);
	assert_int_equal(b->iommu->map(dom, 0x10000, 0x10000, 0x4000, RW), 0);
	assert_int_equal(b->iommu->map(dom, 0x12000, 0x90000000, 0x1000, RW), -EEXIST);
	assert_int_equal(b->iommu->unmap(dom, 0x10000, 0x1000), -EINVAL); /* cuts a mapping */
	assert_int_equal(b->iommu->unmap(dom, 0x40000, 0x1000), -ENOENT);
	assert_int_equal(b->iommu->unmap(dom, 0x10000, 0x4000), 0);
	b->iommu->close(dom);
	rig_free(&g);
}

/* The DSP reads its image through the SMMU: take the mapping away and it faults. */
static void test_dsp_smmu_fault(void **state)
{
	struct rproc_mem_map m = { 0 };
	struct rproc_backend *b;
	struct rig g;
	void *dom = NULL;
	int fds[RPROC_IRQ_COUNT];
	uint64_t h, v;
	char reason[256];

	rig_new(&g, "boot_delay_ms=1000", "gpdsp1");
	b = g.bd.b;
	assert_int_equal(b->irq->open(b->irq_ctx, g.d, fds), 0);
	assert_int_equal(g.p->load_state(g.ctx, g.d, true), 0);
	assert_int_equal(g.p->proxy_vote(g.ctx, g.d), 0);
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len), 0);
	assert_int_equal(g.p->mem_setup(g.ctx, g.pas, g.base, rproc_fw_span(g.img)), 0);
	rig_load(&g, &m, false);
	assert_int_equal(b->iommu->open(b->iommu_ctx, g.d, &dom), 0);
	assert_int_equal(b->iommu->map(dom, g.base, g.base, g.size, RW), 0);
	assert_int_equal(g.p->shm_bridge_create(g.ctx, g.base, g.size, &h), 0);
	assert_int_equal(g.p->auth_and_reset(g.ctx, g.pas), 0);
	assert_int_equal(g.p->shm_bridge_delete(g.ctx, h), 0);
	/* the bug under test: unmapping while the DSP boots */
	assert_int_equal(b->iommu->unmap(dom, g.base, g.size), 0);
	struct pollfd p = { .fd = fds[RPROC_IRQ_FATAL], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_int_equal(read(fds[RPROC_IRQ_FATAL], &v, sizeof(v)), sizeof(v));
	assert_int_equal(g.p->crash_reason(g.ctx, g.d, reason, sizeof(reason)), 0);
	assert_non_null(strstr(reason, "smmu fault at iova 0x"));
	p.fd = fds[RPROC_IRQ_READY];
	assert_int_equal(poll(&p, 1, 0), 0); /* never ready */
	assert_int_equal(g.p->shutdown(g.ctx, g.pas), 0);
	assert_int_equal(g.p->metadata_release(g.ctx, g.pas), 0);
	b->iommu->close(dom);
	b->irq->close(b->irq_ctx, g.d);
	rig_free(&g);
}

/*
 * auth_hash=0: TrustZone no longer reads the image (its cost is then auth_us_per_mib alone), so
 * a corrupted byte goes through, where the default configuration says -EBADMSG.
 */
static void test_auth_without_hash(void **state)
{
	struct rproc_mem_map m = { 0 };
	struct rproc_backend *b;
	struct rig g;
	void *dom = NULL;
	uint64_t h, off;
	uint8_t byte;

	rig_new(&g, "auth_hash=0\nauth_us_per_mib=1", "adsp");
	b = g.bd.b;
	assert_int_equal(g.p->load_state(g.ctx, g.d, true), 0);
	assert_int_equal(g.p->proxy_vote(g.ctx, g.d), 0);
	assert_int_equal(g.p->init_image(g.ctx, g.pas, g.img->metadata, g.img->metadata_len), 0);
	assert_int_equal(g.p->mem_setup(g.ctx, g.pas, g.base, rproc_fw_span(g.img)), 0);
	rig_load(&g, &m, false);
	off = checked_offset(g.img);
	assert_int_equal(rproc_sim_read_phys(b, g.base + off, &byte, 1), 0);
	byte ^= 0x01;
	assert_int_equal(rproc_sim_write_phys(b, g.base + off, &byte, 1), 0);
	assert_int_equal(b->iommu->open(b->iommu_ctx, g.d, &dom), 0);
	assert_int_equal(b->iommu->map(dom, g.base, g.base, g.size, RW), 0);
	assert_int_equal(g.p->shm_bridge_create(g.ctx, g.base, g.size, &h), 0);
	assert_int_equal(g.p->auth_and_reset(g.ctx, g.pas), 0);
	assert_int_equal(g.p->shm_bridge_delete(g.ctx, h), 0);
	assert_int_equal(g.p->shutdown(g.ctx, g.pas), 0);
	assert_int_equal(g.p->metadata_release(g.ctx, g.pas), 0);
	assert_int_equal(b->iommu->unmap(dom, g.base, g.size), 0);
	b->iommu->close(dom);
	rig_free(&g);
}

static void test_config(void **state)
{
	struct rproc_dt *dt = tsim_fixture("lemans-el2");
	struct rproc_error err = { 0 };
	struct rproc_backend *b = NULL;
	char *dir = tsim_tmpdir(), path[PATH_MAX], at[PATH_MAX + 1];
	FILE *f;

	assert_int_equal(rproc_sim_new(dt, "ready_delay_ms=5\nbogus=1", &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "bogus"));
	assert_int_equal(rproc_sim_new(dt, "fail=frobnicate:1", &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown operation"));
	assert_int_equal(rproc_sim_new(dt, "crash=modem:fatal:10", &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no such core"));
	assert_int_equal(rproc_sim_new(dt, "ready_delay_ms=-3", &b, &err), -EINVAL);
	assert_int_equal(rproc_sim_new(dt, "auth_hash=maybe", &b, &err), -EINVAL);
	assert_int_equal(rproc_sim_new(dt, "auth_us_per_mib=10000001", &b, &err), -EINVAL);
	assert_int_equal(rproc_sim_new(dt, "fail=init_image:1:-EWHAT", &b, &err), -EINVAL);
	assert_int_equal(rproc_sim_new(dt, "@/nonexistent/sim.conf", &b, &err), -ENOENT);

	snprintf(path, sizeof(path), "%s/sim.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# comment\nready_delay_ms = 7 ; stop_ack=0\nfail=auth_and_reset@cdsp1:1:-EPERM\n",
	      f);
	fclose(f);
	snprintf(at, sizeof(at), "@%s", path);
	assert_int_equal(rproc_sim_new(dt, at, &b, &err), 0);
	rproc_backend_destroy(b);
	assert_int_equal(rproc_sim_new(dt, "fail=auth_and_reset@cdsp1:1:-EPERM", &b, &err), 0);
	assert_int_equal(b->pas->auth_and_reset(b->pas_ctx, 1), -EPERM); /* adsp: order rule */
	assert_int_equal(b->pas->auth_and_reset(b->pas_ctx, 30), -EPERM); /* cdsp1: injected */
	assert_int_equal(rproc_sim_calls(b, "auth_and_reset"), 2);
	assert_true(tsim_log_has("cdsp1", "sim", "injected failure of auth_and_reset"));
	assert_int_equal(rproc_sim_set(b, "no_ready=nosuch", &err), -EINVAL);
	rproc_backend_destroy(b);
	rproc_dt_free(dt);
	tsim_rmtree(dir);
}

/*
 * pas_id=: nodes whose compatible the SoC table does not know join the machine with the PAS id
 * the configuration gives them; only when the simulator is created.
 */
static void test_config_pas_id(void **state)
{
	struct rproc_dt *dt = tsim_fixture("odd");
	struct rproc_error err = { 0 };
	struct rproc_backend *b = NULL;

	assert_int_equal(rproc_sim_new(dt, NULL, &b, &err), 0);
	assert_int_equal(b->pas->is_supported(b->pas_ctx, 40), 0);
	rproc_backend_destroy(b);
	assert_int_equal(rproc_sim_new(dt, "ready_delay_ms=5\npas_id=dsp:40;pas_id=dsp-2:41", &b,
				       &err),
			 0);
	assert_int_equal(b->pas->is_supported(b->pas_ctx, 40), 1);
	assert_int_equal(b->pas->is_supported(b->pas_ctx, 41), 1);
	assert_int_equal(b->pas->is_supported(b->pas_ctx, 18), 1); /* cdsp: the table's */
	assert_int_equal(rproc_sim_set(b, "pas_id=dsp:42", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "only when the simulated SoC is created"));
	rproc_backend_destroy(b);
	assert_int_equal(rproc_sim_new(dt, "\npas_id=nosuch:3", &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(rproc_sim_new(dt, "pas_id=dsp", &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bad value for pas_id"));
	assert_int_equal(rproc_sim_new(dt, "pas_id=dsp:-1", &b, &err), -EINVAL);
	rproc_dt_free(dt);
}

/* Core masks hold every core the simulator can have, not 32. */
static void test_config_core_masks(void **state)
{
	static struct sim_shared sh;
	struct sim_config c;
	struct rproc_error err = { 0 };
	struct sim s = { .sh = &sh };

	sh.n_cores = SIM_MAX_CORES;
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++)
		snprintf(sh.cores[i].name, sizeof(sh.cores[i].name), "dsp%u", i);
	sim_config_defaults(&c);
	assert_int_equal(sim_config_parse(&s, &c, "no_ready=dsp37\nno_handover=dsp127", false,
					  &err),
			 0);
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++) {
		assert_int_equal(sim_core_bit(c.no_ready, i), i == 37);
		assert_int_equal(sim_core_bit(c.no_handover, i), i == 127);
		assert_false(sim_core_bit(c.no_stop_ack, i));
	}
	assert_int_equal(sim_config_parse(&s, &c, "no_stop_ack=all", true, &err), 0);
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++)
		assert_true(sim_core_bit(c.no_stop_ack, i));
	assert_int_equal(sim_config_parse(&s, &c, "reset", true, &err), 0);
	for (unsigned int i = 0; i < SIM_MAX_CORES; i++)
		assert_false(sim_core_bit(c.no_ready, i) || sim_core_bit(c.no_stop_ack, i));
}

/* rprocd killed while cores run: a new simulator adopts the state, the cores stay running. */
static void test_readoption(void **state)
{
	struct tsim_board bd;
	struct rproc_snapshot snap[2];
	struct rproc_fd_entry fe[2];
	struct rproc_error err = { 0 };
	struct rproc_sim_usage u;
	struct rproc_backend *old, *wrong = NULL;
	struct rproc_dt *other;
	struct rproc_info info;
	size_t n = 0;
	int idx[2], keep;

	tsim_board_new(&bd, "lemans-el2", "rsc_devmem=1", NULL);
	tsim_board_cores(&bd);
	idx[0] = tsim_board_find(&bd, "adsp");
	idx[1] = tsim_board_find(&bd, "cdsp0");
	for (int k = 0; k < 2; k++)
		assert_int_equal(rproc_start(bd.r[idx[k]]), 0);
	assert_int_equal(tsim_wait_state(bd.r, bd.n, 1u << idx[0] | 1u << idx[1], RPROC_RUNNING,
					 10000),
			 0);
	for (int k = 0; k < 2; k++)
		rproc_snapshot(bd.r[idx[k]], &snap[k]);
	assert_int_equal(bd.b->export_fds(bd.b, fe, 2, &n), 0);
	assert_int_equal(n, 1);
	keep = dup(fe[0].fd); /* the service manager's copy */
	assert_true(keep >= 0);
	/* the daemon dies: nothing is stopped */
	tsim_board_free_cores(&bd);
	old = bd.b;
	assert_int_equal(rproc_sim_calls(old, "shutdown"), 0);
	rproc_backend_destroy(old);

	/* a tree for another board is refused */
	other = tsim_fixture("x1e80100");
	assert_int_equal(rproc_sim_new(other, NULL, &wrong, &err), 0);
	fe[0].fd = keep;
	assert_int_equal(wrong->adopt_fds(wrong, fe, 1), -EINVAL);
	assert_int_equal(fe[0].fd, keep);
	rproc_backend_destroy(wrong);
	rproc_dt_free(other);

	/* adsp has been up for longer than 100 ms: its resumed crash timer fires at once */
	assert_int_equal(rproc_sim_new(bd.dt, "rsc_devmem=1\ncrash=adsp:fatal:100", &bd.b, &err),
			 0);
	assert_int_equal(bd.b->adopt_fds(bd.b, fe, 1), 1);
	assert_int_equal(fe[0].fd, -1);
	rproc_sim_report(bd.b, &u);
	assert_int_equal(u.running_cores, 2);
	assert_int_equal(u.smmu_mappings, 2 * 3); /* carveout + two devmem each */
	for (int k = 0; k < 2; k++) {
		int i = idx[k];

		assert_int_equal(rproc_adopt(&bd.d[i], bd.b, &bd.cfg, &snap[k], &bd.r[i], &err), 0);
		rproc_get_info(bd.r[i], &info);
		assert_int_equal(info.state, RPROC_RUNNING);
		assert_int_equal(info.state_change_usec, snap[k].state_change_usec);
		assert_string_equal(info.firmware_path, snap[k].firmware_path);
	}
	assert_int_equal(rproc_sim_calls(bd.b, "auth_and_reset"), 0);
	assert_int_equal(rproc_sim_calls(bd.b, "iommu_map"), 0);
	/* controllable again: a crash is seen, and a stop releases everything */
	for (int t = 0; t < 200; t++) {
		rproc_get_info(bd.r[idx[0]], &info);
		if (info.crash_count && info.state == RPROC_RUNNING)
			break;
		tsim_run_for(&bd.r[idx[0]], 1, 20);
	}
	assert_int_equal(info.crash_count, 1);
	assert_int_equal(info.state, RPROC_RUNNING); /* recovered */
	assert_int_equal(rproc_start(bd.r[idx[0]]), -EALREADY);
	assert_int_equal(rproc_sim_raise(bd.b, "cdsp0", RPROC_IRQ_FATAL, "after adoption"), 0);
	for (int t = 0; t < 200; t++) {
		rproc_get_info(bd.r[idx[1]], &info);
		if (info.crash_count)
			break;
		tsim_run_for(&bd.r[idx[1]], 1, 20);
	}
	assert_int_equal(info.crash_count, 1);
	assert_int_equal(tsim_wait_state(&bd.r[idx[1]], 1, 1, RPROC_RUNNING, 10000), 0);
	for (int k = 0; k < 2; k++)
		assert_int_equal(rproc_stop(bd.r[idx[k]]), 0);
	assert_int_equal(tsim_wait_state(bd.r, bd.n, 1u << idx[0] | 1u << idx[1], RPROC_OFFLINE,
					 10000),
			 0);
	tsim_board_free_cores(&bd);
	tsim_assert_nothing_held(&bd);
	tsim_board_free(&bd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tz_rules),
		cmocka_unit_test(test_smmu_checks),
		cmocka_unit_test(test_dsp_smmu_fault),
		cmocka_unit_test(test_auth_without_hash),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_pas_id),
		cmocka_unit_test(test_config_core_masks),
		cmocka_unit_test(test_readoption),
	};

	tsim_log_capture();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
