// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * shim-client: a raw client of /dev/qcom_scm_shim in the vm-shim guest (no rprocd), linked
 * against the guest's librproc only for the firmware image (rproc_fw_open, rproc_fw_load).
 *
 *   shim-client hostile --device NAME --pas ID --carveout PA:SIZE --fw PATH --state PATH
 *                       [--glink DEV,DEV2] [--mapped PA]
 *       every ioctl with short, long and garbage sizes and bad pointers; unknown PAS ids and
 *       devices; ranges outside the carveout; mmap outside, private, unaligned, while the
 *       core runs; AUTH_AND_RESET of a load that never reached the carveout (the fake
 *       TrustZone must refuse it) and of one that did; a second opener; a file closed while
 *       its core runs; CORE KEEP, then a new file that queries and adopts the core; the ABI
 *       1.0 vote; with --glink DEV,DEV2 the glink edges of two cores side by side.  One
 *       "VMCHECK pass|fail hostile: ..." line per group, the failures of a group listed above
 *       it.  --state is the fake SoC's debugfs file (kernel/test).
 *   shim-client query --device NAME
 *       CORE QUERY from a new open file: "state 0x.. levels 0x.. valid 0x.. pas N".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rproc/fw.h>
#include <rproc/qcom-scm-shim.h>

#define PAGE 4096u
#define SHIM QCOM_SCM_SHIM_DEVICE
#define TZ_BAD_DIGEST 4 /* the fake TrustZone's refusal (kernel/test/fake_tz.c) */
#define TZ_BUSY 5

static const char *device, *fw_path, *state_path, *glink_devs[2];
static uint32_t pas_id;
static uint64_t co_base, co_size;
static uint64_t mapped_pa; /* --mapped: a known node's memory-region without no-map */
static struct rproc_fw_image *img;
static uint64_t caps; /* the module's, from GET_VERSION */
static int failed_groups;

/* ---- checks ------------------------------------------------------------------------------ */

static const char *group;
static unsigned int group_calls, group_fails;

static void group_begin(const char *name)
{
	group = name;
	group_calls = group_fails = 0;
}

static void group_end(void)
{
	printf("VMCHECK %s hostile: %s (%u checks)\n", group_fails ? "fail" : "pass", group,
	       group_calls);
	if (group_fails)
		failed_groups++;
	fflush(stdout);
}

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	group_calls++;
	if (ok)
		return true;
	group_fails++;
	printf("  %s: ", group);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

/* @r is an ioctl's (or mmap's) return: it must have failed with @want. */
static bool expect_errno(int r, int want, const char *what)
{
	int e = errno;

	return check(r < 0 && e == want, "%s: expected %s, got %s", what, strerror(want),
		     r < 0 ? strerror(e) : "success");
}

static bool expect_ok(int r, const char *what)
{
	int e = errno;

	return check(r == 0, "%s: expected success, got %s", what, r < 0 ? strerror(e) : "?");
}

static int open_shim(void)
{
	int fd = open(SHIM, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("  cannot open %s: %s\n", SHIM, strerror(errno));
		exit(1);
	}
	return fd;
}

/* ---- the fake SoC's counters ------------------------------------------------------------ */

