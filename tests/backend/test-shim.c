// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The qcom-scm shim client against the fake shim: version and capability checks, the ioctl
 * structs of every PAS call, the GET_RSCTABLE 16 KiB try and
 * single retry (doc/trustzone-pas.md#get_rsctable), TZ result
 * codes, SMEM crash reasons and the degrade paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "fake-kernel.h"
#include "rproc/qcom-scm-shim.h"
#include "shim.h"

static char shim_path[512];

static int setup(void **state)
{
	fk_setup();
	snprintf(shim_path, sizeof(shim_path), "%s/qcom_scm_shim", fk.dev_root);
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fk.open_fakes, 0);
	assert_int_equal(fk.live_mmaps, 0);
	fk_teardown();
	return 0;
}

static struct rproc_shim *open_ok(void)
{
	struct rproc_error err = { 0 };
	struct rproc_shim *s = NULL;

	assert_int_equal(rproc_shim_open(shim_path, &s, &err), 0);
	assert_non_null(s);
	return s;
}

static void test_version_ok(void **state)
{
	struct rproc_shim *s;
	const struct qcom_scm_shim_version *v;

	fk.shim_minor = 3;
	s = open_ok();
	assert_int_equal(s->major, 1);
	assert_int_equal(s->minor, 3); /* a newer minor is fine */
	v = (const void *)fk_find(QCOM_SCM_SHIM_GET_VERSION, 0)->arg;
	assert_int_equal(v->size, sizeof(*v));
	rproc_shim_close(s);
}

static void test_version_mismatch(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_shim *s = (void *)1;

	fk.shim_major = 2;
	fk.shim_minor = 0;
	assert_int_equal(rproc_shim_open(shim_path, &s, &err), -EPROTONOSUPPORT);
	assert_null(s);
	assert_non_null(strstr(err.msg, "shim ABI 2.0, rprocd speaks 1.x"));
}

static void test_not_a_shim(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_shim *s;

	fk_fail(QCOM_SCM_SHIM_GET_VERSION, 1, ENOTTY);
	assert_int_equal(rproc_shim_open(shim_path, &s, &err), -ENOTTY);
	assert_non_null(strstr(err.msg, "not a qcom-scm shim"));
}

static void test_missing_required_cap(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_shim *s;

	fk.shim_caps = QCOM_SCM_SHIM_CAP_MMAP;
	assert_int_equal(rproc_shim_open(shim_path, &s, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "capabilities: mmap"));
}

static void test_missing_device(void **state)
{
	struct rproc_error err = { 0 };
	struct rproc_shim *s;

	fk_remove("qcom_scm_shim");
	assert_int_equal(rproc_shim_open(shim_path, &s, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "modprobe qcom_scm_shim"));
	assert_non_null(strstr(err.msg, "DKMS"));
}

static void test_pas_calls(void **state)
{
	struct rproc_shim *s = open_ok();
	const struct rproc_pas_ops *ops = &rproc_shim_pas_ops;
	static const uint8_t meta[100] = { 0x7f, 'E', 'L', 'F' };
	struct qcom_scm_shim_init_image ii;
	struct qcom_scm_shim_pas p;
	uint64_t h = 0;

	assert_int_equal(ops->is_supported(s, 1), 1);
	assert_int_equal(ops->init_image(s, 1, meta, sizeof(meta)), 0);
	memcpy(&ii, fk_find(QCOM_SCM_SHIM_PAS_INIT_IMAGE, 0)->arg, sizeof(ii));
	assert_int_equal(ii.size, sizeof(ii));
	assert_int_equal(ii.pas_id, 1);
	assert_int_equal(ii.metadata, (uintptr_t)meta);
	assert_int_equal(ii.metadata_len, 100);

	assert_int_equal(ops->mem_setup(s, 1, 0x90000000, 0x1e00000), 0);
	memcpy(&p, fk_find(QCOM_SCM_SHIM_PAS_MEM_SETUP, 0)->arg, sizeof(p));
	assert_int_equal(p.pas_id, 1);
	assert_int_equal(p.addr, 0x90000000);
	assert_int_equal(p.length, 0x1e00000);

	assert_int_equal(ops->auth_and_reset(s, 1), 0);
	memcpy(&p, fk_find(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, 0)->arg, sizeof(p));
	assert_int_equal(p.flags, 0);
	/* prepare_and_auth_reset as one op (doc/trustzone-pas.md#shm-bridge). */
	assert_int_equal(rproc_shim_auth_and_reset(s, 1, 0x90000000, 0x1e00000, true), 0);
	memcpy(&p, fk_find(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET, 1)->arg, sizeof(p));
	assert_int_equal(p.flags, QCOM_SCM_SHIM_AUTH_BRIDGE);
	assert_int_equal(p.addr, 0x90000000);
	assert_int_equal(p.length, 0x1e00000);

	assert_int_equal(ops->shutdown(s, 1), 0);
	assert_int_equal(ops->metadata_release(s, 1), 0);
	assert_int_equal(ops->set_remote_state(s, 2, 1), 0);
	assert_int_equal(ops->shm_bridge_create(s, 0x90000000, 0x1000, &h), 0);
	assert_int_equal(h, 0x1234);
	assert_int_equal(ops->shm_bridge_delete(s, h), 0);
	assert_int_equal(((const struct qcom_scm_shim_bridge *)fk_find(QCOM_SCM_SHIM_BRIDGE_DELETE,
								       0)->arg)->handle, 0x1234);
	/* Unaligned bridge: the permission bits would corrupt it
	 * (doc/trustzone-pas.md#shm-bridge). */
	assert_int_equal(ops->shm_bridge_create(s, 0x90000010, 0x1000, &h), -EINVAL);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_BRIDGE_CREATE), 1);
	rproc_shim_close(s);
}

