// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target for lib/parse/dt.c (and what consumes its output: desc.c): any bytes in, an answer
 * out, never a crash, an over-read or a leak.  Seeds: the fixture trees (tests/fixtures),
 * passed as files to the replay runner or as a corpus to libFuzzer.
 */
#include <string.h>

#include "rproc/backend.h"
#include "rproc/dt.h"
#include "fuzz-replay.h"

const struct fuzz_seed fuzz_seeds[1];
const size_t fuzz_n_seeds = 0;

/* Every string the parser hands out must be terminated inside its buffer. */
#define CHECK_STR(s)                                                                               \
	do {                                                                                       \
		if (!memchr((s), '\0', sizeof(s)))                                                 \
			__builtin_trap();                                                          \
	} while (0)

static void check_rproc(const struct rproc_dt *dt, const struct rproc_dt_rproc *r)
{
	struct rproc_error err = { 0 };
	struct rproc_desc d;

	CHECK_STR(r->name);
	CHECK_STR(r->compatible);
	CHECK_STR(r->node);
	CHECK_STR(r->device);
	CHECK_STR(r->status);
	if (r->n_firmware > RPROC_DT_MAX_FW || r->n_carveouts > RPROC_DT_MAX_REGIONS ||
	    r->n_iommus > RPROC_DT_MAX_IOMMUS || r->n_irqs > RPROC_DT_MAX_IRQS ||
	    r->n_smem_states > RPROC_DT_MAX_STATES || (r->n_devmem && !r->devmem))
		__builtin_trap();
	for (unsigned int i = 0; i < r->n_firmware; i++)
		CHECK_STR(r->firmware[i]);
	for (unsigned int i = 0; i < r->n_carveouts; i++) {
		CHECK_STR(r->carveouts[i].node);
		if (!r->carveouts[i].size || r->carveouts[i].base + r->carveouts[i].size <
						     r->carveouts[i].base)
			__builtin_trap();
	}
	for (unsigned int i = 0; i < r->n_iommus; i++)
		CHECK_STR(r->iommus[i].smmu);
	for (unsigned int i = 0; i < r->n_irqs; i++)
		CHECK_STR(r->irq_names[i]);
	for (size_t i = 0; i < r->n_devmem; i++)
		if (r->devmem[i].flags < 1 || r->devmem[i].flags > 31 || !r->devmem[i].len)
			__builtin_trap();
	if (rproc_dt_find(dt, r->name) != r)
		__builtin_trap(); /* names are unique */
	/* a node with an error says why, and a description refuses it */
	CHECK_STR(r->error_msg);
	if ((r->error < 0) != (r->error_msg[0] != '\0') || r->error > 0)
		__builtin_trap();
	if (r->error && rproc_desc_from_dt(r, 5, "x/y.mbn", &d, &err) != r->error)
		__builtin_trap();

	if (rproc_desc_from_dt(r, -1, NULL, &d, &err) == 0)
		rproc_desc_clear(&d);
	if (rproc_desc_from_dt(r, 5, "x/y.mbn", &d, &err) == 0)
		rproc_desc_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rproc_error err = { 0 };
	struct rproc_dt *dt = NULL;

	if (rproc_dt_parse(data, size, &dt, &err) < 0) {
		if (dt || !err.msg[0])
			__builtin_trap();
		return 0;
	}
	CHECK_STR(dt->model);
	CHECK_STR(dt->soc_compatible);
	for (size_t i = 0; i < dt->n; i++)
		check_rproc(dt, &dt->rprocs[i]);
	rproc_dt_free(dt);
	return 0;
}
