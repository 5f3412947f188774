/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device-tree discovery of PAS remote processors.
 *
 * rproc_dt_parse() is pure: a flattened tree in, a list of descriptions out, every read
 * bounds-checked through libfdt.  Errors name the node and the property.
 */
#ifndef RPROC_DT_H
#define RPROC_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rproc/error.h>
#include <rproc/soc.h>

#define RPROC_DT_MAX_FW 4
#define RPROC_DT_MAX_REGIONS 8 /* sm8650/sdx75 modems list 5 (region_assign) */
#define RPROC_DT_MAX_IOMMUS 4
#define RPROC_DT_MAX_IRQS 8
#define RPROC_DT_MAX_STATES 4
#define RPROC_DT_IOMMU_CELLS 4

struct rproc_dt_carveout {
	char node[256]; /* path of the reserved-memory node */
	uint64_t base;
	uint64_t size;
	bool no_map;
};

struct rproc_dt_iommu {
	char smmu[256];  /* path of the IOMMU node the phandle points to */
	uint32_t ncells; /* that node's #iommu-cells */
	uint32_t cells[RPROC_DT_IOMMU_CELLS];
	uint32_t sid;    /* cells[0] */
	uint32_t mask;   /* cells[1] if ncells >= 2, else 0 */
};

/* One row of the seed series' qcom,devmem matrix (doc/devicetree.md#device-memory), or a
 * resource-table DEVMEM. */
struct rproc_devmem {
	uint64_t da;    /* device address (IOVA) */
	uint64_t pa;    /* physical address */
	uint64_t len;
	uint32_t flags; /* IOMMU_READ 1, WRITE 2, CACHE 4, NOEXEC 8, MMIO 0x10, PRIV 0x20 */
	char name[32];
};

struct rproc_dt_rproc {
	char name[32];        /* short unique name: adsp, cdsp0, ... */
	char compatible[128]; /* the *-pas entry */
	char node[256];       /* full node path */
	char device[128];     /* Linux platform device name, e.g. 30000000.remoteproc */
	char status[16];      /* "okay" when absent */
	bool enabled;
	const struct rproc_soc_data *soc; /* NULL if the compatible is not in the SoC table */

	unsigned int n_firmware;
	char firmware[RPROC_DT_MAX_FW][256]; /* firmware-name entries: main, then DTB image */

	unsigned int n_carveouts;
	struct rproc_dt_carveout carveouts[RPROC_DT_MAX_REGIONS]; /* memory-region order */

	unsigned int n_iommus;
	struct rproc_dt_iommu iommus[RPROC_DT_MAX_IOMMUS];

	unsigned int n_irqs;
	char irq_names[RPROC_DT_MAX_IRQS][16]; /* interrupt-names */

	unsigned int n_smem_states;
	char smem_state_names[RPROC_DT_MAX_STATES][16]; /* qcom,smem-state-names */

	size_t n_devmem;
	struct rproc_devmem *devmem; /* qcom,devmem rows, NULL if absent */

	/*
	 * A problem of this node alone (a property it cannot be used with, a carveout that
	 * overlaps another core's or another reserved-memory region): negative errno and the
	 * message naming the node and the property, 0 and "" if none.  The entry is kept so
	 * that the core is listed with the reason; rproc_desc_from_dt() refuses it.  What was
	 * read before the problem is filled in, the rest is empty.
	 */
	int error;
	char error_msg[RPROC_ERROR_MAX];
};

struct rproc_dt {
	size_t n;
	struct rproc_dt_rproc *rprocs;
	char model[128]; /* /model, "" if absent */
	char soc_compatible[128]; /* first /compatible entry */
};

/*
 * rproc_dt_parse() - find every node with a "*-pas" compatible in the flattened tree @blob of
 * @len bytes.  Disabled nodes are kept (enabled = false); unknown compatibles are kept with
 * soc = NULL; a node with a problem of its own is kept with error set (see above), so one bad
 * node does not hide the others.  Only a tree that cannot be read as a whole fails.  On
 * success *@out is owned by the caller (rproc_dt_free()).
 */
int rproc_dt_parse(const void *blob, size_t len, struct rproc_dt **out, struct rproc_error *err);
void rproc_dt_free(struct rproc_dt *dt);

/* Lookup by short name; NULL if none. */
const struct rproc_dt_rproc *rproc_dt_find(const struct rproc_dt *dt, const char *name);

/*
 * rproc_dt_read_file() - read a DTB file (NULL = the live tree, /sys/firmware/fdt) into a
 * malloc'd buffer and check its header and total size.  This is the only I/O of this module.
 */
#define RPROC_DT_LIVE "/sys/firmware/fdt"
int rproc_dt_read_file(const char *path, void **blob, size_t *len, struct rproc_error *err);

#endif
