/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A mock backend for unit tests of the lifecycle: every call is recorded by name, any call
 * can be made to fail, interrupts are eventfds the test raises (or the mock raises itself:
 * ready after AUTH_AND_RESET, stop-ack after the stop bit), and counters say what is held.
 */
#ifndef TEST_MOCK_BACKEND_H
#define TEST_MOCK_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "rproc/backend.h"
#include "util.h"

#define MOCK_MAX_CALLS 512

struct mock {
	struct rproc_backend b;
	pthread_mutex_t lock;
	char calls[MOCK_MAX_CALLS][24];
	unsigned int n_calls;
	const char *fail_op;
	unsigned int fail_nth; /* 0: every call */
	int fail_err;
	unsigned int fail_seen;
	bool auto_ready, auto_handover, auto_stop_ack;
	bool no_stop_ack_line; /* irq_open gives no stop-ack fd */
	bool wdog_on_stop;     /* the stop bit makes the DSP bite its watchdog */
	int irq[RPROC_IRQ_COUNT];
	uint64_t base, size;
	uint64_t range_start, range_last; /* the usable IOVA range (the last one) */
	unsigned int ranges_before;       /* small ranges reported before it, at 0, 0x2000, ... */
	uint8_t *mem;
	char crash_reason[128];
	/* what is held right now */
	int maps, bridges, meta, running, cpu_maps, domains, votes, load_state, glink;
	uint64_t last_map_size; /* of the last CPU view */
};

/* Interrupt ops with an ack (calls recorded as ack_<irq number>). */
extern const struct rproc_irq_ops mock_irq_with_ack;

struct mock *mock_new(uint64_t base, uint64_t size);
void mock_free(struct mock *m);
void mock_raise(struct mock *m, enum rproc_irq irq);
void mock_fail(struct mock *m, const char *op, unsigned int nth, int err);
/* The calls since the last mock_reset_calls(), space-separated. */
const char *mock_calls(struct mock *m, char *buf, size_t len);
void mock_reset_calls(struct mock *m);
unsigned int mock_count(struct mock *m, const char *op);
int mock_held(struct mock *m);

#endif
