// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.rprocd1.RemoteProc: one object per core under /org/rprocd1/rproc/, served by a fallback
 * vtable and a node enumerator.  Properties are read from the info the core last published,
 * so what a Get returns always matches the PropertiesChanged signals sent before it.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rproc/fw.h"
#include "log.h"
#include "manager.h"
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

static bool gid_in(gid_t g, const gid_t *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] == g)
			return true;
	return false;
}

/* Root, or a member of @group (effective or supplementary). */
static bool creds_may_control(sd_bus_creds *creds, const char *group)
{
	const gid_t *gids = NULL;
	struct group grp, *g = NULL;
	char buf[4096];
	uid_t uid;
	gid_t gid;
	int n;

	if (sd_bus_creds_get_euid(creds, &uid) < 0 && sd_bus_creds_get_uid(creds, &uid) < 0)
		return false;
	if (uid == 0)
		return true;
	if (!group || getgrnam_r(group, &grp, buf, sizeof(buf), &g) || !g)
		return false;
	if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == g->gr_gid)
		return true;
	n = sd_bus_creds_get_supplementary_gids(creds, &gids);
	return n > 0 && gid_in(g->gr_gid, gids, n);
}

/*
 * Control (start, stop, restart, firmware, reload) is for root and members of ControlGroup=.
 * The bus policy says the same; this is the check that does not depend on it.
 */
int bus_check_control(sd_bus_message *msg, struct manager *m, sd_bus_error *error)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	int r;

	r = sd_bus_query_sender_creds(msg,
				      SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
					      SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT,
				      &creds);
	if (r < 0)
		return r;
	if (creds_may_control(creds, m->conf.control_group))
		return 0;
	return sd_bus_error_setf(error, RPROCD_ERROR_PERMISSION,
				 "%s requires root or membership in group '%s'",
				 sd_bus_message_get_member(msg),
				 m->conf.control_group ? m->conf.control_group : "(none configured)");
}

static int method_start(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r < 0)
		return r;
	r = core_start(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1; /* 1: the reply comes when the core settles */
}

static int method_stop(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r < 0)
		return r;
	r = core_stop(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1;
}

static int method_restart(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	int r = bus_check_control(msg, c->m, error);

	if (r < 0)
		return r;
	r = core_restart(c, msg, error);
	if (r == 0)
		return sd_bus_reply_method_return(msg, NULL);
	return r < 0 ? r : 1;
}

/* Enqueue(s action): start, stop or restart without waiting for the core to settle. */
static int method_enqueue(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	const char *action;
	int r;

	r = sd_bus_message_read(msg, "s", &action);
	if (r < 0)
		return r;
	r = bus_check_control(msg, c->m, error);
	if (r < 0)
		return r;
	if (!strcmp(action, "start"))
		r = core_start(c, NULL, error);
	else if (!strcmp(action, "stop"))
		r = core_stop(c, NULL, error);
	else if (!strcmp(action, "restart"))
		r = core_restart(c, NULL, error);
	else
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "unknown action '%s' (start, stop or restart)", action);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, NULL);
}

static int method_set_firmware(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	struct rproc_error err = { 0 };
	const char *name;
	enum rproc_state s;
	int r;

	r = sd_bus_message_read(msg, "s", &name);
	if (r < 0)
		return r;
	r = bus_check_control(msg, c->m, error);
	if (r < 0)
		return r;
	if (rproc_fw_name_valid(name, &err) < 0)
		return sd_bus_error_setf(error, RPROCD_ERROR_INVALID_FIRMWARE, "%s: %s", c->name,
					 err.msg[0] ? err.msg : "invalid firmware name");
	s = rproc_state(c->rproc);
	if (s != RPROC_OFFLINE && s != RPROC_FAILED)
		return sd_bus_error_setf(error, RPROCD_ERROR_BUSY,
					 "%s is %s: stop it before changing its firmware", c->name,
					 rproc_state_name(s));
	r = rproc_set_firmware(c->rproc, name, &err);
	if (r < 0) {
		if (r == -EBUSY)
			return sd_bus_error_setf(error, RPROCD_ERROR_BUSY, "%s: %s", c->name, err.msg);
		return sd_bus_error_setf(error, RPROCD_ERROR_INVALID_FIRMWARE, "%s: %s", c->name,
					 err.msg[0] ? err.msg : strerror(-r));
	}
	log_full(RPROC_LOG_NOTICE, c->name, NULL, 0, "firmware set to %s", name);
	sd_bus_emit_properties_changed(sd_bus_message_get_bus(msg), c->path, RPROCD_RPROC_IFACE,
				       "Firmware", NULL);
	return sd_bus_reply_method_return(msg, NULL);
}

