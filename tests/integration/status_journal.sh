#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rprocctl status shows the core's recent journal lines (RPROC=<name>): rprocd logging to a
# real systemd-journald, run in a private mount namespace so that the host's journal (if
# any) is neither read nor written.
set -euo pipefail

. "$(dirname "$0")/journal_env.sh"

journal_rprocd $'[RemoteProc:adsp]\nAutoStart=no\n[Daemon]\nSimulationConfig=fail=auth_and_reset@adsp:1\n'

rc=0
"$RPROCCTL" start adsp >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || { echo "first start: exit $rc, expected 1"; exit 1; }
"$RPROCCTL" start adsp
out=$("$RPROCCTL" status adsp)
echo "$out"
fail=0
grep -q "rprocd: adsp: .*start failed" <<<"$out" || { echo "missing: the failed start"; fail=1; }
grep -q "rprocd: adsp: running" <<<"$out" || { echo "missing: the start line"; fail=1; }
grep -q "cdsp0" <<<"$out" && { echo "another core's lines shown"; fail=1; }
n=$("$RPROCCTL" status --lines 2 adsp | grep -c " rprocd: " || true)
[ "$n" = 2 ] || { echo "--lines 2 gave $n lines"; fail=1; }
exit $fail
