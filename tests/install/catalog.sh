#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# catalog.sh CATALOG MESSAGE_ID_H JOURNALCTL DAEMON_SRC: the journal catalog names exactly the
# MESSAGE_IDs rprocd logs (daemon/rprocd/message-id.h, each used in DAEMON_SRC's code), each
# with a Subject, and journalctl
# builds its database from it where meson installs it (catalogdir, in a scratch root).
# "journalctl -x" showing it for a real entry is checked in the systemd VM (tests/vm/systemd).
set -uo pipefail
catalog=$1 header=$2 journalctl=$3 src=$4
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

code_ids=$(sed -n 's/^#define RPROCD_MESSAGE_[A-Z_]* "MESSAGE_ID=\([0-9a-f]\{32\}\)"$/\1/p' "$header" | sort)
cat_ids=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$catalog" | sort)
n=$(echo "$code_ids" | grep -c .)
[ "$n" -ge 5 ] && ok "$header defines $n MESSAGE_IDs" || bad "$header: expected the 5 event ids, found $n"
if [ "$code_ids" = "$cat_ids" ]; then
	ok "the catalog explains every MESSAGE_ID rprocd logs, and no other"
else
	bad "ids differ between $header and $catalog:"
	diff <(echo "$code_ids") <(echo "$cat_ids") | sed 's/^/    /'
fi
for m in $(sed -n 's/^#define \(RPROCD_MESSAGE_[A-Z_]*\) .*/\1/p' "$header"); do
	n=$(grep -rlw "$m" "$src" --include='*.c' | wc -l)
	[ "$n" -gt 0 ] && ok "$m is logged (in $n file(s))" || bad "$m is defined but never logged"
done
dups=$(echo "$code_ids" | uniq -d)
[ -z "$dups" ] && ok "ids are unique" || bad "duplicate ids: $dups"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/rprocd.catalog"
if ! "$journalctl" --root="$root" --update-catalog; then
	bad "journalctl --update-catalog refused the catalog"
else
	list=$("$journalctl" --root="$root" --list-catalog)
	for id in $code_ids; do
		if echo "$list" | grep -q "^$id rprocd: .*@RPROC@"; then
			ok "journalctl's database has $id: $(echo "$list" | sed -n "s/^$id rprocd: //p")"
		else
			bad "$id is not in journalctl's database with a Subject naming @RPROC@"
		fi
	done
fi
exit $fail
