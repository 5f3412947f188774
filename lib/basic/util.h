/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers shared by librproc and the daemon: scope-bound cleanup, ownership transfer,
 * overflow-checked arithmetic.
 */
#ifndef RPROC_UTIL_H
#define RPROC_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _packed_ __attribute__((packed))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
#define _cleanup_close_ _cleanup_(closep)

/*
 * The cleanup handler of a pointer type from its free function, which is not called on NULL:
 * DEFINE_TRIVIAL_CLEANUP_FUNC(struct foo *, foo_free) defines foo_freep() for
 * _cleanup_(foo_freep) struct foo *f = NULL;
 */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
	static inline void func##p(type *p)                                                        \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}

/* Take ownership out of a cleanup-managed variable. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

/* Overflow-safe arithmetic on untrusted sizes: true if the result overflowed. */
#define add_overflows(a, b, res) __builtin_add_overflow(a, b, res)
#define mul_overflows(a, b, res) __builtin_mul_overflow(a, b, res)

/* [off, off + len) lies inside [0, total) without overflow. */
static inline bool range_within(uint64_t off, uint64_t len, uint64_t total)
{
	uint64_t end;

	if (add_overflows(off, len, &end))
		return false;
	return end <= total;
}

/* [a, a + alen) and [b, b + blen) overlap (lengths > 0, no overflow assumed checked). */
static inline bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

#endif
