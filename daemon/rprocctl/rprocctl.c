// SPDX-License-Identifier: GPL-2.0-or-later
/* rprocctl: control rprocd (online commands) and inspect trees and images (offline). */
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-run.h"
#include "config.h"
#include "ctl-output.h"
#include "ctl.h"
#include "util.h"

/* The offline commands parse their own options, so they must come first on the line. */
#define VERB_OWN_OPTIONS (1u << 0)
/* Long output: through the pager on a terminal. */
#define VERB_PAGER (1u << 1)
#define VERB_ANY UINT_MAX

struct verb {
	const char *name;
	const char *args; /* as the usage line shows them */
	unsigned int min_args, max_args; /* after the verb itself */
	unsigned int flags;
	int (*run)(const struct ctl_opts *o, int argc, char **argv); /* argv[0]: the verb */
	const char *summary;
	const char *options; /* the option names (below) this verb takes, space-separated */
};

static int verb_help(const struct ctl_opts *o, int argc, char **argv);

int ctl_check(const struct ctl_opts *o, int argc, char **argv)
{
	return check_run(o->config, o->dtb, NULL, 0,
			 o->json == CTL_JSON_OFF ? 0 : o->json == CTL_JSON_SHORT ? 1 : 2);
}

static int verb_describe(const struct ctl_opts *o, int argc, char **argv)
{
	return ctl_describe(argc, argv);
}

static int verb_inspect(const struct ctl_opts *o, int argc, char **argv)
{
	return ctl_inspect(argc, argv);
}

/* Options every verb talking to rprocd takes. */
#define BUS_OPTS "user host no-ask-password "

static const struct verb verbs[] = {
	{ "list", "", 0, 0, VERB_PAGER, ctl_list,
	  "list the remote processors and their state",
	  BUS_OPTS "json quiet no-legend full no-pager" },
	{ "status", "[NAME...]", 0, VERB_ANY, VERB_PAGER, ctl_status,
	  "show the state of remote processors in detail, with their recent log lines; exit 3 if "
	  "one is not running",
	  BUS_OPTS "json lines full no-pager" },
	{ "is-active", "NAME...", 1, VERB_ANY, 0, ctl_is_state,
	  "exit 0 if every named processor is running, 3 if not; print the states unless -q",
	  BUS_OPTS "quiet" },
	{ "is-failed", "NAME...", 1, VERB_ANY, 0, ctl_is_state,
	  "exit 0 if one of the named processors failed, 1 if none did; print the states "
	  "unless -q",
	  BUS_OPTS "quiet" },
	{ "start", "NAME...", 1, VERB_ANY, 0, ctl_action,
	  "start remote processors (in parallel) and wait until they run",
	  BUS_OPTS "json quiet no-block" },
	{ "stop", "NAME...", 1, VERB_ANY, 0, ctl_action, "stop remote processors",
	  BUS_OPTS "json quiet no-block" },
	{ "restart", "NAME...", 1, VERB_ANY, 0, ctl_action, "stop, then start remote processors",
	  BUS_OPTS "json quiet no-block" },
	{ "set-firmware", "NAME FIRMWARE", 2, 2, 0, ctl_set_firmware,
	  "boot NAME from FIRMWARE (a name under the firmware directories) from its next start",
	  BUS_OPTS "json quiet" },
	{ "reload", "", 0, 0, 0, ctl_reload,
	  "make rprocd re-read its configuration; print its warnings, exit 6 if there are any",
	  BUS_OPTS "json quiet warnings-ok" },
	{ "monitor", "[NAME...]", 0, VERB_ANY, 0, ctl_monitor,
	  "print state, phase and progress changes as they happen, until interrupted",
	  BUS_OPTS "json" },
	{ "logs", "NAME", 1, 1, VERB_PAGER, ctl_logs,
	  "show the journal lines of one remote processor", "json lines follow no-pager" },
	{ "coredump", "list|info|dump|debug [NAME|FILE...]", 1, VERB_ANY, 0, ctl_coredump,
	  "list and read the coredumps rprocd wrote",
	  "json quiet no-legend full no-pager config directory output debugger "
	  "debugger-arguments firmware" },
	{ "check", "", 0, 0, 0, ctl_check,
	  "check this host for the real backend (ok/warn/fail + fix); no daemon needed",
	  "json config dtb" },
	{ "describe", "[--dtb FILE] [--json]", 0, VERB_ANY, VERB_OWN_OPTIONS, verb_describe,
	  "offline: what rprocd would do with a device tree", "" },
	{ "inspect", "FILE [--json]", 0, VERB_ANY, VERB_OWN_OPTIONS, verb_inspect,
	  "offline: parse and check a firmware image", "" },
	{ "help", "[VERB]", 0, 1, 0, verb_help, "show this help, or a verb's", "" },
};

