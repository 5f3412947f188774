/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scripted fake kernel for the real backend's system calls.  Test binaries link the
 * backend sources with -Wl,--wrap=open64,--wrap=close,--wrap=ioctl,--wrap=mmap64,--wrap=munmap:
 * paths under fk.dev_root become fake device nodes (VFIO container/group/device, /dev/iommu,
 * the qcom-scm shim, /dev/mem) backed by real /dev/null fds; everything else passes through.
 * Every ioctl on a fake node is logged with a copy of its argument struct; errors are scripted
 * per request; every fd and mmap is tracked so a test can assert nothing leaked.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fk_role {
	FK_NONE,
	FK_CONTAINER,
	FK_GROUP,
	FK_DEVICE,
	FK_IOMMUFD,
	FK_SHIM,
	FK_DEVMEM,
};

struct fk_call {
	enum fk_role role;
	unsigned long req;
	uint8_t arg[256]; /* copy of the argument struct as passed (before the fake answered) */
	uint64_t value;   /* integer argument (SET_IOMMU, CHECK_EXTENSION) */
	int ret;          /* 0 or -errno */
};

struct fk_map {
	uint64_t iova, size, va;
	uint32_t flags;
};

#define FK_MAX_CALLS 256
#define FK_MAX_MAPS 32

struct fk_state {
	char root[256];     /* temp dir: <root>/dev, <root>/sys */
	char dev_root[300]; /* <root>/dev */
	char sys_root[300]; /* <root>/sys */

	/* kernel configuration */
	uint64_t ranges[32][2]; /* usable IOVA ranges, inclusive */
	unsigned int n_ranges;
	bool group_not_viable;
	bool type1_no_iova_cap;
	int type1_cap_next;    /* >= 0: force the IOVA cap header's next (bad chains) */
	uint32_t type1_cap_nr; /* != 0: claim this many ranges in the cap (truncation) */
	int api_version;       /* VFIO_GET_API_VERSION answer */
	bool no_type1v2;
	bool pfnmap_va_faults_iommufd; /* IOAS_MAP of a fake mmap -> EFAULT (real kernels) */
	unsigned int n_irqs;           /* VFIO device IRQ indexes with EVENTFD */
	uint32_t irq_flags;

	/* shim */
	uint32_t shim_major, shim_minor, shim_flags;
	uint64_t shim_caps;
	uint32_t shim_core_state, shim_core_levels, shim_core_levels_valid; /* CORE answers */
	uint64_t rsctable_size;  /* what TZ returns */
	uint64_t shim_result;    /* out_result of PAS calls */
	uint64_t smem_len;       /* != 0: SMEM items are this many bytes of 'A' */

	/* scripted failures: the nth (1-based) call of req fails with err */
	struct {
		unsigned long req;
		unsigned int nth;
		int err;
	} fail[8];
	unsigned int n_fail;

	/* observations */
	struct fk_call calls[FK_MAX_CALLS];
	unsigned int n_calls;
	struct fk_map maps[FK_MAX_MAPS]; /* live IOMMU mappings (type1 or iommufd) */
	unsigned int n_maps;
	int open_fakes;   /* fake fds currently open */
	int live_mmaps;   /* fake mmaps not yet munmapped */
	unsigned int ioas_allocs, ioas_destroys;
	int shim_irq_efd[5];
};

extern struct fk_state fk;

/* Pseudo request numbers: opens are logged (and can be scripted) like ioctls. */
#define FK_OPEN(role) (0xF0000000UL | (role))

/* dup() a fake fd, as the service manager's fd store would hold a copy of it. */
int fk_dup(int fd);

/* Reset the state, create a temp tree with one platform device "30000000.remoteproc" in
 * IOMMU group 5 with cdev vfio0, and the dev nodes vfio/vfio, vfio/5, vfio/devices/vfio0,
 * iommu, qcom_scm_shim, mem.  Returns the device's syspath. */
const char *fk_setup(void);
void fk_teardown(void);
/* Remove a fake node (e.g. "iommu") or the device's vfio-dev dir ("vfio-dev"). */
void fk_remove(const char *rel);
void fk_fail(unsigned long req, unsigned int nth, int err);
/* Number of logged calls with @req, and the i-th (0-based) such call. */
unsigned int fk_count(unsigned long req);
const struct fk_call *fk_find(unsigned long req, unsigned int i);
/* The logged request numbers, in order, for sequence assertions. */
void fk_sequence(unsigned long *out, unsigned int *n, unsigned int max);

#endif
