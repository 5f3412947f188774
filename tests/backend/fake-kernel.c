// SPDX-License-Identifier: GPL-2.0-or-later
/* The scripted fake kernel: see fake-kernel.h. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/iommufd.h"
#include "compat/vfio-cdev.h"
#include "fake-kernel.h"
#include "rproc/qcom-scm-shim.h"
#include "util.h"

struct fk_state fk;

#define MAX_FD 1024
static enum fk_role roles[MAX_FD];
static int files[MAX_FD]; /* open-file identity: dups share it */
static int next_file = 1;
static struct {
	void *va;
	size_t len;
} mmaps[64];
static char syspath[512];

int __real_open64(const char *path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

static void mkpath(const char *rel, bool file)
{
	char p[1024], *s;

	snprintf(p, sizeof(p), "%s/%s", fk.root, rel);
	for (s = p + strlen(fk.root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	if (file) {
		int fd = __real_open64(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);

		if (fd >= 0)
			__real_close(fd);
	} else {
		mkdir(p, 0755);
	}
}

static void mklink(const char *rel, const char *target)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", fk.root, rel);
	if (symlink(target, p) < 0)
		abort();
}

const char *fk_setup(void)
{
	memset(&fk, 0, sizeof(fk));
	memset(roles, 0, sizeof(roles));
	memset(files, 0, sizeof(files));
	memset(mmaps, 0, sizeof(mmaps));
	snprintf(fk.root, sizeof(fk.root), "/tmp/rprocd-fk-XXXXXX");
	if (!mkdtemp(fk.root))
		abort();
	snprintf(fk.dev_root, sizeof(fk.dev_root), "%s/dev", fk.root);
	snprintf(fk.sys_root, sizeof(fk.sys_root), "%s/sys", fk.root);
	mkpath("dev/vfio/vfio", true);
	mkpath("dev/vfio/5", true);
	mkpath("dev/vfio/devices/vfio0", true);
	mkpath("dev/iommu", true);
	mkpath("dev/qcom_scm_shim", true);
	mkpath("dev/mem", true);
	mkpath("sys/devices/platform/30000000.remoteproc/vfio-dev/vfio0", false);
	mkpath("sys/kernel/iommu_groups/5/devices", false);
	mkpath("sys/bus/platform/devices", false);
	mkpath("sys/bus/platform/drivers/vfio-platform", false);
	mklink("sys/devices/platform/30000000.remoteproc/iommu_group",
	       "../../../kernel/iommu_groups/5");
	mklink("sys/devices/platform/30000000.remoteproc/driver",
	       "../../../bus/platform/drivers/vfio-platform");
	mklink("sys/kernel/iommu_groups/5/devices/30000000.remoteproc",
	       "../../../../devices/platform/30000000.remoteproc");
	mklink("sys/bus/platform/devices/30000000.remoteproc",
	       "../../../devices/platform/30000000.remoteproc");
	snprintf(syspath, sizeof(syspath), "%s/sys/devices/platform/30000000.remoteproc", fk.root);

	fk.ranges[0][0] = 0;
	fk.ranges[0][1] = 0x7ffffff;
	fk.ranges[1][0] = 0x8100000;
	fk.ranges[1][1] = 0xffffffffffULL;
	fk.n_ranges = 2;
	fk.pfnmap_va_faults_iommufd = true;
	fk.type1_cap_next = -1;
	fk.n_irqs = 5;
	fk.irq_flags = VFIO_IRQ_INFO_EVENTFD;
	fk.shim_major = QCOM_SCM_SHIM_VERSION_MAJOR;
	fk.shim_minor = QCOM_SCM_SHIM_VERSION_MINOR;
	fk.shim_caps = ~0ULL;
	fk.rsctable_size = 64;
	for (int i = 0; i < 5; i++)
		fk.shim_irq_efd[i] = -1;
	return syspath;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

void fk_teardown(void)
{
	nftw(fk.root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void fk_remove(const char *rel)
{
	char p[1024];

	if (!strcmp(rel, "vfio-dev")) {
		snprintf(p, sizeof(p), "%s/vfio-dev", syspath);
		nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		return;
	}
	snprintf(p, sizeof(p), "%s/%s", fk.dev_root, rel);
	unlink(p);
}

void fk_fail(unsigned long req, unsigned int nth, int err)
{
	fk.fail[fk.n_fail].req = req;
	fk.fail[fk.n_fail].nth = nth;
	fk.fail[fk.n_fail].err = err;
	fk.n_fail++;
}

unsigned int fk_count(unsigned long req)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fk.n_calls; i++)
		n += fk.calls[i].req == req;
	return n;
}

const struct fk_call *fk_find(unsigned long req, unsigned int nth)
{
	for (unsigned int i = 0; i < fk.n_calls; i++)
		if (fk.calls[i].req == req && nth-- == 0)
			return &fk.calls[i];
	return NULL;
}

void fk_sequence(unsigned long *out, unsigned int *n, unsigned int max)
{
	*n = 0;
	for (unsigned int i = 0; i < fk.n_calls && *n < max; i++)
		out[(*n)++] = fk.calls[i].req;
}

/* Scripted failure for the current (already logged) call of @req? */
static int scripted(unsigned long req)
{
	unsigned int seen = 0;

	for (unsigned int i = 0; i < fk.n_calls; i++)
		seen += fk.calls[i].req == req;
	for (unsigned int i = 0; i < fk.n_fail; i++)
		if (fk.fail[i].req == req && fk.fail[i].nth == seen)
			return fk.fail[i].err;
	return 0;
}

static enum fk_role role_of(int fd)
{
	return fd >= 0 && fd < MAX_FD ? roles[fd] : FK_NONE;
}

static int new_fake(enum fk_role role)
{
	int fd = __real_open64("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0 || fd >= MAX_FD)
		abort();
	roles[fd] = role;
	files[fd] = next_file++;
	fk.open_fakes++;
	return fd;
}

int fk_dup(int fd)
{
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (n < 0 || n >= MAX_FD)
		abort();
	roles[n] = roles[fd];
	files[n] = files[fd];
	if (roles[n] != FK_NONE)
		fk.open_fakes++;
	return n;
}


int __wrap_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...)
{
	size_t l = strlen(fk.dev_root);
	enum fk_role role = FK_NONE;
	const char *rel;
	struct stat st;
	mode_t mode = 0;
	int err;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!fk.dev_root[0] || strncmp(path, fk.dev_root, l) || path[l] != '/')
		return __real_open64(path, flags, mode);
	rel = path + l + 1;
	if (!strcmp(rel, "vfio/vfio"))
		role = FK_CONTAINER;
	else if (!strncmp(rel, "vfio/devices/", 13))
		role = FK_DEVICE;
	else if (!strncmp(rel, "vfio/", 5))
		role = FK_GROUP;
	else if (!strcmp(rel, "iommu"))
		role = FK_IOMMUFD;
	else if (!strcmp(rel, "qcom_scm_shim"))
		role = FK_SHIM;
	else if (!strcmp(rel, "mem"))
		role = FK_DEVMEM;
	if (fk.n_calls < FK_MAX_CALLS) {
		memset(&fk.calls[fk.n_calls], 0, sizeof(fk.calls[0]));
		fk.calls[fk.n_calls].role = role;
		fk.calls[fk.n_calls].req = FK_OPEN(role);
		fk.n_calls++;
	}
	if (stat(path, &st) < 0) {
		errno = ENOENT;
		return -1;
	}
	err = scripted(FK_OPEN(role));
	if (err) {
		fk.calls[fk.n_calls - 1].ret = -err;
		errno = err;
		return -1;
	}
	return new_fake(role);
}

int __wrap_close(int fd);
int __wrap_close(int fd)
{
	enum fk_role r = role_of(fd);

	if (r != FK_NONE) {
		bool last = true;

		roles[fd] = FK_NONE;
		fk.open_fakes--;
		for (int i = 0; i < MAX_FD; i++)
			if (roles[i] != FK_NONE && files[i] == files[fd])
				last = false;
		/* The kernel drops every mapping of a domain with its file's last reference. */
		if (last && (r == FK_CONTAINER || r == FK_IOMMUFD))
			fk.n_maps = 0;
	}
	return __real_close(fd);
}

static bool in_fake_mmap(uint64_t va, uint64_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(mmaps); i++)
		if (mmaps[i].va && va >= (uintptr_t)mmaps[i].va &&
		    va + len <= (uintptr_t)mmaps[i].va + mmaps[i].len)
			return true;
	return false;
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	enum fk_role r = role_of(fd);
	void *p;

	if (r == FK_NONE)
		return __real_mmap64(addr, len, prot, flags, fd, off);
	if (r != FK_SHIM && r != FK_DEVMEM) {
		errno = ENODEV;
		return MAP_FAILED;
	}
	/* as mmap(2): the offset is a whole number of pages */
	if (off & (sysconf(_SC_PAGESIZE) - 1)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = __real_mmap64(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return p;
	for (size_t i = 0; i < ARRAY_SIZE(mmaps); i++)
		if (!mmaps[i].va) {
			mmaps[i].va = p;
			mmaps[i].len = len;
			fk.live_mmaps++;
			return p;
		}
	abort();
}

int __wrap_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(mmaps); i++)
		if (mmaps[i].va == addr) {
			if (mmaps[i].len != len)
				abort();
			mmaps[i].va = NULL;
			fk.live_mmaps--;
		}
	return __real_munmap(addr, len);
}

static int add_map(uint64_t iova, uint64_t size, uint64_t va, uint32_t flags)
{
	for (unsigned int i = 0; i < fk.n_maps; i++)
		if (iova < fk.maps[i].iova + fk.maps[i].size && fk.maps[i].iova < iova + size)
			return -EEXIST;
	if (fk.n_maps == FK_MAX_MAPS)
		return -ENOSPC;
	fk.maps[fk.n_maps++] = (struct fk_map){ iova, size, va, flags };
	return 0;
}

static uint64_t del_map(uint64_t iova, uint64_t size)
{
	for (unsigned int i = 0; i < fk.n_maps; i++)
		if (fk.maps[i].iova == iova && fk.maps[i].size == size) {
			fk.maps[i] = fk.maps[--fk.n_maps];
			return size;
		}
	return 0;
}

static int type1_info(struct vfio_iommu_type1_info *info)
{
	size_t need = sizeof(*info);

	if (!fk.type1_no_iova_cap)
		need += sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
			fk.n_ranges * sizeof(struct vfio_iova_range);
	info->flags = VFIO_IOMMU_INFO_PGSIZES | (fk.type1_no_iova_cap ? 0 : VFIO_IOMMU_INFO_CAPS);
	info->iova_pgsizes = 0x40201000ULL;
	info->cap_offset = 0;
	if (info->argsz < need) {
		info->argsz = (uint32_t)need;
		return 0;
	}
	if (!fk.type1_no_iova_cap) {
		struct vfio_iommu_type1_info_cap_iova_range *cap = (void *)(info + 1);

		info->cap_offset = sizeof(*info);
		cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
		cap->header.version = 1;
		cap->header.next = fk.type1_cap_next >= 0 ? (uint32_t)fk.type1_cap_next : 0;
		cap->header.id = fk.type1_cap_next >= 0 ? 99 : cap->header.id;
		cap->nr_iovas = fk.type1_cap_nr ? fk.type1_cap_nr : fk.n_ranges;
		for (unsigned int i = 0; i < fk.n_ranges; i++) {
			cap->iova_ranges[i].start = fk.ranges[i][0];
			cap->iova_ranges[i].end = fk.ranges[i][1];
		}
	}
	return 0;
}

static int do_container(unsigned long req, void *arg, uint64_t val)
{
	switch (req) {
	case VFIO_GET_API_VERSION:
		return fk.api_version;
	case VFIO_CHECK_EXTENSION:
		return fk.no_type1v2 ? 0 : (val == VFIO_TYPE1v2_IOMMU || val == VFIO_TYPE1_IOMMU);
	case VFIO_SET_IOMMU:
		return val == VFIO_TYPE1v2_IOMMU ? 0 : -EINVAL;
	case VFIO_IOMMU_GET_INFO:
		return type1_info(arg);
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *m = arg;

		return add_map(m->iova, m->size, m->vaddr, m->flags);
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = arg;

		u->size = del_map(u->iova, u->size);
		return 0;
	}
	}
	return -ENOTTY;
}

