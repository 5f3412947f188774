/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer entry point, shared by the clang fuzzers and the gcc replay runner. */
#ifndef RPROC_FUZZ_REPLAY_H
#define RPROC_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seeds built into a target (hand-built inputs); the replay runner feeds them first. */
struct fuzz_seed {
	const uint8_t *data;
	size_t size;
};
extern const struct fuzz_seed fuzz_seeds[];
extern const size_t fuzz_n_seeds;

#endif
