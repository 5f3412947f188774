// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for the simulated SoC's configuration language (lib/backend/sim/sim-config.c,
 * syntax in sim.h): any text in, either a configuration whose every rule names a core and an
 * operation that exist and stays within its limits, or -EINVAL with a message naming a line
 * of the text; never a crash, an over-read or a leak.  The parser only needs the simulator's
 * core names, so it runs against a stub struct sim with the SA8775p cores (no memfd, no DSP
 * thread): sim_config_parse() is the function rproc_sim_new() and rproc_sim_set() call, after
 * sim_config_layout() (pas_id=, before the machine is laid out) for rproc_sim_new().
 * Seeds: corpus-simconf/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-replay.h"
#include "sim-priv.h"

const struct fuzz_seed fuzz_seeds[1];
const size_t fuzz_n_seeds = 0;

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static const char *const cores[] = { "adsp", "cdsp0", "cdsp1", "gpdsp0", "gpdsp1" };
#define N_CORES (sizeof(cores) / sizeof(cores[0]))

static struct sim_shared sh;
static struct sim sim;

static void sim_stub_init(void)
{
	if (sim.sh)
		return;
	sh.n_cores = N_CORES;
	for (size_t i = 0; i < N_CORES; i++)
		snprintf(sh.cores[i].name, sizeof(sh.cores[i].name), "%s", cores[i]);
	sim.sh = &sh;
}

/* a core bit set only for cores that exist, or every bit ("all") */
static bool mask_ok(const uint32_t *m)
{
	bool all = true, some_beyond = false;

	for (unsigned int i = 0; i < SIM_MAX_CORES; i++) {
		bool set = m[i / 32] & (1u << (i % 32));

		all = all && set;
		some_beyond = some_beyond || (set && i >= N_CORES);
	}
	return all || !some_beyond;
}

/* every content error is -EINVAL naming a line of the text */
static void check_error(int r, const struct rproc_error *err, unsigned int lines)
{
	unsigned int line;

	CHECK(r == -EINVAL || r == -ENOMEM);
	CHECK(err->msg[0]);
	if (r == -EINVAL) {
		CHECK(sscanf(err->msg, "simulator config line %u:", &line) == 1);
		CHECK(line >= 1 && line <= lines);
	}
}

/* what sim_config_layout() takes: pas_id=CORE:ID entries, within their limits */
static void check_layout(const char *text, unsigned int lines)
{
	struct sim_layout_config l;
	struct rproc_error err = { 0 };
	int r = sim_config_layout(text, &l, &err);

	if (r < 0) {
		check_error(r, &err, lines);
		return;
	}
	CHECK(l.n <= SIM_MAX_CORES);
	for (unsigned int i = 0; i < l.n; i++) {
		CHECK(memchr(l.pas[i].core, '\0', sizeof(l.pas[i].core)) && l.pas[i].core[0]);
		CHECK(l.pas[i].pas_id >= 0 && l.pas[i].line >= 1 && l.pas[i].line <= lines);
	}
}

static void check_config(const struct sim_config *c)
{
	CHECK(c->ready_delay_ms <= 3600000 && c->boot_delay_ms <= 3600000 &&
	      c->stop_ack_delay_ms <= 3600000 && c->slow_auth_ms <= 600000);
	CHECK(mask_ok(c->no_ready) && mask_ok(c->no_stop_ack) && mask_ok(c->no_handover));
	CHECK(c->auth_us_per_mib <= 10000000);
	CHECK(memchr(c->crash_reason, '\0', sizeof(c->crash_reason)));
	CHECK(c->n_fails <= SIM_MAX_RULES && c->n_crashes <= SIM_MAX_RULES &&
	      c->n_corrupt <= SIM_MAX_RULES);
	for (unsigned int i = 0; i < c->n_fails; i++) {
		const struct sim_fail *f = &c->fails[i];

		CHECK(f->op >= 0 && f->op < SIM_OP_COUNT);
		CHECK(f->core >= -1 && f->core < (int)N_CORES);
		CHECK(f->nth <= 1000000 && f->seen == 0);
		CHECK(f->err != 0 && f->err >= -4095 && f->err <= 0xffff);
	}
	for (unsigned int i = 0; i < c->n_crashes; i++) {
		const struct sim_crash *cr = &c->crashes[i];

		CHECK(cr->core >= 0 && cr->core < (int)N_CORES);
		CHECK(cr->irq == RPROC_IRQ_FATAL || cr->irq == RPROC_IRQ_WDOG);
		CHECK(cr->ms <= 3600000 && cr->count <= 1000000 && cr->done == 0);
	}
	for (unsigned int i = 0; i < c->n_corrupt; i++)
		CHECK(c->corrupt[i].core >= 0 && c->corrupt[i].core < (int)N_CORES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rproc_error err = { 0 };
	struct sim_config c;
	unsigned int lines = 1;
	char *text;
	int r;

	sim_stub_init();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (const char *p = text; (p = strchr(p, '\n')); p++)
		lines++;

	check_layout(text, lines);
	sim_config_defaults(&c);
	r = sim_config_parse(&sim, &c, text, false, &err);
	if (r < 0) {
		check_error(r, &err, lines);
	} else {
		CHECK(r == 0);
		check_config(&c);
		/* applied again at run time (rproc_sim_set()): rules add up to their limit */
		r = sim_config_parse(&sim, &c, text, true, &err);
		CHECK(r == 0 || (r == -EINVAL && err.msg[0]));
		check_config(&c);
	}
	/* the input is const: the parser works on its own copy */
	CHECK(!memcmp(text, data, strlen(text)));
	free(text);
	return 0;
}
