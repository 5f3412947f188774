#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# iommufd-probe in QEMU (q35 + intel-iommu, edu bound to vfio-pci) on a kernel with
# CONFIG_IOMMUFD, CONFIG_VFIO_DEVICE_CDEV, CONFIG_VFIO_PCI=y and CONFIG_DEVMEM.  No Debian
# kernel has iommufd: KERNEL defaults to the one tests/vm/iommufd-kernel.sh builds and caches.
#   tests/backend/vm/run-iommufd.sh            (exit 0 = IOMMUFD_PROBE: PASS)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
R=$TOP/lib/backend/real
KERNEL=${KERNEL:-$(ls /var/cache/rprocd-vm/kernel-iommufd/*/vmlinux 2>/dev/null | tail -1)}
[ -n "$KERNEL" ] && [ -s "$KERNEL" ] || { echo "no iommufd kernel: run tests/vm/iommufd-kernel.sh or set KERNEL" >&2; exit 77; }
OUT=${VMWORK:-/tmp/vmwork}/backend-iommufd
rm -rf "$OUT/root" && mkdir -p "$OUT/root/bin" "$OUT/root/proc" "$OUT/root/sys" "$OUT/root/dev" "$OUT/cfg"
printf '#define HAVE_LINUX_IOMMUFD_H 0\n#define HAVE_IOMMU_IOAS_MAP_FILE 0\n#define HAVE_VFIO_DEVICE_BIND_IOMMUFD 0\n' >"$OUT/cfg/config.h"
gcc -static -O2 -std=gnu11 -D_GNU_SOURCE -Wno-unused-result -I"$OUT/cfg" -I"$TOP/lib/include" -I"$TOP/lib/basic" \
	-I"$R" -o "$OUT/root/bin/iommufd-probe" "$HERE/iommufd-probe.c" "$R/vfio.c" "$R/vfio-sysfs.c" \
	"$R/vfio-type1.c" \
	"$R/iommufd.c" "$R/vfio-irq.c" "$R/devmem.c" "$TOP/lib/basic/error.c"
cp /bin/busybox "$OUT/root/bin/"
cat >"$OUT/root/init" <<'G'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor)" = 0x1234 ] && [ "$(cat $d/device)" = 0x11e8 ] && BDF=$(basename $d)
done
echo vfio-pci >/sys/bus/pci/devices/$BDF/driver_override
[ -e /sys/bus/pci/devices/$BDF/driver ] && echo $BDF >/sys/bus/pci/devices/$BDF/driver/unbind
echo $BDF >/sys/bus/pci/drivers_probe
/bin/iommufd-probe $BDF
poweroff -f
G
chmod +x "$OUT/root/init"
(cd "$OUT/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$OUT/initramfs.cpio.gz"
timeout "${VM_TIMEOUT:-240}" qemu-system-x86_64 -machine q35,kernel-irqchip=split \
	-accel tcg,thread=multi -cpu max -device intel-iommu,intremap=on,caching-mode=on \
	-device edu -smp 2 -m 512M -nographic -no-reboot -nic none -kernel "$KERNEL" \
	-initrd "$OUT/initramfs.cpio.gz" \
	-append 'console=ttyS0 loglevel=4 panic=-1 intel_iommu=on iommu=nopt memmap=4M$0x0c000000 rdinit=/init' \
	| tee "$OUT/console.log" | grep -E '^(ok|FAIL|info|range|log:|IOMMUFD_PROBE)'
grep -q 'IOMMUFD_PROBE: PASS' "$OUT/console.log"
