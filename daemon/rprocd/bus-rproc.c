// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.rprocd1.RemoteProc: one object per core under /org/rprocd1/rproc/, served by a fallback
 * vtable and a node enumerator.  Properties are read from the info the core last published,
 * so what a Get returns always matches the PropertiesChanged signals sent before it.
 */
#include <errno.h>
#include <stddef.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rproc/fw.h"
#include "bus-util.h"
#include "log.h"
#include "bus.h"
#include "strv.h"

static int rproc_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
			     void **found, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_free_ char *name = NULL;
	struct core *c;
	int r;

	r = sd_bus_path_decode(path, RPROCD_RPROC_PATH_PREFIX, &name);
	if (r <= 0)
		return 0;
	c = manager_find_core(m, name);
	if (!c)
		return 0;
	*found = c;
	return 1;
}

static int rproc_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
				 sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_strv_free_ char **v = calloc(m->n_cores + 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_cores; i++) {
		v[i] = strdup(m->cores[i]->path);
		if (!v[i])
			return -ENOMEM;
	}
	*nodes = TAKE_PTR(v);
	return 1;
}

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r <= 0)
		return r < 0 ? r : 1; /* refused, or polkit is asked: the answer comes later */
	r = core_start(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1; /* 1: the reply comes when the core settles */
}

static int method_stop(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r <= 0)
		return r < 0 ? r : 1;
	r = core_stop(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1;
}

static int method_restart(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r <= 0)
		return r < 0 ? r : 1;
	r = core_restart(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1;
}

/* Enqueue(s action): start, stop or restart without waiting for the core to settle. */
static const struct {
	const char *action;
	int (*run)(struct core *c, sd_bus_message *reply_to, sd_bus_error *error);
} enqueue_actions[] = {
	{ "start", core_start },
	{ "stop", core_stop },
	{ "restart", core_restart },
};

static int method_enqueue(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	const char *action;
	int r;

	/* the check first: a call polkit answers later is dispatched again, unread */
	r = bus_check_control(msg, c->m, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = sd_bus_message_read(msg, "s", &action);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(enqueue_actions); i++) {
		if (strcmp(action, enqueue_actions[i].action))
			continue;
		r = enqueue_actions[i].run(c, NULL, error);
		if (r < 0)
			return r;
		return sd_bus_reply_method_return(msg, NULL);
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
				 "unknown action '%s' (start, stop or restart)", action);
}

static int method_set_firmware(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	struct rproc_error err = { 0 };
	const char *name;
	enum rproc_state s;
	int r;

	r = bus_check_control(msg, c->m, error);
	if (r <= 0)
		return r < 0 ? r : 1;
	r = sd_bus_message_read(msg, "s", &name);
	if (r < 0)
		return r;
	if (rproc_fw_name_valid(name, &err) < 0)
		return sd_bus_error_setf(error, RPROCD_ERROR_INVALID_FIRMWARE, "%s: %s", c->name,
					 err.msg[0] ? err.msg : "invalid firmware name");
	s = core_state(c);
	if (s != RPROC_OFFLINE && s != RPROC_FAILED)
		return sd_bus_error_setf(error, RPROCD_ERROR_BUSY,
					 "%s is %s: stop it before changing its firmware", c->name,
					 rproc_state_name(s));
	r = core_set_firmware(c, name, &err);
	if (r < 0) {
		if (r == -EBUSY)
			return sd_bus_error_setf(error, RPROCD_ERROR_BUSY, "%s: %s", c->name, err.msg);
		return sd_bus_error_setf(error, RPROCD_ERROR_INVALID_FIRMWARE, "%s: %s", c->name,
					 err.msg[0] ? err.msg : strerror(-r));
	}
	log_full(RPROC_LOG_NOTICE, c->name, NULL, 0, "firmware set to %s", name);
	return sd_bus_reply_method_return(msg, NULL);
}

