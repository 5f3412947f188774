/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clocks in the units the code keeps them in: microseconds and nanoseconds. */
#ifndef RPROC_TIME_UTIL_H
#define RPROC_TIME_UTIL_H

#include <stdint.h>
#include <time.h>

#define USEC_PER_SEC UINT64_C(1000000)
#define NSEC_PER_USEC UINT64_C(1000)
#define NSEC_PER_SEC UINT64_C(1000000000)

static inline uint64_t timespec_to_nsec(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static inline uint64_t now_nsec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return timespec_to_nsec(&ts);
}

static inline uint64_t now_usec(clockid_t clock)
{
	return now_nsec(clock) / NSEC_PER_USEC;
}

#endif
