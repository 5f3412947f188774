#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rprocctl logs NAME [-n N] [-f] [--json]: the core's journal lines (RPROC=<name>), rprocd logging to a
# real systemd-journald, run in a private mount namespace so that the host's journal (if
# any) is neither read nor written.
set -euo pipefail

. "$(dirname "$0")/journal_env.sh"

journal_rprocd $'[RemoteProc:adsp]\nAutoStart=no\n'

fail=0
"$RPROCCTL" start adsp >/dev/null
out=$("$RPROCCTL" --no-pager logs adsp)
echo "$out"
grep -q "rprocd: adsp: starting" <<<"$out" || { echo "missing: the start"; fail=1; }
grep -q "rprocd: adsp: running" <<<"$out" || { echo "missing: the running line"; fail=1; }
grep -q "cdsp0" <<<"$out" && { echo "another core's lines shown"; fail=1; }
n=$("$RPROCCTL" logs -n 1 adsp | wc -l)
[ "$n" = 1 ] || { echo "-n 1 gave $n lines"; fail=1; }
"$RPROCCTL" --json=short logs adsp | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
assert lines and all(e["name"] == "adsp" and isinstance(e["time_usec"], int) and
                     0 <= e["priority"] <= 7 and e["message"] for e in lines), lines
' || { echo "--json logs"; fail=1; }
# -f: the new lines, until interrupted
"$RPROCCTL" logs -f -n 0 adsp >"$tmp/follow" 2>&1 &
follow=$!
sleep 0.5
"$RPROCCTL" stop adsp >/dev/null
for _ in $(seq 100); do grep -q "adsp: stopped" "$tmp/follow" && break; sleep 0.05; done
kill -INT $follow
rc=0; wait $follow || rc=$?
grep -q "adsp: stopped" "$tmp/follow" || { echo "-f: no new line"; cat "$tmp/follow"; fail=1; }
grep -q "adsp: running" "$tmp/follow" && { echo "-f -n 0: old lines"; fail=1; }
[ "$rc" = 0 ] || { echo "-f: exit $rc on SIGINT"; fail=1; }
rc=0; "$RPROCCTL" -H somehost logs adsp 2>/dev/null || rc=$?
[ "$rc" = 2 ] || { echo "logs -H: exit $rc"; fail=1; }
exit $fail
