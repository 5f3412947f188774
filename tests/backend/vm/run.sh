#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real-kernel checks of the VFIO layer and the carveout path, in the reference QEMU guest
# (edu device behind an emulated IOMMU).  Not part of `meson test`: needs qemu and a guest
# kernel download.  REFVM points at the reference scripts (../shared/reference/vm).
#   tests/backend/vm/run.sh [amd64|arm64]
set -euo pipefail
ARCH=${1:-amd64}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
REFVM=${REFVM:-$TOP/../shared/reference/vm}
OUT=${VMWORK:-/tmp/vmwork}/backend-probes
mkdir -p "$OUT"
CC=gcc
[ "$ARCH" = arm64 ] && CC=aarch64-linux-gnu-gcc
CFG=$OUT/config
mkdir -p "$CFG"
printf '#define HAVE_LINUX_IOMMUFD_H 0\n#define HAVE_IOMMU_IOAS_MAP_FILE 0\n#define HAVE_VFIO_DEVICE_BIND_IOMMUFD 0\n' >"$CFG/config.h"
R=$TOP/lib/backend/real
LIB="$R/vfio.c $R/vfio-sysfs.c $R/vfio-type1.c $R/iommufd.c $R/vfio-irq.c $R/devmem.c
	$TOP/lib/basic/error.c"
for p in vfio-layer-probe carveout-probe; do
	$CC -static -O2 -std=gnu11 -D_GNU_SOURCE -Wno-unused-result -I"$CFG" -I"$TOP/lib/include" \
		-I"$TOP/lib/basic" -I"$R" -o "$OUT/$p-$ARCH" "$HERE/$p.c" $LIB
done
cat >"$OUT/guest.sh" <<'G'
#!/bin/sh
/bin/vfio-layer-probe "$1" || exit 1
[ -x /bin/carveout-probe ] && { /bin/carveout-probe "$1" || exit 1; }
exit 0
G
chmod +x "$OUT/guest.sh"
FILES="$OUT/vfio-layer-probe-$ARCH:/bin/vfio-layer-probe"
APPEND=""
if [ "$ARCH" = amd64 ]; then
	# memmap= reserves RAM as E820 "Reserved": a stand-in for a no-map carveout.
	FILES="$FILES $OUT/carveout-probe-$ARCH:/bin/carveout-probe"
	APPEND='memmap=4M$0x0c000000'
fi
export VMWORK=${VMWORK:-/tmp/vmwork} VMTAG=backend-$ARCH
EXTRA_FILES="$FILES" GUEST_TEST="$OUT/guest.sh" "$REFVM/build-initramfs.sh" "$ARCH"
EXTRA_APPEND="$APPEND" "$REFVM/run-vm.sh" "$ARCH"
