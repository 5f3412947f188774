#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the vm-shim guest (busybox; tests/vm/README.md, "vm-shim").  Loads the shim's test
# build and the fake SoC (kernel/test), binds edu to vfio-pci, then drives rprocd (the real
# binary, Backend=auto) and the raw client.  One "VMCHECK pass|fail <what>" line per check;
# "VMTEST done" and "VMGUEST end" mark a complete run.
export PATH=/bin:/usr/bin:/usr/sbin
# The console is a tty and busybox has no less or more: rprocctl must not start a pager.
export SYSTEMD_PAGER=cat
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
. /vm.conf
S=/sys/kernel/debug/qcom_scm_shim_fake/state
CRASH=/sys/kernel/debug/qcom_scm_shim_fake/crash
SMP2P=smp2p-adsp
LOG=/tmp/rprocd.log
echo "VMGUEST up: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"

chk() { # chk <0 ok> <what>
	if [ "$1" = 0 ]; then echo "VMCHECK pass $2"; else echo "VMCHECK fail $2"; fi
}
up() { cut -d' ' -f1 /proc/uptime; }
st() { sed -n "s/^$1 //p" $S; } # a value of the fake SoC's debugfs state
# wait_st KEY VALUE [TENTHS]: until the fake SoC's KEY reads VALUE (genpd powers off later)
wait_st() {
	i=0
	while [ "$(st "$1")" != "$2" ] && [ $i -lt "${3:-50}" ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(st "$1")" = "$2" ]
}
dump_st() { sed 's/^/    | /' $S; }
status() { rprocctl status $CORE 2>&1; }
# wait_core STATE [TENTHS]: until rprocctl shows the core in STATE
wait_core() {
	i=0
	until status | grep -q "State: $1"; do
		i=$((i + 1))
		[ $i -ge "${2:-100}" ] && return 1
		sleep 0.1
	done
}
# the CPU views rprocd holds of the carveout (the shim's mmaps)
maps_of() {
	n=$(grep -c qcom_scm_shim "/proc/$1/maps" 2>/dev/null)
	echo "${n:-0}"
}
# cq: CORE QUERY of $DEVICE from a new open file (shim-client): QUERY its answer, QSTATE the
# state, "" if the call failed
cq() {
	QUERY=$(shim-client query --device $DEVICE 2>&1)
	QSTATE=$(echo "$QUERY" | sed -n 's/^state \([0-9a-fx]*\) .*/\1/p')
}
# has STATE BIT: STATE (a CORE answer) has BIT (QCOM_SCM_SHIM_STATE_*, qcom-scm-shim.h)
has() { [ -n "$1" ] && [ $(($1 & $2)) != 0 ]; }
OTHER=0x2 KEPT=0x4 RUNNING=0x8 GLINK=0x100
# the rpmsg devices of $DEVICE's glink edge: named after the platform device, as the kernel's
# PAS driver names its edge ("<device>:glink-edge.<channel>.<src>.<dst>")
edge() { ls /sys/bus/rpmsg/devices 2>/dev/null | grep "^$DEVICE:glink-edge\." | tr '\n' ' '; }
edge_n() { ls /sys/bus/rpmsg/devices 2>/dev/null | grep -c "^$DEVICE:glink-edge\."; }

# ---- modules, device tree ------------------------------------------------------------------
for m in $(cat /modules.list); do
	insmod "/lib/modules/$m" || echo "VMGUEST insmod $m failed"
done
[ -c /dev/qcom_scm_shim ] && dmesg | grep -q "qcom_scm_shim_test: 2 PAS node(s)" &&
	dmesg | grep -q "provider fake TrustZone"
chk $? "the shim's test build found the PAS nodes $DEVICE and $DEVICE2 and the fake TrustZone registered"
# a top-level "reserved" range (no-map) covers the carveout, no System RAM range touches it
co_s=$((VM_CARVEOUT_PA)) co_e=$((VM_CARVEOUT_PA + VM_CARVEOUT_SIZE - 1))
nomap=1
while read -r range colon what; do
	case "$range" in *-*) ;; *) continue ;; esac
	s=$((0x${range%-*})) e=$((0x${range#*-}))
	case "$colon $what" in
	*"System RAM"*) [ $s -le $co_e ] && [ $e -ge $co_s ] && nomap=2 ;;
	": reserved") [ $s -le $co_s ] && [ $e -ge $co_e ] && [ $nomap = 1 ] && nomap=0 ;;
	esac
done </proc/iomem
chk $nomap "the carveout $VM_CARVEOUT_PA+$VM_CARVEOUT_SIZE is a no-map reserved-memory region, no System RAM"

# two edu devices: the SMMU streams' stand-ins of the ADSP and the CDSP0
EDUS=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] &&
		EDUS="$EDUS ${d##*/}"