static int prop_get(sd_bus *bus, const char *path, const char *interface, const char *property,
		    sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct core *c = userdata;
	const struct rproc_info *i = &c->info;
	const struct rproc_desc *d = &c->desc;
	int r;

	if (!strcmp(property, "Name"))
		return sd_bus_message_append(reply, "s", c->name);
	if (!strcmp(property, "Compatible"))
		return sd_bus_message_append(reply, "s", d->compatible);
	if (!strcmp(property, "Device"))
		return sd_bus_message_append(reply, "s", d->device);
	if (!strcmp(property, "PasId"))
		return sd_bus_message_append(reply, "i", (int32_t)d->pas_id);
	if (!strcmp(property, "Firmware"))
		return sd_bus_message_append(reply, "s", rproc_desc(c->rproc)->firmware[0]);
	if (!strcmp(property, "FirmwarePath"))
		return sd_bus_message_append(reply, "s", i->firmware_path);
	if (!strcmp(property, "State"))
		return sd_bus_message_append(reply, "s", rproc_state_name(i->state));
	if (!strcmp(property, "Phase"))
		return sd_bus_message_append(reply, "s", i->phase ? i->phase : "");
	if (!strcmp(property, "LastError"))
		return sd_bus_message_append(reply, "s", i->last_error);
	if (!strcmp(property, "LastErrorStep"))
		return sd_bus_message_append(reply, "s", i->last_error_step);
	if (!strcmp(property, "CrashCount"))
		return sd_bus_message_append(reply, "u", (uint32_t)i->crash_count);
	if (!strcmp(property, "LastCrashReason"))
		return sd_bus_message_append(reply, "s", i->last_crash_reason);
	if (!strcmp(property, "LastCoredump"))
		return sd_bus_message_append(reply, "s", i->last_coredump);
	if (!strcmp(property, "StateChangeTimestamp"))
		return sd_bus_message_append(reply, "t", i->state_change_usec);
	if (!strcmp(property, "BootTimeUSec"))
		return sd_bus_message_append(reply, "t", i->timings.total_us);
	if (!strcmp(property, "Timings"))
		return sd_bus_message_append(reply, "(tttttt)", i->timings.firmware_us,
					     i->timings.load_us, i->timings.auth_us,
					     i->timings.ready_us, i->timings.total_us,
					     i->timings.image_bytes);
	if (!strcmp(property, "Progress"))
		return sd_bus_message_append(reply, "(tt)", c->progress_done, c->progress_total);
	if (!strcmp(property, "Recovery"))
		return sd_bus_message_append(reply, "b", (int)i->recovery);
	if (!strcmp(property, "AutoStart"))
		return sd_bus_message_append(reply, "b", (int)c->auto_start);
	if (!strcmp(property, "StopOnExit"))
		return sd_bus_message_append(reply, "b", (int)c->stop_on_exit);
	if (!strcmp(property, "Carveouts")) {
		r = sd_bus_message_open_container(reply, 'a', "(tt)");
		for (unsigned int k = 0; r >= 0 && k < d->n_carveouts; k++)
			r = sd_bus_message_append(reply, "(tt)", d->carveouts[k].base,
						  d->carveouts[k].size);
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	if (!strcmp(property, "IommuStreams")) {
		r = sd_bus_message_open_container(reply, 'a', "(uu)");
		for (unsigned int k = 0; r >= 0 && k < d->n_iommus; k++)
			r = sd_bus_message_append(reply, "(uu)", d->iommus[k].sid,
						  d->iommus[k].mask);
		return r < 0 ? r : sd_bus_message_close_container(reply);
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "unknown property %s",
				 property);
}

#define PROP(name, sig, flags) SD_BUS_PROPERTY(name, sig, prop_get, 0, flags)
#define CHANGE SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define CONST SD_BUS_VTABLE_PROPERTY_CONST

static const sd_bus_vtable rproc_vtable[] = {
	SD_BUS_VTABLE_START(0),
	PROP("Name", "s", CONST),
	PROP("Compatible", "s", CONST),
	PROP("Device", "s", CONST),
	PROP("PasId", "i", CONST),
	PROP("Carveouts", "a(tt)", CONST),
	PROP("IommuStreams", "a(uu)", CONST),
	PROP("Firmware", "s", CHANGE),
	PROP("FirmwarePath", "s", CHANGE),
	PROP("State", "s", CHANGE),
	PROP("Phase", "s", CHANGE),
	PROP("Progress", "(tt)", CHANGE),
	PROP("LastError", "s", CHANGE),
	PROP("LastErrorStep", "s", CHANGE),
	PROP("CrashCount", "u", CHANGE),
	PROP("LastCrashReason", "s", CHANGE),
	PROP("LastCoredump", "s", CHANGE),
	PROP("StateChangeTimestamp", "t", CHANGE),
	PROP("BootTimeUSec", "t", CHANGE),
	PROP("Timings", "(tttttt)", CHANGE),
	PROP("Recovery", "b", CHANGE),
	PROP("AutoStart", "b", CHANGE),
	PROP("StopOnExit", "b", CHANGE),
	SD_BUS_METHOD("Start", "", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Stop", "", "", method_stop, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Restart", "", "", method_restart, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Enqueue", "s", SD_BUS_PARAM(action), "", , method_enqueue,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SetFirmware", "s", SD_BUS_PARAM(name), "", , method_set_firmware,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

int bus_rproc_emit_changes(struct core *c, const struct rproc_info *o)
{
	const struct rproc_info *n = &c->info;
	const char *names[20];
	size_t k = 0;

#define CHANGED_STR(f, prop)                                                                       \
	do {                                                                                       \
		if (strcmp(o->f, n->f))                                                            \
			names[k++] = prop;                                                         \
	} while (0)
#define CHANGED(f, prop)                                                                           \
	do {                                                                                       \
		if (o->f != n->f)                                                                  \
			names[k++] = prop;                                                         \
	} while (0)

	CHANGED(state, "State");
	CHANGED(state_change_usec, "StateChangeTimestamp");
	if (strcmp(o->phase ? o->phase : "", n->phase ? n->phase : ""))
		names[k++] = "Phase";
	CHANGED_STR(last_error, "LastError");
	CHANGED_STR(last_error_step, "LastErrorStep");
	CHANGED(crash_count, "CrashCount");
	CHANGED_STR(last_crash_reason, "LastCrashReason");
	CHANGED_STR(last_coredump, "LastCoredump");
	CHANGED_STR(firmware_path, "FirmwarePath");
	CHANGED(timings.total_us, "BootTimeUSec");
	if (memcmp(&o->timings, &n->timings, sizeof(n->timings)))
		names[k++] = "Timings";
	CHANGED(recovery, "Recovery");
#undef CHANGED
#undef CHANGED_STR
	names[k] = NULL;
	if (!k)
		return 0;
	return sd_bus_emit_properties_changed_strv(c->m->bus, c->path, RPROCD_RPROC_IFACE,
						   (char **)names);
}

int bus_rproc_register(struct manager *m)
{
	int r;

	r = sd_bus_add_fallback_vtable(m->bus, &m->vtable_slots[1], RPROCD_RPROC_PATH_PREFIX,
				       RPROCD_RPROC_IFACE, rproc_vtable, rproc_object_find, m);
	if (r < 0)
		return r;
	return sd_bus_add_node_enumerator(m->bus, &m->vtable_slots[2], RPROCD_RPROC_PATH_PREFIX,
					  rproc_node_enumerator, m);
}
