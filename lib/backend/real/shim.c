// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * qcom-scm shim client.  The module does the SMCs; this side checks the ABI version, turns
 * TrustZone's result codes and errnos into messages, and follows the kernel's retry rules
 * (GET_RSCTABLE: 16 KiB first, one retry with the size
 * TZ asks for, doc/trustzone-pas.md#get_rsctable).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "rproc/qcom-scm-shim.h"
#include "shim.h"

static_assert(sizeof(struct qcom_scm_shim_version) == 24, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_pas) == 40, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_init_image) == 32, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_remote_state) == 24, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_rsctable) == 48, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_bridge) == 32, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_carveout_fd) == 32, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_irq) == 80, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_stop_bit) == 72, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_smem) == 24, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_vote) == 80, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_core) == 88, "shim ABI");
static_assert(sizeof(struct qcom_scm_shim_glink) == 72, "shim ABI");

/* The size of struct qcom_scm_shim_vote in ABI 1.0, before @votes. */
#define SHIM_VOTE_SIZE_1_0 72

#define RSCTABLE_FIRST (16u * 1024)     /* doc/trustzone-pas.md#get_rsctable */
/* doc/trustzone-pas.md#get_rsctable: above 1 GiB is -E2BIG */
#define RSCTABLE_MAX (1024u * 1024 * 1024)
#define SMEM_FIRST 4096u
#define SMEM_MAX (16u * 1024 * 1024)

static const struct {
	uint64_t cap;
	const char *name;
} cap_names[] = {
	{ QCOM_SCM_SHIM_CAP_PAS, "pas" },
	{ QCOM_SCM_SHIM_CAP_SHM_BRIDGE, "shm-bridge" },
	{ QCOM_SCM_SHIM_CAP_RSCTABLE, "rsctable" },
	{ QCOM_SCM_SHIM_CAP_MMAP, "mmap" },
	{ QCOM_SCM_SHIM_CAP_SMP2P_IN, "smp2p-in" },
	{ QCOM_SCM_SHIM_CAP_STOP_BIT, "stop-bit" },
	{ QCOM_SCM_SHIM_CAP_SMEM, "smem" },
	{ QCOM_SCM_SHIM_CAP_PROXY_VOTE, "proxy-vote" },
	{ QCOM_SCM_SHIM_CAP_REMOTE_STATE, "remote-state" },
	{ QCOM_SCM_SHIM_CAP_CARVEOUT_FD, "carveout-fd" },
	{ QCOM_SCM_SHIM_CAP_WDOG, "wdog" },
	{ QCOM_SCM_SHIM_CAP_LOAD_STATE, "load-state" },
	{ QCOM_SCM_SHIM_CAP_GLINK, "glink" },
	{ QCOM_SCM_SHIM_CAP_CORE, "core" },
	{ QCOM_SCM_SHIM_CAP_IRQ_LEVEL, "irq-level" },
};

void rproc_shim_caps_string(uint64_t caps, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++) {
		int w;

		if (!(caps & cap_names[i].cap))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", cap_names[i].name);
		if (w < 0 || (size_t)w >= len - used)
			return;
		used += (size_t)w;
	}
	if (!used)
		snprintf(buf, len, "none");
}

static int check_version(struct rproc_shim *s, const char *what, struct rproc_error *err)
{
	struct qcom_scm_shim_version v = { .size = sizeof(v) };
	char caps[256];

	if (ioctl(s->fd, QCOM_SCM_SHIM_GET_VERSION, &v) < 0)
		return rproc_err(err, -errno, "%s: QCOM_SCM_SHIM_GET_VERSION: %s%s", what,
				 strerror(errno),
				 errno == ENOTTY ? " (not a qcom-scm shim device)" : "");
	if (v.major != QCOM_SCM_SHIM_VERSION_MAJOR)
		return rproc_err(err, -EPROTONOSUPPORT,
				 "%s: shim ABI %u.%u, rprocd speaks %u.x: install a matching "
				 "qcom-scm-shim module",
				 what, v.major, v.minor, QCOM_SCM_SHIM_VERSION_MAJOR);
	if ((v.caps & QCOM_SCM_SHIM_CAP_REQUIRED) != QCOM_SCM_SHIM_CAP_REQUIRED) {
		rproc_shim_caps_string(v.caps, caps, sizeof(caps));
		return rproc_err(err, -EOPNOTSUPP,
				 "%s: shim lacks the PAS calls (capabilities: %s)", what, caps);
	}
	s->major = v.major;
	s->minor = v.minor;
	s->caps = v.caps;
	s->flags = v.minor >= 1 ? v.flags : 0;
	rproc_shim_caps_string(v.caps, caps, sizeof(caps));
	rproc_log(RPROC_LOG_INFO, NULL, "shim", 0, "%s: ABI %u.%u, capabilities %s%s", what,
		  v.major, v.minor, caps,
		  s->flags & QCOM_SCM_SHIM_VERSION_TEST_BUILD ? " (test build)" : "");
	return 0;
}