static long state_get(const char *key)
{
	char line[256], k[128];
	long v, found = -1;
	FILE *f = fopen(state_path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %li", k, &v) == 2 && !strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

/* A value that is a word ("running"): compared, not parsed. */
static bool state_is(const char *key, const char *want)
{
	char line[256], k[128], v[64];
	bool found = false;
	FILE *f = fopen(state_path, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %63s", k, v) == 2 && !strcmp(k, key))
			found = !strcmp(v, want);
	fclose(f);
	return found;
}

static void state_dump(void)
{
	char line[256];
	FILE *f = fopen(state_path, "re");

	while (f && fgets(line, sizeof(line), f))
		printf("    | %s", line);
	if (f)
		fclose(f);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Some of it goes back asynchronously (genpd powers off from a work item): wait a little. */
static bool state_wait(const char *key, long want, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	long v;

	while ((v = state_get(key)) != want && now_ms() < end)
		usleep(10000);
	if (v != want) {
		check(false, "%s is %ld, expected %ld", key, v, want);
		state_dump();
		return false;
	}
	return check(true, "%s", key);
}

/* ---- ioctl helpers ---------------------------------------------------------------------- */

static void set_name(char dst[QCOM_SCM_SHIM_NAME_LEN], const char *name)
{
	memset(dst, 0, QCOM_SCM_SHIM_NAME_LEN);
	snprintf(dst, QCOM_SCM_SHIM_NAME_LEN, "%s", name);
}

static int pas_call(int fd, unsigned long req, uint32_t id, uint64_t addr, uint64_t len,
		    uint64_t *result)
{
	struct qcom_scm_shim_pas p = {
		.size = sizeof(p), .pas_id = id, .addr = addr, .length = len,
	};
	int r = ioctl(fd, req, &p);

	if (result)
		*result = p.out_result;
	return r;
}

static int init_image(int fd, uint32_t id, const void *meta, size_t len, uint64_t *result)
{
	struct qcom_scm_shim_init_image p = {
		.size = sizeof(p), .pas_id = id, .metadata = (uintptr_t)meta, .metadata_len = len,
	};
	int r = ioctl(fd, QCOM_SCM_SHIM_PAS_INIT_IMAGE, &p);

	if (result)
		*result = p.out_result;
	return r;
}

static int set_irq(int fd, const char *dev, uint32_t irq, int efd)
{
	struct qcom_scm_shim_irq p = { .size = sizeof(p), .irq = irq, .eventfd = efd };

	set_name(p.device, dev);
	return ioctl(fd, QCOM_SCM_SHIM_SET_IRQ_EVENTFD, &p);
}

static int stop_bit(int fd, bool set)
{
	struct qcom_scm_shim_stop_bit p = { .size = sizeof(p), .set = set };

	set_name(p.device, device);
	return ioctl(fd, QCOM_SCM_SHIM_STOP_BIT, &p);
}

static int vote(int fd, uint32_t size, uint32_t votes, bool on)
{
	struct qcom_scm_shim_vote p = { .size = size, .on = on, .votes = votes };

	set_name(p.device, device);
	return ioctl(fd, QCOM_SCM_SHIM_PROXY_VOTE, &p);
}

static int core_op(int fd, uint32_t op, struct qcom_scm_shim_core *out)
{
	struct qcom_scm_shim_core p = { .size = sizeof(p), .op = op };
	int r;

	set_name(p.device, device);
	r = ioctl(fd, QCOM_SCM_SHIM_CORE, &p);
	if (out)
		*out = p;
	return r;
}

/* Wait for one signal on @efd. */
static bool wait_event(int efd, int timeout_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, timeout_ms) != 1)
		return false;
	return read(efd, &v, sizeof(v)) == sizeof(v);
}

static void *map_carveout(int fd, uint64_t off, uint64_t len, int flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, (off_t)(co_base + off));
}

/* INIT_IMAGE + MEM_SETUP of the test image on @fd. */
static bool prepare(int fd)
{
	uint64_t res = 1;
	bool ok;

	ok = check(init_image(fd, pas_id, img->metadata, img->metadata_len, &res) == 0 && !res,
		   "INIT_IMAGE: %s, TrustZone result %" PRIu64, strerror(errno), res);
	res = 1;
	if (img->relocatable)
		ok &= check(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, co_base,
				     rproc_fw_span(img), &res) == 0 && !res,
			    "MEM_SETUP: %s, TrustZone result %" PRIu64, strerror(errno), res);
	return ok;
}

/* Load the image through the shim's write-combined mmap of the carveout. */
static bool load_through_mmap(int fd)
{
	struct rproc_error err = { 0 };
	void *va = map_carveout(fd, 0, co_size, MAP_SHARED);
	int r;

	if (va == MAP_FAILED)
		return check(false, "mmap of the carveout: %s", strerror(errno));
	r = rproc_fw_load(img, va, co_base, co_size, NULL, NULL, &err);
	munmap(va, co_size);
	return check(r == 0, "load through the mmap: %s", err.msg);
}

/* A started core: eventfds for fatal, ready, handover and stop-ack on @fd. */
struct started {
	int efd[QCOM_SCM_SHIM_IRQ_COUNT];
};

static bool start_core(int fd, struct started *s)
{
	uint64_t res = 1;
	bool ok = true;

	for (int i = 0; i < QCOM_SCM_SHIM_IRQ_COUNT; i++) {
		s->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ok &= check(set_irq(fd, device, (uint32_t)i, s->efd[i]) == 0,
			    "SET_IRQ_EVENTFD %d: %s", i, strerror(errno));
	}
	ok &= expect_ok(vote(fd, sizeof(struct qcom_scm_shim_vote),
			     QCOM_SCM_SHIM_VOTE_PROXY | QCOM_SCM_SHIM_VOTE_LOAD_STATE, true),
			"PROXY_VOTE on");
	ok &= prepare(fd) && load_through_mmap(fd);
	ok &= check(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, 0, 0, &res) == 0 &&
			    !res,
		    "AUTH_AND_RESET: %s, TrustZone result %" PRIu64, strerror(errno), res);
	ok &= check(wait_event(s->efd[QCOM_SCM_SHIM_IRQ_READY], 5000), "no \"ready\" within 5 s");
	return ok;
}

static void close_events(struct started *s)
{
	for (int i = 0; i < QCOM_SCM_SHIM_IRQ_COUNT; i++)
		if (s->efd[i] >= 0)
			close(s->efd[i]);
}

/* ---- the groups ------------------------------------------------------------------------- */

