#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# paths.sh RPROCD SYSCONFDIR BUILDDIR MANPAGE...: the configuration's place is one fact.
# rprocd --help (built from SYSCONFDIR), the drop-in directories compiled into rprocd
# (daemon/shared/conf.c), the man pages that meson installs, and where meson installs
# rprocd.conf all name SYSCONFDIR/rprocd.conf and the same three rprocd.conf.d directories.
set -uo pipefail
rprocd=$1 sysconfdir=$2 build=$3
shift 3
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
main=$sysconfdir/rprocd.conf
words() { tr -s ' ,()\n' '\n' | sed 's/\/$//' | sort -u; }

help=$("$rprocd" --help) || bad "rprocd --help failed"
echo "$help" | grep -q -- "read FILE instead of $main\$" &&
	ok "--help: --config replaces $main" || bad "--help does not name $main for --config"
help_dirs=$(echo "$help" | sed -n '/^Configuration:/,$p' | grep -o '/[^ ,]*rprocd\.conf\.d' | words)
help_main=$(echo "$help" | sed -n 's/^Configuration: \([^ ]*\) .*/\1/p')
[ "$help_main" = "$main" ] && ok "--help: configuration $main" ||
	bad "--help names '$help_main' as the configuration, the build reads $main"

# The drop-in directories rprocd really reads: the strings compiled into it.
code_dirs=$(grep -a -o '/[a-z/]*rprocd\.conf\.d' "$rprocd" | words)
[ "$(echo "$code_dirs" | grep -c .)" = 3 ] && ok "rprocd reads drop-ins from $(echo $code_dirs)" ||
	bad "expected three drop-in directories compiled into rprocd, found: $(echo $code_dirs)"
echo "$code_dirs" | grep -qx "$sysconfdir/rprocd.conf.d" ||
	bad "rprocd does not read $sysconfdir/rprocd.conf.d"
[ "$help_dirs" = "$code_dirs" ] && ok "--help lists the same drop-in directories" ||
	bad "--help lists '$(echo $help_dirs)', rprocd reads '$(echo $code_dirs)'"

for page in "$@"; do
	name=$(basename "$page")
	text=$(sed -e 's/\\-/-/g' -e 's/^\.[A-Z]* //' "$page")
	mains=$(echo "$text" | grep -oE '/[a-z/]*/rprocd\.conf(\.d)?' | grep -v '\.d$' | sort -u)
	dirs=$(echo "$text" | grep -o '/[a-z/]*rprocd\.conf\.d' | words)
	[ -z "$mains$dirs" ] && continue
	[ -z "$mains" ] || [ "$mains" = "$main" ] && ok "$name: names $main" ||
		bad "$name names '$(echo $mains)' as the configuration, rprocd reads $main"
	extra=$(comm -23 <(echo "$dirs") <(echo "$code_dirs"))
	[ -z "$extra" ] && ok "$name: drop-in directories are among rprocd's" ||
		bad "$name names drop-in directories rprocd does not read: $(echo $extra)"
	if [ "$name" = rprocd.8 ] || [ "$name" = rprocd.conf.5 ]; then
		[ "$dirs" = "$code_dirs" ] && ok "$name: lists all three drop-in directories" ||
			bad "$name lists '$(echo $dirs)', rprocd reads '$(echo $code_dirs)'"
	fi
done

# Where meson install puts the default file.
dest=$(meson introspect --installed "$build" | python3 -c '
import json, sys
for src, dst in json.load(sys.stdin).items():
    if src.endswith("/conf/rprocd.conf"):
        print(dst)')
[ "$dest" = "$main" ] && ok "meson install puts rprocd.conf at $main" ||
	bad "meson install puts rprocd.conf at '$dest', rprocd reads $main"
exit $fail
