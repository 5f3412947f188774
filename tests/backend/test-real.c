// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The assembled real backend against the fake kernel and a fake sysfs tree: the iommufd ->
 * type1 fallback on EFAULT (said once), forced modes, IOVA range checks, the carveout view
 * providers, interrupts, capability degrade, and fd-store export/adopt across a "restart".
 */
#include <errno.h>
#include <linux/vfio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "compat/iommufd.h"
#include "compat/vfio-cdev.h"
#include "fake-kernel.h"
#include "rproc/qcom-scm-shim.h"
#include "rproc/real.h"
#include "util.h"

static char shim_path[512], devmem_path[512];
static char logs[32][RPROC_ERROR_MAX];
static int n_logs;

static void log_cb(void *ud, int level, const char *core, const char *step, int err,
		   const char *msg)
{
	if (n_logs < 32 && level <= RPROC_LOG_NOTICE)
		snprintf(logs[n_logs++], sizeof(logs[0]), "%s", msg);
}

static int logs_with(const char *needle)
{
	int n = 0;

	for (int i = 0; i < n_logs; i++)
		n += strstr(logs[i], needle) != NULL;
	return n;
}

static int setup(void **state)
{
	fk_setup();
	snprintf(shim_path, sizeof(shim_path), "%s/qcom_scm_shim", fk.dev_root);
	snprintf(devmem_path, sizeof(devmem_path), "%s/mem", fk.dev_root);
	n_logs = 0;
	rproc_log_set(log_cb, NULL, RPROC_LOG_DEBUG);
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	rproc_log_set(NULL, NULL, RPROC_LOG_INFO);
	fk_teardown();
	return 0;
}

static struct rproc_real_config config(enum rproc_real_iommu iommu)
{
	struct rproc_real_config c;

	rproc_real_config_defaults(&c);
	c.iommu = iommu;
	c.shim_path = shim_path;
	c.sysfs_root = fk.sys_root;
	c.dev_root = fk.dev_root;
	c.devmem_path = devmem_path;
	c.device_timeout_ms = 0;
	return c;
}

static const struct rproc_desc desc = {
	.name = "adsp",
	.device = "30000000.remoteproc",
	.pas_id = 1,
	.crash_reason_smem = 423,
};

static struct rproc_backend *new_backend(enum rproc_real_iommu iommu)
{
	struct rproc_real_config c = config(iommu);
	struct rproc_error err = { 0 };
	struct rproc_backend *b = NULL;

	if (rproc_real_backend_new(&c, &b, &err) < 0)
		fail_msg("backend: %s", err.msg);
	return b;
}

static void test_config_strings(void **state)
{
	enum rproc_real_iommu i;
	enum rproc_real_carveout c;

	assert_int_equal(rproc_real_iommu_from_string("type1", &i), 0);
	assert_int_equal(i, RPROC_REAL_IOMMU_TYPE1);
	assert_int_equal(rproc_real_iommu_from_string("iommufd", &i), 0);
	assert_string_equal(rproc_real_iommu_to_string(i), "iommufd");
	assert_int_equal(rproc_real_iommu_from_string("smmu", &i), -EINVAL);
	assert_int_equal(rproc_real_carveout_from_string("devmem", &c), 0);
	assert_string_equal(rproc_real_carveout_to_string(c), "devmem");
	assert_int_equal(rproc_real_carveout_from_string("mmap", &c), -EINVAL);
}

static void test_no_shim(void **state)
{
	struct rproc_real_config c = config(RPROC_REAL_IOMMU_AUTO);
	struct rproc_error err = { 0 };
	struct rproc_backend *b = (void *)1;

	fk_remove("qcom_scm_shim");
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), -ENOENT);
	assert_null(b);
	assert_non_null(strstr(err.msg, "qcom-scm shim"));
}