/* The first published size of each struct (the module accepts that much) and ours. */
static const struct {
	unsigned int nr;
	uint32_t min, size;
} iocs[] = {
	{ 0x00, 24, sizeof(struct qcom_scm_shim_version) },
	{ 0x01, 40, sizeof(struct qcom_scm_shim_pas) },
	{ 0x02, 32, sizeof(struct qcom_scm_shim_init_image) },
	{ 0x03, 40, sizeof(struct qcom_scm_shim_pas) },
	{ 0x04, 40, sizeof(struct qcom_scm_shim_pas) },
	{ 0x05, 40, sizeof(struct qcom_scm_shim_pas) },
	{ 0x06, 40, sizeof(struct qcom_scm_shim_pas) },
	{ 0x07, 24, sizeof(struct qcom_scm_shim_remote_state) },
	{ 0x08, 48, sizeof(struct qcom_scm_shim_rsctable) },
	{ 0x09, 32, sizeof(struct qcom_scm_shim_bridge) },
	{ 0x0a, 32, sizeof(struct qcom_scm_shim_bridge) },
	{ 0x0b, 32, sizeof(struct qcom_scm_shim_carveout_fd) },
	{ 0x0c, 80, sizeof(struct qcom_scm_shim_irq) },
	{ 0x0d, 72, sizeof(struct qcom_scm_shim_stop_bit) },
	{ 0x0e, 24, sizeof(struct qcom_scm_shim_smem) },
	{ 0x0f, 72, sizeof(struct qcom_scm_shim_vote) },
	{ 0x10, 88, sizeof(struct qcom_scm_shim_core) },
	{ 0x11, 72, sizeof(struct qcom_scm_shim_glink) },
};

static void sizes(void)
{
	uint8_t buf[2 * PAGE];
	char what[96];
	int fd = open_shim();

	group_begin("every ioctl refuses short, long and garbage sizes and bad pointers");
	for (size_t i = 0; i < sizeof(iocs) / sizeof(iocs[0]); i++) {
		/* The module dispatches on type and number: the size in the request is ignored. */
		unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, QCOM_SCM_SHIM_IOC, iocs[i].nr, 0);
		const uint32_t bad[] = { 0, iocs[i].min - 1, PAGE + 1, 0xffffffffu };

		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			memset(buf, 0, sizeof(buf));
			memcpy(buf, &bad[b], 4);
			snprintf(what, sizeof(what), "ioctl %#x, size %u", iocs[i].nr, bad[b]);
			expect_errno(ioctl(fd, req, buf), EINVAL, what);
		}
		/* Beyond what the module knows, non-zero: refused, whatever the call. */
		memset(buf, 0, sizeof(buf));
		*(uint32_t *)buf = iocs[i].size + 8;
		buf[iocs[i].size + 4] = 0xa5;
		snprintf(what, sizeof(what), "ioctl %#x, size %u with a non-zero tail", iocs[i].nr,
			 iocs[i].size + 8);
		expect_errno(ioctl(fd, req, buf), E2BIG, what);
		snprintf(what, sizeof(what), "ioctl %#x, unmapped argument", iocs[i].nr);
		expect_errno(ioctl(fd, req, (void *)16), EFAULT, what);
	}
	expect_errno(ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, QCOM_SCM_SHIM_IOC, 0x12, 0), buf),
		     ENOTTY, "ioctl 0x12 (unknown)");
	expect_errno(ioctl(fd, _IOWR(QCOM_SCM_SHIM_IOC + 1, 0x00, struct qcom_scm_shim_version),
			   buf),
		     ENOTTY, "another ioctl type");

	/* A longer struct with a zero tail is fine, and only @size bytes come back. */
	struct {
		struct qcom_scm_shim_version v;
		uint8_t tail[8];
	} big = { .v.size = sizeof(big) };

	memset(big.tail, 0, sizeof(big.tail));
	check(ioctl(fd, QCOM_SCM_SHIM_GET_VERSION, &big) == 0 &&
		      big.v.major == QCOM_SCM_SHIM_VERSION_MAJOR &&
		      (big.v.flags & QCOM_SCM_SHIM_VERSION_TEST_BUILD) &&
		      (big.v.caps & QCOM_SCM_SHIM_CAP_PAS),
	      "GET_VERSION with a zero tail: %s, major %u, flags %#x, caps %#llx",
	      strerror(errno), big.v.major, big.v.flags, (unsigned long long)big.v.caps);
	struct qcom_scm_shim_version v1 = { .size = 24 };

	check(ioctl(fd, QCOM_SCM_SHIM_GET_VERSION, &v1) == 0 && v1.size == 24,
	      "GET_VERSION with the first published size");
	close(fd);
	group_end();
}

