// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may control the cores (org.rprocd1(5), ACCESS CONTROL): root (and rprocd's own user, the
 * one account on a session bus), members of ControlGroup=, and whoever polkit authorizes for
 * org.rprocd1.manage.
 *
 * Only what the bus vouches for is used: the caller's uid and groups as dbus-daemon took them
 * from the socket when the caller connected (GetConnectionCredentials), never /proc/PID, whose
 * PID another process may have taken by the time it is read.  polkit judges the caller by its
 * bus name (a "system-bus-name" subject), which it resolves through the bus in the same way.
 *
 * polkit may take a while (it may ask the user for a password through an agent), so its
 * question is asynchronous: the method handler returns and its call is answered later.  When
 * polkit replies, the call is queued again (sd_bus_enqueue_for_read()) and its handler runs
 * again, now finding the answer here.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "log.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1u

struct auth_query {
	struct auth_query *next;
	struct manager *m;
	sd_bus_message *call; /* the method call waiting for polkit */
	sd_bus_slot *slot;    /* CheckAuthorization() in flight; NULL once answered */
	int result;           /* 1 authorized, < 0 refused (@error), 0 not yet known */
	sd_bus_error error;
};

static void auth_query_free(struct auth_query *q)
{
	sd_bus_slot_unref(q->slot);
	sd_bus_message_unref(q->call);
	sd_bus_error_free(&q->error);
	free(q);
}

static void auth_query_unlink(struct auth_query *q)
{
	for (struct auth_query **p = &q->m->auth_queries; *p; p = &(*p)->next)
		if (*p == q) {
			*p = q->next;
			return;
		}
}

void bus_auth_free(struct manager *m)
{
	free(m->callers);
	m->callers = NULL;
	while (m->auth_queries) {
		struct auth_query *q = m->auth_queries;

		m->auth_queries = q->next;
		auth_query_free(q);
	}
}

/* What dbus-daemon recorded of a connection when it connected. */
struct caller {
	uid_t uid;
	gid_t gids[64];
	size_t n_gids;
	bool have_gids; /* the bus says (UnixGroupIDs, dbus 1.13.18 and later) */
};

/*
 * The credentials of the last few callers, by unique name.  What the bus says of a connection
 * is what it took when the connection was made, and a unique name is never given to a second
 * connection on the same bus: an entry cannot go stale, and a client calling again (rprocctl
 * start, then its Get()s; a supervisor's Start and Stop) costs no round trip to dbus-daemon.
 * Only the credentials are kept: what they allow (ControlGroup=, polkit) is decided anew at
 * every call.
 */
#define CALLER_CACHE 16
struct caller_cache {
	struct {
		char name[64]; /* "" unused */
		struct caller c;
	} e[CALLER_CACHE];
	unsigned int next; /* the entry replaced next */
};

static int caller_read_gids(sd_bus_message *reply, struct caller *c)
{
	uint32_t g;
	int r;

	r = sd_bus_message_enter_container(reply, 'v', "au");
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "u");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read_basic(reply, 'u', &g)) > 0)
		if (c->n_gids < ARRAY_SIZE(c->gids))
			c->gids[c->n_gids++] = (gid_t)g;
	if (r < 0)
		return r;
	c->have_gids = true;
	r = sd_bus_message_exit_container(reply);
	return r < 0 ? r : sd_bus_message_exit_container(reply);
}

static int bus_get_caller(sd_bus *bus, const char *sender, struct caller *c)
{
	_cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	bool have_uid = false;
	int r;

	*c = (struct caller){ 0 };
	r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "GetConnectionCredentials", &e, &reply, "s",
			       sender);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *key;

		r = sd_bus_message_read_basic(reply, 's', &key);
		if (r < 0)
			return r;
		if (!strcmp(key, "UnixUserID")) {
			uint32_t u;

			r = sd_bus_message_read(reply, "v", "u", &u);
			c->uid = (uid_t)u;
			have_uid = r >= 0;
		} else if (!strcmp(key, "UnixGroupIDs")) {
			r = caller_read_gids(reply, c);
		} else {
			r = sd_bus_message_skip(reply, "v");
		}
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(reply);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return have_uid ? 0 : -ENODATA;
}

static int bus_get_caller_cached(struct manager *m, sd_bus *bus, const char *sender,
				 struct caller *c)
{
	struct caller_cache *cc = m->callers;
	int r;

	if (!sender || sender[0] != ':' || strlen(sender) >= sizeof(cc->e[0].name))
		return bus_get_caller(bus, sender, c); /* not a unique name: ask every time */
	for (unsigned int i = 0; cc && i < CALLER_CACHE; i++)
		if (!strcmp(cc->e[i].name, sender)) {
			*c = cc->e[i].c;
			return 0;
		}
	r = bus_get_caller(bus, sender, c);
	if (r < 0)
		return r;
	if (!cc)
		cc = m->callers = calloc(1, sizeof(*cc));
	if (cc) {
		snprintf(cc->e[cc->next].name, sizeof(cc->e[0].name), "%s", sender);
		cc->e[cc->next].c = *c;
		cc->next = (cc->next + 1) % CALLER_CACHE;
	}
	return 0;
}

