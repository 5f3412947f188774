// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rprocd: boots and supervises the SoC's PAS remote processors and serves org.rprocd1.
 * See rprocd(8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "config.h"
#include "check-run.h"
#include "log.h"
#include "bus.h"
#include "manager.h"
#include "time-util.h"

static void help(void)
{
	printf("Usage: rprocd [OPTIONS]\n"
	       "Boot and supervise Qualcomm PAS remote processors; serve org.rprocd1 on D-Bus.\n\n"
	       "  -c --config FILE         read FILE instead of the first found of\n"
	       "                           " SYSCONFDIR "/rprocd.conf, /run/rprocd.conf,\n"
	       "                           /usr/lib/rprocd.conf\n"
	       "  -d --dtb FILE            use this flattened device tree, not the live one\n"
	       "  -f --firmware-path DIR   search DIR for firmware first (repeatable)\n"
	       "  -s --simulate            run on the simulated SoC (Backend=simulated)\n"
	       "     --user                serve on the session bus instead of the system bus\n"
	       "  -l --log-level LEVEL     err, warning, notice, info (default) or debug\n"
	       "     --log-target TARGET   auto (default), journal or console\n"
	       "     --check               check the host for the real backend (VFIO/iommufd, the\n"
	       "                           qcom_scm_shim module and its capabilities) and exit\n"
	       "  -h --help                show this help\n"
	       "  -V --version             show the version\n"
	       "\nConfiguration: the first rprocd.conf found (above), then *.conf drop-ins in\n"
	       "  " SYSCONFDIR "/rprocd.conf.d/, /run/rprocd.conf.d/, /usr/lib/rprocd.conf.d/\n"
	       "  (see rprocd.conf(5))\n");
}

static int parse_args(int argc, char **argv, struct manager_args *a, int *log_target,
		      bool *check)
{
	enum { ARG_USER = 0x100, ARG_LOG_TARGET, ARG_CHECK };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dtb", required_argument, NULL, 'd' },
		{ "firmware-path", required_argument, NULL, 'f' },
		{ "simulate", no_argument, NULL, 's' },
		{ "user", no_argument, NULL, ARG_USER },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-target", required_argument, NULL, ARG_LOG_TARGET },
		{ "check", no_argument, NULL, ARG_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:d:f:sl:hV", opts, NULL)) >= 0) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case 'd':
			a->dtb = optarg;
			break;
		case 'f': {
			char **v = realloc(a->firmware_path, (a->n_firmware_path + 1) * sizeof(*v));
			if (!v)
				return -ENOMEM;
			a->firmware_path = v;
			v[a->n_firmware_path++] = optarg;
			break;
		}
		case 's':
			a->simulate = true;
			break;
		case ARG_USER:
			a->user_bus = true;
			break;
		case 'l':
			a->log_level = log_level_from_string(optarg);
			if (a->log_level < 0) {
				fprintf(stderr, "rprocd: unknown log level '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case ARG_LOG_TARGET:
			*log_target = log_target_from_string(optarg);
			if (*log_target < 0) {
				fprintf(stderr, "rprocd: unknown log target '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case ARG_CHECK:
			*check = true;
			break;
		case 'h':
			help();
			return 0;
		case 'V':
			printf("rprocd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rprocd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *ud)
{
	manager_reload(ud, NULL, NULL); /* a failure is logged */
	return 0;
}

/* SIGTERM is how a service manager ends rprocd: what it is about to do decides the cores' fate. */
static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *ud)
{
	struct manager *m = ud;

	m->exit_usec = now_usec(CLOCK_MONOTONIC);
	manager_check_exit_job(m);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int run(struct manager_args *args)
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	int r, n;

	r = manager_new(args, &m);
	if (r < 0)
		return r; /* logged */
	if (args->log_level < 0 && m->conf.n_warnings)
		log_notice("%u configuration warnings (see above)", m->conf.n_warnings);

	sd_event_set_watchdog(m->event, true);
	sd_event_add_signal(m->event, NULL, SIGTERM, on_sigterm, m);
	sd_event_add_signal(m->event, NULL, SIGINT, NULL, NULL);
	sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);

	/* The bus name first: a second rprocd must stop before it touches a core. */
	r = bus_manager_connect(m);
	if (r < 0)
		return r;
	r = manager_coldplug(m);
	if (r < 0)
		return r;
	fdstore_sync(m);
	/*
	 * Ready once the bus is served, before any boot begins: the boots run on worker threads
	 * and the bus answers while they do, but their loads would compete with these last steps
	 * for the CPUs.
	 */
	sd_notify(false, "READY=1");
	n = manager_autostart(m);
	log_info("serving %s with %zu remote processors (%d starting)", RPROCD_BUS_NAME, m->n_cores,
		 n);
	manager_update_status(m);

	r = sd_event_loop(m->event);
	if (r < 0)
		log_error_errno(r, "event loop: %m");
	if (!manager_shutdown(m)) {
		/* freeing the cores would wait for the stuck jobs: exit as a SIGKILL would */
		log_error("exiting with jobs that did not end (see above); the next rprocd "
			  "releases what they hold");
		_exit(EXIT_FAILURE);
	}
	return r;
}

int main(int argc, char **argv)
{
	struct manager_args args = { .log_level = -1 };
	int log_target = LOG_TARGET_AUTO;
	bool check = false;
	sigset_t ss;
	int r;

	r = parse_args(argc, argv, &args, &log_target, &check);
	if (r <= 0) {
		free(args.firmware_path);
		return r < 0 ? 2 : 0;
	}
	log_setup(log_target, args.log_level >= 0 ? args.log_level : RPROC_LOG_INFO);
	if (check) {
		r = check_run(args.config, args.dtb, args.firmware_path, args.n_firmware_path, 0);
		free(args.firmware_path);
		return r;
	}

	/* Signals arrive through sd_event only. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);

	r = run(&args);
	free(args.firmware_path);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
