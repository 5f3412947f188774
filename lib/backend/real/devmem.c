// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/mem fallback for carveout CPU access (doc/iommu.md#cpu-access).
 * read()/write() are refused for a
 * no-map range, mmap works; arm64 gives it Device-nGnRnE attributes, which is why every copy
 * into it goes through rproc_io_copy() (aligned stores, no DC ZVA).  O_SYNC asks for an
 * uncached view on architectures where that matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devmem.h"

int rproc_devmem_map(const char *path, uint64_t phys, uint64_t size, bool writable, void **va,
		     struct rproc_error *err)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	int fd, r;

	if (!path)
		path = RPROC_DEVMEM_PATH;
	if (page <= 0)
		page = 4096;
	if (!size || !IS_ALIGNED(phys, (uint64_t)page) || !IS_ALIGNED(size, (uint64_t)page))
		return rproc_err(err, -EINVAL,
				 "%s: 0x%" PRIx64 "+0x%" PRIx64 " is not page aligned", path, phys,
				 size);
	if (phys > (uint64_t)INT64_MAX || size > SIZE_MAX)
		return rproc_err(err, -EOVERFLOW, "%s: 0x%" PRIx64 " out of range", path, phys);
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		return rproc_err(err, r, "open %s: %s%s", path, strerror(-r),
				 r == -ENOENT ? ": the kernel lacks CONFIG_DEVMEM; load the "
						"qcom-scm shim for a carveout mmap"
				 : r == -EACCES || r == -EPERM
					 ? ": needs CAP_SYS_RAWIO (run as root, or use the shim)"
					 : "");
	}
	p = mmap(NULL, (size_t)size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fd,
		 (off_t)phys);
	r = p == MAP_FAILED ? -errno : 0;
	close(fd);
	if (r < 0)
		return rproc_err(err, r,
				 "mmap %s 0x%" PRIx64 "+0x%" PRIx64 ": %s%s", path, phys, size,
				 strerror(-r),
				 r == -EPERM ? ": CONFIG_STRICT_DEVMEM refuses it; is the carveout "
					       "no-map reserved memory?"
					     : "");
	*va = p;
	return 0;
}
