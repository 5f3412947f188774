#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The checks of the systemd VM (tests/vm/systemd/run.sh), run inside the guest by
# rprocd-vm-checks.service once the boot is done.  rprocd was installed by the README's
# commands and runs as the installed rprocd.service on the simulated SoC (the image's drop-ins:
# see run.sh).  Each check prints, on the second serial port (read by the host):
#   VMCHECK <n> pass|fail <seconds> <what>
# preceded by "VMINFO <n> ..." lines saying what it saw.  "VMCHECKS done" ends the run; then
# the guest powers off.  The checks run in the order below, each on the state the one before
# left; the numbers are the issue's (README, tests/vm/README.md).
set -u
exec 3>/dev/ttyS1
export SYSTEMD_PAGER= SYSTEMD_COLORS=0 LC_ALL=C.UTF-8

CORES=(adsp cdsp0 cdsp1 gpdsp0 gpdsp1)
AUTO=(adsp cdsp0 cdsp1 gpdsp0) # gpdsp1: AutoStart=no in the image's drop-in (check 7 crashes it)
BUS=org.rprocd1
RPROC=/org/rprocd1/rproc
ID_STARTED=f1a1a50d7b4c4200938d044b0dc7cdf5
ID_STOPPED=acce1b6dbae544538cbe6f6f466d371e
ID_CRASHED=3b7c42bcffe842b2965a9369ac0a5bdb
ID_GIVEUP=5bd8274a9d3f425d981087d7147f1bcb
ID_COREDUMP=69d2e8f2a6e1406a9449af2eb468802e

N=0 FAILED=0 STORE_AFTER_STOP=unknown
info() { printf 'VMINFO %s %s\n' "$N" "$*" >&3; }
bad() { info "FAIL: $*"; FAILED=1; }
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

# check N WHAT FUNCTION: run one check, report it with its wall time.
check() {
	local t0 t1 rc
	N=$1 FAILED=0
	t0=$(now)
	info "--- $2"
	"$3"
	rc=$?
	t1=$(now)
	[ "$rc" = 0 ] || FAILED=1
	printf 'VMCHECK %s %s %d.%03d %s\n' "$N" "$([ $FAILED = 0 ] && echo pass || echo fail)" \
		$((($t1 - $t0) / 1000000000)) $(((($t1 - $t0) / 1000000) % 1000)) "$2" >&3
}

# wait_for SECONDS COMMAND...: poll every 0.2 s until COMMAND succeeds.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

unit() { systemctl show -P "$1" rprocd.service; }
prop() { busctl --json=short get-property "$BUS" "$RPROC/$1" org.rprocd1.RemoteProc "$2" | jq -r .data; }
state() { prop "$1" State 2>/dev/null; }
describe() { busctl --json=short call "$BUS" /org/rprocd1 org.rprocd1.Manager Describe | jq -r '.data[0]'; }
is_active() { [ "$(systemctl is-active rprocd.service)" = active ]; }
all_running() {
	local c
	for c in "${AUTO[@]}"; do [ "$(state "$c")" = running ] || return 1; done
}
stamps() {
	local c
	for c in "${AUTO[@]}"; do echo "$c $(prop "$c" StateChangeTimestamp)"; done
}
as() { # USER COMMAND...
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups --reset-env -- "$@"
}

# After a restart of any kind: a new process, every auto-started core running as before,
# nothing booted again (the simulated SoC counts its TrustZone calls per daemon process:
# auth_and_reset 0), every core adopted, StateChangeTimestamp unchanged.
readopted() { # OLD_PID OLD_STAMPS
	local old_pid=$1 old_stamps=$2 d pid
	pid=$(unit MainPID)
	[ "$pid" != "$old_pid" ] && [ "$pid" != 0 ] && info "new rprocd: pid $old_pid -> $pid" ||
		bad "rprocd was not restarted (MainPID $old_pid -> $pid)"
	wait_for 30 all_running || bad "not every auto-started core is running: $(stamps | tr '\n' ' ')"
	d=$(describe) || { bad "Describe() failed"; return 1; }
	local auth adopted
	auth=$(echo "$d" | jq '.simulator.calls.auth_and_reset')
	adopted=$(echo "$d" | jq -r '[.rprocs[] | select(.adopted) | .name] | join(" ")')
	info "adopted: $adopted; auth_and_reset calls since this rprocd started: $auth"
	[ "$auth" = 0 ] || bad "cores were booted again ($auth AUTH_AND_RESET calls)"
	local c
	for c in "${AUTO[@]}"; do
		[[ " $adopted " = *" $c "* ]] || bad "$c was not adopted"
	done
	[ "$(stamps)" = "$old_stamps" ] && info "StateChangeTimestamp unchanged on ${AUTO[*]}" ||
		bad "StateChangeTimestamp changed: before $(echo $old_stamps), after $(stamps | tr '\n' ' ')"
	[ "$FAILED" = 0 ]
}