static void test_tz_result_codes(void **state)
{
	struct rproc_shim *s = open_ok();
	const struct rproc_pas_ops *ops = &rproc_shim_pas_ops;

	/* A successful SMC whose result[0] is non-zero is a failure
	 * (doc/trustzone-pas.md#result-codes). */
	fk.shim_result = 5;
	assert_int_equal(ops->init_image(s, 1, "x", 1), 5);
	assert_int_equal(ops->auth_and_reset(s, 1), 5);
	fk.shim_result = 0;
	fk_fail(QCOM_SCM_SHIM_PAS_SHUTDOWN, 1, EIO);
	assert_int_equal(ops->shutdown(s, 1), -EIO);
	rproc_shim_close(s);
}

static void test_rsctable_first_try(void **state)
{
	struct rproc_shim *s = open_ok();
	const struct qcom_scm_shim_rsctable *t;
	void *out;
	size_t len;

	fk.rsctable_size = 200;
	assert_int_equal(rproc_shim_pas_ops.get_rsc_table(s, 1, NULL, 0, &out, &len), 0);
	assert_int_equal(len, 200);
	assert_int_equal(((uint8_t *)out)[199], 0xa5);
	free(out);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_GET_RSCTABLE), 1);
	t = (const void *)fk_find(QCOM_SCM_SHIM_GET_RSCTABLE, 0)->arg;
	assert_int_equal(t->output_len, 16384);
	assert_int_equal(t->input_len, 16); /* the empty 16-byte header */
	rproc_shim_close(s);
}

static void test_rsctable_retry(void **state)
{
	struct rproc_shim *s = open_ok();
	static const uint8_t in[32] = { 1 };
	const struct qcom_scm_shim_rsctable *t;
	void *out;
	size_t len;

	fk.rsctable_size = 40000;
	assert_int_equal(rproc_shim_pas_ops.get_rsc_table(s, 1, in, sizeof(in), &out, &len), 0);
	assert_int_equal(len, 40000);
	free(out);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_GET_RSCTABLE), 2);
	t = (const void *)fk_find(QCOM_SCM_SHIM_GET_RSCTABLE, 1)->arg;
	assert_int_equal(t->output_len, 40000);
	assert_int_equal(t->input, (uintptr_t)in);
	assert_int_equal(t->input_len, 32);
	rproc_shim_close(s);
}

static void test_rsctable_too_big(void **state)
{
	struct rproc_shim *s = open_ok();
	void *out = (void *)1;
	size_t len;

	/* More than 1 GiB: refused without a second call (doc/trustzone-pas.md#get_rsctable). */
	fk.rsctable_size = (1ULL << 30) + 1;
	assert_int_equal(rproc_shim_pas_ops.get_rsc_table(s, 1, NULL, 0, &out, &len), -E2BIG);
	assert_null(out);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_GET_RSCTABLE), 1);
	/* Only one retry: a second "not sufficient" is an error. */
	fk.rsctable_size = 20000;
	fk_fail(QCOM_SCM_SHIM_GET_RSCTABLE, 3, EOVERFLOW);
	assert_int_equal(rproc_shim_pas_ops.get_rsc_table(s, 1, NULL, 0, &out, &len), -E2BIG);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_GET_RSCTABLE), 3);
	rproc_shim_close(s);
}