struct option_doc {
	const char *name; /* as in struct verb's options */
	const char *spec;
	const char *help;
};

static const struct option_doc option_docs[] = {
	{ "json", "-j --json[=MODE]", "JSON output: pretty, short or off (plain --json or -j: "
				  "pretty on a terminal, else short)" },
	{ "quiet", "-q --quiet", "print less (is-active, is-failed: nothing)" },
	{ "user", "   --user", "talk to rprocd on the session bus" },
	{ "host", "-H --host=[USER@]HOST", "talk to rprocd on HOST, over ssh" },
	{ "no-ask-password", "   --no-ask-password", "do not ask for a password to authorize" },
	{ "no-block", "   --no-block", "return once the request is accepted" },
	{ "warnings-ok", "   --warnings-ok", "reload: exit 0 when the configuration was applied "
					    "with warnings (they are still printed)" },
	{ "no-legend", "   --no-legend", "no column headings and no summary line" },
	{ "no-pager", "   --no-pager", "do not pipe the output into a pager" },
	{ "full", "-l --full", "do not shorten long values to fit the terminal" },
	{ "lines", "-n --lines=N", "journal lines to show (status: 10, logs: all)" },
	{ "follow", "-f --follow", "logs: go on printing new lines" },
	{ "config", "   --config=FILE", "the rprocd configuration to read" },
	{ "dtb", "   --dtb=FILE", "check: use this device tree, not the live one" },
	{ "directory", "-D --directory=DIR", "coredump: read DIR, not CoredumpDirectory=" },
	{ "output", "-o --output=FILE", "coredump dump: write the ELF file to FILE" },
	{ "debugger", "   --debugger=CMD", "coredump debug: the debugger (default "
					  "$SYSTEMD_DEBUGGER, else gdb)" },
	{ "debugger-arguments", "-A --debugger-arguments=ARGS",
	  "coredump debug: more arguments for the debugger" },
	{ "firmware", "   --firmware=FILE", "coredump debug: the firmware image, for symbols" },
};

