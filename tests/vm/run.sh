#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh [--mkfw PATH] [--work DIR] [--rprocd PATH --rprocctl PATH --librproc PATH]
#        [amd64] [arm64]  -  the VM tier (meson suite 'vm')
#
# Boots Debian's own kernel under QEMU (TCG; KVM is not needed) with an emulated IOMMU
# (x86-64: q35 + intel-iommu; arm64: virt + SMMUv3) and QEMU's edu PCI DMA device bound to
# vfio-pci, and runs tests/vm/guest/vm-test inside: librproc's /dev/mem provider, firmware
# loader and real VFIO type1 code load a generated image (mkfw) into a carveout the guest
# kernel does not own, map it for the device at IOVA == PA, and edu's DMA engine proves what
# the device can and cannot reach.  With --rprocd/--rprocctl/--librproc (the build's, for an
# x86-64 host) the x86-64 guest then runs rprocd itself with a backend module on edu
# (Backend=module, guest/module/edu-module.c) and drives it with rprocctl (guest/daemon.sh).
# One line per check, then "vm: N passed, N failed".
#
# Debian 12, root: installs QEMU, busybox-static and the arm64 cross compiler when missing,
# downloads the guest kernels (and arm64 busybox/libcrypto, unpacked, not installed) into
# $RPROCD_VM_CACHE (see common.sh).  Exits 77 (meson: skipped) when QEMU cannot run here.
# Env: VM_ARCHES (default "amd64 arm64"), VM_TIMEOUT (per boot, s), VM_EXTRA_APPEND,
#      VM_ARM64_DMA_MASK.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/common.sh"

mkfw='' work=$RPROCD_VM_CACHE/work arches=() rprocd='' rprocctl='' librproc=''
while (($#)); do
	case $1 in
	--mkfw) mkfw=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--rprocd) rprocd=$2; shift 2 ;;
	--rprocctl) rprocctl=$2; shift 2 ;;
	--librproc) librproc=$2; shift 2 ;;
	amd64 | arm64) arches+=("$1"); shift ;;
	*) echo "usage: $0 [--mkfw PATH] [--work DIR] [--rprocd PATH --rprocctl PATH" \
		"--librproc PATH] [amd64] [arm64]" >&2; exit 2 ;;
	esac