static void unknown_ids(void)
{
	const uint32_t bad = 999;
	struct qcom_scm_shim_remote_state rs = { .size = sizeof(rs), .id = bad };
	struct qcom_scm_shim_smem sm = { .size = sizeof(sm), .item = 1 };
	struct qcom_scm_shim_glink gl = { .size = sizeof(gl), .op = QCOM_SCM_SHIM_GLINK_REGISTER };
	struct qcom_scm_shim_core co = { .size = sizeof(co) };
	struct qcom_scm_shim_stop_bit sb = { .size = sizeof(sb), .set = 1 };
	int fd = open_shim(), efd = eventfd(0, EFD_CLOEXEC);

	group_begin("unknown PAS ids, devices and SMEM items");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_IS_SUPPORTED, bad, 0, 0, NULL), EPERM,
		     "IS_SUPPORTED(999)");
	expect_errno(init_image(fd, bad, img->metadata, img->metadata_len, NULL), EPERM,
		     "INIT_IMAGE(999)");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, bad, co_base, PAGE, NULL), EPERM,
		     "MEM_SETUP(999)");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, bad, 0, 0, NULL), EPERM,
		     "AUTH_AND_RESET(999)");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_SHUTDOWN, bad, 0, 0, NULL), EPERM,
		     "SHUTDOWN(999)");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_METADATA_RELEASE, bad, 0, 0, NULL), EPERM,
		     "METADATA_RELEASE(999)");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_SET_REMOTE_STATE, &rs), EPERM, "SET_REMOTE_STATE(999)");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_SMEM_READ, &sm), EPERM, "SMEM_READ item 1");
	expect_errno(set_irq(fd, "nosuch.remoteproc", QCOM_SCM_SHIM_IRQ_READY, efd), ENODEV,
		     "SET_IRQ_EVENTFD on an unknown device");
	set_name(sb.device, "nosuch.remoteproc");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_STOP_BIT, &sb), ENODEV, "STOP_BIT on an unknown device");
	set_name(co.device, "nosuch.remoteproc");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_CORE, &co), ENODEV, "CORE on an unknown device");
	set_name(gl.device, "nosuch.remoteproc");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_GLINK, &gl), ENODEV, "GLINK on an unknown device");
	/* A name without its NUL. */
	memset(co.device, 'x', sizeof(co.device));
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_CORE, &co), ENAMETOOLONG, "a device name without NUL");
	close(efd);
	close(fd);
	group_end();
}

static void ranges(void)
{
	uint8_t in[16] = { 0 }, out[64];
	struct qcom_scm_shim_bridge br = { .size = sizeof(br) };
	struct qcom_scm_shim_rsctable rt = {
		.size = sizeof(rt), .pas_id = pas_id, .input = (uintptr_t)in,
		.input_len = sizeof(in), .output = (uintptr_t)out, .output_len = sizeof(out),
	};
	struct qcom_scm_shim_carveout_fd cf = {
		.size = sizeof(cf), .addr = co_base, .length = PAGE,
	};
	struct qcom_scm_shim_glink gl = { .size = sizeof(gl), .op = 9 };
	int fd = open_shim(), efd = eventfd(0, EFD_CLOEXEC);

	group_begin("ranges outside the carveout and invalid arguments");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, co_base - PAGE, PAGE, NULL),
		     EPERM, "MEM_SETUP below the carveout");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, co_base + co_size - PAGE,
			      2 * PAGE, NULL),
		     EPERM, "MEM_SETUP across its end");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, co_base, 0, NULL), EPERM,
		     "MEM_SETUP of 0 bytes");
	expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_MEM_SETUP, pas_id, ~0ull - PAGE, 2 * PAGE,
			      NULL),
		     EPERM, "MEM_SETUP wrapping around");
	br.addr = co_base + 1;
	br.length = PAGE;
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_BRIDGE_CREATE, &br), EINVAL, "an unaligned bridge");
	br.addr = co_base - PAGE;
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_BRIDGE_CREATE, &br), EPERM,
		     "a bridge outside the carveout");
	br.handle = 12345;
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_BRIDGE_DELETE, &br), ENOENT, "deleting no bridge");
	expect_errno(init_image(fd, pas_id, img->metadata, 0, NULL), EINVAL,
		     "INIT_IMAGE of 0 bytes");
	expect_errno(init_image(fd, pas_id, img->metadata, (16u << 20) + 1, NULL), EINVAL,
		     "INIT_IMAGE above 16 MiB");
	expect_errno(init_image(fd, pas_id, (void *)16, 4096, NULL), EFAULT,
		     "INIT_IMAGE from an unmapped buffer");
	expect_errno(set_irq(fd, device, 9, efd), EINVAL, "SET_IRQ_EVENTFD of interrupt 9");
	expect_errno(set_irq(fd, device, QCOM_SCM_SHIM_IRQ_READY, 999), EBADF,
		     "SET_IRQ_EVENTFD with fd 999");
	expect_errno(set_irq(fd, device, QCOM_SCM_SHIM_IRQ_READY, STDIN_FILENO), EINVAL,
		     "SET_IRQ_EVENTFD with a file that is no eventfd");
	expect_errno(vote(fd, sizeof(struct qcom_scm_shim_vote), 4, true), EINVAL,
		     "PROXY_VOTE of an unknown kind");
	expect_errno(core_op(fd, 9, NULL), EINVAL, "CORE op 9");
	set_name(gl.device, device);
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_GLINK, &gl),
		     caps & QCOM_SCM_SHIM_CAP_GLINK ? EINVAL : EOPNOTSUPP, "GLINK op 9");
	{
		struct qcom_scm_shim_pas p = {
			.size = sizeof(p), .pas_id = pas_id, .flags = 0x80,
		};
		uint64_t res = 0;

		expect_errno(ioctl(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, &p), EINVAL,
			     "AUTH_AND_RESET with an unknown flag");
		/* Through to TrustZone, which refuses the order (a result, not an errno). */
		check(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, 0, 0, &res) == 0 &&
			      res != 0,
		      "AUTH_AND_RESET without INIT_IMAGE: %s, TrustZone result %" PRIu64,
		      strerror(errno), res);
	}
	rt.input_len = 0;
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_GET_RSCTABLE, &rt), EINVAL, "GET_RSCTABLE of nothing");
	rt.input_len = sizeof(in);
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_GET_RSCTABLE, &rt), EOPNOTSUPP,
		     "GET_RSCTABLE without the capability");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_CARVEOUT_FD, &cf), EOPNOTSUPP, "CARVEOUT_FD");
	close(efd);
	close(fd);
	group_end();
}


