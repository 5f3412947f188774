// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated apps SMMU: one IOVA -> PA table per stream (one stream per remote processor,
 * from its `iommus`), with the checks the kernel and the hardware apply: 4 KiB granules, no
 * overlap, R and/or W, nothing inside the arm-smmu software MSI window (doc/iommu.md#msi-window).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/error.h"
#include "sim-priv.h"
#include "util.h"

unsigned int sim_smmu_count(struct sim *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < SIM_MAX_MAPS; i++)
		n += !!s->sh->maps[i].used;
	return n;
}

/*
 * Does @core's stream translate every byte of [iova, iova + len) with @prot (and, if
 * @identity, to the same physical address)?  On a miss *@fault_iova is the first bad IOVA.
 */
bool sim_smmu_covers(struct sim *s, unsigned int core, uint64_t iova, uint64_t len,
		     uint32_t prot, bool identity, uint64_t *fault_iova)
{
	uint64_t pos = iova, end;

	if (add_overflows(iova, len, &end)) {
		*fault_iova = iova;
		return false;
	}
	while (pos < end) {
		const struct sim_map *hit = NULL;

		for (unsigned int i = 0; i < SIM_MAX_MAPS; i++) {
			const struct sim_map *m = &s->sh->maps[i];

			if (m->used && m->core == core && pos >= m->iova &&
			    pos - m->iova < m->size) {
				hit = m;
				break;
			}
		}
		if (!hit || (hit->prot & prot) != prot ||
		    (identity && hit->pa != hit->iova)) {
			*fault_iova = pos;
			return false;
		}
		pos = hit->iova + hit->size;
	}
	return true;
}

static int sim_iommu_open(void *ctx, const struct rproc_desc *d, void **dom)
{
	struct sim *s = ctx;
	struct sim_domain *sd;
	int core, r;

	pthread_mutex_lock(&s->lock);
	core = sim_core_by_name(s, d->name);
	r = sim_fault(s, SIM_OP_IOMMU_OPEN, core);
	if (r)
		goto out;
	if (core < 0 || !s->sh->cores[core].has_stream) {
		rproc_log(RPROC_LOG_ERR, d->name, "sim", -ENODEV,
			  "no SMMU stream for this device (no iommus in the device tree)");
		r = -ENODEV;
		goto out;
	}
	if (s->local[core].domain_open) {
		r = -EBUSY;
		goto out;
	}
	sd = calloc(1, sizeof(*sd));
	if (!sd) {
		r = -ENOMEM;
		goto out;
	}
	sd->sim = s;
	sd->core = (unsigned int)core;
	s->local[core].domain_open = true;
	s->domains++;
	*dom = sd;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int sim_iova_ranges(void *dom, struct rproc_iova_range *rg, size_t max, size_t *n)
{
	struct sim_domain *sd = dom;
	struct sim *s = sd->sim;
	static const struct rproc_iova_range usable[] = {
		{ 0, SIM_MSI_BASE - 1 },
		{ SIM_MSI_LAST + 1, SIM_IOVA_LAST },
	};
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_IOVA_RANGES, (int)sd->core);
	pthread_mutex_unlock(&s->lock);
	if (r)
		return r;
	*n = ARRAY_SIZE(usable);
	for (size_t i = 0; i < ARRAY_SIZE(usable) && i < max; i++)
		rg[i] = usable[i];
	return 0;
}

static int sim_iommu_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct sim_domain *sd = dom;
	struct sim *s = sd->sim;
	const char *name = s->sh->cores[sd->core].name;
	uint64_t last;
	int r, slot = -1;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_IOMMU_MAP, (int)sd->core);
	if (r)
		goto out;
	if (!size || !IS_ALIGNED(iova | pa | size, SIM_PAGE) ||
	    add_overflows(iova, size - 1, &last) || pa + (size - 1) < pa) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EINVAL,
			  "SMMU: map iova 0x%llx pa 0x%llx size 0x%llx is not 4 KiB aligned",
			  (unsigned long long)iova, (unsigned long long)pa,
			  (unsigned long long)size);
		r = -EINVAL;
		goto out;
	}
	if (!(prot & (RPROC_IOMMU_READ | RPROC_IOMMU_WRITE))) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -EINVAL,
			  "SMMU: map at 0x%llx with neither read nor write permission",
			  (unsigned long long)iova);
		r = -EINVAL;
		goto out;
	}
	if (last > SIM_IOVA_LAST || (iova <= SIM_MSI_LAST && last >= SIM_MSI_BASE)) {
		rproc_log(RPROC_LOG_ERR, name, "sim", -ERANGE,
			  "SMMU: [0x%llx, 0x%llx] is outside the usable IOVA space (MSI window "
			  "0x%llx-0x%llx)",
			  (unsigned long long)iova, (unsigned long long)last, SIM_MSI_BASE,
			  SIM_MSI_LAST);
		r = -ERANGE;
		goto out;
	}
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &s->sh->maps[i];

		if (!m->used) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (m->core == sd->core && ranges_overlap(m->iova, m->size, iova, size)) {
			rproc_log(RPROC_LOG_ERR, name, "sim", -EEXIST,
				  "SMMU: [0x%llx, +0x%llx) overlaps the mapping at 0x%llx",
				  (unsigned long long)iova, (unsigned long long)size,
				  (unsigned long long)m->iova);
			r = -EEXIST;
			goto out;
		}
	}
	if (slot < 0) {
		r = -ENOSPC;
		goto out;
	}
	s->sh->maps[slot] = (struct sim_map){
		.used = 1, .core = sd->core, .prot = prot, .iova = iova, .pa = pa, .size = size
	};
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int sim_iommu_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct sim_domain *sd = dom;
	struct sim *s = sd->sim;
	unsigned int hits = 0;
	int r;

	pthread_mutex_lock(&s->lock);
	r = sim_fault(s, SIM_OP_IOMMU_UNMAP, (int)sd->core);
	if (r)
		goto out;
	/* Like IOMMU_IOAS_UNMAP: a range that cuts a mapping fails and changes nothing. */
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &s->sh->maps[i];

		if (!m->used || m->core != sd->core ||
		    !ranges_overlap(m->iova, m->size, iova, size))
			continue;
		if (m->iova < iova || m->iova + m->size > iova + size) {
			r = -EINVAL;
			goto out;
		}
		hits++;
	}
	if (!hits) {
		r = -ENOENT;
		goto out;
	}
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &s->sh->maps[i];

		if (m->used && m->core == sd->core && ranges_overlap(m->iova, m->size, iova, size))
			memset(m, 0, sizeof(*m));
	}
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Closing the context forgets the handle only: the stream's table lives on (fd store). */
static void sim_iommu_close(void *dom)
{
	struct sim_domain *sd = dom;
	struct sim *s;

	if (!sd)
		return;
	s = sd->sim;
	pthread_mutex_lock(&s->lock);
	s->local[sd->core].domain_open = false;
	s->domains--;
	pthread_mutex_unlock(&s->lock);
	free(sd);
}

const struct rproc_iommu_ops sim_iommu_ops = {
	.open = sim_iommu_open,
	.iova_ranges = sim_iova_ranges,
	.map = sim_iommu_map,
	.unmap = sim_iommu_unmap,
	.close = sim_iommu_close,
};
