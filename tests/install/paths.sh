#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# paths.sh RPROCD DTB SYSCONFDIR BUILDDIR MANPAGE...: where the configuration lives is one fact.
# What rprocd really opens (strace of "rprocd --check"), what rprocd --help says, what the man
# pages meson installs say, and where meson installs rprocd.conf agree: the main file is the
# first of SYSCONFDIR/rprocd.conf, /run/rprocd.conf, /usr/lib/rprocd.conf, and the drop-ins
# are in the rprocd.conf.d directories beside them, in that order.
set -uo pipefail
rprocd=$1 dtb=$2 sysconfdir=$3 build=$4
shift 4
command -v strace >/dev/null || { echo "SKIP: strace is not installed (.ci/packages)"; exit 77; }
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
line() { tr '\n' ' ' | sed 's/ $//'; }
# the main files and the drop-in directories a text names, in order of first appearance
mains() { grep -oE '/[a-z/]*/rprocd\.conf(\.d)?' | grep -v '\.d$' | awk '!seen[$0]++' | line; }
dirs() { grep -oE '/[a-z/]*/rprocd\.conf\.d' | awk '!seen[$0]++' | line; }

main=$sysconfdir/rprocd.conf
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT
strace -f -qq -e trace=openat -o "$trace" "$rprocd" --check --dtb "$dtb" >/dev/null 2>&1
code_mains=$(sed -n 's/.*openat([^,]*, "\([^"]*\/rprocd\.conf\)".*/\1/p' "$trace" | awk '!seen[$0]++' | line)
code_dirs=$(sed -n 's/.*openat([^,]*, "\([^"]*\/rprocd\.conf\.d\)".*O_DIRECTORY.*/\1/p' "$trace" | awk '!seen[$0]++' | line)
first=${code_mains%% *}
[ "$first" = "$main" ] && ok "rprocd opens $main first" ||
	bad "rprocd opens '$first' first, the build's sysconfdir is $sysconfdir"
[ "${code_dirs%% *}" = "$sysconfdir/rprocd.conf.d" ] && ok "rprocd reads drop-ins from: $code_dirs" ||
	bad "rprocd reads drop-ins from '$code_dirs', not first $sysconfdir/rprocd.conf.d"
# the search stops at the first main file found: one installed on this host ends it early
last=${code_mains##* }
[ -e "$last" ] && echo "note: $last exists here; main files after it were not tried"

# agree: TEXT's list equals the code's (or, when the code stopped early, begins with it)
agree() { # what have want
	if [ "$2" = "$3" ] || { [ -e "$last" ] && [[ "$2" = "$3 "* ]]; }; then
		ok "$1: $2"
	else
		bad "$1 says '$2', rprocd does '$3'"
	fi
}
help=$("$rprocd" --help) || bad "rprocd --help failed"
agree "--help, main files" "$(echo "$help" | mains)" "$code_mains"
agree "--help, drop-in directories" "$(echo "$help" | dirs)" "$code_dirs"

for page in "$@"; do
	name=$(basename "$page")
	text=$(sed -e 's/\\-/-/g' "$page")
	m=$(echo "$text" | mains) d=$(echo "$text" | dirs)
	[ -z "$m$d" ] && continue
	[ -z "$m" ] || agree "$name, main files" "$m" "$code_mains"
	[ -z "$d" ] || agree "$name, drop-in directories" "$d" "$code_dirs"
done

# where meson install puts the default file
dest=$(meson introspect --installed "$build" | python3 -c '
import json, sys
for src, dst in json.load(sys.stdin).items():
    if src.endswith("/conf/rprocd.conf"):
        print(dst)')
[ "$dest" = "$main" ] && ok "meson install puts rprocd.conf at $main" ||
	bad "meson install puts rprocd.conf at '$dest', rprocd reads $main first"
exit $fail