static void mappings(void)
{
	int fd = open_shim(), other = open_shim();
	uint64_t res = 0;
	void *va;

	group_begin("mmap outside the carveout, private, unaligned, of a mapped region, by a "
		    "second file");
	va = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)(co_base - PAGE));
	expect_errno(va == MAP_FAILED ? -1 : 0, EPERM, "mmap below the carveout");
	va = map_carveout(fd, co_size - PAGE, 2 * PAGE, MAP_SHARED);
	expect_errno(va == MAP_FAILED ? -1 : 0, EPERM, "mmap across its end");
	va = map_carveout(fd, 0, PAGE, MAP_PRIVATE);
	expect_errno(va == MAP_FAILED ? -1 : 0, EINVAL, "a private mmap");
	va = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)(co_base + 1));
	expect_errno(va == MAP_FAILED ? -1 : 0, EINVAL, "an unaligned mmap");
	if (mapped_pa) {
		va = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, other, (off_t)mapped_pa);
		expect_errno(va == MAP_FAILED ? -1 : 0, EPERM,
			     "mmap of a memory-region without no-map (in the linear map)");
		if (va != MAP_FAILED)
			munmap(va, PAGE);
	}
	va = map_carveout(fd, 0, co_size, MAP_SHARED);
	if (check(va != MAP_FAILED, "mmap of the whole carveout: %s", strerror(errno))) {
		void *va2 = map_carveout(other, 0, PAGE, MAP_SHARED);

		expect_errno(va2 == MAP_FAILED ? -1 : 0, EBUSY, "mmap by a second file");
		if (prepare(fd))
			expect_errno(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, 0, 0,
					      &res),
				     EBUSY, "AUTH_AND_RESET while the carveout is mapped");
		munmap(va, co_size);
	}
	close(other);
	close(fd);
	state_wait("outstanding", 0, 5000);
	group_end();
}

/*
 * The fake TrustZone hashes the carveout's physical memory: an image written anywhere else
 * must not authenticate, the same image written through the shim's mmap must.
 */
static void load_must_reach_memory(void)
{
	struct rproc_error err = { 0 };
	long fail0 = state_get("calls.auth_fail"), ok0 = state_get("calls.auth_ok");
	int fd = open_shim(), efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t res = 0;
	void *va, *elsewhere;

	group_begin("a load that did not reach the carveout does not authenticate; through the "
		    "shim's mmap it does");
	va = map_carveout(fd, 0, co_size, MAP_SHARED);
	if (!check(va != MAP_FAILED, "mmap: %s", strerror(errno)))
		goto out;
	memset(va, 0, co_size);
	munmap(va, co_size);
	elsewhere = calloc(1, co_size);
	check(elsewhere && rproc_fw_load(img, elsewhere, co_base, co_size, NULL, NULL, &err) == 0,
	      "load into ordinary memory: %s", err.msg);
	free(elsewhere);
	check(set_irq(fd, device, QCOM_SCM_SHIM_IRQ_READY, efd) == 0, "SET_IRQ_EVENTFD ready");
	if (prepare(fd))
		check(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, 0, 0, &res) == 0 &&
			      res == TZ_BAD_DIGEST,
		      "AUTH_AND_RESET of an image that is not in the carveout: %s, TrustZone "
		      "result %" PRIu64 " (expected %d, digest mismatch)",
		      strerror(errno), res, TZ_BAD_DIGEST);
	check(state_get("calls.auth_fail") == fail0 + 1, "the fake TrustZone counted no refusal");
	if (load_through_mmap(fd))
		check(pas_call(fd, QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, pas_id, 0, 0, &res) == 0 &&
			      res == 0,
		      "AUTH_AND_RESET after the load through the mmap: %s, TrustZone result "
		      "%" PRIu64, strerror(errno), res);
	check(state_get("calls.auth_ok") == ok0 + 1, "the fake TrustZone counted no success");
	check(wait_event(efd, 5000), "no \"ready\" within 5 s");
	va = map_carveout(fd, 0, PAGE, MAP_SHARED);
	expect_errno(va == MAP_FAILED ? -1 : 0, EBUSY, "mmap while the core runs");
	res = 0;
	check(init_image(fd, pas_id, img->metadata, img->metadata_len, &res) == 0 && res == TZ_BUSY,
	      "INIT_IMAGE while the core runs: %s, TrustZone result %" PRIu64, strerror(errno),
	      res);
	expect_ok(pas_call(fd, QCOM_SCM_SHIM_PAS_SHUTDOWN, pas_id, 0, 0, &res), "SHUTDOWN");
