// SPDX-License-Identifier: GPL-2.0-or-later
/* org.rprocd1.Manager at /org/rprocd1, and the JSON that Describe() returns. */
#include <errno.h>
#include <stddef.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "config.h"
#include "json-util.h"
#include "log.h"
#include "bus.h"
#include "rproc/sim.h"

static int method_list(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(msg, &reply);
	if (r < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(sso)");
	for (size_t i = 0; r >= 0 && i < m->n_cores; i++) {
		struct core *c = m->cores[i];
		r = sd_bus_message_append(reply, "(sso)", c->name,
					  rproc_state_name(c->props.info.state), c->path);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r < 0)
		return r;
	return sd_bus_send(NULL, reply, NULL);
}

static json_object *json_str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static json_object *core_json(struct core *c)
{
	const struct rproc_info *i = &c->props.info;
	const struct rproc_desc *d = &c->desc;
	json_object *o = json_object_new_object(), *a, *t;

	json_object_object_add(o, "name", json_str(c->name));
	json_object_object_add(o, "object_path", json_str(c->path));
	json_object_object_add(o, "compatible", json_str(d->compatible));
	json_object_object_add(o, "device", json_str(d->device));
	json_object_object_add(o, "pas_id", json_object_new_int(d->pas_id));
	json_object_object_add(o, "firmware", json_str(c->props.firmware));
	json_object_object_add(o, "firmware_path", json_str(i->firmware_path));
	json_object_object_add(o, "state", json_str(rproc_state_name(i->state)));
	json_object_object_add(o, "phase", json_str(c->props.phase));
	json_object_object_add(o, "progress",
			       json_object_new_array_ext(2));
	a = json_object_object_get(o, "progress");
	json_object_array_add(a, json_object_new_uint64(c->props.progress[0]));
	json_object_array_add(a, json_object_new_uint64(c->props.progress[1]));
	json_object_object_add(o, "last_error", json_str(i->last_error));
	json_object_object_add(o, "last_error_step", json_str(i->last_error_step));
	json_object_object_add(o, "crash_count", json_object_new_uint64(i->crash_count));
	json_object_object_add(o, "last_crash_reason", json_str(i->last_crash_reason));
	json_object_object_add(o, "last_coredump", json_str(i->last_coredump));
	json_object_object_add(o, "state_change_timestamp",
			       json_object_new_uint64(i->state_change_usec));
	json_object_object_add(o, "boot_time_usec", json_object_new_uint64(i->timings.total_us));
	t = json_object_new_object();
	json_object_object_add(t, "firmware_usec", json_object_new_uint64(i->timings.firmware_us));
	json_object_object_add(t, "load_usec", json_object_new_uint64(i->timings.load_us));
	json_object_object_add(t, "auth_usec", json_object_new_uint64(i->timings.auth_us));
	json_object_object_add(t, "ready_usec", json_object_new_uint64(i->timings.ready_us));
	json_object_object_add(t, "total_usec", json_object_new_uint64(i->timings.total_us));
	json_object_object_add(t, "image_bytes", json_object_new_uint64(i->timings.image_bytes));
	json_object_object_add(o, "timings", t);
	json_object_object_add(o, "recovery", json_object_new_boolean(i->recovery));
	json_object_object_add(o, "auto_start", json_object_new_boolean(c->props.auto_start));
	json_object_object_add(o, "stop_on_exit", json_object_new_boolean(c->props.stop_on_exit));
	a = json_object_new_array();
	for (unsigned int k = 0; k < d->n_carveouts; k++) {
		t = json_object_new_object();
		json_object_object_add(t, "base", json_object_new_uint64(d->carveouts[k].base));
		json_object_object_add(t, "size", json_object_new_uint64(d->carveouts[k].size));
		json_object_array_add(a, t);
	}
	json_object_object_add(o, "carveouts", a);
	a = json_object_new_array();
	for (unsigned int k = 0; k < d->n_iommus; k++) {
		t = json_object_new_object();
		json_object_object_add(t, "sid", json_object_new_uint64(d->iommus[k].sid));
		json_object_object_add(t, "mask", json_object_new_uint64(d->iommus[k].mask));
		json_object_array_add(a, t);
	}
	json_object_object_add(o, "iommu_streams", a);
	json_object_object_add(o, "adopted", json_object_new_boolean(c->adopted));
	return o;
}

static char *manager_describe_json(struct manager *m)
{
	_cleanup_(json_object_putp) json_object *root = json_object_new_object();
	json_object *a = json_object_new_array();

	json_object_object_add(root, "version", json_str(PACKAGE_VERSION));
	json_object_object_add(root, "backend", json_str(m->backend_name));
	json_object_object_add(root, "model", json_str(m->dt ? m->dt->model : ""));
	json_object_object_add(root, "soc_compatible", json_str(m->dt ? m->dt->soc_compatible : ""));
	if (m->backend && rproc_backend_is_sim(m->backend) > 0) {
		struct rproc_sim_usage u;
		json_object *sim = json_object_new_object();

		rproc_sim_report(m->backend, &u);
		json_object_object_add(sim, "running_cores", json_object_new_uint64(u.running_cores));
		json_object_object_add(sim, "smmu_mappings", json_object_new_uint64(u.smmu_mappings));
		json_object_object_add(sim, "domains", json_object_new_uint64(u.domains));
		json_object_object_add(sim, "bridges", json_object_new_uint64(u.bridges));
		json_object_object_add(sim, "metadata_buffers",
				       json_object_new_uint64(u.metadata_buffers));
		json_object_object_add(sim, "cpu_mappings", json_object_new_uint64(u.cpu_mappings));
		json_object_object_add(sim, "proxy_votes", json_object_new_uint64(u.proxy_votes));
		json_object_object_add(sim, "stop_bits", json_object_new_uint64(u.stop_bits));
		json_object_object_add(sim, "load_states", json_object_new_uint64(u.load_states));
		json_object_object_add(sim, "glink_edges", json_object_new_uint64(u.glink_edges));
		/* Calls made by this rprocd (not kept across restarts): tests see what ran. */
		json_object *calls = json_object_new_object();
		unsigned int n_ops;
		const char *const *ops = rproc_sim_ops(&n_ops);
		for (unsigned int k = 0; k < n_ops && ops[k]; k++)
			json_object_object_add(calls, ops[k],
					       json_object_new_uint64(
						       rproc_sim_calls(m->backend, ops[k])));
		json_object_object_add(sim, "calls", calls);
		json_object_object_add(root, "simulator", sim);
	}
	for (size_t i = 0; i < m->n_cores; i++)
		json_object_array_add(a, core_json(m->cores[i]));
	json_object_object_add(root, "rprocs", a);
	return strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
}

static int method_describe(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	_cleanup_free_ char *s = manager_describe_json(userdata);

	if (!s)
		return -ENOMEM;
	return sd_bus_reply_method_return(msg, "s", s);
}

/* Reload() returns the configuration's warnings: the caller sees what the log says. */
static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_(conf_warnings_clear) struct conf_warnings w = { 0 };
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	_cleanup_free_ char *why = NULL;
	int r = bus_check_control(msg, m, error);

	if (r <= 0)
		return r < 0 ? r : 1; /* refused, or polkit is asked: the answer comes later */

	r = manager_reload(m, &w, &why);
	if (r == -ENOMEM && !why)
		return r;
	if (r < 0)
		return sd_bus_error_setf(error, RPROCD_ERROR_CONFIG,
					 "cannot read the configuration: %s; the configuration in "
					 "use is kept", why ? why : strerror(-r));
	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sus)");
	for (size_t i = 0; r >= 0 && i < w.n; i++)
		r = sd_bus_message_append(reply, "(sus)", w.v[i].file, w.v[i].line, w.v[i].msg);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	return r < 0 ? r : sd_bus_send(NULL, reply, NULL);
}