static void test_crash_reason(void **state)
{
	struct rproc_shim *s = open_ok();
	struct rproc_desc d = { .crash_reason_smem = 423 };
	char buf[64];

	assert_int_equal(rproc_shim_pas_ops.crash_reason(s, &d, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "err_fatal.c:42: watchdog? bite");
	assert_int_equal(((const struct qcom_scm_shim_smem *)fk_find(QCOM_SCM_SHIM_SMEM_READ, 0)
				  ->arg)->item, 423);
	/* Truncated to the caller's buffer, still terminated. */
	assert_int_equal(rproc_shim_pas_ops.crash_reason(s, &d, buf, 6), 0);
	assert_string_equal(buf, "err_f");
	d.crash_reason_smem = -1;
	assert_int_equal(rproc_shim_pas_ops.crash_reason(s, &d, buf, sizeof(buf)), -ENOENT);
	rproc_shim_close(s);
}

static void test_smem_retry(void **state)
{
	struct rproc_shim *s = open_ok();
	void *buf;
	size_t len;

	fk.smem_len = 10000; /* bigger than the first 4 KiB try */
	assert_int_equal(rproc_shim_pas_ops.smem_read(s, 602, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_int_equal(((char *)buf)[9999], 'A');
	free(buf);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_SMEM_READ), 2);
	/* Absurd sizes are refused, not allocated. */
	fk.smem_len = 1ULL << 40;
	assert_int_equal(rproc_shim_pas_ops.smem_read(s, 602, &buf, &len), -EOVERFLOW);
	assert_null(buf);
	rproc_shim_close(s);
}

static void test_carveout_fd(void **state)
{
	struct rproc_shim *s = open_ok();
	const struct qcom_scm_shim_carveout_fd *c;
	int fd = -1;

	assert_int_equal(rproc_shim_carveout_fd(s, 0x90000000, 0x100000, &fd), 0);
	assert_true(fd >= 0);
	c = (const void *)fk_find(QCOM_SCM_SHIM_CARVEOUT_FD, 0)->arg;
	assert_int_equal(c->addr, 0x90000000);
	assert_int_equal(c->length, 0x100000);
	assert_int_equal(c->flags, O_CLOEXEC);
	close(fd);
	fk_fail(QCOM_SCM_SHIM_CARVEOUT_FD, 2, ENODEV);
	assert_int_equal(rproc_shim_carveout_fd(s, 0x90000000, 0x100000, &fd), -ENODEV);
	rproc_shim_close(s);
}

static void test_optional_caps_absent(void **state)
{
	struct rproc_shim *s;
	struct rproc_desc d = { .device = "30000000.remoteproc", .crash_reason_smem = 423 };
	const struct rproc_pas_ops *ops = &rproc_shim_pas_ops;
	char buf[16];
	void *out;
	size_t len;
	uint64_t h;
	void *va;
	int fd;

	fk.shim_caps = QCOM_SCM_SHIM_CAP_PAS;
	s = open_ok();
	assert_int_equal(ops->stop_bit(s, &d, true), -EOPNOTSUPP);
	assert_int_equal(ops->proxy_vote(s, &d), -EOPNOTSUPP);
	assert_int_equal(ops->crash_reason(s, &d, buf, sizeof(buf)), -EOPNOTSUPP);
	assert_int_equal(ops->get_rsc_table(s, 1, NULL, 0, &out, &len), -EOPNOTSUPP);
	assert_int_equal(ops->shm_bridge_create(s, 0x1000, 0x1000, &h), -EOPNOTSUPP);
	assert_int_equal(rproc_shim_mmap(s, 0x90000000, 0x1000, true, &va), -EOPNOTSUPP);
	assert_int_equal(rproc_shim_carveout_fd(s, 0x90000000, 0x1000, &fd), -EOPNOTSUPP);
	assert_int_equal(rproc_shim_set_irq(s, d.device, QCOM_SCM_SHIM_IRQ_READY, 5), -EOPNOTSUPP);
	/* The bridge flag is dropped when the shim cannot make bridges. */
	assert_int_equal(ops->set_remote_state(s, 1, 1), -EOPNOTSUPP);
	assert_int_equal(rproc_shim_auth_and_reset(s, 1, 0x90000000, 0x1000, true), 0);
	assert_int_equal(((const struct qcom_scm_shim_pas *)fk_find(QCOM_SCM_SHIM_PAS_AUTH_AND_RESET,
								     0)->arg)->flags, 0);
	/* Only GET_VERSION and AUTH reached the fake. */
	assert_int_equal(fk.n_calls, 3);
	rproc_shim_close(s);
}

static void test_device_ops(void **state)
{
	struct rproc_shim *s = open_ok();
	struct rproc_desc d = { .device = "30000000.remoteproc" };
	const struct qcom_scm_shim_stop_bit *sb;
	const struct qcom_scm_shim_vote *v;
	const struct qcom_scm_shim_irq *irq;
	void *va;

	assert_int_equal(rproc_shim_pas_ops.stop_bit(s, &d, true), 0);
	sb = (const void *)fk_find(QCOM_SCM_SHIM_STOP_BIT, 0)->arg;
	assert_int_equal(sb->set, 1);
	assert_string_equal(sb->device, "30000000.remoteproc");
	assert_int_equal(rproc_shim_pas_ops.proxy_unvote(s, &d), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 0)->arg;
	assert_int_equal(v->on, 0);
	assert_int_equal(rproc_shim_set_irq(s, d.device, QCOM_SCM_SHIM_IRQ_STOP_ACK, 9), 0);
	irq = (const void *)fk_find(QCOM_SCM_SHIM_SET_IRQ_EVENTFD, 0)->arg;
	assert_int_equal(irq->irq, QCOM_SCM_SHIM_IRQ_STOP_ACK);
	assert_int_equal(irq->eventfd, 9);
	assert_int_equal(rproc_shim_set_irq(s, d.device, 7, 9), -EINVAL);
	/* A device name that does not fit the UAPI field. */
	memset(d.device, 'x', sizeof(d.device) - 1);
	assert_int_equal(rproc_shim_pas_ops.stop_bit(s, &d, true), -ENAMETOOLONG);
	assert_int_equal(rproc_shim_mmap(s, 0x90000000, 0x2000, true, &va), 0);
	munmap(va, 0x2000);
	rproc_shim_close(s);
}

static void test_vote_lifetimes(void **state)
{
	struct rproc_shim *s = open_ok();
	struct rproc_desc d = { .device = "30000000.remoteproc" };
	const struct qcom_scm_shim_vote *v;

	/* The two lifetimes, each on its own (ABI 1.1). */
	assert_int_equal(rproc_shim_proxy_votes(s, d.device, true), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 0)->arg;
	assert_int_equal(v->size, sizeof(*v));
	assert_int_equal(v->votes, QCOM_SCM_SHIM_VOTE_PROXY);
	assert_int_equal(v->on, 1);
	assert_string_equal(v->device, "30000000.remoteproc");
	assert_int_equal(rproc_shim_load_state(s, d.device, false), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 1)->arg;
	assert_int_equal(v->votes, QCOM_SCM_SHIM_VOTE_LOAD_STATE);
	assert_int_equal(v->on, 0);
	/* The backend's single vote takes both. */
	assert_int_equal(rproc_shim_pas_ops.proxy_vote(s, &d), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 2)->arg;
	assert_int_equal(v->votes, QCOM_SCM_SHIM_VOTE_PROXY | QCOM_SCM_SHIM_VOTE_LOAD_STATE);
	assert_int_equal(rproc_shim_vote(s, d.device, 0, true), -EINVAL);
	assert_int_equal(rproc_shim_vote(s, d.device, 4, true), -EINVAL);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_PROXY_VOTE), 3);
	rproc_shim_close(s);

	/* A module that cannot send load_state: the single vote is the proxy one only. */
	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_LOAD_STATE;
	s = open_ok();
	assert_int_equal(rproc_shim_load_state(s, d.device, true), -EOPNOTSUPP);
	assert_int_equal(rproc_shim_pas_ops.proxy_unvote(s, &d), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 3)->arg;
	assert_int_equal(v->votes, QCOM_SCM_SHIM_VOTE_PROXY);
	rproc_shim_close(s);
}