out:
	close(efd);
	close(fd);
	state_wait("outstanding", 0, 5000);
	group_end();
}

static void second_opener_and_close_while_running(void)
{
	long shut0 = state_get("calls.shutdown");
	struct qcom_scm_shim_core q;
	struct started s;
	int fd = open_shim(), other = open_shim(), efd = eventfd(0, EFD_CLOEXEC);
	void *va;

	group_begin("a second file cannot touch a running core; closing its file stops it");
	if (start_core(fd, &s)) {
		expect_errno(stop_bit(other, true), EBUSY, "STOP_BIT from a second file");
		expect_errno(init_image(other, pas_id, img->metadata, img->metadata_len, NULL),
			     EBUSY, "INIT_IMAGE from a second file");
		expect_errno(set_irq(other, device, QCOM_SCM_SHIM_IRQ_FATAL, efd), EBUSY,
			     "SET_IRQ_EVENTFD from a second file");
		expect_errno(vote(other, sizeof(struct qcom_scm_shim_vote),
				  QCOM_SCM_SHIM_VOTE_PROXY, false),
			     EBUSY, "PROXY_VOTE from a second file");
		va = map_carveout(other, 0, PAGE, MAP_SHARED);
		expect_errno(va == MAP_FAILED ? -1 : 0, EBUSY, "mmap from a second file");
		expect_errno(core_op(other, QCOM_SCM_SHIM_CORE_KEEP, NULL), EBUSY,
			     "CORE KEEP from a second file");
		expect_errno(core_op(other, QCOM_SCM_SHIM_CORE_RELEASE, NULL), EBUSY,
			     "CORE RELEASE from a second file");
		check(core_op(other, QCOM_SCM_SHIM_CORE_QUERY, &q) == 0 &&
			      (q.out_state & QCOM_SCM_SHIM_STATE_OTHER) &&
			      (q.out_state & QCOM_SCM_SHIM_STATE_RUNNING),
		      "CORE QUERY from a second file: %s, state %#x", strerror(errno),
		      q.out_state);
	}
	close(fd);
	close_events(&s);
	/* The owner's close released everything: SHUTDOWN, interrupts, votes, stop bit. */
	state_wait("outstanding", 0, 5000);
	check(state_get("calls.shutdown") == shut0 + 1, "closing the file made %ld SHUTDOWNs",
	      state_get("calls.shutdown") - shut0);
	close(other);
	close(efd);
	group_end();
}

/*
 * The open needs CAP_SYS_RAWIO, whatever the node's mode: a child that gives it up (root
 * still, the file still 0600 root's) is refused; a file opened before is not re-checked.
 */