static int do_group(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *s = arg;

		s->flags = fk.group_not_viable ? 0 : VFIO_GROUP_FLAGS_VIABLE;
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER:
		return role_of(*(int *)arg) == FK_CONTAINER ? 0 : -EBADF;
	case VFIO_GROUP_UNSET_CONTAINER:
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		/* The PAS node, or the PCI device a VfioDevice= test names. */
		return strcmp(arg, "30000000.remoteproc") && strcmp(arg, "0000:00:02.0") ?
			       -ENODEV : new_fake(FK_DEVICE);
	}
	return -ENOTTY;
}

static int do_device(unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_DEVICE_BIND_IOMMUFD: {
		struct vfio_device_bind_iommufd *b = arg;

		if (role_of(b->iommufd) != FK_IOMMUFD)
			return -EBADF;
		b->out_devid = 3;
		return 0;
	}
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct vfio_device_attach_iommufd_pt *a = arg;

		if (a->pt_id != 7)
			return -ENOENT;
		a->pt_id = 11;
		return 0;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *i = arg;

		if (i->index >= fk.n_irqs)
			return -EINVAL;
		i->flags = fk.irq_flags;
		i->count = 1;
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return 0;
	}
	return -ENOTTY;
}

static int do_iommufd(unsigned long req, void *arg)
{
	switch (req) {
	case IOMMU_IOAS_ALLOC:
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = 7;
		fk.ioas_allocs++;
		return 0;
	case IOMMU_DESTROY:
		if (((struct iommu_destroy *)arg)->id != 7)
			return -ENOENT;
		fk.ioas_destroys++;
		fk.n_maps = 0;
		return 0;
	case IOMMU_IOAS_IOVA_RANGES: {
		struct iommu_ioas_iova_ranges *q = arg;
		struct iommu_iova_range *r = (void *)(uintptr_t)q->allowed_iovas;

		if (q->num_iovas < fk.n_ranges) {
			q->num_iovas = fk.n_ranges;
			return -EMSGSIZE;
		}
		for (unsigned int i = 0; i < fk.n_ranges; i++) {
			r[i].start = fk.ranges[i][0];
			r[i].last = fk.ranges[i][1];
		}
		q->num_iovas = fk.n_ranges;
		q->out_iova_alignment = 4096;
		return 0;
	}
	case IOMMU_IOAS_MAP: {
		struct iommu_ioas_map *m = arg;

		if (fk.pfnmap_va_faults_iommufd && in_fake_mmap(m->user_va, m->length))
			return -EFAULT;
		return add_map(m->iova, m->length, m->user_va, m->flags);
	}
	case IOMMU_IOAS_MAP_FILE: {
		struct iommu_ioas_map_file *m = arg;

		return add_map(m->iova, m->length, 0, m->flags);
	}
	case IOMMU_IOAS_UNMAP: {
		struct iommu_ioas_unmap *u = arg;

		if (u->iova == 0 && u->length == UINT64_MAX) {
			uint64_t total = 0;

			for (unsigned int i = 0; i < fk.n_maps; i++)
				total += fk.maps[i].size;
			fk.n_maps = 0;
			u->length = total;
			return 0;
		}
		u->length = del_map(u->iova, u->length);
		return u->length ? 0 : -ENOENT;
	}
	}
	return -ENOTTY;
}