static void test_vote_abi_1_0(void **state)
{
	struct rproc_desc d = { .device = "30000000.remoteproc" };
	const struct qcom_scm_shim_vote *v;
	struct rproc_shim *s;

	/* A 1.0 module knows one vote for everything and the 72-byte struct. */
	fk.shim_minor = 0;
	fk.shim_flags = QCOM_SCM_SHIM_VERSION_TEST_BUILD; /* reserved in 1.0: ignored */
	s = open_ok();
	assert_int_equal(s->flags, 0);
	assert_int_equal(rproc_shim_pas_ops.proxy_vote(s, &d), 0);
	v = (const void *)fk_find(QCOM_SCM_SHIM_PROXY_VOTE, 0)->arg;
	assert_int_equal(v->size, 72);
	assert_int_equal(v->votes, 0);
	assert_int_equal(rproc_shim_proxy_votes(s, d.device, false), -EOPNOTSUPP);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_PROXY_VOTE), 1);
	rproc_shim_close(s);
}

static void test_core(void **state)
{
	struct rproc_shim_core_state st = { 0 };
	const struct qcom_scm_shim_core *c;
	struct rproc_shim *s;

	fk.shim_flags = QCOM_SCM_SHIM_VERSION_TEST_BUILD;
	s = open_ok();
	assert_int_equal(s->flags, QCOM_SCM_SHIM_VERSION_TEST_BUILD);
	fk.shim_core_state = QCOM_SCM_SHIM_STATE_KEPT | QCOM_SCM_SHIM_STATE_RUNNING;
	fk.shim_core_levels = 1u << QCOM_SCM_SHIM_IRQ_READY;
	fk.shim_core_levels_valid = 0x1e;
	assert_int_equal(rproc_shim_core(s, "30000000.remoteproc", QCOM_SCM_SHIM_CORE_QUERY, &st),
			 0);
	assert_int_equal(st.state, QCOM_SCM_SHIM_STATE_KEPT | QCOM_SCM_SHIM_STATE_RUNNING);
	assert_int_equal(st.levels, 1u << QCOM_SCM_SHIM_IRQ_READY);
	assert_int_equal(st.levels_valid, 0x1e);
	assert_int_equal(st.pas_id, 1);
	assert_int_equal(rproc_shim_core(s, "30000000.remoteproc", QCOM_SCM_SHIM_CORE_KEEP, NULL),
			 0);
	c = (const void *)fk_find(QCOM_SCM_SHIM_CORE, 1)->arg;
	assert_int_equal(c->op, QCOM_SCM_SHIM_CORE_KEEP);
	assert_int_equal(c->size, sizeof(*c));
	assert_int_equal(rproc_shim_core(s, "30000000.remoteproc", 3, NULL), -EINVAL);
	rproc_shim_close(s);

	/* Levels the module cannot vouch for are not reported as valid. */
	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_IRQ_LEVEL;
	s = open_ok();
	assert_int_equal(rproc_shim_core(s, "30000000.remoteproc", QCOM_SCM_SHIM_CORE_QUERY, &st),
			 0);
	assert_int_equal(st.levels_valid, 0);
	rproc_shim_close(s);

	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_CORE;
	s = open_ok();
	assert_int_equal(rproc_shim_core(s, "30000000.remoteproc", QCOM_SCM_SHIM_CORE_KEEP, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_CORE), 3);
	rproc_shim_close(s);
}