# µs between a unit's start and its READY=1 (ActiveEnterTimestamp moves at each READY).
ready_ms() {
	local a b
	a=$(unit ExecMainStartTimestampMonotonic) b=$(unit ActiveEnterTimestampMonotonic)
	echo $(((b - a) / 1000))
}

# ---- 1 -----------------------------------------------------------------------------------
c1_boot() {
	local sys
	sys=$(timeout 120 systemctl is-system-running --wait)
	info "system: $sys; $(systemd-analyze | head -1)"
	[ "$sys" = running ] || systemctl --failed --no-legend | sed 's/^/VMINFO 1 | failed: /' >&3
	wait_for 60 is_active || bad "rprocd.service is $(systemctl is-active rprocd.service)"
	local t0 status c
	t0=$(now)
	wait_for 60 all_running || bad "auto-started cores not all running: $(stamps | tr '\n' ' ')"
	info "(waited $(ms "$t0" "$(now)") ms after the boot job for the cores)"
	status=$(unit StatusText)
	info "STATUS=$status"
	[[ "$status" = "${#AUTO[@]} of ${#CORES[@]} remote processors running: "* ]] ||
		bad "STATUS= does not say ${#AUTO[@]} of ${#CORES[@]} running"
	for c in "${CORES[@]}"; do
		[[ "$status" = *"$c "* ]] || bad "STATUS= does not name $c"
		[ "$(prop "$c" AutoStart)" = true ] && [ "$(state "$c")" != running ] &&
			bad "$c: AutoStart=yes but $(state "$c")"
	done
	info "unit start -> READY=1: $(ready_ms) ms"
	info "fd store: $(unit NFileDescriptorStore) fds"
	systemd-analyze critical-chain rprocd.service 2>&1 | sed 's/^/VMINFO 1 | /' >&3
	[ "$FAILED" = 0 ]
}