static int prop_get_version(sd_bus *bus, const char *path, const char *interface,
			    const char *property, sd_bus_message *reply, void *userdata,
			    sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int prop_get_model(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	const struct manager *m = userdata;

	return sd_bus_message_append(reply, "s", m->dt ? m->dt->model : "");
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", prop_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Backend", "s", bus_property_get_chars,
			offsetof(struct manager, backend_name), SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Model", "s", prop_get_model, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_METHOD_WITH_NAMES("ListRemoteProcs", "", , "a(sso)", SD_BUS_PARAM(rprocs),
				 method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Describe", "", , "s", SD_BUS_PARAM(json), method_describe,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Reload", "", , "a(sus)", SD_BUS_PARAM(warnings), method_reload,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

static int bus_manager_register(struct manager *m)
{
	int r;

	r = sd_bus_add_object_vtable(m->bus, &m->vtable_slots[0], RPROCD_MANAGER_PATH,
				     RPROCD_MANAGER_IFACE, manager_vtable, m);
	if (r < 0)
		return r;
	r = bus_rproc_register(m);
	if (r < 0)
		return r;
	return sd_bus_add_object_manager(m->bus, &m->vtable_slots[3], RPROCD_MANAGER_PATH);
}

/* Another process has the name: say which, so that the user knows what to stop. */
static int bus_name_taken(struct manager *m)
{
	_cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
	const char *comm = NULL;
	pid_t pid = 0;

	if (sd_bus_get_name_creds(m->bus, RPROCD_BUS_NAME,
				  SD_BUS_CREDS_PID | SD_BUS_CREDS_COMM | SD_BUS_CREDS_AUGMENT,
				  &creds) >= 0) {
		sd_bus_creds_get_pid(creds, &pid);
		sd_bus_creds_get_comm(creds, &comm);
	}
	if (pid > 0)
		return log_error_errno(-EEXIST,
				       "%s is already owned by process %d (%s): another rprocd runs "
				       "the remote processors; stop it first (systemctl stop rprocd). "
				       "No remote processor was touched",
				       RPROCD_BUS_NAME, (int)pid, comm ? comm : "?");
	return log_error_errno(-EEXIST,
			       "%s is already owned by another process: another rprocd runs the "
			       "remote processors; stop it first. No remote processor was touched",
			       RPROCD_BUS_NAME);
}

int bus_manager_connect(struct manager *m)
{
	int r;

	r = m->args->user_bus ? sd_bus_open_user(&m->bus) : sd_bus_open_system(&m->bus);
	if (r < 0)
		return log_error_errno(r, "cannot connect to the %s bus: %m",
				       m->args->user_bus ? "user" : "system");
	r = bus_manager_register(m);
	if (r < 0)
		return log_error_errno(r, "cannot register D-Bus objects: %m");
	m->core_props_changed = bus_rproc_emit_changes;
	m->bus_done = bus_auth_free;
	r = sd_bus_request_name(m->bus, RPROCD_BUS_NAME, 0);
	if (r == -EEXIST)
		return bus_name_taken(m);
	if (r < 0)
		return log_error_errno(r, "cannot own %s: %m", RPROCD_BUS_NAME);
	r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
	if (r < 0)
		return log_error_errno(r, "cannot attach the bus: %m");
	return 0;
}