static void open_needs_rawio(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int st = 0, before = open_shim();
	pid_t pid;

	group_begin("opening the shim needs CAP_SYS_RAWIO");
	pid = fork();
	if (pid == 0) {
		struct qcom_scm_shim_version v = { .size = sizeof(v) };
		int fd;

		if (syscall(SYS_capget, &h, d) < 0)
			_exit(10);
		d[CAP_TO_INDEX(CAP_SYS_RAWIO)].effective &= ~CAP_TO_MASK(CAP_SYS_RAWIO);
		if (syscall(SYS_capset, &h, d) < 0)
			_exit(11);
		fd = open(SHIM, O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			_exit(12);
		if (errno != EPERM)
			_exit(13);
		/* what it had before still works */
		_exit(ioctl(before, QCOM_SCM_SHIM_GET_VERSION, &v) == 0 ? 0 : 14);
	}
	check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "without CAP_SYS_RAWIO: exit %d (12: opened, 13: another errno, 14: the file "
	      "opened before stopped working)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(before);
	group_end();
}

static long delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static void keep_and_adopt(void)
{
	long shut0 = state_get("calls.shutdown");
	const uint32_t want_levels = 1u << QCOM_SCM_SHIM_IRQ_READY |
				     1u << QCOM_SCM_SHIM_IRQ_HANDOVER;
	struct qcom_scm_shim_core q = { 0 };
	struct started s;
	int fd = open_shim(), next, ack = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t res = 1;

	group_begin("CORE KEEP keeps a running core across close; a new file queries and "
		    "adopts it");
	if (!start_core(fd, &s)) {
		close(fd);
		goto out;
	}
	expect_ok(core_op(fd, QCOM_SCM_SHIM_CORE_KEEP, NULL), "CORE KEEP");
	close(fd);
	close_events(&s);
	/* Only the eventfd registrations went. */
	state_wait("smp2p-adsp.irqs", 0, 5000);
	check(state_is("smp2p-adsp.phase", "running") && state_get("calls.shutdown") == shut0,
	      "the kept core was shut down");
	check(delete_module("qcom_scm_shim_fake") < 0 && (errno == EBUSY || errno == EAGAIN),
	      "removing the fake TrustZone's module while a kept core uses it: %s",
	      strerror(errno));
	next = open_shim();
	check(core_op(next, QCOM_SCM_SHIM_CORE_QUERY, &q) == 0 &&
		      (q.out_state & QCOM_SCM_SHIM_STATE_KEPT) &&
		      (q.out_state & QCOM_SCM_SHIM_STATE_RUNNING) &&
		      !(q.out_state & (QCOM_SCM_SHIM_STATE_MINE | QCOM_SCM_SHIM_STATE_OTHER)) &&
		      (q.out_levels_valid & want_levels) == want_levels &&
		      (q.out_levels & want_levels) == want_levels && q.out_pas_id == pas_id,
	      "CORE QUERY of the kept core: %s, state %#x, levels %#x valid %#x, pas %u",
	      strerror(errno), q.out_state, q.out_levels, q.out_levels_valid, q.out_pas_id);
	/* Any per-core call adopts it. */
	expect_ok(set_irq(next, device, QCOM_SCM_SHIM_IRQ_STOP_ACK, ack), "SET_IRQ_EVENTFD stop-ack");
	check(core_op(next, QCOM_SCM_SHIM_CORE_QUERY, &q) == 0 &&
		      (q.out_state & QCOM_SCM_SHIM_STATE_MINE) &&
		      !(q.out_state & QCOM_SCM_SHIM_STATE_KEPT),
	      "adopted: state %#x", q.out_state);
	expect_ok(stop_bit(next, true), "STOP_BIT set");
	check(wait_event(ack, 5000), "no \"stop-ack\" within 5 s of the stop bit");
	check(pas_call(next, QCOM_SCM_SHIM_PAS_SHUTDOWN, pas_id, 0, 0, &res) == 0 && !res,
	      "SHUTDOWN: %s, result %" PRIu64, strerror(errno), res);
	expect_ok(stop_bit(next, false), "STOP_BIT clear");
	expect_ok(vote(next, sizeof(struct qcom_scm_shim_vote),
		       QCOM_SCM_SHIM_VOTE_PROXY | QCOM_SCM_SHIM_VOTE_LOAD_STATE, false),
		  "PROXY_VOTE off");
	close(next);
	state_wait("outstanding", 0, 5000);
	check(state_get("calls.shutdown") == shut0 + 1, "%ld SHUTDOWNs for one stop",
	      state_get("calls.shutdown") - shut0);
out:
	close(ack);
	group_end();
}

static void votes_abi_1_0(void)
{
	int fd = open_shim();

	group_begin("the ABI 1.0 vote (72 bytes) takes and drops both kinds");
	if (expect_ok(vote(fd, 72, 0, true), "PROXY_VOTE on, 72 bytes")) {
		state_wait("load_state", 1, 2000);
		state_wait("pd_on", 2, 2000);
		state_wait("clk_on", 1, 2000);
		expect_ok(vote(fd, 72, 0, false), "PROXY_VOTE off, 72 bytes");
		state_wait("load_state", 0, 2000);
		state_wait("pd_on", 0, 2000);
		state_wait("clk_on", 0, 2000);
	}
	/* The AOSS QMP handle stays with the core until it is released. */
	close(fd);
	state_wait("outstanding", 0, 5000);
	group_end();
}

/* After rprocd's crash test the crash reason is in SMEM: a short buffer learns its size. */
static void smem_short_buffer(void)
{
	char small[8];
	struct qcom_scm_shim_smem sm = {
		.size = sizeof(sm), .item = 423, .buffer = (uintptr_t)small,
		.buffer_len = sizeof(small),
	};
	int fd = open_shim();

	group_begin("SMEM_READ into a short buffer says how much is needed");
	expect_errno(ioctl(fd, QCOM_SCM_SHIM_SMEM_READ, &sm), EOVERFLOW, "SMEM_READ into 8 bytes");
	check(sm.buffer_len > sizeof(small), "the size needed came back as %llu",
	      (unsigned long long)sm.buffer_len);
	close(fd);
	group_end();
}

static int glink(int fd, const char *dev, bool registered)
{
	struct qcom_scm_shim_glink p = {
		.size = sizeof(p),
		.op = registered ? QCOM_SCM_SHIM_GLINK_REGISTER : QCOM_SCM_SHIM_GLINK_UNREGISTER,
	};

	set_name(p.device, dev);
	return ioctl(fd, QCOM_SCM_SHIM_GLINK, &p);
}

/* rpmsg devices whose name contains @part (all with NULL). */
static int rpmsg_devices(const char *part)
{
	DIR *d = opendir("/sys/bus/rpmsg/devices");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && (!part || strstr(de->d_name, part)))
			n++;
	if (d)
		closedir(d);
	return n;
}