/*
 * The properties: each getter reads the field at its vtable entry's offset in struct core.  The
 * ones that can change live in core->props and say EMITS_CHANGE; bus_rproc_emit_changes()
 * finds them in this table.
 */
static int prop_get_state(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", rproc_state_name(*(enum rproc_state *)userdata));
}

static int prop_get_progress(sd_bus *bus, const char *path, const char *interface,
			     const char *property, sd_bus_message *reply, void *userdata,
			     sd_bus_error *error)
{
	const uint64_t *p = userdata;

	return sd_bus_message_append(reply, "(tt)", p[0], p[1]);
}

static int prop_get_timings(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	const struct rproc_timings *t = userdata;

	return sd_bus_message_append(reply, "(tttttt)", t->firmware_us, t->load_us, t->auth_us,
				     t->ready_us, t->total_us, t->image_bytes);
}

static int prop_get_carveouts(sd_bus *bus, const char *path, const char *interface,
			      const char *property, sd_bus_message *reply, void *userdata,
			      sd_bus_error *error)
{
	const struct rproc_desc *d = userdata;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(tt)");
	for (unsigned int k = 0; r >= 0 && k < d->n_carveouts; k++)
		r = sd_bus_message_append(reply, "(tt)", d->carveouts[k].base,
					  d->carveouts[k].size);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int prop_get_iommus(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error)
{
	const struct rproc_desc *d = userdata;
	int r;

	r = sd_bus_message_open_container(reply, 'a', "(uu)");
	for (unsigned int k = 0; r >= 0 && k < d->n_iommus; k++)
		r = sd_bus_message_append(reply, "(uu)", d->iommus[k].sid, d->iommus[k].mask);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

/* sd-bus's own getter reads these as 32 and 64 bits */
_Static_assert(sizeof(((struct rproc_desc *)0)->pas_id) == 4, "PasId is an int32");
_Static_assert(sizeof(((struct rproc_info *)0)->crash_count) == 4, "CrashCount is a uint32");

#define CONST(name, sig, get, field)                                                               \
	SD_BUS_PROPERTY(name, sig, get, offsetof(struct core, field),                              \
			SD_BUS_VTABLE_PROPERTY_CONST)
#define CHANGING(name, sig, get, field)                                                            \
	SD_BUS_PROPERTY(name, sig, get, offsetof(struct core, props.field),                        \
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable rproc_vtable[] = {
	SD_BUS_VTABLE_START(0),
	CONST("Name", "s", bus_property_get_chars, name),
	CONST("Compatible", "s", bus_property_get_chars, desc.compatible),
	CONST("Device", "s", bus_property_get_chars, desc.device),
	CONST("PasId", "i", NULL, desc.pas_id),
	CONST("Carveouts", "a(tt)", prop_get_carveouts, desc),
	CONST("IommuStreams", "a(uu)", prop_get_iommus, desc),
	CHANGING("Firmware", "s", bus_property_get_chars, firmware),
	CHANGING("FirmwarePath", "s", bus_property_get_chars, info.firmware_path),
	CHANGING("State", "s", prop_get_state, info.state),
	CHANGING("Phase", "s", bus_property_get_chars, phase),
	CHANGING("Progress", "(tt)", prop_get_progress, progress),
	CHANGING("LastError", "s", bus_property_get_chars, info.last_error),
	CHANGING("LastErrorStep", "s", bus_property_get_chars, info.last_error_step),
	CHANGING("CrashCount", "u", NULL, info.crash_count),
	CHANGING("LastCrashReason", "s", bus_property_get_chars, info.last_crash_reason),
	CHANGING("LastCoredump", "s", bus_property_get_chars, info.last_coredump),
	CHANGING("StateChangeTimestamp", "t", NULL, info.state_change_usec),
	CHANGING("BootTimeUSec", "t", NULL, info.timings.total_us),
	CHANGING("Timings", "(tttttt)", prop_get_timings, info.timings),
	CHANGING("Recovery", "b", bus_property_get_bool, info.recovery),
	CHANGING("AutoStart", "b", bus_property_get_bool, auto_start),
	CHANGING("StopOnExit", "b", bus_property_get_bool, stop_on_exit),
	SD_BUS_METHOD("Start", "", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Stop", "", "", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Restart", "", "", method_restart, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Enqueue", "s", SD_BUS_PARAM(action), "", , method_enqueue,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetFirmware", "s", SD_BUS_PARAM(name), "", , method_set_firmware,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* How to compare a changing property's old and new value, by the getter that reads it. */
static const struct {
	sd_bus_property_get_t get;
	size_t size; /* bytes at the offset; 0: a NUL-terminated string */
} prop_kinds[] = {
	{ bus_property_get_chars, 0 },
	{ bus_property_get_bool, sizeof(bool) },
	{ prop_get_state, sizeof(enum rproc_state) },
	{ prop_get_progress, sizeof(((struct core_props *)0)->progress) },
	{ prop_get_timings, sizeof(struct rproc_timings) },
	{ NULL, 0 }, /* sd-bus's own: the size of the basic type (below) */
};

/* -1 when a changing property cannot be compared: a bug in the table above. */
static ssize_t prop_size(const sd_bus_vtable *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(prop_kinds); i++) {
		if (prop_kinds[i].get != v->x.property.get)
			continue;
		if (prop_kinds[i].get)
			return (ssize_t)prop_kinds[i].size;
		switch (v->x.property.signature[0]) {
		case 'u':
			return sizeof(uint32_t);
		case 't':
			return sizeof(uint64_t);
		}
	}
	return -1;
}

static bool prop_changed(const sd_bus_vtable *v, const struct core_props *o,
			 const struct core_props *n)
{
	size_t off = v->x.property.offset - offsetof(struct core, props);
	const char *a = (const char *)o + off, *b = (const char *)n + off;
	ssize_t size = prop_size(v);

	return size > 0 ? memcmp(a, b, (size_t)size) != 0 : strcmp(a, b) != 0;
}

static bool prop_emits_change(const sd_bus_vtable *v)
{
	return v->type == _SD_BUS_VTABLE_PROPERTY &&
	       (v->flags & SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
}

void bus_rproc_emit_changes(struct core *c, const struct core_props *old)
{
	const char *names[ARRAY_SIZE(rproc_vtable)];
	size_t k = 0;

	for (const sd_bus_vtable *v = rproc_vtable; v->type != _SD_BUS_VTABLE_END; v++)
		if (prop_emits_change(v) && prop_changed(v, old, &c->props))
			names[k++] = v->x.property.member;
	names[k] = NULL;
	if (k)
		sd_bus_emit_properties_changed_strv(c->m->bus, c->path, RPROCD_RPROC_IFACE,
						    (char **)names);
}

/* Every property that changes must be one bus_rproc_emit_changes() can compare. */
static int rproc_vtable_check(void)
{
	for (const sd_bus_vtable *v = rproc_vtable; v->type != _SD_BUS_VTABLE_END; v++) {
		size_t off = v->x.property.offset;

		if (!prop_emits_change(v))
			continue;
		if (off < offsetof(struct core, props) ||
		    off >= offsetof(struct core, props) + sizeof(struct core_props) ||
		    prop_size(v) < 0)
			return log_error_errno(-EINVAL, "property %s: not in struct core_props, or "
						       "of a type bus-rproc.c cannot compare",
					       v->x.property.member);
	}
	return 0;
}

int bus_rproc_register(struct manager *m)
{
	int r;

	r = rproc_vtable_check();
	if (r < 0)
		return r;
	r = sd_bus_add_fallback_vtable(m->bus, &m->vtable_slots[1], RPROCD_RPROC_PATH_PREFIX,
				       RPROCD_RPROC_IFACE, rproc_vtable, rproc_object_find, m);
	if (r < 0)
		return r;
	return sd_bus_add_node_enumerator(m->bus, &m->vtable_slots[2], RPROCD_RPROC_PATH_PREFIX,
					  rproc_node_enumerator, m);
}
