#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the VM tier's guest (busybox): load the VFIO modules, bind QEMU's edu device to
# vfio-pci, run /bin/vm-test with the layout in /vm.conf, power off.  Lines starting with
# VMCHECK are counted by the host harness; "VMGUEST end" marks a complete run.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /vm.conf
echo "VMGUEST up: kernel $(uname -r), uptime $(cut -d' ' -f1 /proc/uptime)s"
chk() { # chk <0|1 ok> <what>
	if [ "$1" = 0 ]; then echo "VMCHECK pass $2"; else echo "VMCHECK fail $2"; fi
}

for m in $(cat /modules.list); do
	insmod "/lib/modules/$m" || echo "VMGUEST insmod $m failed"
done

# the carveout must not be the kernel's: /proc/iomem shows no System RAM over it
co_start=$((VM_CARVEOUT_PA))
co_end=$((VM_CARVEOUT_PA + VM_CARVEOUT_SIZE + VM_DEVMEM_SIZE - 1))
owned=0
while read -r range colon what; do
	case "$range" in *-*) ;; *) continue ;; esac
	s=$((0x${range%-*})) e=$((0x${range#*-}))
	case "$colon $what" in *"System RAM"*)
		[ $s -le $co_end ] && [ $e -ge $co_start ] && owned=1 ;;
	esac
done </proc/iomem
chk $owned "carveout $VM_CARVEOUT_PA (+devmem) is not System RAM of the guest kernel ($VM_RESERVE)"

BDF=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && BDF=${d##*/}
done
if [ -z "$BDF" ]; then
	chk 1 "edu PCI device (1234:11e8) present"
else
	D=/sys/bus/pci/devices/$BDF
	echo vfio-pci >"$D/driver_override"
	[ -e "$D/driver" ] && echo "$BDF" >"$D/driver/unbind"
	echo "$BDF" >/sys/bus/pci/drivers_probe
	drv=$(readlink "$D/driver")
	grp=$(readlink "$D/iommu_group")
	# (on arm64/DT the iommu_group link only appears once a driver has bound)
	[ "${drv##*/}" = vfio-pci ] && [ -n "$grp" ]
	chk $? "edu $BDF bound to vfio-pci, IOMMU group ${grp##*/}"
	if [ -e /dev/iommu ]; then echo "VMGUEST /dev/iommu present"; fi
	echo "VMGUEST test start, uptime $(cut -d' ' -f1 /proc/uptime)s"
	/bin/vm-test --dev "$D" --fw /lib/firmware/vm-test.mbn \
		--carveout "$VM_CARVEOUT_PA:$VM_CARVEOUT_SIZE" \
		--devmem "$VM_DEVMEM_PA:$VM_DEVMEM_SIZE" --dma-mask "$VM_EDU_DMA_MASK" $VM_TEST_ARGS
	echo "VMGUEST test exit $?, uptime $(cut -d' ' -f1 /proc/uptime)s"
	if [ -x /guest-extra.sh ]; then
		/guest-extra.sh "$D"
	fi
	echo "VMGUEST kernel IOMMU messages:"
	dmesg | grep -i -E 'DMAR|smmu|iommu|vfio' | tail -n 15
fi
echo "VMGUEST end, uptime $(cut -d' ' -f1 /proc/uptime)s"
poweroff -f