/*
 * Root, rprocd's own user, or a member of @group.  When the bus does not say the caller's
 * groups (an older dbus-daemon), the groups the user database gives the caller's uid: those
 * cannot be changed by the caller either.
 */
static bool caller_may_control(const struct caller *c, const char *group)
{
	struct group grp, *g = NULL;
	char buf[4096];

	if (c->uid == 0 || c->uid == geteuid())
		return true;
	if (!group || getgrnam_r(group, &grp, buf, sizeof(buf), &g) || !g)
		return false;
	if (!c->have_gids) {
		struct passwd pw, *p = NULL;
		char pbuf[4096];
		gid_t gids[256];
		int n = ARRAY_SIZE(gids);

		if (getpwuid_r(c->uid, &pw, pbuf, sizeof(pbuf), &p) || !p ||
		    getgrouplist(p->pw_name, p->pw_gid, gids, &n) < 0)
			return false;
		for (int i = 0; i < n; i++)
			if (gids[i] == g->gr_gid)
				return true;
		return false;
	}
	for (size_t i = 0; i < c->n_gids; i++)
		if (c->gids[i] == g->gr_gid)
			return true;
	return false;
}

static int refuse(sd_bus_message *call, struct manager *m, sd_bus_error *error)
{
	const char *g = m->conf.control_group;

	return sd_bus_error_setf(error, RPROCD_ERROR_PERMISSION,
				 "permission denied: %s needs root, membership in group '%s' "
				 "(ControlGroup=) or polkit's authorization for %s",
				 sd_bus_message_get_member(call), g ? g : "(none configured)",
				 RPROCD_POLKIT_ACTION);
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct auth_query *q = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0, r;

	q->slot = sd_bus_slot_unref(q->slot);
	if (e) {
		if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN,
					   SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
			/* no polkit on this system: root and the group only */
			q->result = refuse(q->call, q->m, &q->error);
		} else {
			log_warning("polkit: %s: %s", e->name, e->message ? e->message : "");
			q->result = sd_bus_error_setf(&q->error, RPROCD_ERROR_PERMISSION,
						      "permission denied: polkit failed: %s",
						      e->message ? e->message : e->name);
		}
	} else {
		r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
		if (r >= 0)
			r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
		if (r < 0) {
			log_warning_errno(r, "polkit: cannot read its answer: %m");
			authorized = challenge = 0;
		}
		if (authorized)
			q->result = 1;
		else if (challenge)
			q->result = sd_bus_error_setf(
				&q->error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
				"%s needs authentication (polkit action %s)",
				sd_bus_message_get_member(q->call), RPROCD_POLKIT_ACTION);
		else
			q->result = refuse(q->call, q->m, &q->error);
	}
	/* run the handler again: it finds this answer */
	r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->call), q->call);
	if (r < 0) {
		log_error_errno(r, "cannot dispatch %s again after polkit: %m",
				sd_bus_message_get_member(q->call));
		auth_query_unlink(q);
		auth_query_free(q);
	}
	return 0;
}

static int polkit_ask(sd_bus_message *call, struct manager *m, sd_bus_error *error)
{
	struct auth_query *q;
	uint32_t flags = sd_bus_message_get_allow_interactive_authorization(call) > 0 ?
				 POLKIT_ALLOW_USER_INTERACTION :
				 0;
	const char *path = sd_bus_message_get_path(call);
	int r;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->m = m;
	q->call = sd_bus_message_ref(call);
	/* the details polkit may show: what is done, and to which core */
	r = sd_bus_call_method_async(m->bus, &q->slot, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE,
				     "CheckAuthorization", on_polkit_reply, q,
				     "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
				     sd_bus_message_get_sender(call), RPROCD_POLKIT_ACTION, 2,
				     "method", sd_bus_message_get_member(call), "object",
				     path ? path : "", flags, "");
	if (r < 0) {
		auth_query_free(q);
		log_warning_errno(r, "cannot ask polkit: %m");
		return refuse(call, m, error);
	}
	q->next = m->auth_queries;
	m->auth_queries = q;
	return 0;
}

int bus_check_control(sd_bus_message *msg, struct manager *m, sd_bus_error *error)
{
	struct caller c;
	int r;

	/* polkit has answered about this very call */
	for (struct auth_query *q = m->auth_queries; q; q = q->next) {
		if (q->call != msg)
			continue;
		if (q->slot)
			return 0; /* still asking */
		auth_query_unlink(q);
		r = q->result;
		if (r < 0)
			sd_bus_error_copy(error, &q->error);
		auth_query_free(q);
		return r;
	}

	r = bus_get_caller_cached(m, sd_bus_message_get_bus(msg), sd_bus_message_get_sender(msg),
				  &c);
	if (r < 0) {
		log_warning_errno(r, "cannot get the credentials of %s from the bus: %m",
				  sd_bus_message_get_sender(msg));
		return refuse(msg, m, error);
	}
	if (caller_may_control(&c, m->conf.control_group))
		return 1;
	/* polkit answers for the system bus; on a session bus only its user may control */
	if (m->args->user_bus)
		return refuse(msg, m, error);
	return polkit_ask(msg, m, error);
}
