// SPDX-License-Identifier: LGPL-2.1-or-later
/* The simulated SoC's configuration language (syntax in sim.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc/error.h"
#include "sim-priv.h"
#include "string-table.h"
#include "util.h"

static const char *const sim_minidump_table[_SIM_MD_MAX] = {
	[SIM_MD_EMPTY] = "0",
	[SIM_MD_VALID] = "1",
	[SIM_MD_ABSENT] = "absent",
	[SIM_MD_OFF] = "off",
	[SIM_MD_ENCRYPTING] = "encrypting",
	[SIM_MD_HOSTILE] = "hostile",
	[SIM_MD_HOSTILE_COUNT] = "hostile-count",
	[SIM_MD_TABLE_OUTSIDE] = "table-outside",
};
DEFINE_STRING_TABLE_LOOKUP_FROM_STRING_STATIC(sim_minidump, enum sim_minidump);

void sim_config_defaults(struct sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ready_delay_ms = 20;
	c->boot_delay_ms = 1;
	c->stop_ack_delay_ms = 1;
	c->auth_hash = true;
	c->require_bridge = true;
	c->bridges = true;
	c->bridge_op = true;
	c->stop_ack = true;
	snprintf(c->crash_reason, sizeof(c->crash_reason), "%s",
		 "sim: injected error-fatal in the DSP firmware");
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *v)
{
	uint64_t x;

	if (parse_u64(s, &x) < 0 || x > max)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

static int parse_bool(const char *s, bool *v)
{
	if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "true")) {
		*v = true;
		return 0;
	}
	if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "false")) {
		*v = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_errno(const char *s, int *v)
{
	static const struct {
		const char *name;
		int val;
	} names[] = {
		{ "EIO", EIO },       { "EINVAL", EINVAL },	  { "ENOMEM", ENOMEM },
		{ "EBUSY", EBUSY },   { "ETIMEDOUT", ETIMEDOUT }, { "EPERM", EPERM },
		{ "ENODEV", ENODEV }, { "EFAULT", EFAULT },	  { "EOPNOTSUPP", EOPNOTSUPP },
		{ "ENOSPC", ENOSPC }, { "EAGAIN", EAGAIN },
	};
	char *end;
	long x;

	if (s[0] == '-' && isalpha((unsigned char)s[1])) {
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(s + 1, names[i].name)) {
				*v = -names[i].val;
				return 0;
			}
		return -EINVAL;
	}
	errno = 0;
	x = strtol(s, &end, 0);
	if (errno || *end || x == 0 || x < -4095 || x > 0xffff)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

/* CORE name or "all" -> mask bit(s) (SIM_MAX_CORES bits). */
static int core_mask(struct sim *s, const char *name, uint32_t *mask)
{
	int c;

	if (!strcmp(name, "all")) {
		memset(mask, 0xff, SIM_MAX_CORES / 8);
		return 0;
	}
	c = sim_core_by_name(s, name);
	if (c < 0)
		return -ENODEV;
	mask[c / 32] |= 1u << (c % 32);
	return 0;
}

static void reset_faults(struct sim_config *c)
{
	c->n_fails = 0;
	c->n_crashes = 0;
	c->n_corrupt = 0;
	memset(c->no_ready, 0, sizeof(c->no_ready));
	memset(c->no_stop_ack, 0, sizeof(c->no_stop_ack));
	memset(c->no_handover, 0, sizeof(c->no_handover));
	c->slow_auth_ms = 0;
}