static void test_degrade(void **state)
{
	struct rproc_backend *b;

	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS | QCOM_SCM_SHIM_CAP_MMAP;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_null(b->pas->stop_bit);
	assert_null(b->pas->proxy_vote);
	assert_null(b->pas->proxy_unvote);
	assert_null(b->pas->crash_reason);
	assert_null(b->pas->smem_read);
	assert_null(b->pas->get_rsc_table); /* the lifecycle then uses qcom,devmem only */
	assert_non_null(b->pas->auth_and_reset);
	assert_int_equal(logs_with("no SMP2P stop bit"), 1);
	assert_int_equal(logs_with("proxy votes"), 1);
	/* no bridge capability: no bridge at all (the lifecycle says so, once per core) */
	assert_null(b->pas->auth_and_reset_bridged);
	assert_null(b->pas->shm_bridge_create);
	rproc_backend_destroy(b);

	fk.shim_caps = ~0ULL;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_non_null(b->pas->stop_bit);
	assert_non_null(b->pas->crash_reason);
	assert_non_null(b->pas->get_rsc_table);
	rproc_backend_destroy(b);
}

/*
 * The SHM bridge lives only inside the module's AUTH_AND_RESET: one ioctl with the bridge
 * flag over the carveout, never a separate create whose handle a killed daemon would lose.
 */
static void test_bridged_auth(void **state)
{
	const struct qcom_scm_shim_pas *p;
	struct rproc_backend *b;

	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_null(b->pas->shm_bridge_create);
	assert_null(b->pas->shm_bridge_delete);
	assert_null(b->pas->shm_bridge_release);
	assert_non_null(b->pas->auth_and_reset_bridged);
	assert_int_equal(b->pas->auth_and_reset_bridged(b->pas_ctx, 1, 0x90000000, 0x200000), 0);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET), 1);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_BRIDGE_CREATE), 0);
	p = (const struct qcom_scm_shim_pas *)fk_find(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, 0)->arg;
	assert_int_equal(p->flags, QCOM_SCM_SHIM_AUTH_BRIDGE);
	assert_int_equal(p->addr, 0x90000000);
	assert_int_equal(p->length, 0x200000);
	assert_int_equal(p->pas_id, 1);
	rproc_backend_destroy(b);
}

static const struct qcom_scm_shim_vote *vote_call(unsigned int i)
{
	const struct fk_call *c = fk_find(QCOM_SCM_SHIM_PROXY_VOTE, i);

	assert_non_null(c);
	return (const struct qcom_scm_shim_vote *)c->arg;
}

/* The kernel's two vote lifetimes map onto the shim's two vote kinds. */
static void test_votes(void **state)
{
	struct rproc_backend *b;

	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS | QCOM_SCM_SHIM_CAP_PROXY_VOTE |
		       QCOM_SCM_SHIM_CAP_LOAD_STATE;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_non_null(b->pas->load_state);
	assert_int_equal(b->pas->load_state(b->pas_ctx, &desc, true), 0);
	assert_int_equal(b->pas->proxy_vote(b->pas_ctx, &desc), 0);
	assert_int_equal(b->pas->proxy_unvote(b->pas_ctx, &desc), 0); /* handover */
	assert_int_equal(b->pas->load_state(b->pas_ctx, &desc, false), 0); /* the stop */
	assert_int_equal(fk_count(QCOM_SCM_SHIM_PROXY_VOTE), 4);
	assert_int_equal(vote_call(0)->votes, QCOM_SCM_SHIM_VOTE_LOAD_STATE);
	assert_int_equal(vote_call(0)->on, 1);
	assert_int_equal(vote_call(1)->votes, QCOM_SCM_SHIM_VOTE_PROXY);
	assert_int_equal(vote_call(1)->on, 1);
	assert_int_equal(vote_call(2)->votes, QCOM_SCM_SHIM_VOTE_PROXY);
	assert_int_equal(vote_call(2)->on, 0);
	assert_int_equal(vote_call(3)->votes, QCOM_SCM_SHIM_VOTE_LOAD_STATE);
	assert_int_equal(vote_call(3)->on, 0);
	assert_string_equal(vote_call(0)->device, "30000000.remoteproc");
	rproc_backend_destroy(b);

	/* a module without the load_state kind: the proxy votes alone, said once */
	fk.n_calls = 0;
	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS | QCOM_SCM_SHIM_CAP_PROXY_VOTE;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_null(b->pas->load_state);
	assert_int_equal(logs_with("no load_state"), 1);
	assert_int_equal(b->pas->proxy_vote(b->pas_ctx, &desc), 0);
	assert_int_equal(vote_call(0)->votes, QCOM_SCM_SHIM_VOTE_PROXY);
	rproc_backend_destroy(b);

	/* ABI 1.0: one vote for both, the 72-byte struct */
	fk.n_calls = 0;
	fk.shim_minor = 0;
	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS | QCOM_SCM_SHIM_CAP_PROXY_VOTE;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_null(b->pas->load_state);
	assert_int_equal(logs_with("one vote for everything"), 1);
	assert_int_equal(b->pas->proxy_vote(b->pas_ctx, &desc), 0);
	assert_int_equal(vote_call(0)->size, 72);
	rproc_backend_destroy(b);
}