done
bound=0
for b in $EDUS; do
	echo vfio-pci >"/sys/bus/pci/devices/$b/driver_override"
	echo "$b" >/sys/bus/pci/drivers_probe
	[ "$(readlink "/sys/bus/pci/devices/$b/driver" | sed 's|.*/||')" = vfio-pci ] &&
		bound=$((bound + 1))
done
set -- $EDUS
BDF=$1 BDF2=${2:-}
[ $bound = 2 ]
chk $? "two edu devices ($EDUS), the SMMU streams' stand-ins, bound to vfio-pci"

# ---- rprocd -------------------------------------------------------------------------------
# rprocd sizes coredumps by the free space of their file system (CoredumpKeepFree=, 15%):
# give them one that says, as /var/lib is on a board, not the initramfs.
mkdir -p /run/dbus /var/lib/rprocd
mount -t tmpfs -o size=64m tmpfs /var/lib/rprocd
mkdir -p /var/lib/rprocd/coredump
# /dev/mem gone: the only CPU view of the carveout left is the shim's write-combined mmap.
rm -f /dev/mem
cat >/etc/rprocd/rprocd.conf <<EOT
[Daemon]
Backend=auto
CoredumpDirectory=/var/lib/rprocd/coredump
ControlGroup=
ReadyTimeoutSec=20
StopTimeoutSec=20

[RemoteProc:$CORE]
VfioDevice=pci/$BDF
AutoStart=no
Recovery=yes
RestartLimit=100

