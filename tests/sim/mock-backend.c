// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mock-backend.h"

/* Record @op; returns the injected error for it, or 0. Called with m->lock held. */
static int rec(struct mock *m, const char *op)
{
	if (m->n_calls < MOCK_MAX_CALLS)
		snprintf(m->calls[m->n_calls++], sizeof(m->calls[0]), "%s", op);
	if (m->fail_op && !strcmp(m->fail_op, op)) {
		m->fail_seen++;
		if (!m->fail_nth || m->fail_seen == m->fail_nth)
			return m->fail_err;
	}
	return 0;
}

#define ENTER(m, op)                                                                               \
	int _e;                                                                                    \
	pthread_mutex_lock(&(m)->lock);                                                            \
	_e = rec(m, op);                                                                           \
	if (_e) {                                                                                  \
		pthread_mutex_unlock(&(m)->lock);                                                  \
		return _e;                                                                         \
	}
#define LEAVE(m, v)                                                                                \
	do {                                                                                       \
		pthread_mutex_unlock(&(m)->lock);                                                  \
		return v;                                                                          \
	} while (0)

void mock_raise(struct mock *m, enum rproc_irq irq)
{
	uint64_t one = 1;

	if (write(m->irq[irq], &one, sizeof(one)) != sizeof(one))
		abort();
}

static int p_is_supported(void *ctx, uint32_t pas_id)
{
	struct mock *m = ctx;
	ENTER(m, "is_supported");
	LEAVE(m, 1);
}

static int p_init_image(void *ctx, uint32_t pas_id, const void *meta, size_t len)
{
	struct mock *m = ctx;
	ENTER(m, "init_image");
	m->meta++;
	LEAVE(m, 0);
}

static int p_mem_setup(void *ctx, uint32_t pas_id, uint64_t addr, uint64_t size)
{
	struct mock *m = ctx;
	ENTER(m, "mem_setup");
	LEAVE(m, addr == m->base && size <= m->size ? 0 : -EINVAL);
}

static int p_auth(void *ctx, uint32_t pas_id)
{
	struct mock *m = ctx;
	ENTER(m, "auth_and_reset");
	m->running++;
	if (m->auto_handover)
		mock_raise(m, RPROC_IRQ_HANDOVER);
	if (m->auto_ready)
		mock_raise(m, RPROC_IRQ_READY);
	LEAVE(m, 0);
}

static int p_shutdown(void *ctx, uint32_t pas_id)
{
	struct mock *m = ctx;
	ENTER(m, "shutdown");
	if (m->running)
		m->running--;
	LEAVE(m, 0);
}

static int p_meta_release(void *ctx, uint32_t pas_id)
{
	struct mock *m = ctx;
	ENTER(m, "metadata_release");
	if (m->meta)
		m->meta--;
	LEAVE(m, 0);
}

static int p_set_remote_state(void *ctx, uint32_t state, uint32_t id)
{
	struct mock *m = ctx;
	ENTER(m, "set_remote_state");
	LEAVE(m, 0);
}

static int p_rsc(void *ctx, uint32_t pas_id, const void *in, size_t in_len, void **out,
		 size_t *out_len)
{
	struct mock *m = ctx;
	uint8_t *t;
	ENTER(m, "get_rsc_table");
	t = calloc(1, 16);
	if (!t)
		LEAVE(m, -ENOMEM);
	t[0] = 1; /* ver 1, no entries */
	*out = t;
	*out_len = 16;
	LEAVE(m, 0);
}

static int p_bridge_create(void *ctx, uint64_t pa, uint64_t size, uint64_t *h)
{
	struct mock *m = ctx;
	ENTER(m, "shm_bridge_create");
	m->bridges++;
	*h = 0x77;
	LEAVE(m, 0);
}

static int p_bridge_delete(void *ctx, uint64_t h)
{
	struct mock *m = ctx;
	ENTER(m, "shm_bridge_delete");
	m->bridges--;
	LEAVE(m, h == 0x77 ? 0 : -ENOENT);
}

static int p_vote(void *ctx, const struct rproc_desc *d)
{
	struct mock *m = ctx;
	ENTER(m, "proxy_vote");
	m->votes++;
	LEAVE(m, 0);
}