/* glink and CORE map onto the shim's ioctls, each only with its capability. */
static void test_glink_core(void **state)
{
	const struct qcom_scm_shim_glink *g;
	const struct qcom_scm_shim_core *c;
	struct rproc_core_status st;
	struct rproc_backend *b;

	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_int_equal(b->pas->glink(b->pas_ctx, &desc, true), 0);
	g = (const struct qcom_scm_shim_glink *)fk_find(QCOM_SCM_SHIM_GLINK, 0)->arg;
	assert_int_equal(g->op, QCOM_SCM_SHIM_GLINK_REGISTER);
	assert_int_equal(b->pas->glink(b->pas_ctx, &desc, false), 0);
	g = (const struct qcom_scm_shim_glink *)fk_find(QCOM_SCM_SHIM_GLINK, 1)->arg;
	assert_int_equal(g->op, QCOM_SCM_SHIM_GLINK_UNREGISTER);
	/* the ready and fatal levels, where the interrupt controller reports them */
	fk.shim_core_state = QCOM_SCM_SHIM_STATE_MINE | QCOM_SCM_SHIM_STATE_RUNNING;
	fk.shim_core_levels = 1u << QCOM_SCM_SHIM_IRQ_READY;
	fk.shim_core_levels_valid = 1u << QCOM_SCM_SHIM_IRQ_READY | 1u << QCOM_SCM_SHIM_IRQ_FATAL;
	assert_int_equal(b->pas->core_query(b->pas_ctx, &desc, &st), 0);
	assert_true(st.running && st.levels && st.ready && !st.fatal);
	c = (const struct qcom_scm_shim_core *)fk_find(QCOM_SCM_SHIM_CORE, 0)->arg;
	assert_int_equal(c->op, QCOM_SCM_SHIM_CORE_QUERY);
	assert_string_equal(c->device, "30000000.remoteproc");
	fk.shim_core_levels_valid = 1u << QCOM_SCM_SHIM_IRQ_READY; /* fatal unknown */
	assert_int_equal(b->pas->core_query(b->pas_ctx, &desc, &st), 0);
	assert_false(st.levels);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_CORE), 2);
	rproc_backend_destroy(b);

	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_null(b->pas->glink);
	assert_null(b->pas->core_query);
	assert_int_equal(logs_with("glink"), 1);
	assert_int_equal(logs_with("CORE query"), 1);
	rproc_backend_destroy(b);
}