int rproc_shim_adopt(int fd, struct rproc_shim **out, struct rproc_error *err)
{
	struct rproc_shim *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s)
		return rproc_err(err, -ENOMEM, "out of memory");
	s->fd = fd;
	r = check_version(s, "qcom-scm shim", err);
	if (r < 0) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

int rproc_shim_open(const char *path, struct rproc_shim **out, struct rproc_error *err)
{
	int fd, r;

	*out = NULL;
	if (!path)
		path = QCOM_SCM_SHIM_DEVICE;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return rproc_err(err, r, "%s missing: load the qcom-scm shim module "
					 "(modprobe qcom_scm_shim; built from rprocd's kernel/ with "
					 "make or DKMS, see rprocd(8))", path);
		return rproc_err(err, r, "open %s: %s%s", path, strerror(-r),
				 r == -EACCES ? ": run rprocd as root or grant it the node" : "");
	}
	r = rproc_shim_adopt(fd, out, err);
	if (r < 0) {
		close(fd);
		return rproc_err_prefix(err, r, "%s", path);
	}
	return 0;
}

void rproc_shim_close(struct rproc_shim *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* ioctl result: negative errno, or TrustZone's result[0] (0 = OK, positive = TZ failure). */
static int tz_result(int r, uint64_t result)
{
	if (r < 0)
		return -errno;
	if (result)
		return result > INT32_MAX ? INT32_MAX : (int)result;
	return 0;
}

static int pas_simple(struct rproc_shim *s, unsigned long req, uint32_t pas_id, uint64_t addr,
		      uint64_t len, uint32_t flags)
{
	struct qcom_scm_shim_pas p = {
		.size = sizeof(p),
		.pas_id = pas_id,
		.addr = addr,
		.length = len,
		.flags = flags,
	};
	int r = ioctl(s->fd, req, &p);

	return tz_result(r, p.out_result);
}

static int shim_is_supported(void *ctx, uint32_t pas_id)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_pas p = { .size = sizeof(p), .pas_id = pas_id };

	if (ioctl(s->fd, QCOM_SCM_SHIM_PAS_IS_SUPPORTED, &p) < 0)
		return -errno;
	/* Here result[0] != 0 means "supported" (doc/trustzone-pas.md#commands). */
	return p.out_result ? 1 : 0;
}

static int shim_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_init_image p = {
		.size = sizeof(p),
		.pas_id = pas_id,
		.metadata = (uintptr_t)meta,
		.metadata_len = len,
	};
	int r = ioctl(s->fd, QCOM_SCM_SHIM_PAS_INIT_IMAGE, &p);

	return tz_result(r, p.out_result);
}

static int shim_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	return pas_simple(ctx, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, addr, size, 0);
}

int rproc_shim_auth_and_reset(struct rproc_shim *s, uint32_t pas_id, uint64_t pa, uint64_t size,
			      bool bridge)
{
	if (bridge && !rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE))
		bridge = false;
	return pas_simple(s, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, bridge ? pa : 0,
			  bridge ? size : 0, bridge ? QCOM_SCM_SHIM_AUTH_BRIDGE : 0);
}

static int shim_auth_and_reset(void *ctx, uint32_t pas_id)
{
	return rproc_shim_auth_and_reset(ctx, pas_id, 0, 0, false);
}

static int shim_shutdown(void *ctx, uint32_t pas_id)
{
	return pas_simple(ctx, QCOM_SCM_SHIM_PAS_SHUTDOWN, pas_id, 0, 0, 0);
}

static int shim_metadata_release(void *ctx, uint32_t pas_id)
{
	return pas_simple(ctx, QCOM_SCM_SHIM_PAS_METADATA_RELEASE, pas_id, 0, 0, 0);
}