/* Split "a:b:c" in place into at most @max fields; returns the count. */
static unsigned int split(char *s, char **f, unsigned int max)
{
	unsigned int n = 0;

	f[n++] = s;
	for (char *p = s; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

static int parse_line(struct sim *s, struct sim_config *c, char *key, char *val)
{
	char *f[5];
	unsigned int n;
	int r;

	if (!strcmp(key, "ready_delay_ms"))
		return parse_uint(val, 3600000, &c->ready_delay_ms);
	if (!strcmp(key, "boot_delay_ms"))
		return parse_uint(val, 3600000, &c->boot_delay_ms);
	if (!strcmp(key, "stop_ack_delay_ms"))
		return parse_uint(val, 3600000, &c->stop_ack_delay_ms);
	if (!strcmp(key, "slow_auth_ms"))
		return parse_uint(val, 600000, &c->slow_auth_ms);
	if (!strcmp(key, "auth_us_per_mib"))
		return parse_uint(val, 10000000, &c->auth_us_per_mib);
	if (!strcmp(key, "auth_hash"))
		return parse_bool(val, &c->auth_hash);
	if (!strcmp(key, "require_bridge"))
		return parse_bool(val, &c->require_bridge);
	if (!strcmp(key, "bridges"))
		return parse_bool(val, &c->bridges);
	if (!strcmp(key, "bridge_op"))
		return parse_bool(val, &c->bridge_op);
	if (!strcmp(key, "stop_ack"))
		return parse_bool(val, &c->stop_ack);
	if (!strcmp(key, "rsc_devmem"))
		return parse_bool(val, &c->rsc_devmem);
	if (!strcmp(key, "minidump")) {
		r = sim_minidump_from_string(val);
		if (r < 0)
			return r;
		c->minidump = (enum sim_minidump)r;
		return 0;
	}
	if (!strcmp(key, "no_ready"))
		return core_mask(s, val, c->no_ready);
	if (!strcmp(key, "no_stop_ack"))
		return core_mask(s, val, c->no_stop_ack);
	if (!strcmp(key, "no_handover"))
		return core_mask(s, val, c->no_handover);
	if (!strcmp(key, "pas_id"))
		return -EROFS; /* laid out already: sim_config_layout() took it */
	if (!strcmp(key, "crash_reason")) {
		if (strlen(val) >= sizeof(c->crash_reason))
			return -EINVAL;
		snprintf(c->crash_reason, sizeof(c->crash_reason), "%s", val);
		return 0;
	}
	if (!strcmp(key, "fail")) {
		struct sim_fail fl = { .core = -1, .err = -EIO };
		char *at;

		if (c->n_fails == SIM_MAX_RULES)
			return -E2BIG;
		n = split(val, f, 3);
		if (n < 2)
			return -EINVAL;
		at = strchr(f[0], '@');
		if (at) {
			*at = 0;
			fl.core = sim_core_by_name(s, at + 1);
			if (fl.core < 0)
				return -ENODEV;
		}
		fl.op = sim_op_from_string(f[0]);
		if (fl.op < 0)
			return -ENOENT;
		r = parse_uint(f[1], 1000000, &fl.nth);
		if (!r && n == 3)
			r = parse_errno(f[2], &fl.err);
		if (r < 0)
			return r;
		c->fails[c->n_fails++] = fl;
		return 0;
	}
	if (!strcmp(key, "crash")) {
		struct sim_crash cr = { .count = 1 };

		if (c->n_crashes == SIM_MAX_RULES)
			return -E2BIG;
		n = split(val, f, 4);
		if (n < 3)
			return -EINVAL;
		cr.core = sim_core_by_name(s, f[0]);
		if (cr.core < 0)
			return -ENODEV;
		if (!strcmp(f[1], "fatal"))
			cr.irq = RPROC_IRQ_FATAL;
		else if (!strcmp(f[1], "wdog"))
			cr.irq = RPROC_IRQ_WDOG;
		else
			return -EINVAL;
		r = parse_uint(f[2], 3600000, &cr.ms);
		if (!r && n == 4)
			r = parse_uint(f[3], 1000000, &cr.count);
		if (r < 0)
			return r;
		c->crashes[c->n_crashes++] = cr;
		return 0;
	}
	if (!strcmp(key, "corrupt")) {
		struct sim_corrupt co;

		if (c->n_corrupt == SIM_MAX_RULES)
			return -E2BIG;
		if (split(val, f, 2) != 2)
			return -EINVAL;
		co.core = sim_core_by_name(s, f[0]);
		if (co.core < 0)
			return -ENODEV;
		if (parse_u64(f[1], &co.off) < 0)
			return -EINVAL;
		c->corrupt[c->n_corrupt++] = co;
		return 0;
	}
	return -ENOKEY;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* @val is NULL for a line without '=' ("reset") */
typedef int (*setting_fn)(void *ctx, char *key, char *val, unsigned int line);

/* Call @fn for every "key=value" of @text, with its line; report what it refuses. */
static int for_each_setting(const char *text, setting_fn fn, void *ctx, struct rproc_error *err)
{
	_cleanup_free_ char *copy = strdup(text);
	unsigned int line, next_line = 1;
	char *p, *next;

	if (!copy)
		return rproc_err(err, -ENOMEM, "out of memory");
	for (p = copy; p; p = next) {
		char *key, *val, *eq, *hash;
		int r;

		/* ';' separates settings on the same line: only '\n' starts the next one */
		line = next_line;
		next = strpbrk(p, "\n;");
		if (next) {
			if (*next == '\n')
				next_line++;
			*next++ = 0;
		}
		hash = strchr(p, '#');
		if (hash)
			*hash = 0;
		key = trim(p);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq && strcmp(key, "reset"))
			return rproc_err(err, -EINVAL,
					 "simulator config line %u: expected key=value, got \"%s\"",
					 line, key);
		val = NULL; /* "reset" stands alone */
		if (eq) {
			*eq = 0;
			val = trim(eq + 1);
			key = trim(key);
		}
		r = fn(ctx, key, val, line);
		if (r == -ENOKEY)
			return rproc_err(err, -EINVAL,
					 "simulator config line %u: unknown key \"%s\"", line, key);
		if (r == -ENODEV)
			return rproc_err(
			    err, -EINVAL,
			    "simulator config line %u: %s: no such core in the device tree", line,
			    key);
		if (r == -ENOENT)
			return rproc_err(
			    err, -EINVAL,
			    "simulator config line %u: %s: unknown operation (see rproc_sim_ops())",
			    line, key);
		if (r == -EROFS)
			return rproc_err(err, -EINVAL,
					 "simulator config line %u: %s applies only when the "
					 "simulated SoC is created",
					 line, key);
		if (r < 0)
			return rproc_err(err, -EINVAL,
					 "simulator config line %u: bad value for %s: \"%s\"", line,
					 key, val ? val : "");
	}
	return 0;
}

struct parse_ctx {
	struct sim *s;
	struct sim_config *c;
	bool runtime;
};

static int parse_setting(void *ctx, char *key, char *val, unsigned int line)
{
	struct parse_ctx *x = ctx;

	if (!val) {
		reset_faults(x->c);
		return 0;
	}
	if (!strcmp(key, "pas_id") && !x->runtime)
		return 0; /* sim_config_layout() took it */
	return parse_line(x->s, x->c, key, val);
}

int sim_config_parse(struct sim *s, struct sim_config *c, const char *text, bool runtime,
		     struct rproc_error *err)
{
	struct parse_ctx x = { .s = s, .c = c, .runtime = runtime };

	return for_each_setting(text, parse_setting, &x, err);
}

/* pas_id=CORE:ID, before the layout: every other key waits for sim_config_parse(). */
static int layout_setting(void *ctx, char *key, char *val, unsigned int line)
{
	struct sim_layout_config *l = ctx;
	unsigned int id;
	char *f[2];

	if (!val || strcmp(key, "pas_id"))
		return 0;
	if (l->n == ARRAY_SIZE(l->pas))
		return -E2BIG;
	if (split(val, f, 2) != 2 || !*f[0] || strlen(f[0]) >= sizeof(l->pas[0].core) ||
	    parse_uint(f[1], INT32_MAX, &id) < 0)
		return -EINVAL;
	snprintf(l->pas[l->n].core, sizeof(l->pas[0].core), "%s", f[0]);
	l->pas[l->n].pas_id = (int32_t)id;
	l->pas[l->n].line = line;
	l->n++;
	return 0;
}

int sim_config_layout(const char *text, struct sim_layout_config *l, struct rproc_error *err)
{
	memset(l, 0, sizeof(*l));
	return text ? for_each_setting(text, layout_setting, l, err) : 0;
}