static void test_iommufd_map_file(void **state)
{
	struct rproc_backend *b = new_backend(RPROC_REAL_IOMMU_AUTO);
	void *dom;

	assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), 0);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_CARVEOUT_FD), 1);
	assert_int_equal(fk_count(IOMMU_IOAS_MAP_FILE), 1);
	assert_int_equal(fk_count(IOMMU_IOAS_MAP), 0);
	assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x100000), 0);
	b->iommu->close(dom);
	assert_int_equal(fk.ioas_destroys, 1);
	rproc_backend_destroy(b);
}

static void test_fallback_to_type1(void **state)
{
	struct rproc_backend *b;
	int fds[RPROC_IRQ_COUNT];
	void *dom;

	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_CARVEOUT_FD;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b->irq->open(b->irq_ctx, &desc, fds), 0);
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 1); /* wdog on the cdev */

	/* Memory iommufd can pin maps fine under iommufd... */
	fk.pfnmap_va_faults_iommufd = false;
	assert_int_equal(b->iommu->map(dom, 0x1000000, 0x1000000, 0x10000, 3), 0);
	assert_int_equal(fk_count(IOMMU_IOAS_MAP), 1);
	assert_int_equal(logs_with("asks for MMIO"), 0);
	assert_int_equal(fk.live_mmaps, 0); /* the CPU view went away right after the map */
	/* ...the PFNMAP carveout view does not: EFAULT, fall back, replay, map. */
	fk.pfnmap_va_faults_iommufd = true;
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), 0);
	assert_int_equal(logs_with("falling back from iommufd to vfio-type1"), 1);
	assert_int_equal(logs_with("VM_PFNMAP"), 1);
	assert_int_equal(fk.ioas_destroys, 1);
	assert_int_equal(fk_count(VFIO_DEVICE_DETACH_IOMMUFD_PT), 1);
	assert_int_equal(fk_count(VFIO_IOMMU_MAP_DMA), 2);
	{
		struct vfio_iommu_type1_dma_map m0, m1;

		memcpy(&m0, fk_find(VFIO_IOMMU_MAP_DMA, 0)->arg, sizeof(m0));
		memcpy(&m1, fk_find(VFIO_IOMMU_MAP_DMA, 1)->arg, sizeof(m1));
		assert_int_equal(m0.iova, 0x1000000); /* replayed */
		assert_int_equal(m0.size, 0x10000);
		assert_int_equal(m1.iova, 0x90000000);
		assert_int_equal(m1.size, 0x100000);
	}
	assert_int_equal(fk.n_maps, 2);
	assert_int_equal(fk.live_mmaps, 0);
	/* The wdog trigger moved to the type1 device fd (disarm old, arm new). */
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 3);

	/* Later maps go to type1 directly; the fallback is said once. */
	assert_int_equal(b->iommu->map(dom, 0xa0000000, 0xa0000000, 0x1000, 3), 0);
	assert_int_equal(logs_with("falling back"), 1);
	assert_int_equal(fk_count(IOMMU_IOAS_MAP), 2);
	/* Device memory asking for MMIO: mapped R/W only, and said (doc/iommu.md#attributes). */
	assert_int_equal(b->iommu->map(dom, 0xb0000000, 0xb0000000, 0x1000,
				       RPROC_IOMMU_READ | RPROC_IOMMU_WRITE | RPROC_IOMMU_MMIO),
			 0);
	{
		struct vfio_iommu_type1_dma_map m;

		memcpy(&m, fk_find(VFIO_IOMMU_MAP_DMA, 3)->arg, sizeof(m));
		assert_int_equal(m.iova, 0xb0000000);
		assert_int_equal(m.flags, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	}
	assert_int_equal(logs_with("asks for MMIO (flags 0x13); vfio-type1 maps it as normal "
				   "write-back cacheable"), 1);
	assert_int_equal(b->iommu->unmap(dom, 0xb0000000, 0x1000), 0);

	assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x100000), 0);
	b->irq->close(b->irq_ctx, &desc);
	b->iommu->close(dom);
	assert_int_equal(fk.n_maps, 0);
	rproc_backend_destroy(b);
}

