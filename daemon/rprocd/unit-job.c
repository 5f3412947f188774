// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the service manager is doing to rprocd's unit when it tells rprocd to exit (rprocd(8),
 * "The fd store").  A restart keeps the fd store, so the cores are left running for the next
 * rprocd; a stop lets systemd 252 empty it once the unit is down, and the shim then shuts every
 * core down hard as its file closes.  Only the job on the unit tells the two apart: during the
 * stop phase of a restart its JobType is "restart" (systemd turns the job into a start once the
 * unit is down), during a stop it is "stop".
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "manager.h"
#include "time-util.h"

#define SD_NAME "org.freedesktop.systemd1"

/* One call to the service manager, given what is left of the time until @deadline. */
static int sm_call(sd_bus *bus, uint64_t deadline, const char *path, const char *iface,
		   const char *member, sd_bus_error *e, sd_bus_message **reply, const char *types,
		   ...)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
	uint64_t now = now_usec(CLOCK_MONOTONIC);
	va_list ap;
	int r;

	if (now >= deadline)
		return -ETIMEDOUT;
	r = sd_bus_message_new_method_call(bus, &msg, SD_NAME, path, iface, member);
	if (r < 0)
		return r;
	va_start(ap, types);
	r = sd_bus_message_appendv(msg, types, ap);
	va_end(ap);
	if (r < 0)
		return r;
	return sd_bus_call(bus, msg, deadline - now, e, reply);
}

static int get_property(sd_bus *bus, uint64_t deadline, const char *path, const char *iface,
			const char *prop, sd_bus_error *e, sd_bus_message **reply, const char *type)
{
	int r = sm_call(bus, deadline, path, "org.freedesktop.DBus.Properties", "Get", e, reply,
			"ss", iface, prop);

	return r < 0 ? r : sd_bus_message_enter_container(*reply, 'v', type);
}

/*
 * The type of the job the service manager runs on the unit of this process, into @type ("" for
 * none).  Within @timeout_usec in all: a manager that does not answer must not hold up the exit.
 */
static int unit_job_type(sd_bus *bus, uint64_t timeout_usec, char *type, size_t len,
			 sd_bus_error *e)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *unit = NULL, *job = NULL, *jt = NULL;
	uint64_t deadline = now_usec(CLOCK_MONOTONIC) + timeout_usec;
	const char *path, *s;
	uint32_t id = 0;
	int r;

	type[0] = 0;
	r = sm_call(bus, deadline, "/org/freedesktop/systemd1", SD_NAME ".Manager", "GetUnitByPID",
		    e, &unit, "u", (uint32_t)getpid());
	if (r >= 0)
		r = sd_bus_message_read(unit, "o", &path);
	if (r >= 0)
		r = get_property(bus, deadline, path, SD_NAME ".Unit", "Job", e, &job, "(uo)");
	if (r >= 0)
		r = sd_bus_message_read(job, "(uo)", &id, &path);
	if (r < 0 || id == 0) /* id 0, path "/": no job */
		return r;
	r = get_property(bus, deadline, path, SD_NAME ".Job", "JobType", e, &jt, "s");
	if (r >= 0)
		r = sd_bus_message_read(jt, "s", &s);
	if (r >= 0)
		snprintf(type, len, "%s", s);
	return r;
}

void manager_check_exit_job(struct manager *m)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	char type[32];
	int r;

	/* without a service manager's fd store there is nothing to lose at the exit */
	if (!m->fdstore || !m->bus)
		return;
	r = unit_job_type(m->bus, EXIT_JOB_TIMEOUT_MS * USEC_PER_MSEC, type, sizeof(type), &e);
	if (r < 0) {
		log_full(RPROC_LOG_WARNING, NULL, NULL, r,
			 "cannot ask the service manager which job ends rprocd (%s): the cores "
			 "are left to the fd store as on a restart",
			 e.message ? e.message : strerror(-r));
		return;
	}
	if (!strcmp(type, "stop")) {
		m->unit_stopping = true;
		log_notice(
		    "systemd is stopping the unit: the fd store will be emptied, so the cores "
		    "are stopped rather than left to be shut down without the stop handshake");
	} else
		log_info("the service manager's job on the unit: %s", type[0] ? type : "none");
}