# ---- 8 -----------------------------------------------------------------------------------
c8_analyze() {
	local out score
	out=$(systemd-analyze security rprocd.service 2>&1)
	score=$(echo "$out" | sed -n 's/.*Overall exposure level for rprocd.service: \([0-9.]*\).*/\1/p')
	info "exposure $score"
	echo "$out" | grep '✗' | sed 's/^/VMINFO 8 | /' >&3
	[ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
		bad "exposure '$score' is above 2.0"
	out=$(systemd-analyze verify rprocd.service 2>&1)
	local rc=$?
	if [ "$rc" = 0 ] && [ -z "$out" ]; then
		info "systemd-analyze verify rprocd.service: clean"
	else
		bad "systemd-analyze verify (exit $rc):"
		echo "$out" | sed 's/^/VMINFO 8 | /' >&3
	fi
	[ "$FAILED" = 0 ]
}

# ---- 2 -----------------------------------------------------------------------------------
c2_restart() {
	local pid stamps t0
	pid=$(unit MainPID) stamps=$(stamps)
	info "before: pid $pid, fd store $(unit NFileDescriptorStore) fds"
	t0=$(now)
	systemctl restart rprocd.service || bad "systemctl restart failed"
	info "systemctl restart took $(ms "$t0" "$(now)") ms; unit start -> READY=1 $(ready_ms) ms"
	info "after: fd store $(unit NFileDescriptorStore) fds"
	journalctl -b -u rprocd.service -n 200 -o cat --since=@$((t0 / 1000000000)) |
		grep -m3 -E 'fd store|re-adopted' | sed 's/^/VMINFO 2 | /' >&3
	# rprocd(8): at SIGTERM the old rprocd asked systemd for the job on its unit; during the
	# stop phase of a restart it is a "restart" job, which leaves the cores to the next rprocd.
	local job
	job=$(journalctl _PID="$pid" -o cat | grep -m1 -E "job on the unit|systemd is stopping")
	info "the old rprocd at SIGTERM: ${job:-nothing about the job}"
	[ "$job" = "the service manager's job on the unit: restart" ] ||
		bad "the old rprocd did not see a restart job"
	readopted "$pid" "$stamps"
}

# ---- 3 -----------------------------------------------------------------------------------
c3_sigkill() {
	local pid stamps restarts t0
	pid=$(unit MainPID) stamps=$(stamps) restarts=$(unit NRestarts)
	t0=$(now)
	systemctl kill -s SIGKILL rprocd.service || bad "systemctl kill failed"
	wait_for 30 sh -c "[ \"\$(systemctl show -P MainPID rprocd)\" != $pid ] &&
		[ \"\$(systemctl is-active rprocd)\" = active ]" || bad "rprocd did not come back"
	info "SIGKILL -> active again: $(ms "$t0" "$(now)") ms (RestartSec=1s)"
	[ "$(unit NRestarts)" -gt "$restarts" ] && info "NRestarts $restarts -> $(unit NRestarts)" ||
		bad "NRestarts did not grow: Restart=on-failure did not act"
	readopted "$pid" "$stamps"
}

# ---- 4 -----------------------------------------------------------------------------------
c4_watchdog() {
	local pid stamps t0 wd
	pid=$(unit MainPID) stamps=$(stamps)
	wd=$(unit WatchdogUSec)
	info "WatchdogSec=$wd; SIGSTOP to $pid"
	t0=$(now)
	kill -STOP "$pid"
	wait_for 120 sh -c "[ \"\$(systemctl show -P MainPID rprocd)\" != $pid ] &&
		[ \"\$(systemctl is-active rprocd)\" = active ]" || bad "rprocd did not come back"
	info "SIGSTOP -> active again: $(ms "$t0" "$(now)") ms"
	journalctl -b -u rprocd.service -o cat --since=@$((t0 / 1000000000)) |
		grep -E -m3 'atchdog|Main process exited' | sed 's/^/VMINFO 4 | /' >&3
	journalctl -b -u rprocd.service -o cat --since=@$((t0 / 1000000000)) |
		grep -q 'Watchdog timeout' || bad "systemd did not log a watchdog timeout for rprocd"
	readopted "$pid" "$stamps"
}

# ---- 6 -----------------------------------------------------------------------------------
c6_users() {
	local out rc
	info "$(id vmuser); $(id vmop)"
	out=$(as vmuser rprocctl list 2>&1) && [ "$(echo "$out" | grep -cE "^ *($(
		IFS='|'
		echo "${CORES[*]}"
	)) ")" = ${#CORES[@]} ] && info "vmuser: rprocctl list shows ${#CORES[@]} cores" ||
		bad "vmuser: rprocctl list: $out"
	out=$(as vmuser rprocctl status adsp 2>&1) && echo "$out" | grep -q running &&
		info "vmuser: rprocctl status adsp: $(echo "$out" | head -1)" ||
		bad "vmuser: rprocctl status adsp: $out"
	out=$(as vmuser rprocctl stop adsp 2>&1)
	rc=$?
	info "vmuser: rprocctl stop adsp -> exit $rc: $out"
	[ "$rc" = 4 ] && [[ "$out" = *"permission denied"* ]] ||
		bad "vmuser's stop was not refused with exit 4 and a clear message"
	[ "$(state adsp)" = running ] || bad "adsp is $(state adsp) after the refused stop"
	out=$(as vmop rprocctl stop adsp 2>&1) && [ "$(state adsp)" = offline ] &&
		info "vmop (group rprocd): rprocctl stop adsp -> offline" ||
		bad "vmop: rprocctl stop adsp: $out (adsp $(state adsp))"
	out=$(as vmop rprocctl start adsp 2>&1) && [ "$(state adsp)" = running ] &&
		info "vmop: rprocctl start adsp -> running" || bad "vmop: rprocctl start adsp: $out"
	[ "$FAILED" = 0 ]
}

# ---- 7 -----------------------------------------------------------------------------------
# gpdsp1 crashes 500 ms after each boot (SimulationConfig= in the drop-in) and RestartLimit=1:
# start, crash, coredump, recovery, crash, coredump, recovery given up.
c7_journal() {
	local id name out
	as vmop rprocctl --no-block start gpdsp1 >/dev/null 2>&1 || bad "start gpdsp1 was refused"
	wait_for 60 sh -c '[ "$(busctl get-property org.rprocd1 /org/rprocd1/rproc/gpdsp1 \
		org.rprocd1.RemoteProc State)" = "s \"failed\"" ]' ||
		bad "gpdsp1 did not end failed (is $(state gpdsp1))"
	journalctl --update-catalog || bad "journalctl --update-catalog failed"
	out=$(journalctl -b -u rprocd.service RPROC=adsp -o cat)
	info "journalctl -u rprocd RPROC=adsp: $(echo "$out" | wc -l) entries"
	echo "$out" | tail -4 | sed 's/^/VMINFO 7 | /' >&3
	for id in started:$ID_STARTED stopped:$ID_STOPPED; do
		[ -n "$(journalctl -b -u rprocd.service RPROC=adsp MESSAGE_ID=${id#*:} -o cat)" ] ||
			bad "no ${id%%:*} entry for adsp"
	done
	local spec core subject
	for spec in "started $ID_STARTED adsp" "stopped $ID_STOPPED adsp" \
		"crashed $ID_CRASHED gpdsp1" "coredump $ID_COREDUMP gpdsp1" \
		"recovery-given-up $ID_GIVEUP gpdsp1"; do
		read -r name id core <<<"$spec"
		out=$(journalctl -b -x -u rprocd.service MESSAGE_ID="$id" RPROC="$core" -n 1)
		subject=$(echo "$out" | sed -n 's/^.*Subject: //p' | head -1)
		if [[ "$subject" = *"$core"* ]] && echo "$out" | grep -q 'Defined-By: rprocd'; then
			info "$name ($core): $(echo "$out" | grep -m1 'rprocd\[' | sed 's/.*\]: //')"
			info "  journalctl -x: Subject: $subject"
		else
			bad "journalctl -x MESSAGE_ID=$id ($name, $core) shows no catalog text:"
			echo "$out" | head -6 | sed 's/^/VMINFO 7 | /' >&3
		fi
	done
	ls -l /var/lib/rprocd/coredump/ 2>&1 | tail -n +2 | sed 's/^/VMINFO 7 | /' >&3
	[ "$FAILED" = 0 ]
}

# ---- 5 -----------------------------------------------------------------------------------
c5_reload_stop() {
	local pid t0 out
	pid=$(unit MainPID)
	[ "$(prop cdsp1 StopOnExit)" = false ] || bad "cdsp1 has StopOnExit=yes before the reload"
	printf '[RemoteProc:cdsp1]\nStopOnExit=yes\n' >/etc/rprocd.conf.d/60-vm-stop.conf
	t0=$(now)
	systemctl reload rprocd.service || bad "systemctl reload failed"
	info "systemctl reload took $(ms "$t0" "$(now)") ms"
	[ "$(unit MainPID)" = "$pid" ] || bad "the reload restarted rprocd"
	[ "$(prop cdsp1 StopOnExit)" = true ] && info "cdsp1 StopOnExit: false -> true (new drop-in)" ||
		bad "cdsp1 StopOnExit is $(prop cdsp1 StopOnExit) after the reload"
	# a configuration applied with warnings is a successful reload (ExecReload= passes
	# --warnings-ok); the warning goes to the journal
	printf '[Daemon]\nNoSuchKey=1\n' >/etc/rprocd.conf.d/61-vm-warn.conf
	systemctl reload rprocd.service && info "reload with a configuration warning: success" ||
		bad "systemctl reload failed for a configuration that rprocd applied with a warning"
	journalctl _PID="$pid" -n 20 -o cat | grep -q "61-vm-warn.conf:2: unknown key" &&
		info "the warning is in the journal" || bad "no 'unknown key' warning in the journal"
	rm -f /etc/rprocd.conf.d/61-vm-warn.conf
	systemctl reload rprocd.service || bad "the clean reload failed"
	# What this rprocd logged after its last line before the stop.  journalctl 252's
	# --after-cursor skips the first match when the cursor's own entry does not match the
	# filter: so the cursor is one of this process's entries, and other fields go to jq.
	local cursor
	cursor=$(journalctl _PID="$pid" -n 1 --show-cursor | sed -n 's/^-- cursor: //p')
	t0=$(now)
	systemctl stop rprocd.service || bad "systemctl stop failed"
	info "systemctl stop took $(ms "$t0" "$(now)") ms; result $(unit Result)"
	local json
	json=$(journalctl --after-cursor="$cursor" _PID="$pid" -o json)
	since() { echo "$json" | jq -r "select($1) | .MESSAGE"; }
	out=$(since true)
	echo "$out" | sed 's/^/VMINFO 5 | /' >&3
	# rprocd(8): StopOnExit=yes cores are stopped; on a stop job (systemd 252 empties the
	# fd store once the unit is down) the others are stopped too, with the stop handshake,
	# rather than left to the shim's SHUTDOWN as their files close.
	[ -n "$(since ".MESSAGE_ID == \"$ID_STOPPED\" and .RPROC == \"cdsp1\"")" ] &&
		info "cdsp1 stopped at exit (StopOnExit=yes)" || bad "cdsp1 was not stopped at exit"
	[ "$(echo "$out" | grep -c '^systemd is stopping the unit: the fd store will be emptied')" = 1 ] &&
		info "rprocd saw the stop job (said once)" || bad "rprocd did not say once that systemd stops the unit"
	local c
	for c in adsp cdsp0 gpdsp0; do
		echo "$out" | grep -q "^$c: stopping (the unit is being stopped)" &&
			[ -n "$(since ".MESSAGE_ID == \"$ID_STOPPED\" and .RPROC == \"$c\"")" ] &&
			info "$c stopped at exit (StopOnExit=no, stop job)" ||
			bad "$c was not stopped gracefully at exit"
		! echo "$out" | grep -q "^$c: left running" || bad "$c was left running"
	done
	STORE_AFTER_STOP=$(unit NFileDescriptorStore)
	info "fd store after the stop: $STORE_AFTER_STOP fds"
	[ "$(unit Result)" = success ] || bad "rprocd exited with $(unit Result)"
	rm -f /etc/rprocd.conf.d/60-vm-stop.conf
	[ "$FAILED" = 0 ]
}

# ---- 9 -----------------------------------------------------------------------------------
c9_activation() {
	local t0 out
	[ "$(systemctl is-active rprocd.service)" != active ] || bad "rprocd is still running"
	t0=$(now)
	out=$(as vmuser rprocctl list 2>&1) || bad "rprocctl list (vmuser) failed: $out"
	info "rprocctl list with rprocd stopped: $(ms "$t0" "$(now)") ms"
	echo "$out" | sed 's/^/VMINFO 9 | /' >&3
	[ "$(echo "$out" | grep -cE '^ *(adsp|cdsp0|cdsp1|gpdsp0|gpdsp1) ')" = ${#CORES[@]} ] ||
		bad "the list does not show the ${#CORES[@]} cores"
	is_active && info "rprocd.service active, started by D-Bus activation (dbus-org.rprocd1.service)" ||
		bad "rprocd.service is $(systemctl is-active rprocd.service)"
	out=$(journalctl -b -u dbus.service -o cat --since=@$((t0 / 1000000000)) |
		grep -m1 "Activating via systemd: service name='org.rprocd1'")
	[ -n "$out" ] && info "dbus: $out" || bad "dbus-daemon logged no activation of org.rprocd1"
	# What the stop left (check 5): with the fd store kept, the cores are adopted; with it
	# released (systemd 252 releases it when the unit stops), the SoC's state went with it and
	# the new rprocd boots the auto-started cores afresh.
	wait_for 30 all_running || bad "not every auto-started core is running: $(stamps | tr '\n' ' ')"
	local d auth adopted
	d=$(describe)
	auth=$(echo "$d" | jq '.simulator.calls.auth_and_reset')
	adopted=$(echo "$d" | jq -r '[.rprocs[] | select(.adopted) | .name] | join(" ")')
	info "fd store at the stop: $STORE_AFTER_STOP fds; adopted: '$adopted'; booted: $auth"
	if [ "$STORE_AFTER_STOP" = 0 ]; then
		[ -z "$adopted" ] && [ "$auth" = ${#AUTO[@]} ] ||
			bad "the fd store was empty, yet cores were adopted or not booted anew"
	else
		[ "$auth" = 0 ] || bad "the fd store was kept, yet cores were booted again"
	fi
	[ "$FAILED" = 0 ]
}

echo "VMCHECKS begin" >&3
check 1 "boot: rprocd.service active, STATUS= shows the cores, auto-started cores running" c1_boot
check 8 "systemd-analyze security (online) <= 2.0 and verify clean" c8_analyze
check 2 "systemctl restart: cores keep running, not booted again, timestamps unchanged" c2_restart
check 3 "systemctl kill -s SIGKILL: Restart=on-failure, cores re-adopted" c3_sigkill
check 4 "watchdog: SIGSTOP'd rprocd killed after WatchdogSec= and restarted, cores re-adopted" \
	c4_watchdog
check 6 "non-root: list/status allowed, stop refused clearly; the rprocd group may stop" c6_users
check 7 "journal: RPROC= entries, MESSAGE_IDs with catalog text (journalctl -x)" c7_journal
check 5 "reload applies a changed drop-in; systemctl stop stops every core gracefully" c5_reload_stop
check 9 "D-Bus activation: rprocctl list starts the stopped rprocd" c9_activation
echo "VMCHECKS done" >&3
systemctl poweroff --no-block