static void test_fallback_fails(void **state)
{
	struct rproc_backend *b;
	struct rproc_iova_range r[2];
	size_t n;
	void *dom;

	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_CARVEOUT_FD;
	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
	fk_fail(FK_OPEN(FK_GROUP), 1, EBUSY);
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), -EBUSY);
	assert_int_equal(logs_with("type1 fallback"), 1);
	/* No context left: every op says so instead of touching freed state. */
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), -ENODEV);
	assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x100000), -ENODEV);
	assert_int_equal(b->iommu->iova_ranges(dom, r, 2, &n), -ENODEV);
	b->iommu->close(dom);
	rproc_backend_destroy(b);
}

static void test_forced_iommufd_no_fallback(void **state)
{
	struct rproc_backend *b;
	void *dom;

	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_CARVEOUT_FD;
	b = new_backend(RPROC_REAL_IOMMU_IOMMUFD);
	assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), -EFAULT);
	assert_int_equal(logs_with("IOMMU=iommufd is forced"), 1);
	assert_int_equal(fk_count(FK_OPEN(FK_CONTAINER)), 0);
	assert_int_equal(fk.n_maps, 0);
	b->iommu->close(dom);
	rproc_backend_destroy(b);
}

static void test_map_outside_ranges(void **state)
{
	struct rproc_backend *b = new_backend(RPROC_REAL_IOMMU_TYPE1);
	struct rproc_iova_range r[4];
	size_t n;
	void *dom;

	assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b->iommu->iova_ranges(dom, r, 1, &n), 0);
	assert_int_equal(n, 2); /* more than asked for: the count says so */
	assert_int_equal(r[0].last, 0x7ffffff);
	assert_int_equal(b->iommu->map(dom, 0x8000000, 0x8000000, 0x1000, 3), -ERANGE);
	assert_int_equal(logs_with("outside the usable IOVA ranges"), 1);
	assert_int_equal(fk_count(VFIO_IOMMU_MAP_DMA), 0);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_CARVEOUT_FD), 0);
	assert_int_equal(fk.live_mmaps, 0);
	/* A kernel error is logged with its fix and nothing stays mapped. */
	fk_fail(VFIO_IOMMU_MAP_DMA, 1, ENOSPC);
	assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x1000, 3), -ENOSPC);
	assert_int_equal(logs_with("dma_entry_limit"), 1);
	b->iommu->close(dom);
	rproc_backend_destroy(b);
}

/*
 * Twenty usable IOVA ranges (more than the 16 the lifecycle first asks for), the carveout in
 * the last: through type1 (the capability's nr_iovas) and iommufd (EMSGSIZE with num_iovas),
 * every range is read, the count says 20, and the carveout maps.
 */
static void test_twenty_ranges(void **state)
{
	const enum rproc_real_iommu kinds[] = { RPROC_REAL_IOMMU_TYPE1, RPROC_REAL_IOMMU_IOMMUFD };

	for (unsigned int k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct rproc_backend *b;
		struct rproc_iova_range r[20];
		size_t n = 0;
		void *dom;

		for (unsigned int i = 0; i < 19; i++) {
			fk.ranges[i][0] = i * 0x2000ull;
			fk.ranges[i][1] = i * 0x2000ull + 0xfff;
		}
		fk.ranges[19][0] = 0x80000000;
		fk.ranges[19][1] = 0xffffffff;
		fk.n_ranges = 20;
		b = new_backend(kinds[k]);
		assert_int_equal(b->iommu->open(b->iommu_ctx, &desc, &dom), 0);
		assert_int_equal(b->iommu->iova_ranges(dom, r, 16, &n), 0);
		assert_int_equal(n, 20); /* more than asked for: the count says so */
		assert_int_equal(b->iommu->iova_ranges(dom, r, 20, &n), 0);
		assert_int_equal(n, 20);
		assert_int_equal(r[18].start, 18 * 0x2000);
		assert_int_equal(r[19].start, 0x80000000);
		assert_int_equal(r[19].last, 0xffffffff);
		assert_int_equal(b->iommu->map(dom, 0x90000000, 0x90000000, 0x1000, 3), 0);
		assert_int_equal(b->iommu->unmap(dom, 0x90000000, 0x1000), 0);
		b->iommu->close(dom);
		rproc_backend_destroy(b);
	}
}