static void test_glink(void **state)
{
	struct rproc_shim *s = open_ok();
	char caps[256];

	assert_int_equal(rproc_shim_glink(s, "30000000.remoteproc", true), 0);
	assert_int_equal(((const struct qcom_scm_shim_glink *)fk_find(QCOM_SCM_SHIM_GLINK, 0)->arg)
				 ->op, QCOM_SCM_SHIM_GLINK_REGISTER);
	assert_int_equal(rproc_shim_glink(s, "30000000.remoteproc", false), 0);
	assert_int_equal(((const struct qcom_scm_shim_glink *)fk_find(QCOM_SCM_SHIM_GLINK, 1)->arg)
				 ->op, QCOM_SCM_SHIM_GLINK_UNREGISTER);
	rproc_shim_caps_string(QCOM_SCM_SHIM_CAP_PAS | QCOM_SCM_SHIM_CAP_GLINK |
				       QCOM_SCM_SHIM_CAP_LOAD_STATE | QCOM_SCM_SHIM_CAP_CORE,
			       caps, sizeof(caps));
	assert_string_equal(caps, "pas,load-state,glink,core");
	rproc_shim_close(s);

	fk.shim_caps = ~QCOM_SCM_SHIM_CAP_GLINK;
	s = open_ok();
	assert_int_equal(rproc_shim_glink(s, "30000000.remoteproc", true), -EOPNOTSUPP);
	assert_int_equal(fk_count(QCOM_SCM_SHIM_GLINK), 2);
	rproc_shim_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_version_ok),
		T(test_version_mismatch),
		T(test_not_a_shim),
		T(test_missing_required_cap),
		T(test_missing_device),
		T(test_pas_calls),
		T(test_tz_result_codes),
		T(test_rsctable_first_try),
		T(test_rsctable_retry),
		T(test_rsctable_too_big),
		T(test_crash_reason),
		T(test_smem_retry),
		T(test_carveout_fd),
		T(test_optional_caps_absent),
		T(test_device_ops),
		T(test_vote_lifetimes),
		T(test_vote_abi_1_0),
		T(test_core),
		T(test_glink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
