/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A backend that kills cores inside a step: it wraps the simulated SoC, passes every call
 * through, and right after a core's chosen call in a chosen step returns, that core's daemon
 * is "dead": the snapshot its callback last wrote is what a successor gets, and every later
 * call for that core does nothing (the hardware never sees what a dead process would not
 * have done), except the process-local cleanups (CPU views, the IOMMU handle, interrupt
 * registrations) that a dying process's closed fds perform too.
 *
 * The calls the sim model would see from a kill at any instant are thereby all reached: a
 * SIGKILL lands between two calls, and a call into the kernel completes before the signal
 * is taken.
 */
#ifndef TEST_KILL_BACKEND_H
#define TEST_KILL_BACKEND_H

#include <stdbool.h>

#include "rproc/backend.h"
#include "rproc/rproc.h"
#include "sim-util.h"

#define KB_MAX_PHASES 40

struct kill_backend;

/* Wrap @bd's backend (it is replaced by the wrapper; destroying it destroys both). */
struct kill_backend *kb_wrap(struct tsim_board *bd);
/* The simulated SoC inside. */
struct rproc_backend *kb_inner(struct kill_backend *kb);
/* Register the snapshot callback of every core of the board (after tsim_board_cores()). */
void kb_watch(struct kill_backend *kb);
/* Die right after the @nth (1-based) call core @i makes in @phase (a step or "coredump"). */
void kb_arm(struct kill_backend *kb, int i, const char *phase, unsigned int nth);
bool kb_dead(struct kill_backend *kb, int i);
/*
 * What a successor of core @i gets: the snapshot its callback last wrote before the core
 * died, or (not dead) the last one written so far.
 */
void kb_last_words(struct kill_backend *kb, int i, struct rproc_snapshot *s);
/* Calls core @i made in @phase since the wrap (for a first run that counts them). */
unsigned int kb_calls(struct kill_backend *kb, int i, const char *phase);

#endif