/*
 * A view of a range that starts and ends inside pages (a minidump region, a segment of a
 * coredump): mapped, pointing at its first byte, and unmapped whole.
 */
static void unaligned_view(struct rproc_backend *b)
{
	long page = sysconf(_SC_PAGESIZE);
	struct rproc_mem_map m;

	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000010, 0x28, false, &m), 0);
	assert_int_equal((uintptr_t)m.va & (uintptr_t)(page - 1), 0x10);
	assert_int_equal(m.phys, 0x90000010);
	assert_int_equal(m.size, 0x28);
	assert_int_equal(fk.live_mmaps, 1);
	b->mem->unmap(b->mem_ctx, &m); /* the fake aborts on a length it did not map */
	assert_int_equal(fk.live_mmaps, 0);
	/* across a page boundary */
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000 + (uint64_t)page - 8, 16, false, &m),
			 0);
	assert_int_equal(fk.live_mmaps, 1);
	b->mem->unmap(b->mem_ctx, &m);
	assert_int_equal(fk.live_mmaps, 0);
}

static void test_mem_providers(void **state)
{
	struct rproc_real_config c = config(RPROC_REAL_IOMMU_AUTO);
	struct rproc_error err = { 0 };
	struct rproc_backend *b;
	struct rproc_mem_map m;

	b = new_backend(RPROC_REAL_IOMMU_AUTO);
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000, 0x4000, true, &m), 0);
	assert_true(m.write_combined);
	assert_int_equal(fk.live_mmaps, 1);
	b->mem->unmap(b->mem_ctx, &m);
	assert_null(m.va);
	assert_int_equal(fk.live_mmaps, 0);
	/* the shim's mmap takes whole pages too */
	unaligned_view(b);
	assert_true(m.write_combined);
	rproc_backend_destroy(b);

	c.carveout = RPROC_REAL_CARVEOUT_DEVMEM;
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000, 0x4000, true, &m), 0);
	assert_false(m.write_combined); /* Device memory: aligned accesses only */
	assert_int_equal(fk_count(FK_OPEN(FK_DEVMEM)), 1);
	b->mem->unmap(b->mem_ctx, &m);
	/* /dev/mem maps whole pages; a view of any range is one of the pages around it */
	unaligned_view(b);
	rproc_backend_destroy(b);

	/* /dev/mem errors name the cause. */
	fk_fail(FK_OPEN(FK_DEVMEM), fk_count(FK_OPEN(FK_DEVMEM)) + 1, EACCES);
	c.carveout = RPROC_REAL_CARVEOUT_DEVMEM;
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000, 0x4000, true, &m), -EACCES);
	fk_remove("mem");
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000, 0x4000, true, &m), -ENOENT);
	rproc_backend_destroy(b);

	/* shim forced but not offered. */
	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS;
	c.carveout = RPROC_REAL_CARVEOUT_SHIM;
	assert_int_equal(rproc_real_backend_new(&c, &b, &err), 0);
	assert_int_equal(b->mem->map(b->mem_ctx, 0x90000000, 0x4000, true, &m), -EOPNOTSUPP);
	rproc_backend_destroy(b);
}