/*
 * Each edge's rpmsg devices are named after its parent's parent (qcom_glink_smem_register()):
 * two cores' edges must not collide, as on a board with five DSPs.
 */
static void glink_edges(void)
{
	int fd, base = rpmsg_devices(NULL);
	struct qcom_scm_shim_core q;
	char what[160];

	if (!(caps & QCOM_SCM_SHIM_CAP_GLINK)) {
		printf("  note: the module offers no glink (a kernel without RPMSG_QCOM_GLINK_SMEM)\n");
		return;
	}
	group_begin("the glink edges of two cores register side by side and go away");
	fd = open_shim();
	for (int i = 0; i < 2; i++) {
		snprintf(what, sizeof(what), "GLINK REGISTER %s", glink_devs[i]);
		expect_ok(glink(fd, glink_devs[i], true), what);
	}
	state_wait("mbox_chans", 2, 2000);
	for (int i = 0; i < 2; i++)
		check(rpmsg_devices(glink_devs[i]) >= 1,
		      "no rpmsg device named after %s (%d rpmsg devices, %d before)", glink_devs[i],
		      rpmsg_devices(NULL), base);
	check(core_op(fd, QCOM_SCM_SHIM_CORE_QUERY, &q) == 0 &&
		      (q.out_state & QCOM_SCM_SHIM_STATE_GLINK),
	      "CORE QUERY shows no glink edge: %#x", q.out_state);
	expect_ok(glink(fd, glink_devs[0], true), "GLINK REGISTER twice");
	for (int i = 0; i < 2; i++) {
		snprintf(what, sizeof(what), "GLINK UNREGISTER %s", glink_devs[i]);
		expect_ok(glink(fd, glink_devs[i], false), what);
	}
	state_wait("mbox_chans", 0, 2000);
	check(rpmsg_devices(NULL) == base, "%d rpmsg devices left, %d before",
	      rpmsg_devices(NULL), base);
	/* A registered edge goes with its file. */
	expect_ok(glink(fd, glink_devs[0], true), "GLINK REGISTER before the close");
	close(fd);
	state_wait("mbox_chans", 0, 2000);
	check(rpmsg_devices(NULL) == base, "after the close %d rpmsg devices, %d before",
	      rpmsg_devices(NULL), base);
	state_wait("outstanding", 0, 5000);
	group_end();
}

/* CORE QUERY or RELEASE from a new open file; the state after it. */
static int core_cmd(uint32_t op, const char *what)
{
	struct qcom_scm_shim_core q;
	int fd = open_shim();

	if (core_op(fd, op, &q) < 0) {
		printf("CORE %s %s: %s\n", what, device, strerror(errno));
		close(fd);
		return 1;
	}
	printf("state %#x levels %#x valid %#x pas %u\n", q.out_state, q.out_levels,
	       q.out_levels_valid, q.out_pas_id);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "pas", required_argument, NULL, 'p' },
		{ "carveout", required_argument, NULL, 'c' },
		{ "fw", required_argument, NULL, 'f' },
		{ "state", required_argument, NULL, 's' },
		{ "glink", required_argument, NULL, 'g' },
		{ "mapped", required_argument, NULL, 'm' },
		{}
	};
	struct rproc_error err = { 0 };
	const char *mode = argc > 1 ? argv[1] : "";
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'p': pas_id = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'c':
			co_base = strtoull(optarg, NULL, 0);
			co_size = strtoull(strchr(optarg, ':') ? strchr(optarg, ':') + 1 : "0",
					   NULL, 0);
			break;
		case 'f': fw_path = optarg; break;
		case 's': state_path = optarg; break;
		case 'm':
			mapped_pa = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			glink_devs[0] = optarg;
			glink_devs[1] = strchr(optarg, ',');
			if (!glink_devs[1])
				return 2;
			*(char *)glink_devs[1]++ = '\0';
			break;
		default: return 2;
		}
	}
	if (!device) {
		fprintf(stderr, "usage: shim-client hostile|query --device NAME ...\n");
		return 2;
	}
	if (!strcmp(mode, "query"))
		return core_cmd(QCOM_SCM_SHIM_CORE_QUERY, "QUERY");
	if (strcmp(mode, "hostile") || !fw_path || !state_path || !co_size || !pas_id)
		return 2;
	if (rproc_fw_open(fw_path, &img, &err) < 0) {
		printf("VMCHECK fail hostile: open %s: %s\n", fw_path, err.msg);
		return 1;
	}
	{
		struct qcom_scm_shim_version v = { .size = sizeof(v) };
		int fd = open_shim();

		if (ioctl(fd, QCOM_SCM_SHIM_GET_VERSION, &v) == 0)
			caps = v.caps;
		close(fd);
	}
	sizes();
	unknown_ids();
	ranges();
	mappings();
	load_must_reach_memory();
	second_opener_and_close_while_running();
	open_needs_rawio();
	keep_and_adopt();
	votes_abi_1_0();
	smem_short_buffer();
	if (glink_devs[0])
		glink_edges();
	rproc_fw_close(img);
	return failed_groups ? 1 : 0;
}