[RemoteProc:cdsp0]
VfioDevice=pci/$BDF2
AutoStart=no
EOT
dbus-daemon --config-file=/etc/rprocd/bus.conf --nofork &
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket
i=0
while [ ! -S /run/dbus/system_bus_socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
RPROCD="rprocd --config /etc/rprocd/rprocd.conf --log-target console --log-level info"

# wait_list: until rprocd answers on the bus
wait_list() {
	i=0
	until rprocctl list >/tmp/list 2>&1; do
		i=$((i + 1))
		[ $i -ge 150 ] && return 1
		sleep 0.2
	done
}

echo "VMGUEST rprocd start, uptime $(up)s"
$RPROCD >$LOG 2>&1 &
daemon=$!
wait_list
grep -q "^$CORE *offline" /tmp/list && grep -q "capabilities .*(test build)" $LOG
chk $? "rprocd (Backend=auto, the real backend) opened the shim (test build) and serves $CORE: $(tr '\n' ' ' </tmp/list)"

# ---- 1. start, stop ------------------------------------------------------------------------
out=$(rprocctl start $CORE 2>&1)
rc=$?
echo "$out"
status
[ $rc = 0 ] && wait_core running 50
running=$?
chk $running "rprocctl start $CORE: running (INIT_IMAGE, MEM_SETUP, load through the shim's mmap - /dev/mem is gone - AUTH_AND_RESET re-hashing the carveout, ready)"
[ "$(st calls.init_image)" = 1 ] && [ "$(st calls.mem_setup)" = 1 ] &&
	[ "$(st calls.auth_ok)" = 1 ] && [ "$(st calls.auth_fail)" = 0 ] &&
	[ "$(st $SMP2P.boots)" = 1 ] && [ "$(st pas$PAS_ID.state)" = running ]
chk $? "the fake TrustZone saw one INIT_IMAGE, MEM_SETUP and AUTH_AND_RESET, its digests of the carveout matched, the DSP booted"
[ $running = 0 ] && wait_st metadata 0
chk $? "the metadata buffer was released once the core was up"
[ $running = 0 ] && [ "$(st calls.pd_power_on)" -ge 2 ] && [ "$(st calls.clk_enable)" -ge 1 ] &&
	[ "$(st calls.load_state_on)" -ge 1 ]
chk $? "the votes were taken through the kernel's frameworks: power domains on $(st calls.pd_power_on)x, xo enabled $(st calls.clk_enable)x, load_state $(st calls.load_state_on)x"
[ $running = 0 ] && [ "$(maps_of $daemon)" = 0 ]
chk $? "rprocd holds no CPU view of the carveout while the core runs"
[ $running = 0 ] && ls -l /proc/$daemon/fd | grep -q ' /dev/vfio/[0-9]' &&
	grep -q "VfioDevice=pci/$BDF" $LOG
chk $? "the carveout is mapped for edu's SMMU stream through VFIO type1 (VfioDevice=pci/$BDF: $(ls -l /proc/$daemon/fd | grep -o '/dev/vfio/[0-9a-z]*' | tr '\n' ' '))"
cq
[ $running = 0 ] && [ "$(edge_n)" -ge 1 ] && [ "$(st mbox_chans)" = 1 ] &&
	has "$QSTATE" $GLINK && has "$QSTATE" $OTHER
chk $? "glink-register: rprocd registered $CORE's glink edge once it was up: rpmsg devices named after the core ($(edge)), its doorbell channel held ($(st mbox_chans)), CORE QUERY from another file shows the edge ($QUERY)"

out=$(rprocctl stop $CORE 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] && wait_core offline 50 && [ "$(st $SMP2P.stop_acks)" = 1 ] &&
	[ "$(st calls.shutdown)" = 1 ]
chk $? "rprocctl stop $CORE: offline (stop bit, stop-ack, SHUTDOWN)"
if ! wait_st held 0; then dump_st; false; fi
chk $? "after the stop the core holds nothing (running, metadata, bridges, votes, stop bit)"
cq
[ "$(edge_n)" = 0 ] && [ "$(st mbox_chans)" = 0 ] && [ -n "$QSTATE" ] && ! has "$QSTATE" $GLINK
chk $? "glink-unregister: after the stop no rpmsg device of $DEVICE is left, the doorbell is freed, CORE QUERY shows no edge ($QUERY)"
[ "$(st $SMP2P.irqs)" = 5 ] && [ "$(st qmp_handles)" = 1 ]
chk $? "rprocd keeps its 5 interrupt handlers (wdog, fatal, ready, handover, stop-ack) and the AOSS handle for the core's life: $(st $SMP2P.irqs), $(st qmp_handles)"

# ---- 2. crash: fatal with a reason in SMEM, then wdog ---------------------------------------
# crash KIND REASON: crash the running core, wait for its recovery.  EDGE_GONE: the glink edge
# as first seen gone between the crash and the recovery (which waits 1 s or more before it
# boots again, and registers the edge last): "<rpmsg devices> <doorbells> <CORE QUERY state>".
crash() {
	kind=$1 reason=$2 EDGE_GONE=
	boots=$(st $SMP2P.boots) shut=$(st calls.shutdown)
	crashes=$(status | sed -n 's/.*Crashes: \([0-9]*\).*/\1/p')
	echo "$SMP2P $kind $reason" >$CRASH || return 1
	i=0
	while :; do
		if [ -z "$EDGE_GONE" ] && [ "$(edge_n)" = 0 ] && [ "$(st mbox_chans)" = 0 ]; then
			cq
			EDGE_GONE="0 0 ${QSTATE:-none}"
		fi
		s=$(status)
		echo "$s" | grep -q "Crashes: $((crashes + 1))" && echo "$s" | grep -q "State: running" &&
			break
		i=$((i + 1))
		[ $i -ge 200 ] && return 1
		sleep 0.1
	done
	status
	[ "$(st $SMP2P.boots)" = $((boots + 1)) ] && [ "$(st calls.shutdown)" = $((shut + 1)) ]
}
rprocctl start $CORE >/dev/null 2>&1 && wait_core running 50
crash fatal "adsp: vm-shim fatal error at 0xdead"
chk $? "fatal: SHUTDOWN and recovery to running, one boot more"
status | grep -q "last: adsp: vm-shim fatal error at 0xdead"
chk $? "the crash reason came from the fake SMEM item through the shim: $(status | grep Crashes:)"
# crash_edge KIND: the edge went with the crash and came back with the recovery
crash_edge() {
	set -- $EDGE_GONE
	cq
	[ $# = 3 ] && [ "$3" != none ] && ! has "$3" $GLINK &&
		[ "$(edge_n)" -ge 1 ] && [ "$(st mbox_chans)" = 1 ] && has "$QSTATE" $GLINK
	chk $? "$kind: the crash handling unregistered the glink edge (rpmsg devices, doorbells, CORE QUERY state seen before the recovery: ${EDGE_GONE:-never gone}), the recovery registered it again ($(edge)state $QSTATE)"
}
crash_edge
dump=$(status | sed -n 's/ *Coredump: //p')
# rprocctl writes it out as ELF whether rprocd compressed it (zstd) or not
rprocctl coredump info "$dump"
[ -n "$dump" ] && [ -s "$dump" ] && rprocctl coredump dump "$dump" -o /tmp/core.elf &&
	[ "$(head -c 4 /tmp/core.elf | od -An -c | tr -d ' ')" = 177ELF ] &&
	rprocctl coredump info "$dump" | grep -q fake-code &&
	rprocctl coredump info "$dump" | grep -q fake-data
chk $? "a coredump of the two minidump regions the DSP listed (SMEM item 602, a table in its carveout) was written, read through the shim's mmap after SHUTDOWN: $dump ($(wc -c <"$dump" 2>/dev/null) bytes, $(wc -c </tmp/core.elf 2>/dev/null) as ELF)"
crash wdog "adsp: vm-shim watchdog bite"
chk $? "wdog (a GIC line the shim requested): SHUTDOWN and recovery to running"
crash_edge
rprocctl stop $CORE >/dev/null 2>&1 && wait_core offline 50 && wait_st held 0
chk $? "stopped after the crashes, the core holds nothing"

# ---- 3. start/stop cycles ------------------------------------------------------------------
t0=$(date +%s)
bad=0 first=
for n in $(seq 1 "$CYCLES"); do
	ok=1
	rprocctl start $CORE >/dev/null 2>&1 && wait_core running 50 &&
		rprocctl stop $CORE >/dev/null 2>&1 && wait_core offline 50 && wait_st held 0 &&
		[ "$(maps_of $daemon)" = 0 ] && ok=0
	if [ $ok != 0 ]; then
		bad=$((bad + 1))
		[ -z "$first" ] && first=$n && dump_st && status
	fi
done
t1=$(date +%s)
[ $bad = 0 ] && [ "$(st $SMP2P.boots)" -ge $((CYCLES + 4)) ]
chk $? "$CYCLES start/stop cycles in $((t1 - t0)) s: $bad failed${first:+ (first: cycle $first)}, the fake SoC's counters back to zero after every stop, no CPU view left"

kill -TERM $daemon
wait $daemon
rc=$?
wait_st outstanding 0 && [ "$(st $SMP2P.irqs)" = 0 ] && [ $rc = 0 ]
chk $? "rprocd exits on SIGTERM (exit $rc): everything released, interrupt handlers and the AOSS handle included"

# ---- 4. re-adoption through the fd store ---------------------------------------------------
sv() { # sv KEY: svcmgr's status
	sed -n "s/^$1 //p" /run/svcmgr.status
}
sv_wait() { # sv_wait KEY VALUE
	i=0
	while [ "$(sv "$1")" != "$2" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(sv "$1")" = "$2" ]
}
# mgr_up: svcmgr with an empty fd store starts rprocd, which starts $CORE (0: running)
mgr_up() {
	svcmgr --notify /run/notify --control /run/svcmgr.ctl --status /run/svcmgr.status -- \
		$RPROCD >>$LOG 2>&1 &
	mgr=$!
	sleep 0.5
	echo start >/run/svcmgr.ctl
	sv_wait ready 1 && wait_list && rprocctl start $CORE >/dev/null 2>&1 &&
		wait_core running 50
}
# mgr_down: SIGTERM to rprocd, then svcmgr closes the store and exits
mgr_down() {
	echo term >/run/svcmgr.ctl
	sv_wait exit 0
	echo quit >/run/svcmgr.ctl
	wait $mgr
}
mgr_up
chk $? "rprocd under a service manager with an fd store: $CORE running ($(sv fds) fds stored)"
auth=$(st calls.auth_ok) shut=$(st calls.shutdown) boots=$(st $SMP2P.boots)
old=$(sv pid)
echo kill >/run/svcmgr.ctl
sv_wait exit 137
q=$(shim-client query --device $DEVICE)
echo "CORE QUERY after SIGKILL: $q"
state=$(echo "$q" | sed -n 's/^state \(0x[0-9a-f]*\).*/\1/p')
levels=$(echo "$q" | sed -n 's/.*levels \(0x[0-9a-f]*\).*/\1/p')
[ -n "$state" ] && [ $((state & 0x2)) != 0 ] && [ $((state & 0x8)) != 0 ] &&
	[ $((levels & 0x4)) != 0 ] && [ "$(st pas$PAS_ID.state)" = running ]
chk $? "rprocd SIGKILLed (pid $old): the stored shim file still owns the running core (CORE QUERY: $q)"
echo start >/run/svcmgr.ctl
sv_wait ready 2 && wait_list && wait_core running 50 && grep -q "^cdsp0 *offline" /tmp/list
chk $? "a new rprocd adopted $CORE from the fd store: running; cdsp0 is back, offline"
[ "$(st calls.auth_ok)" = "$auth" ] && [ "$(st calls.shutdown)" = "$shut" ] &&
	[ "$(st $SMP2P.boots)" = "$boots" ] && [ "$(st $SMP2P.phase)" = running ]
chk $? "the adoption neither stopped nor restarted the core (AUTH $auth, SHUTDOWN $shut, boots $boots)"
cq
[ "$(edge_n)" -ge 1 ] && has "$QSTATE" $GLINK && has "$QSTATE" $RUNNING && ! has "$QSTATE" $KEPT
chk $? "the adopted core kept its glink edge ($(edge)); not KEPT: only an rprocd that exits asks for that ($QUERY)"
rprocctl stop $CORE >/dev/null 2>&1 && wait_core offline 50 && [ "$(st calls.shutdown)" = $((shut + 1)) ] &&
	wait_st held 0
chk $? "the adopted core stops through the new rprocd (stop bit, stop-ack, SHUTDOWN)"
mgr_down
wait_st outstanding 0
chk $? "rprocd exits and the fd store is emptied: nothing outstanding"

# ---- 4b. The store emptied: what "systemctl stop" does on systemd 252 ------------------------
# rprocd's fds are in the store: on SIGTERM it leaves the core running and asks nothing more of
# the shim (no CORE KEEP: the core's IOMMU context is in the same store).  When the store is
# closed, the shim's file closes and the shim shuts the core down and releases all it held.
mgr_up
running=$?
shut=$(st calls.shutdown)
echo term >/run/svcmgr.ctl
sv_wait exit 0
cq
echo "CORE QUERY after rprocd's exit: $QUERY"
[ $running = 0 ] && ! has "$QSTATE" $KEPT && has "$QSTATE" $OTHER && has "$QSTATE" $RUNNING &&
	has "$QSTATE" $GLINK && [ "$(st calls.shutdown)" = "$shut" ]
chk $? "rprocd exits on SIGTERM leaving $CORE running, its fds in the store ($(sv fds)): the stored file owns it, not KEPT (rprocd asks no CORE KEEP), the edge registered ($QUERY)"
echo drop >/run/svcmgr.ctl
sv_wait fds 0
wait_st outstanding 0
rc=$?
cq
echo "CORE QUERY after the store was closed: $QUERY"
[ $rc = 0 ] && ! has "$QSTATE" $RUNNING && ! has "$QSTATE" $KEPT &&
	[ "$(st calls.shutdown)" = $((shut + 1)) ] && [ "$(edge_n)" = 0 ] &&
	[ "$(st pas$PAS_ID.state)" != running ]
chk $? "the store closed (as systemd does after \"systemctl stop\"): the shim shut the core down as its file closed (SHUTDOWN $(st calls.shutdown)), its glink edge removed, nothing outstanding ($QUERY)"
echo quit >/run/svcmgr.ctl
wait $mgr

# ---- 4c. CORE QUERY at adoption: a crash nobody saw -------------------------------------------
# The fatal interrupt comes while no rprocd runs; the next one, adopting the core from the
# store, asks the shim (CORE QUERY) and finds the fatal line high (doc/boot-sequence.md,
# "Adoption").
mgr_up
running=$?
shut=$(st calls.shutdown) boots=$(st $SMP2P.boots)
echo kill >/run/svcmgr.ctl
sv_wait exit 137
echo "$SMP2P fatal adsp: vm-shim fatal error while rprocd was away" >$CRASH
cq
echo "CORE QUERY after a crash without rprocd: $QUERY"
levels=$(echo "$QUERY" | sed -n 's/.*levels \([0-9a-fx]*\) .*/\1/p')
echo start >/run/svcmgr.ctl
ok=1
if [ $running = 0 ] && sv_wait ready 2 && wait_list; then
	i=0
	until status | grep -q "Crashes: 1" && status | grep -q "State: running"; do
		i=$((i + 1))
		[ $i -ge 200 ] && break
		sleep 0.1
	done
	status
	[ $i -lt 200 ] && ok=0
fi
[ $ok = 0 ] && has "$levels" 0x2 && grep -q "crashed while rprocd was away (fatal line high)" $LOG &&
	status | grep -q "last: adsp: vm-shim fatal error while rprocd was away" &&
	[ "$(st calls.shutdown)" = $((shut + 1)) ] && [ "$(st $SMP2P.boots)" = $((boots + 1)) ] &&
	[ "$(edge_n)" -ge 1 ]
chk $? "a fatal crash while no rprocd ran (CORE QUERY levels $levels: fatal high): the rprocd adopting the core asked the shim, handled it as a crash at once (\"$(grep -o 'crashed while rprocd was away[^"]*' $LOG | head -n 1)\", the reason from SMEM, SHUTDOWN) and recovered it, glink edge again"
rprocctl stop $CORE >/dev/null 2>&1 && wait_core offline 50
mgr_down
wait_st outstanding 0
chk $? "stopped, rprocd exits, the store is emptied: nothing outstanding"

# ---- 5. hostile callers ----------------------------------------------------------------------
shim-client hostile --device $DEVICE --pas $PAS_ID --carveout "$VM_CARVEOUT_PA:$VM_CARVEOUT_SIZE" \
	--fw /lib/firmware/qcom/sa8775p/adsp.mbn --state $S --glink $DEVICE,$DEVICE2 --mapped 0x5c300000
chk $? "shim-client hostile exits 0"
wait_st outstanding 0
chk $? "after the hostile client nothing is outstanding"

# ---- 6. the kernel's log, unloading ----------------------------------------------------------
# the kernel's report headers: lockdep, DEBUG_ATOMIC_SLEEP and KASAN report as WARNING:/BUG:,
# hung tasks and lockdep's key checks as INFO:, debugobjects as ODEBUG:
splat='Oops|BUG:|WARNING:|INFO: |Call trace|ODEBUG:|DEBUG_LOCKS_WARN_ON|UBSAN|refcount_t:|list_add corruption|list_del corruption'
dmesg | grep -E "$splat"
! dmesg | grep -qE "$splat"
chk $? "the kernel log has no oops, WARN, BUG or call trace (lockdep, sleep in atomic, KASAN, debugobjects)"
rmmod qcom_scm_shim_fake && rmmod qcom_scm_shim_test
chk $? "both modules unload"
! dmesg | grep -qE "$splat"
chk $? "still no splat after the unload"
echo "VMGUEST rprocd log (coredumps, warnings, errors, the last lines):"
grep -i -E 'coredump|warn|err|fail' $LOG | sed 's/^/    rprocd: /' | head -n 40
sed 's/^/    rprocd: /' $LOG | tail -n 30
echo "VMTEST done"
echo "VMGUEST end, uptime $(up)s"
poweroff -f
