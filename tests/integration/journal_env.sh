# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the journal tests (status_journal.sh, logs_journal.sh): re-run the test in a
# private mount namespace, with a real systemd-journald there (so that the host's journal, if
# any, is neither read nor written), firmware for the five cores in $tmp/fw and a private
# D-Bus system bus.  Leaves $tmp and the pids to stop in $pids.
journald=/lib/systemd/systemd-journald
if [ -z "${RPROCD_IN_NS:-}" ]; then
	[ -x "$journald" ] || { echo "SKIP: no $journald"; exit 77; }
	unshare --mount true 2>/dev/null || { echo "SKIP: no mount namespaces"; exit 77; }
	exec env RPROCD_IN_NS=1 unshare --mount bash "$0" "$@"
fi

tmp=$(mktemp -d /tmp/rprocd-journal.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

mount -t tmpfs rprocd-test /run
if [ -d /var/log/journal ]; then mount -t tmpfs rprocd-test /var/log/journal; fi
mkdir -p /run/systemd/journal
"$journald" >"$tmp/journald.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start"; cat "$tmp/journald.log"; exit 1; }

mkdir -p "$tmp/fw/qcom/sa8775p"
for c in adsp cdsp0 cdsp1 gpdsp0 gpdsp1; do
	"$MKFW" -o "$tmp/fw/qcom/sa8775p/$c.mbn" 2>/dev/null
done
. "$(dirname "${BASH_SOURCE[0]}")/private-bus.sh"
private_bus_start "$tmp" || exit 1
pids+=("$bus_pid")

# journal_rprocd CONFIG: rprocd --simulate with the configuration text CONFIG, logging to the
# journal above; returns once it answers on the bus.
journal_rprocd() {
	printf '%s' "$1" >"$tmp/rprocd.conf"
	"$RPROCD" --simulate --dtb "$DTB" --firmware-path "$tmp/fw" --config "$tmp/rprocd.conf" \
		--log-target journal 2>"$tmp/rprocd.err" &
	pids+=($!)
	for _ in $(seq 200); do "$RPROCCTL" list >/dev/null 2>&1 && break; sleep 0.05; done
}