static int do_shim(unsigned long req, void *arg)
{
	switch (req) {
	case QCOM_SCM_SHIM_GET_VERSION: {
		struct qcom_scm_shim_version *v = arg;

		v->major = fk.shim_major;
		v->minor = fk.shim_minor;
		v->flags = fk.shim_flags;
		v->caps = fk.shim_caps;
		return 0;
	}
	case QCOM_SCM_SHIM_PAS_IS_SUPPORTED:
		((struct qcom_scm_shim_pas *)arg)->out_result = 1;
		return 0;
	case QCOM_SCM_SHIM_PAS_MEM_SETUP:
	case QCOM_SCM_SHIM_PAS_AUTH_AND_RESET:
	case QCOM_SCM_SHIM_PAS_SHUTDOWN:
	case QCOM_SCM_SHIM_PAS_METADATA_RELEASE:
		((struct qcom_scm_shim_pas *)arg)->out_result = fk.shim_result;
		return 0;
	case QCOM_SCM_SHIM_PAS_INIT_IMAGE:
		((struct qcom_scm_shim_init_image *)arg)->out_result = fk.shim_result;
		return 0;
	case QCOM_SCM_SHIM_SET_REMOTE_STATE:
		((struct qcom_scm_shim_remote_state *)arg)->out_result = fk.shim_result;
		return 0;
	case QCOM_SCM_SHIM_GET_RSCTABLE: {
		struct qcom_scm_shim_rsctable *t = arg;

		if (t->output_len < fk.rsctable_size) {
			t->output_len = fk.rsctable_size;
			return -EOVERFLOW;
		}
		memset((void *)(uintptr_t)t->output, 0xa5, fk.rsctable_size);
		t->output_len = fk.rsctable_size;
		t->out_result = fk.shim_result;
		return 0;
	}
	case QCOM_SCM_SHIM_BRIDGE_CREATE:
		((struct qcom_scm_shim_bridge *)arg)->handle = 0x1234;
		return 0;
	case QCOM_SCM_SHIM_BRIDGE_DELETE:
	case QCOM_SCM_SHIM_STOP_BIT:
	case QCOM_SCM_SHIM_PROXY_VOTE:
	case QCOM_SCM_SHIM_GLINK:
		return 0;
	case QCOM_SCM_SHIM_CORE: {
		struct qcom_scm_shim_core *c = arg;

		c->out_state = fk.shim_core_state;
		c->out_levels = fk.shim_core_levels;
		c->out_levels_valid = fk.shim_core_levels_valid;
		c->out_pas_id = 1;
		return 0;
	}
	case QCOM_SCM_SHIM_SET_IRQ_EVENTFD: {
		struct qcom_scm_shim_irq *i = arg;

		if (i->irq >= 5)
			return -EINVAL;
		fk.shim_irq_efd[i->irq] = i->eventfd;
		return 0;
	}
	case QCOM_SCM_SHIM_CARVEOUT_FD:
		((struct qcom_scm_shim_carveout_fd *)arg)->out_fd = new_fake(FK_DEVMEM);
		return 0;
	case QCOM_SCM_SHIM_SMEM_READ: {
		static const char reason[] = "err_fatal.c:42: watchdog\x01 bite";
		struct qcom_scm_shim_smem *s = arg;

		if (fk.smem_len) {
			if (s->buffer_len < fk.smem_len) {
				s->buffer_len = fk.smem_len;
				return -EOVERFLOW;
			}
			memset((void *)(uintptr_t)s->buffer, 'A', fk.smem_len);
			s->buffer_len = fk.smem_len;
			return 0;
		}
		if (s->buffer_len < sizeof(reason)) {
			s->buffer_len = sizeof(reason);
			return -EOVERFLOW;
		}
		memcpy((void *)(uintptr_t)s->buffer, reason, sizeof(reason));
		s->buffer_len = sizeof(reason);
		return 0;
	}
	}
	return -ENOTTY;
}

