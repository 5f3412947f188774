/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clocks in the units the code keeps them in: milli-, micro- and nanoseconds. */
#ifndef RPROC_TIME_UTIL_H
#define RPROC_TIME_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#define MSEC_PER_SEC UINT64_C(1000)
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)
#define NSEC_PER_MSEC UINT64_C(1000000)
#define NSEC_PER_SEC UINT64_C(1000000000)

static inline uint64_t timespec_to_nsec(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static inline struct timespec *timespec_store_nsec(struct timespec *ts, uint64_t nsec)
{
	ts->tv_sec = (time_t)(nsec / NSEC_PER_SEC);
	ts->tv_nsec = (long)(nsec % NSEC_PER_SEC);
	return ts;
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

static inline uint64_t now_msec(clockid_t clock)
{
	return now_nsec(clock) / NSEC_PER_MSEC;
}

/* Sleep @usec microseconds, resuming after signals. */
static inline void sleep_usec(uint64_t usec)
{
	struct timespec ts;

	timespec_store_nsec(&ts, usec * NSEC_PER_USEC);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Sleep @msec milliseconds, resuming after signals. */
static inline void sleep_msec(unsigned int msec)
{
	sleep_usec((uint64_t)msec * USEC_PER_MSEC);
}

#endif