static int p_unvote(void *ctx, const struct rproc_desc *d)
{
	struct mock *m = ctx;
	ENTER(m, "proxy_unvote");
	if (m->votes) /* dropping votes not held is harmless, as on the hardware */
		m->votes--;
	LEAVE(m, 0);
}

static int p_load_state(void *ctx, const struct rproc_desc *d, bool on)
{
	struct mock *m = ctx;
	ENTER(m, on ? "load_state_on" : "load_state_off");
	m->load_state = on;
	LEAVE(m, 0);
}

static int p_glink(void *ctx, const struct rproc_desc *d, bool registered)
{
	struct mock *m = ctx;
	ENTER(m, registered ? "glink_register" : "glink_unregister");
	m->glink = registered;
	LEAVE(m, 0);
}

static int p_stop_bit(void *ctx, const struct rproc_desc *d, bool set)
{
	struct mock *m = ctx;
	ENTER(m, set ? "stop_bit_set" : "stop_bit_clear");
	if (set && m->auto_stop_ack)
		mock_raise(m, RPROC_IRQ_STOP_ACK);
	if (set && m->wdog_on_stop)
		mock_raise(m, RPROC_IRQ_WDOG);
	LEAVE(m, 0);
}

static int p_crash_reason(void *ctx, const struct rproc_desc *d, char *buf, size_t len)
{
	struct mock *m = ctx;
	ENTER(m, "crash_reason");
	snprintf(buf, len, "%s", m->crash_reason);
	LEAVE(m, 0);
}

static const struct rproc_pas_ops mock_pas = {
	.is_supported = p_is_supported,
	.init_image = p_init_image,
	.mem_setup = p_mem_setup,
	.auth_and_reset = p_auth,
	.shutdown = p_shutdown,
	.metadata_release = p_meta_release,
	.set_remote_state = p_set_remote_state,
	.get_rsc_table = p_rsc,
	.shm_bridge_create = p_bridge_create,
	.shm_bridge_delete = p_bridge_delete,
	.proxy_vote = p_vote,
	.proxy_unvote = p_unvote,
	.load_state = p_load_state,
	.glink = p_glink,
	.stop_bit = p_stop_bit,
	.crash_reason = p_crash_reason,
};

static int i_open(void *ctx, const struct rproc_desc *d, void **dom)
{
	struct mock *m = ctx;
	ENTER(m, "iommu_open");
	m->domains++;
	*dom = m;
	LEAVE(m, 0);
}

static int i_ranges(void *dom, struct rproc_iova_range *r, size_t max, size_t *n)
{
	struct mock *m = dom;
	ENTER(m, "iova_ranges");
	*n = m->ranges_before + 1;
	for (size_t i = 0; i < m->ranges_before && i < max; i++)
		r[i] = (struct rproc_iova_range){ i * 0x2000, i * 0x2000 + 0xfff };
	if (m->ranges_before < max)
		r[m->ranges_before] = (struct rproc_iova_range){ m->range_start, m->range_last };
	LEAVE(m, 0);
}

static int i_map(void *dom, uint64_t iova, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct mock *m = dom;
	ENTER(m, "iommu_map");
	m->maps++;
	LEAVE(m, iova == pa && prot == (RPROC_IOMMU_READ | RPROC_IOMMU_WRITE) ? 0 : -EINVAL);
}

static int i_unmap(void *dom, uint64_t iova, uint64_t size)
{
	struct mock *m = dom;
	ENTER(m, "iommu_unmap");
	if (!m->maps) /* like IOMMU_IOAS_UNMAP of nothing */
		LEAVE(m, -ENOENT);
	m->maps--;
	LEAVE(m, 0);
}

static void i_close(void *dom)
{
	struct mock *m = dom;

	pthread_mutex_lock(&m->lock);
	rec(m, "iommu_close");
	m->domains--;
	pthread_mutex_unlock(&m->lock);
}

static const struct rproc_iommu_ops mock_iommu = {
	.open = i_open,
	.iova_ranges = i_ranges,
	.map = i_map,
	.unmap = i_unmap,
	.close = i_close,
};