static int shim_set_remote_state(void *ctx, uint32_t state, uint32_t id)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_remote_state p = { .size = sizeof(p), .state = state, .id = id };
	int r;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_REMOTE_STATE))
		return -EOPNOTSUPP;
	r = ioctl(s->fd, QCOM_SCM_SHIM_SET_REMOTE_STATE, &p);
	return tz_result(r, p.out_result);
}

static int shim_get_rsc_table(void *ctx, uint32_t pas_id, const void *in, size_t in_len,
			      void **out, size_t *out_len)
{
	/* ver 0, num 0: "no table in the firmware" (doc/trustzone-pas.md#get_rsctable) */
	static const uint8_t empty[16];
	struct rproc_shim *s = ctx;
	uint64_t cap = RSCTABLE_FIRST;

	*out = NULL;
	*out_len = 0;
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_RSCTABLE))
		return -EOPNOTSUPP;
	if (!in || !in_len) {
		in = empty;
		in_len = sizeof(empty);
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		struct qcom_scm_shim_rsctable p;
		void *buf = malloc(cap);
		int r;

		if (!buf)
			return -ENOMEM;
		p = (struct qcom_scm_shim_rsctable){
			.size = sizeof(p),
			.pas_id = pas_id,
			.input = (uintptr_t)in,
			.input_len = in_len,
			.output = (uintptr_t)buf,
			.output_len = cap,
		};
		r = ioctl(s->fd, QCOM_SCM_SHIM_GET_RSCTABLE, &p);
		if (r < 0 && errno == EOVERFLOW && attempt == 0) {
			/* "Buffer not sufficient" (result[1] == 20): retry once,
			 * doc/trustzone-pas.md#get_rsctable. */
			free(buf);
			if (p.output_len <= cap || p.output_len > RSCTABLE_MAX)
				return -E2BIG;
			rproc_log(RPROC_LOG_DEBUG, NULL, "shim", 0,
				  "GET_RSCTABLE(%u): TZ needs %" PRIu64 " bytes, retrying", pas_id,
				  (uint64_t)p.output_len);
			cap = p.output_len;
			continue;
		}
		r = tz_result(r, p.out_result);
		if (r) {
			free(buf);
			return r == -EOVERFLOW ? -E2BIG : r;
		}
		if (p.output_len > cap) {
			free(buf);
			return -EPROTO;
		}
		*out = buf;
		*out_len = p.output_len;
		return 0;
	}
	return -E2BIG;
}

static int shim_bridge_create(void *ctx, uint64_t pa, uint64_t size, uint64_t *handle)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_bridge p = { .size = sizeof(p), .addr = pa, .length = size };

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE))
		return -EOPNOTSUPP;
	/* Permission bits share the low bits of address and size
	 * (doc/trustzone-pas.md#shm-bridge). */
	if (!IS_ALIGNED(pa, 4096) || !IS_ALIGNED(size, 4096) || !size)
		return -EINVAL;
	if (ioctl(s->fd, QCOM_SCM_SHIM_BRIDGE_CREATE, &p) < 0)
		return -errno;
	*handle = p.handle;
	return 0;
}

static int shim_bridge_delete(void *ctx, uint64_t handle)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_bridge p = { .size = sizeof(p), .handle = handle };

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SHM_BRIDGE))
		return -EOPNOTSUPP;
	return ioctl(s->fd, QCOM_SCM_SHIM_BRIDGE_DELETE, &p) < 0 ? -errno : 0;
}

