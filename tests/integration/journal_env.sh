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
cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/> <allow own="*"/>
    <allow send_type="method_call"/> <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/> <allow receive_type="method_return"/>
    <allow receive_type="error"/> <allow receive_type="signal"/>
  </policy>
</busconfig>
CONF
dbus-daemon --config-file "$tmp/bus.conf" --nofork --print-address=3 3>"$tmp/address" 2>/dev/null &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/address" ] && break; sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=$(head -1 "$tmp/address")