done
((${#arches[@]})) || read -ra arches <<<"${VM_ARCHES:-amd64 arm64}"
mkdir -p "$work"
vm_lock vm
t_all=$(vm_now)

command -v dpkg >/dev/null || vm_skip "not a Debian system (no dpkg): the VM tier needs Debian's packages"
# Downloads first, in the background: they need only apt, and overlap the apt-get install
# of QEMU and the cross compiler below (a cold run spends most of its time in those two).
for a in "${arches[@]}"; do
	vm_arch "$a" || exit 2
	mkdir -p "$work/$a"
	(vm_prefetch >"$work/$a/prefetch.log" 2>&1) &
done
pkgs=(cpio kmod xz-utils zstd gzip gcc libc6-dev libssl-dev busybox-static)
[ -n "$rprocd" ] && pkgs+=(dbus-daemon device-tree-compiler)
for a in "${arches[@]}"; do
	vm_arch "$a" || exit 2
	pkgs+=("${VM_PKGS[@]}")
done
vm_need_pkgs "${pkgs[@]}" # one apt-get run: each costs seconds of dpkg overhead
for a in "${arches[@]}"; do
	vm_arch "$a"
	vm_qemu_usable || vm_skip "$VM_QEMU cannot start a TCG machine here"
done

wait # the prefetches (a failed one is retried, with its errors, by run_arch)

# The firmware image: mkfw from the build, else built from its source here.
if [ -z "$mkfw" ]; then
	mkfw=$work/mkfw
	gcc -std=gnu11 -O2 -D_GNU_SOURCE -o "$mkfw" "$SRC/tests/mkfw/mkfw.c" -lcrypto || exit 1
fi
fw=$work/vm-test.mbn
"$mkfw" -o "$fw" --form mbn --seed 6 --segments 4 --size 1M >/dev/null || {
	echo "FAIL - mkfw could not write the test image"
	echo "vm: 0 passed, 1 failed"
	exit 1
}

# One architecture: prepare its guest image and boot it.  Output in $work/<arch>/run.log,
# console in console.log; "prepare-failed" marks a guest that could not be built.
run_arch() {
	local a=$1 out=$work/$1 t0 t1 t2 rc bb mods
	vm_arch "$a"
	t0=$(vm_now)
	rm -f "$out/prepare-failed" "$out/console.log"
	step() { vm_log "$a: $1 at $((($(vm_now) - t0) / 1000)).$((($(vm_now) - t0) % 1000 / 100)) s"; }
	if ! vm_debian_kernel "$RPROCD_VM_CACHE/kernels" || ! step kernel ||
		! bb=$(vm_busybox "$RPROCD_VM_CACHE") || ! step busybox ||
		! vm_crypto "$RPROCD_VM_CACHE" || ! step libcrypto ||
		! vm_build_guest "$SRC" "$out/vm-test" || ! step "guest test built"; then
		touch "$out/prepare-failed"
		return 1
	fi
	mods=(vfio-pci vfio_iommu_type1)
	[ "$a" = arm64 ] && mods=(arm_smmu_v3 "${mods[@]}")
	# The daemon part: the build's rprocd runs in the guest of the host's architecture
	# (x86-64: the device tree there describes the amd64 carveout).
	VM_IMAGE_HOOK=
	if [ -n "$rprocd" ] && [ "$a" = amd64 ] && [ "$VM_HOST_ARCH" = amd64 ]; then
		if ! vm_build_module "$SRC" "$out/vm-test.gen" "$librproc" "$out/edu-module.so"; then
			touch "$out/prepare-failed"
			return 1
		fi
		step "backend module built"
		daemon_files() {
			vm_daemon_files "$1" "$rprocd" "$rprocctl" "$out/edu-module.so" \
				"$HERE/guest/edu-amd64.dts"
		}
		VM_IMAGE_HOOK=daemon_files
	elif [ -n "$rprocd" ]; then
		echo "note: $a: the daemon part runs in the x86-64 guest only"
	fi
	vm_guest_image "$out" "$bb" "$fw" "" "${mods[@]}" || { touch "$out/prepare-failed"; return 1; }
	t1=$(vm_now)
	vm_boot "$out/console.log" "$VM_KERNEL" "$out/initramfs.cpio.gz"
	rc=$?
	t2=$(vm_now)
	echo "=== $a: prepare $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s, boot+test" \
		"$(((t2 - t1) / 1000)).$(((t2 - t1) % 1000 / 100)) s, qemu exit $rc" \
		"($($VM_QEMU --version | head -1))"
}

# Both guests at once: each spends most of its test waiting for edu's 100 ms DMA timer, so on
# two cores this nearly halves the wall time.  VM_PARALLEL=0 runs them one after the other.
for a in "${arches[@]}"; do
	mkdir -p "$work/$a"
	if [ "${VM_PARALLEL:-1}" = 1 ]; then
		run_arch "$a" >"$work/$a/run.log" 2>&1 &
	else
		run_arch "$a" >"$work/$a/run.log" 2>&1
	fi
done
wait

VM_PASS=0 VM_FAIL=0
for a in "${arches[@]}"; do
	VM_ARCH=$a
	cat "$work/$a/run.log"
	if [ -e "$work/$a/prepare-failed" ] || [ ! -e "$work/$a/console.log" ]; then
		echo "FAIL - $a: guest image prepared (kernel, busybox, guest test build)"
		VM_FAIL=$((VM_FAIL + 1))
		continue
	fi
	vm_report "$work/$a/console.log"
done
echo "=== total $((($(vm_now) - t_all) / 1000)) s"
echo "vm: $VM_PASS passed, $VM_FAIL failed"
[ "$VM_FAIL" = 0 ]