static size_t arg_size(enum fk_role role, unsigned long req, const void *arg)
{
	uint32_t first;

	if (!arg)
		return 0;
	if (role == FK_SHIM)
		return _IOC_SIZE(req);
	if (role == FK_GROUP && req == VFIO_GROUP_SET_CONTAINER)
		return sizeof(int);
	if (role == FK_GROUP && req == VFIO_GROUP_GET_DEVICE_FD)
		return strlen(arg) + 1;
	if ((role == FK_CONTAINER &&
	     (req == VFIO_GET_API_VERSION || req == VFIO_CHECK_EXTENSION || req == VFIO_SET_IOMMU)) ||
	    (role == FK_GROUP && req == VFIO_GROUP_UNSET_CONTAINER))
		return 0;
	memcpy(&first, arg, sizeof(first)); /* argsz / size */
	return first;
}

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	enum fk_role role = role_of(fd);
	struct fk_call *c = NULL;
	va_list ap;
	void *arg;
	size_t sz;
	int r;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (role == FK_NONE)
		return __real_ioctl(fd, req, arg);
	if (fk.n_calls < FK_MAX_CALLS) {
		c = &fk.calls[fk.n_calls++];
		memset(c, 0, sizeof(*c));
		c->role = role;
		c->req = req;
		c->value = (uintptr_t)arg;
		sz = arg_size(role, req, arg);
		if (sz)
			memcpy(c->arg, arg, sz < sizeof(c->arg) ? sz : sizeof(c->arg));
	}
	r = -scripted(req);
	if (!r) {
		switch (role) {
		case FK_CONTAINER:
			r = do_container(req, arg, (uintptr_t)arg);
			break;
		case FK_GROUP:
			r = do_group(req, arg);
			break;
		case FK_DEVICE:
			r = do_device(req, arg);
			break;
		case FK_IOMMUFD:
			r = do_iommufd(req, arg);
			break;
		case FK_SHIM:
			r = do_shim(req, arg);
			break;
		default:
			r = -ENOTTY;
		}
	}
	if (c)
		c->ret = r < 0 ? r : 0;
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}