static bool verb_has_option(const struct verb *v, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = v->options; (p = strstr(p, name)); p += n)
		if ((p == v->options || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* @text from column @col on, wrapped before column 80 onto lines indented to @col. */
static void print_wrapped(size_t col, const char *text)
{
	size_t at = col;

	while (*text) {
		size_t n = strcspn(text, " ");

		if (at > col && at + 1 + n >= 80) {
			printf("\n%*s", (int)col, "");
			at = col;
		} else if (at > col) {
			putchar(' ');
			at++;
		}
		printf("%.*s", (int)n, text);
		at += n;
		text += n;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void help(void)
{
	printf("Usage: rprocctl [OPTIONS] COMMAND [ARGS...]\n\n"
	       "Control rprocd, which boots and supervises remote processors, and inspect trees\n"
	       "and firmware images.  See rprocctl COMMAND --help, and rprocctl(1).\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s %s", verbs[i].name, verbs[i].args);
		if (strlen(head) > 22)
			printf("  %s\n  %-22s ", head, "");
		else
			printf("  %-22s ", head);
		print_wrapped(25, verbs[i].summary);
	}
	printf("\nOptions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(option_docs); i++) {
		printf("  %-30s ", option_docs[i].spec);
		print_wrapped(33, option_docs[i].help);
	}
	printf("  %-30s %s\n  %-30s %s\n\n", "-h --help", "show this help", "-V --version",
	       "show the version");
	printf("Exit status: 0 ok, 1 failure, 2 usage, 3 not running (status, is-active),\n"
	       "4 permission denied (status, is-active, is-failed: unknown name),\n"
	       "5 no such processor or file, 6 reloaded with warnings, 7 rprocd not running.\n");
}

static void verb_usage(const struct verb *v)
{
	char summary[256];

	snprintf(summary, sizeof(summary), "%c%s.", v->summary[0] - 'a' + 'A', v->summary + 1);
	printf("Usage: rprocctl [OPTIONS] %s %s\n\n", v->name, v->args);
	print_wrapped(0, summary);
	if (!v->options[0])
		return;
	printf("\nOptions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(option_docs); i++) {
		if (!verb_has_option(v, option_docs[i].name))
			continue;
		printf("  %-30s ", option_docs[i].spec);
		print_wrapped(33, option_docs[i].help);
	}
	printf("  %-30s %s\n", "-h --help", "show this help");
}

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* Edit distance, for "did you mean": the names are short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev2[32] = { 0 }, prev[32], cur[32];

	if (la >= 32 || lb >= 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			/* two letters swapped is one typo ("adps") */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		memcpy(prev2, prev, (lb + 1) * sizeof(size_t));
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

const char *ctl_did_you_mean(const char *name, const char *const *known, size_t n)
{
	const char *best = NULL;
	size_t bd = SIZE_MAX, len = strlen(name);

	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, known[i]);

		/* a prefix counts as close ("stat" -> status) */
		if (len >= 3 && !strncmp(name, known[i], len))
			d = 1;
		if (d < bd) {
			bd = d;
			best = known[i];
		}
	}
	return bd <= (len > 4 ? 2 : 1) ? best : NULL;
}

static int unknown_verb(const char *name)
{
	const char *names[ARRAY_SIZE(verbs)];
	const char *guess;

	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		names[i] = verbs[i].name;
	guess = ctl_did_you_mean(name, names, ARRAY_SIZE(names));
	if (guess)
		fprintf(stderr, "rprocctl: unknown command '%s'; did you mean '%s'?\n", name, guess);
	else
		fprintf(stderr, "rprocctl: unknown command '%s' (see rprocctl --help)\n", name);
	return CTL_EXIT_USAGE;
}

static int verb_help(const struct ctl_opts *o, int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2) {
		help();
		return CTL_EXIT_OK;
	}
	v = verb_find(argv[1]);
	if (!v)
		return unknown_verb(argv[1]);
	if (v->flags & VERB_OWN_OPTIONS) {
		char *a[] = { (char *)v->name, (char *)"--help", NULL };
		return v->run(NULL, 2, a);
	}
	verb_usage(v);
	return CTL_EXIT_OK;
}

static int verb_dispatch(const struct ctl_opts *o, int argc, char **argv, bool want_help)
{
	const struct verb *v = verb_find(argv[0]);
	unsigned int n = (unsigned int)argc - 1;
	int r;

	if (!v)
		return unknown_verb(argv[0]);
	if (want_help) {
		char *a[] = { (char *)"help", argv[0], NULL };
		return verb_help(o, 2, a);
	}
	if (v->flags & VERB_OWN_OPTIONS) {
		fprintf(stderr, "rprocctl: give '%s' first: rprocctl %s [OPTIONS] ...\n", v->name,
			v->name);
		return CTL_EXIT_USAGE;
	}
	if (n < v->min_args || n > v->max_args) {
		fprintf(stderr, "rprocctl: %s: wrong number of arguments (usage: rprocctl %s%s%s)\n",
			v->name, v->name, *v->args ? " " : "", v->args);
		return CTL_EXIT_USAGE;
	}
	if (v->flags & VERB_PAGER && !o->follow)
		ctl_pager_open(o);
	r = v->run(o, argc, argv);
	ctl_pager_close();
	return r;
}

int main(int argc, char **argv)
{
	enum {
		ARG_USER = 0x100,
		ARG_JSON,
		ARG_NO_BLOCK,
		ARG_WARNINGS_OK,
		ARG_NO_PAGER,
		ARG_NO_LEGEND,
		ARG_NO_ASK_PASSWORD,
		ARG_CONFIG,
		ARG_DTB,
		ARG_DEBUGGER,
		ARG_FIRMWARE,
	};
	static const struct option opts[] = {
		{ "json", optional_argument, NULL, ARG_JSON },
		{ "user", no_argument, NULL, ARG_USER },
		{ "host", required_argument, NULL, 'H' },
		{ "no-block", no_argument, NULL, ARG_NO_BLOCK },
		{ "warnings-ok", no_argument, NULL, ARG_WARNINGS_OK },
		{ "no-pager", no_argument, NULL, ARG_NO_PAGER },
		{ "no-legend", no_argument, NULL, ARG_NO_LEGEND },
		{ "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
		{ "full", no_argument, NULL, 'l' },
		{ "lines", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "config", required_argument, NULL, ARG_CONFIG },
		{ "dtb", required_argument, NULL, ARG_DTB },
		{ "directory", required_argument, NULL, 'D' },
		{ "output", required_argument, NULL, 'o' },
		{ "debugger", required_argument, NULL, ARG_DEBUGGER },
		{ "debugger-arguments", required_argument, NULL, 'A' },
		{ "firmware", required_argument, NULL, ARG_FIRMWARE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	const struct verb *first = argc >= 2 ? verb_find(argv[1]) : NULL;
	struct ctl_opts o = { .lines = 10, .ask_password = true };
	bool want_help = false;
	char *end;
	int c, r;

	setlocale(LC_ALL, "");
	ctl_output_init();
	if (first && first->flags & VERB_OWN_OPTIONS)
		return first->run(NULL, argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "jH:ln:fqD:o:A:hV", opts, NULL)) >= 0) {
		switch (c) {
		case 'j':
		case ARG_JSON:
			r = ctl_parse_json(c == 'j' ? NULL : optarg, &o.json);
			if (r <= 0)
				return r < 0 ? CTL_EXIT_USAGE : CTL_EXIT_OK;
			break;
		case ARG_USER:
			o.user = true;
			break;
		case 'H':
			o.host = optarg;
			break;
		case ARG_NO_BLOCK:
			o.no_block = true;
			break;
		case ARG_WARNINGS_OK:
			o.warnings_ok = true;
			break;
		case ARG_NO_PAGER:
			o.no_pager = true;
			break;
		case ARG_NO_LEGEND:
			o.no_legend = true;
			break;
		case ARG_NO_ASK_PASSWORD:
			o.ask_password = false;
			break;
		case 'l':
			o.full = true;
			break;
		case 'n':
			o.lines = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-') {
				fprintf(stderr, "rprocctl: --lines: not a number: %s\n", optarg);
				return CTL_EXIT_USAGE;
			}
			o.lines_set = true;
			break;
		case 'f':
			o.follow = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case ARG_CONFIG:
			o.config = optarg;
			break;
		case ARG_DTB:
			o.dtb = optarg;
			break;
		case 'D':
			o.directory = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case ARG_DEBUGGER:
			o.debugger = optarg;
			break;
		case 'A':
			o.debugger_args = optarg;
			break;
		case ARG_FIRMWARE:
			o.firmware = optarg;
			break;
		case 'h':
			want_help = true;
			break;
		case 'V':
			printf("rprocctl %s\n", PACKAGE_VERSION);
			return CTL_EXIT_OK;
		default:
			return CTL_EXIT_USAGE;
		}
	}
	if (o.user && o.host) {
		fprintf(stderr, "rprocctl: --user and --host cannot go together\n");
		return CTL_EXIT_USAGE;
	}
	if (optind >= argc) {
		if (want_help) {
			help();
			return CTL_EXIT_OK;
		}
		help();
		return CTL_EXIT_USAGE;
	}
	return verb_dispatch(&o, argc - optind, argv + optind, want_help);
}