static int m_map(void *ctx, uint64_t phys, uint64_t size, bool writable, struct rproc_mem_map *mm)
{
	struct mock *m = ctx;
	ENTER(m, "mem_map");
	if (phys < m->base || phys - m->base + size > m->size)
		LEAVE(m, -EFAULT);
	mm->va = m->mem + (phys - m->base);
	mm->phys = phys;
	mm->size = size;
	m->last_map_size = size;
	m->cpu_maps++;
	LEAVE(m, 0);
}

static void m_unmap(void *ctx, struct rproc_mem_map *mm)
{
	struct mock *m = ctx;

	pthread_mutex_lock(&m->lock);
	rec(m, "mem_unmap");
	m->cpu_maps--;
	pthread_mutex_unlock(&m->lock);
}

static const struct rproc_mem_ops mock_mem = { .map = m_map, .unmap = m_unmap };

static int q_open(void *ctx, const struct rproc_desc *d, int fds[RPROC_IRQ_COUNT])
{
	struct mock *m = ctx;
	ENTER(m, "irq_open");
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		fds[i] = m->irq[i];
	if (m->no_stop_ack_line)
		fds[RPROC_IRQ_STOP_ACK] = -1;
	LEAVE(m, 0);
}

static void q_close(void *ctx, const struct rproc_desc *d)
{
}

static const struct rproc_irq_ops mock_irq = { .open = q_open, .close = q_close };

/* Like the real backend: consuming goes through ack (which would unmask a level line). */
static int q_ack(void *ctx, const struct rproc_desc *d, enum rproc_irq irq)
{
	struct mock *m = ctx;
	uint64_t v;
	char name[24];

	snprintf(name, sizeof(name), "ack_%d", (int)irq);
	ENTER(m, name);
	if (read(m->irq[irq], &v, sizeof(v)) != sizeof(v))
		LEAVE(m, -EAGAIN);
	LEAVE(m, 0);
}

const struct rproc_irq_ops mock_irq_with_ack = { .open = q_open, .ack = q_ack, .close = q_close };

struct mock *mock_new(uint64_t base, uint64_t size)
{
	struct mock *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	pthread_mutex_init(&m->lock, NULL);
	m->base = base;
	m->size = size;
	m->mem = calloc(1, size);
	m->auto_ready = m->auto_stop_ack = true;
	m->range_start = 0x10000000;
	m->range_last = 0xffffffffull;
	snprintf(m->crash_reason, sizeof(m->crash_reason), "mock: err_fatal");
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		m->irq[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	m->b = (struct rproc_backend){
		.name = "mock",
		.pas = &mock_pas,
		.pas_ctx = m,
		.iommu = &mock_iommu,
		.iommu_ctx = m,
		.mem = &mock_mem,
		.mem_ctx = m,
		.irq = &mock_irq,
		.irq_ctx = m,
	};
	return m;
}

void mock_free(struct mock *m)
{
	for (int i = 0; i < RPROC_IRQ_COUNT; i++)
		close(m->irq[i]);
	free(m->mem);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void mock_fail(struct mock *m, const char *op, unsigned int nth, int err)
{
	pthread_mutex_lock(&m->lock);
	m->fail_op = op;
	m->fail_nth = nth;
	m->fail_err = err;
	m->fail_seen = 0;
	pthread_mutex_unlock(&m->lock);
}

const char *mock_calls(struct mock *m, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->n_calls && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "", m->calls[i]);
	pthread_mutex_unlock(&m->lock);
	return buf;
}

void mock_reset_calls(struct mock *m)
{
	pthread_mutex_lock(&m->lock);
	m->n_calls = 0;
	pthread_mutex_unlock(&m->lock);
}

unsigned int mock_count(struct mock *m, const char *op)
{
	unsigned int n = 0;

	pthread_mutex_lock(&m->lock);
	for (unsigned int i = 0; i < m->n_calls; i++)
		n += !strcmp(m->calls[i], op);
	pthread_mutex_unlock(&m->lock);
	return n;
}

int mock_held(struct mock *m)
{
	int n;

	pthread_mutex_lock(&m->lock);
	n = m->maps + m->bridges + m->meta + m->running + m->cpu_maps + m->domains + m->votes +
	    m->load_state + m->glink;
	pthread_mutex_unlock(&m->lock);
	return n;
}
