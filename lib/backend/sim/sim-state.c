// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every part of the simulated SoC shares, below all of them: the lookups in its shared
 * state (cores, PAS ids, memory regions), the fault-injection rules each operation consults,
 * the interrupt lines the DSPs raise and the DSP thread's wake-up.  Nothing here calls
 * another file of the simulator.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "rproc/error.h"
#include "sim-priv.h"
#include "string-table.h"
#include "util.h"

/* NULL-terminated: rproc_sim_ops() hands it out as the list of names fail= accepts */
static const char *const sim_op_table[SIM_OP_COUNT + 1] = {
	[SIM_OP_IS_SUPPORTED] = "is_supported",
	[SIM_OP_INIT_IMAGE] = "init_image",
	[SIM_OP_MEM_SETUP] = "mem_setup",
	[SIM_OP_AUTH_AND_RESET] = "auth_and_reset",
	[SIM_OP_SHUTDOWN] = "shutdown",
	[SIM_OP_METADATA_RELEASE] = "metadata_release",
	[SIM_OP_SET_REMOTE_STATE] = "set_remote_state",
	[SIM_OP_GET_RSC_TABLE] = "get_rsc_table",
	[SIM_OP_SHM_BRIDGE_CREATE] = "shm_bridge_create",
	[SIM_OP_SHM_BRIDGE_DELETE] = "shm_bridge_delete",
	[SIM_OP_SHM_BRIDGE_RELEASE] = "shm_bridge_release",
	[SIM_OP_PROXY_VOTE] = "proxy_vote",
	[SIM_OP_PROXY_UNVOTE] = "proxy_unvote",
	[SIM_OP_LOAD_STATE] = "load_state",
	[SIM_OP_STOP_BIT] = "stop_bit",
	[SIM_OP_GLINK] = "glink",
	[SIM_OP_CORE_QUERY] = "core_query",
	[SIM_OP_CRASH_REASON] = "crash_reason",
	[SIM_OP_SMEM_READ] = "smem_read",
	[SIM_OP_IOMMU_OPEN] = "iommu_open",
	[SIM_OP_IOVA_RANGES] = "iova_ranges",
	[SIM_OP_IOMMU_MAP] = "iommu_map",
	[SIM_OP_IOMMU_UNMAP] = "iommu_unmap",
	[SIM_OP_MEM_MAP] = "mem_map",
	[SIM_OP_IRQ_OPEN] = "irq_open",
	[SIM_OP_COUNT] = NULL,
};

const char *const *rproc_sim_ops(unsigned int *n)
{
	if (n)
		*n = SIM_OP_COUNT;
	return sim_op_table;
}

DEFINE_STRING_TABLE_LOOKUP(sim_op, enum sim_op);

/* Count a call of @op and apply the fault-injection rules.  Called with s->lock held. */
int sim_fault(struct sim *s, enum sim_op op, int core)
{
	s->calls[op]++;
	if (core >= 0 && core < SIM_MAX_CORES)
		s->core_calls[core][op]++;
	for (unsigned int i = 0; i < s->cfg.n_fails; i++) {
		struct sim_fail *f = &s->cfg.fails[i];

		if (f->op != (int)op || (f->core >= 0 && f->core != core))
			continue;
		f->seen++;
		if (f->nth == 0 || f->seen == f->nth) {
			rproc_log(RPROC_LOG_NOTICE, core >= 0 ? s->sh->cores[core].name : NULL,
				  "sim", f->err, "injected failure of %s (call %u): %d",
				  sim_op_to_string(op), f->seen, f->err);
			return f->err;
		}
	}
	return 0;
}

int sim_core_by_name(const struct sim *s, const char *name)
{
	for (unsigned int i = 0; i < s->sh->n_cores; i++)
		if (!strcmp(s->sh->cores[i].name, name))
			return (int)i;
	return -1;
}

struct sim_pas *sim_pas_by_id(struct sim *s, uint32_t pas_id)
{
	for (unsigned int i = 0; i < s->sh->n_pas; i++)
		if (s->sh->pas[i].pas_id == (int32_t)pas_id)
			return &s->sh->pas[i];
	return NULL;
}

struct sim_region *sim_region_of(struct sim *s, uint64_t pa, uint64_t len)
{
	for (unsigned int i = 0; i < s->sh->n_regions; i++) {
		struct sim_region *r = &s->sh->regions[i];

		if (pa >= r->base && range_within(pa - r->base, len, r->size))
			return r;
	}
	return NULL;
}

/* The simulator's own view of physical [pa, pa + len), or NULL outside every carveout. */
uint8_t *sim_phys(struct sim *s, uint64_t pa, uint64_t len)
{
	struct sim_region *r = sim_region_of(s, pa, len);

	return r ? s->mem + r->off + (pa - r->base) : NULL;
}

void sim_raise(struct sim *s, unsigned int core, enum rproc_irq irq)
{
	uint64_t one = 1;
	int fd = s->local[core].irq[irq];

	rproc_log(RPROC_LOG_DEBUG, s->sh->cores[core].name, "sim", 0, "DSP raises %s",
		  rproc_irq_name(irq));
	if (fd >= 0 && write(fd, &one, sizeof(one)) != sizeof(one))
		rproc_log(RPROC_LOG_WARNING, s->sh->cores[core].name, "sim", -errno,
			  "cannot raise %s", rproc_irq_name(irq));
}

void sim_kick(struct sim *s)
{
	pthread_cond_signal(&s->cond);
}