static int copy_name(char dst[QCOM_SCM_SHIM_NAME_LEN], const char *device)
{
	size_t l = strlen(device);

	if (!l || l >= QCOM_SCM_SHIM_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(dst, device, l + 1);
	return 0;
}

int rproc_shim_vote(struct rproc_shim *s, const char *device, uint32_t votes, bool on)
{
	const uint32_t both = QCOM_SCM_SHIM_VOTE_PROXY | QCOM_SCM_SHIM_VOTE_LOAD_STATE;
	struct qcom_scm_shim_vote p = { .size = sizeof(p), .on = on, .votes = votes };
	int r;

	if (!votes || (votes & ~both))
		return -EINVAL;
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_PROXY_VOTE))
		return -EOPNOTSUPP;
	if (s->minor < 1) {
		/* ABI 1.0 has one vote for everything: the struct without @votes. */
		if (votes != both)
			return -EOPNOTSUPP;
		p.size = SHIM_VOTE_SIZE_1_0;
		p.votes = 0;
	} else if ((votes & QCOM_SCM_SHIM_VOTE_LOAD_STATE) &&
		   !rproc_shim_has(s, QCOM_SCM_SHIM_CAP_LOAD_STATE)) {
		return -EOPNOTSUPP;
	}
	r = copy_name(p.device, device);
	if (r < 0)
		return r;
	return ioctl(s->fd, QCOM_SCM_SHIM_PROXY_VOTE, &p) < 0 ? -errno : 0;
}

int rproc_shim_proxy_votes(struct rproc_shim *s, const char *device, bool on)
{
	return rproc_shim_vote(s, device, QCOM_SCM_SHIM_VOTE_PROXY, on);
}

int rproc_shim_load_state(struct rproc_shim *s, const char *device, bool on)
{
	return rproc_shim_vote(s, device, QCOM_SCM_SHIM_VOTE_LOAD_STATE, on);
}

/* The backend's single vote (until the lifecycle holds the two apart): all this shim has. */
static int shim_vote(struct rproc_shim *s, const struct rproc_desc *d, bool on)
{
	uint32_t votes = QCOM_SCM_SHIM_VOTE_PROXY;

	if (s->minor < 1 || rproc_shim_has(s, QCOM_SCM_SHIM_CAP_LOAD_STATE))
		votes |= QCOM_SCM_SHIM_VOTE_LOAD_STATE;
	return rproc_shim_vote(s, d->device, votes, on);
}

static int shim_proxy_vote(void *ctx, const struct rproc_desc *d)
{
	return shim_vote(ctx, d, true);
}

static int shim_proxy_unvote(void *ctx, const struct rproc_desc *d)
{
	return shim_vote(ctx, d, false);
}

static int shim_stop_bit(void *ctx, const struct rproc_desc *d, bool set)
{
	struct rproc_shim *s = ctx;
	struct qcom_scm_shim_stop_bit p = { .size = sizeof(p), .set = set };
	int r;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_STOP_BIT))
		return -EOPNOTSUPP;
	r = copy_name(p.device, d->device);
	if (r < 0)
		return r;
	return ioctl(s->fd, QCOM_SCM_SHIM_STOP_BIT, &p) < 0 ? -errno : 0;
}

static int shim_smem_read(void *ctx, uint32_t item, void **buf, size_t *len)
{
	struct rproc_shim *s = ctx;
	uint64_t cap = SMEM_FIRST;

	*buf = NULL;
	*len = 0;
	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_SMEM))
		return -EOPNOTSUPP;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct qcom_scm_shim_smem p;
		void *b = malloc(cap);

		if (!b)
			return -ENOMEM;
		p = (struct qcom_scm_shim_smem){
			.size = sizeof(p),
			.item = item,
			.buffer = (uintptr_t)b,
			.buffer_len = cap,
		};
		if (ioctl(s->fd, QCOM_SCM_SHIM_SMEM_READ, &p) < 0) {
			int r = -errno;

			free(b);
			if (r == -EOVERFLOW && attempt == 0 && p.buffer_len > cap &&
			    p.buffer_len <= SMEM_MAX) {
				cap = p.buffer_len;
				continue;
			}
			return r;
		}
		if (p.buffer_len > cap) {
			free(b);
			return -EPROTO;
		}
		*buf = b;
		*len = p.buffer_len;
		return 0;
	}
	return -E2BIG;
}

static int shim_crash_reason(void *ctx, const struct rproc_desc *d, char *out, size_t out_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, o = 0;
	int r;

	if (!out_len)
		return -EINVAL;
	out[0] = '\0';
	if (d->crash_reason_smem < 0)
		return -ENOENT;
	r = shim_smem_read(ctx, (uint32_t)d->crash_reason_smem, (void **)&buf, &len);
	if (r < 0)
		return r;
	/* A firmware-written string: stop at NUL, keep it printable
	 * (doc/boot-sequence.md#interrupts-and-timeouts). */
	for (size_t i = 0; i < len && buf[i] && o + 1 < out_len; i++)
		out[o++] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '?';
	out[o] = '\0';
	return 0;
}