static void test_irqs(void **state)
{
	struct rproc_backend *b;
	int fds[RPROC_IRQ_COUNT];
	uint64_t one = 1;

	fk.irq_flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_AUTOMASKED;
	b = new_backend(RPROC_REAL_IOMMU_TYPE1);
	assert_int_equal(b->irq->open(b->irq_ctx, &desc, fds), 0);
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		assert_true(fds[i] >= 0);
	/* wdog from vfio-platform, the SMP2P bits from the shim (doc/iommu.md#interrupts). */
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 1);
	assert_int_equal(fk.shim_irq_efd[QCOM_SCM_SHIM_IRQ_WDOG], -1);
	assert_int_equal(fk.shim_irq_efd[QCOM_SCM_SHIM_IRQ_READY], fds[RPROC_IRQ_READY]);
	assert_int_equal(fk.shim_irq_efd[QCOM_SCM_SHIM_IRQ_STOP_ACK], fds[RPROC_IRQ_STOP_ACK]);
	{
		const struct qcom_scm_shim_irq *r = (const void *)fk_find(QCOM_SCM_SHIM_SET_IRQ_EVENTFD,
									   0)->arg;

		assert_string_equal(r->device, "30000000.remoteproc");
	}
	/* Ack consumes the event and re-enables a level (automasked) interrupt. */
	assert_int_equal(write(fds[RPROC_IRQ_WDOG], &one, sizeof(one)), sizeof(one));
	assert_int_equal(b->irq->ack(b->irq_ctx, &desc, RPROC_IRQ_WDOG), 0);
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 2);
	/* Nothing pending: not an interrupt. */
	assert_int_equal(b->irq->ack(b->irq_ctx, &desc, RPROC_IRQ_READY), -EAGAIN);
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 2);
	assert_int_equal(write(fds[RPROC_IRQ_READY], &one, sizeof(one)), sizeof(one));
	assert_int_equal(b->irq->ack(b->irq_ctx, &desc, RPROC_IRQ_READY), 0);
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 2); /* shim eventfds need no unmask */
	b->irq->close(b->irq_ctx, &desc);
	assert_int_equal(fk.shim_irq_efd[QCOM_SCM_SHIM_IRQ_READY], -1);
	assert_int_equal(fk_count(VFIO_DEVICE_SET_IRQS), 3);
	rproc_backend_destroy(b);
}

static void test_irqs_missing_sources(void **state)
{
	struct rproc_backend *b;
	int fds[RPROC_IRQ_COUNT];

	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS;
	fk.n_irqs = 1; /* vfio-platform delivers only wdog */
	b = new_backend(RPROC_REAL_IOMMU_TYPE1);
	assert_int_equal(b->irq->open(b->irq_ctx, &desc, fds), 0);
	assert_true(fds[RPROC_IRQ_WDOG] >= 0);
	for (int i = RPROC_IRQ_FATAL; i < RPROC_IRQ_COUNT; i++)
		assert_int_equal(fds[i], -1);
	assert_int_equal(logs_with("no source for fatal, ready, handover, stop-ack"), 1);
	rproc_backend_destroy(b);
}

static void test_device_not_ready(void **state)
{
	struct rproc_backend *b = new_backend(RPROC_REAL_IOMMU_AUTO);
	char p[1024];
	void *dom;

	snprintf(p, sizeof(p), "%s/devices/platform/30000000.remoteproc/driver", fk.sys_root);
	assert_int_equal(unlink(p), 0);
	assert_true(b->iommu->open(b->iommu_ctx, &desc, &dom) < 0);
	assert_int_equal(logs_with("no driver"), 1);
	assert_int_equal(fk_count(FK_OPEN(FK_CONTAINER)) + fk_count(FK_OPEN(FK_IOMMUFD)), 0);
	rproc_backend_destroy(b);
}

