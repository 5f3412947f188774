#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd.sh [--mkfw PATH] [--work DIR]  -  the vm-iommufd suite
#
# Like run.sh amd64, but the guest kernel is one with CONFIG_IOMMUFD and
# CONFIG_VFIO_DEVICE_CDEV built by iommufd-kernel.sh from Debian's linux-source-6.12 (no
# Debian kernel enables iommufd).  The first run builds it (long: see tests/vm/README.md) and
# caches it in $RPROCD_VM_CACHE/kernel-iommufd; later runs take seconds.
# The guest test then also drives librproc's iommufd code: a memfd buffer mapped through
# IOMMU_IOAS_MAP is read by edu's DMA engine; IOAS_MAP of the /dev/mem (VM_PFNMAP) carveout
# fails with EFAULT; the carveout checks then run through the type1 fallback.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/common.sh"

mkfw='' work=$RPROCD_VM_CACHE/work-iommufd
while (($#)); do
	case $1 in
	--mkfw) mkfw=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	*) echo "usage: $0 [--mkfw PATH] [--work DIR]" >&2; exit 2 ;;
	esac
done
[ "$VM_HOST_ARCH" = amd64 ] || vm_skip "the iommufd guest kernel is built for x86-64 hosts only"
mkdir -p "$work"
vm_lock iommufd
t_all=$(vm_now)
vm_need_pkgs cpio xz-utils gzip gcc libc6-dev libssl-dev busybox-static
vm_arch amd64
vm_need_pkgs "${VM_PKGS[@]}"
vm_qemu_usable || vm_skip "$VM_QEMU cannot start a TCG machine here"

if [ -z "$mkfw" ]; then
	mkfw=$work/mkfw
	gcc -std=gnu11 -O2 -D_GNU_SOURCE -o "$mkfw" "$SRC/tests/mkfw/mkfw.c" -lcrypto || exit 1
fi
fw=$work/vm-test.mbn
VM_PASS=0 VM_FAIL=0
fail_early() {
	echo "FAIL - amd64-iommufd: $1"
	echo "vm-iommufd: $VM_PASS passed, $((VM_FAIL + 1)) failed"
	exit 1
}
"$mkfw" -o "$fw" --form mbn --seed 7 --segments 4 --size 1M >/dev/null ||
	fail_early "mkfw wrote the test image"

t0=$(vm_now)
kernel=$(bash "$HERE/iommufd-kernel.sh") || fail_early "iommufd guest kernel built"
t1=$(vm_now)
bb=$(vm_busybox "$RPROCD_VM_CACHE") && vm_crypto "$RPROCD_VM_CACHE" &&
	vm_build_guest "$SRC" "$work/vm-test" || fail_early "guest test built"
# everything is built in: no modules
vm_guest_image "$work" "$bb" "$fw" "--iommufd"
t2=$(vm_now)
VM_ARCH=amd64
vm_boot "$work/console.log" "$kernel" "$work/initramfs.cpio.gz"
rc=$?
t3=$(vm_now)
echo "=== amd64-iommufd: kernel $(((t1 - t0) / 1000)) s, prepare $(((t2 - t1) / 1000)) s," \
	"boot+test $(((t3 - t2) / 1000)) s, qemu exit $rc"
VM_ARCH=amd64-iommufd
vm_report "$work/console.log"
grep -q 'VMGUEST /dev/iommu present' "$work/console.log"
if [ $? = 0 ]; then
	echo "ok   - amd64-iommufd: guest kernel has /dev/iommu"
	VM_PASS=$((VM_PASS + 1))
else
	echo "FAIL - amd64-iommufd: guest kernel has /dev/iommu"
	VM_FAIL=$((VM_FAIL + 1))
fi
echo "=== total $((($(vm_now) - t_all) / 1000)) s"
echo "vm-iommufd: $VM_PASS passed, $VM_FAIL failed"
[ "$VM_FAIL" = 0 ]