const struct rproc_pas_ops rproc_shim_pas_ops = {
	.is_supported = shim_is_supported,
	.init_image = shim_init_image,
	.mem_setup = shim_mem_setup,
	.auth_and_reset = shim_auth_and_reset,
	.shutdown = shim_shutdown,
	.metadata_release = shim_metadata_release,
	.set_remote_state = shim_set_remote_state,
	.get_rsc_table = shim_get_rsc_table,
	.shm_bridge_create = shim_bridge_create,
	.shm_bridge_delete = shim_bridge_delete,
	.proxy_vote = shim_proxy_vote,
	.proxy_unvote = shim_proxy_unvote,
	.stop_bit = shim_stop_bit,
	.crash_reason = shim_crash_reason,
	.smem_read = shim_smem_read,
};

int rproc_shim_mmap(struct rproc_shim *s, uint64_t phys, uint64_t size, bool writable, void **va)
{
	void *p;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_MMAP))
		return -EOPNOTSUPP;
	if (phys > (uint64_t)INT64_MAX || size > SIZE_MAX)
		return -EOVERFLOW;
	p = mmap(NULL, (size_t)size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, s->fd,
		 (off_t)phys);
	if (p == MAP_FAILED)
		return -errno;
	*va = p;
	return 0;
}

int rproc_shim_carveout_fd(struct rproc_shim *s, uint64_t phys, uint64_t size, int *fd)
{
	struct qcom_scm_shim_carveout_fd p = {
		.size = sizeof(p),
		.flags = O_CLOEXEC,
		.addr = phys,
		.length = size,
	};

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_CARVEOUT_FD))
		return -EOPNOTSUPP;
	if (ioctl(s->fd, QCOM_SCM_SHIM_CARVEOUT_FD, &p) < 0)
		return -errno;
	*fd = p.out_fd;
	return 0;
}

int rproc_shim_set_irq(struct rproc_shim *s, const char *device, uint32_t irq, int efd)
{
	struct qcom_scm_shim_irq p = { .size = sizeof(p), .irq = irq, .eventfd = efd };
	int r;

	if (irq >= QCOM_SCM_SHIM_IRQ_COUNT)
		return -EINVAL;
	if (!rproc_shim_has(s, irq == QCOM_SCM_SHIM_IRQ_WDOG ? QCOM_SCM_SHIM_CAP_WDOG
							     : QCOM_SCM_SHIM_CAP_SMP2P_IN))
		return -EOPNOTSUPP;
	r = copy_name(p.device, device);
	if (r < 0)
		return r;
	return ioctl(s->fd, QCOM_SCM_SHIM_SET_IRQ_EVENTFD, &p) < 0 ? -errno : 0;
}

int rproc_shim_core(struct rproc_shim *s, const char *device, uint32_t op,
		    struct rproc_shim_core_state *out)
{
	struct qcom_scm_shim_core p = { .size = sizeof(p), .op = op };
	int r;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_CORE))
		return -EOPNOTSUPP;
	if (op > QCOM_SCM_SHIM_CORE_RELEASE)
		return -EINVAL;
	r = copy_name(p.device, device);
	if (r < 0)
		return r;
	if (ioctl(s->fd, QCOM_SCM_SHIM_CORE, &p) < 0)
		return -errno;
	if (out) {
		out->state = p.out_state;
		out->levels = p.out_levels;
		out->levels_valid = rproc_shim_has(s, QCOM_SCM_SHIM_CAP_IRQ_LEVEL) ?
			p.out_levels_valid : 0;
		out->pas_id = p.out_pas_id;
	}
	return 0;
}

int rproc_shim_glink(struct rproc_shim *s, const char *device, bool registered)
{
	struct qcom_scm_shim_glink p = {
		.size = sizeof(p),
		.op = registered ? QCOM_SCM_SHIM_GLINK_REGISTER : QCOM_SCM_SHIM_GLINK_UNREGISTER,
	};
	int r;

	if (!rproc_shim_has(s, QCOM_SCM_SHIM_CAP_GLINK))
		return -EOPNOTSUPP;
	r = copy_name(p.device, device);
	if (r < 0)
		return r;
	return ioctl(s->fd, QCOM_SCM_SHIM_GLINK, &p) < 0 ? -errno : 0;
}