static void test_export_adopt(void **state)
{
	struct rproc_backend *b1, *b2;
	struct rproc_fd_entry e[16];
	int fds[RPROC_IRQ_COUNT];
	unsigned int before;
	size_t n = 0;
	void *dom;

	b1 = new_backend(RPROC_REAL_IOMMU_TYPE1);
	assert_int_equal(b1->iommu->open(b1->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b1->irq->open(b1->irq_ctx, &desc, fds), 0);
	assert_int_equal(b1->iommu->map(dom, 0x90000000, 0x90000000, 0x100000, 3), 0);
	assert_int_equal(b1->export_fds(b1, e, ARRAY_SIZE(e), &n), 0);
	assert_int_equal(n, 1 + 3 + RPROC_IRQ_COUNT);
	assert_string_equal(e[0].name, "shim");
	assert_string_equal(e[1].name, "30000000.remoteproc.container");
	assert_string_equal(e[4].name, "30000000.remoteproc.irq.wdog.vfio");
	assert_string_equal(e[5].name, "30000000.remoteproc.irq.fatal.shim");
	/* The service manager keeps copies; the daemon lets the (running) core go: parked. */
	for (size_t i = 0; i < n; i++)
		e[i].fd = fk_dup(e[i].fd);
	before = fk.n_calls;
	b1->irq->close(b1->irq_ctx, &desc);
	b1->iommu->close(dom);
	assert_int_equal(fk.n_calls, before);
	{
		void *again;

		assert_int_equal(b1->iommu->open(b1->iommu_ctx, &desc, &again), 0);
		assert_ptr_equal(again, dom); /* the parked context, no group re-open */
		assert_int_equal(fk.n_calls, before);
	}
	/* ... and exits. */
	rproc_backend_destroy(b1);
	assert_int_equal(fk.n_calls, before); /* no UNSET_CONTAINER, no irq teardown */
	assert_int_equal(fk.n_maps, 1);

	/* The restarted daemon re-adopts without unmapping or re-arming; an fd that is not
	 * the backend's stays with the caller. */
	b2 = new_backend(RPROC_REAL_IOMMU_TYPE1);
	snprintf(e[n].name, sizeof(e[n].name), "daemon-state");
	e[n].fd = dup(0);
	snprintf(e[n + 1].name, sizeof(e[n + 1].name), "shim"); /* not a shim: refused */
	e[n + 1].fd = dup(0);
	assert_int_equal(b2->adopt_fds(b2, e, n + 2), (int)n);
	assert_true(e[n].fd >= 0);
	assert_true(e[n + 1].fd >= 0);
	close(e[n].fd);
	close(e[n + 1].fd);
	before = fk.n_calls;
	assert_int_equal(b2->iommu->open(b2->iommu_ctx, &desc, &dom), 0);
	assert_int_equal(b2->irq->open(b2->irq_ctx, &desc, fds), 0);
	/* Only reads: the ranges and the wdog trigger's level/edge type. */
	for (unsigned int i = before; i < fk.n_calls; i++)
		if (fk.calls[i].req != VFIO_IOMMU_GET_INFO &&
		    fk.calls[i].req != VFIO_DEVICE_GET_IRQ_INFO)
			fail_msg("unexpected call 0x%lx after adoption", fk.calls[i].req);
	assert_int_equal(fk_count(VFIO_DEVICE_GET_IRQ_INFO), 2);
	assert_int_equal(fk.n_maps, 1);
	assert_int_equal(b2->iommu->unmap(dom, 0x90000000, 0x100000), 0);
	rproc_backend_destroy(b2);
	assert_int_equal(fk.n_maps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_config_strings),
		T(test_no_shim),
		T(test_degrade),
		T(test_votes),
		T(test_bridged_auth),
		T(test_glink_core),
		T(test_iommufd_map_file),
		T(test_fallback_to_type1),
		T(test_fallback_fails),
		T(test_forced_iommufd_no_fallback),
		T(test_map_outside_ranges),
		T(test_twenty_ranges),
		T(test_mem_providers),
		T(test_irqs),
		T(test_irqs_missing_sources),
		T(test_device_not_ready),
		T(test_export_adopt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
