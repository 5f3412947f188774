#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon part of the VM tier's guest (x86-64), run by /init as /guest-extra.sh after
# vm-test has released edu: a system bus (dbus-daemon), then rprocd itself with
# Backend=module (module/edu-module.c: librproc's VFIO type1 context on edu and its /dev/mem
# provider, a stand-in TrustZone whose DSP is edu), driven by rprocctl.  "rprocctl start edu"
# reaches running only if edu read its image through the mapping the daemon made; after
# "rprocctl stop edu" the module checks that edu cannot reach the carveout any more.
# One VMCHECK line per check (the module adds its own to rprocd's output).
D=$1
export PATH=/bin
. /vm.conf
E=/etc/rprocd-vm
chk() { # chk <0|1 ok> <what>
	if [ "$1" = 0 ]; then echo "VMCHECK pass daemon: $2"; else echo "VMCHECK fail daemon: $2"; fi
}
up() { cut -d' ' -f1 /proc/uptime; }

mkdir -p /run/dbus /tmp
rm -f /run/edu-module.unmap-probed
cat >$E/rprocd.conf <<EOT
[Daemon]
Backend=module
BackendModule=/lib/rprocd/edu-module.so
BackendModuleArgs=dev=$D fw=/lib/firmware/vm-test.mbn carveout=$VM_CARVEOUT_PA:$VM_CARVEOUT_SIZE devmem=$VM_DEVMEM_PA:$VM_DEVMEM_SIZE
ControlGroup=
CoredumpDirectory=
ReadyTimeoutSec=60
StopTimeoutSec=30

[RemoteProc:edu]
PasId=1
AutoStart=no
EOT

echo "VMGUEST daemon part start, uptime $(up)s"
dbus-daemon --config-file=$E/bus.conf --nofork &
bus=$!
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket
i=0
while [ ! -S /run/dbus/system_bus_socket ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
[ -S /run/dbus/system_bus_socket ]
chk $? "dbus-daemon serves a system bus"

rprocd --dtb $E/edu.dtb --config $E/rprocd.conf --firmware-path /lib/firmware \
	--log-target console --log-level info &
daemon=$!
i=0
until rprocctl list >/tmp/list 2>&1; do
	i=$((i + 1))
	if [ $i -ge 150 ] || ! kill -0 $daemon 2>/dev/null; then break; fi
	sleep 0.2
done
grep -q '^edu *offline' /tmp/list
chk $? "rprocd with Backend=module (the edu test backend) serves core edu, offline: $(tr '\n' ' ' </tmp/list)"

out=$(rprocctl start edu 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] && echo "$out" | grep -q 'edu: running'
chk $? "rprocctl start edu reaches running: edu read its image through the IOMMU mapping rprocd made (rc $rc)"

out=$(rprocctl status edu 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] && echo "$out" | grep -q 'State: running' &&
	echo "$out" | grep -q "Carveout: 0x0*${VM_CARVEOUT_PA#0x}"
chk $? "rprocctl status edu: running, carveout $VM_CARVEOUT_PA (rc $rc)"

out=$(rprocctl stop edu 2>&1)
rc=$?
echo "$out"
st=$(rprocctl status edu 2>&1 | grep 'State:')
[ $rc = 0 ] && echo "$st" | grep -q 'State: offline' && [ -e /run/edu-module.unmap-probed ]
chk $? "rprocctl stop edu reaches offline and the carveout was unmapped (the module probed edu after the unmap) (rc $rc; $st)"

kill -TERM $daemon
wait $daemon
rc=$?
chk $rc "rprocd exits cleanly on SIGTERM (exit $rc)"
kill -TERM $bus 2>/dev/null
wait $bus 2>/dev/null
echo "VMGUEST daemon part end, uptime $(up)s"
