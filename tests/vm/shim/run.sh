#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh [--mkfw PATH] [--work DIR] [--cycles N] [--debug-kernel]  -  the vm-shim suite
# (tests/vm/README.md, "vm-shim"); with --debug-kernel the vm-shim-debug suite: the same on an
# arm64 kernel built here with KASAN, lockdep and DEBUG_ATOMIC_SLEEP (debug-kernel.sh, cached)
#
# The qcom-scm shim (kernel/) in a real arm64 kernel under QEMU, driven by rprocd's real
# backend: Debian 12's 6.12 arm64 kernel (its linux-headers build the shim's test variant and
# the fake SoC of kernel/test), QEMU's own "virt" device tree (-machine dumpdtb) plus
# guest/lemans-adsp.dtso applied with fdtoverlay (a no-map carveout, an SA8775p ADSP PAS node
# on a fake SMP2P pair), rprocd, rprocctl and librproc cross-built for arm64 against Debian's
# arm64 -dev packages unpacked into a cached sysroot.  The guest (guest/init.sh) starts,
# stops, crashes and recovers the core with rprocd (Backend=auto; the SMMU side is VFIO
# type1 on QEMU's edu device, VfioDevice=) and checks the glink edge rprocd registers,
# re-adopts it after SIGKILL through a stand-in fd store (guest/svcmgr.c), sees the shim
# shut it down when rprocd has exited and the store is closed, finds a crash nobody saw (CORE
# QUERY at adoption), and runs the hostile client (guest/shim-client.c).  One line
# per check, then "vm-shim: N passed, N failed".
#
# Debian, root: installs what is missing; downloads (kernel, headers, arm64 packages) are
# cached in $RPROCD_VM_CACHE (tests/vm/common.sh), the sysroot and the cross build too.
# Exits 77 (meson: skipped) where QEMU cannot run.
# --cycles: start/stop cycles (default 50).
# Env: VM_TIMEOUT (guest, s; default 600), VM_EXTRA_APPEND, VM_SHIM_KMETA (the kernel
#      metapackage, default linux-image-6.12-arm64), VM_JOBS.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
. "$HERE/../common.sh"

mkfw='' work='' debug=0 cycles=50
while (($#)); do
	case $1 in
	--mkfw) mkfw=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--cycles) cycles=$2; shift 2 ;;
	--debug-kernel) debug=1; shift ;;
	*) echo "usage: $0 [--mkfw PATH] [--work DIR] [--cycles N] [--debug-kernel]" >&2; exit 2 ;;
	esac
done
work=${work:-$RPROCD_VM_CACHE/work-shim$([ $debug = 1 ] && echo -debug)}
suite=vm-shim$([ $debug = 1 ] && echo -debug)
cache=$RPROCD_VM_CACHE/shim
mkdir -p "$work" "$cache"
t_all=$(vm_now)
secs() { local d=$(($(vm_now) - $1)); echo "$((d / 1000)).$((d % 1000 / 100))"; }
step() { vm_log "shim: $1 at $(secs "$t_all") s"; }

fail_early() {
	echo "FAIL - arm64-shim: $1"
	[ -n "${2:-}" ] && [ -e "$2" ] && tail -n 40 "$2" | sed 's/^/    | /'
	echo "=== total $(secs "$t_all") s"
	echo "$suite: 0 passed, 1 failed"
	exit 1
}

command -v dpkg >/dev/null || vm_skip "not a Debian system (no dpkg): the guest is built from Debian's packages"
vm_arch arm64
# The carveout is a no-map reserved-memory region of the device tree now, not memory above
# mem=; edu gets a 32-bit DMA mask, as in the vm suite's arm64 guest.
VM_RESERVE=''
VM_KMETA=${VM_SHIM_KMETA:-linux-image-6.12-arm64}
# the core rprocd and the hostile client drive (guest/lemans-dsps.dtso)
DEVICE=b000000.remoteproc PAS_ID=1 CORE=adsp DEVICE2=b100000.remoteproc
# SMEM as SBL leaves it (the global heap of an SMEM of this size), loaded by QEMU at reset
SMEM_PA=0x5c000000 SMEM_SIZE=0x200000
# arm64 packages of the sysroot (build: the -dev ones; guest: every library they and
# dbus-daemon need, found from ELF NEEDED entries below).
SYSROOT_PKGS=(libfdt-dev libfdt1 libudev-dev libudev1 libsystemd-dev libsystemd0 libssl-dev libssl3
	libinih-dev libinih1 libjson-c-dev libjson-c5 libcap2 libgcrypt20 libgpg-error0 liblz4-1
	liblzma5 libzstd1 libzstd-dev libsmartcols-dev libsmartcols1 dbus-daemon libdbus-1-3 libexpat1
	libapparmor1 libaudit1 libcap-ng0 libselinux1 libpcre2-8-0)
# the kernel cache and the arm64 apt state are shared with the vm suite
vm_lock vm

# The linux-headers of $VM_KVER: linux-headers-<abi>-arm64 and -common from the arm64
# archive, linux-kbuild-<abi> for the host, unpacked once.  Sets KDIR.
shim_headers() {
	local abi=${VM_KVER%-arm64} t=$cache/headers-$VM_KVER debs=() d
	if [ ! -e "$t/.done" ]; then
		vm_apt_setup arm64 arm64
		d=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "linux-headers-$VM_KVER") || return 1
		debs+=("$d")
		VM_APT_ARCH=all
		d=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "linux-headers-$abi-common") || return 1
		debs+=("$d")
		APTX=() VM_APT_ARCH=$VM_HOST_ARCH
		d=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "linux-kbuild-$abi") || return 1
		debs+=("$d")
		rm -rf "$t" && mkdir -p "$t"
		for d in "${debs[@]}"; do dpkg-deb -x "$d" "$t" || return 1; done
		# Debian's Makefile includes the common tree by its installed path: point it here.
		sed -i "s|^include /usr/src/|include $t/usr/src/|" \
			"$t/usr/src/linux-headers-$VM_KVER/Makefile"
		touch "$t/.done"
	fi
	KDIR=$t/usr/src/linux-headers-$VM_KVER
}

# The shim's test variant and the fake SoC, from a copy laid out as the DKMS tree is (the
# UAPI header beside the sources), W=1: a warning fails the suite.
shim_modules() {
	local b=$work/modules log=$work/modules.log
	rm -rf "$b" && mkdir -p "$b/include/rproc"
	cp -r "$SRC"/kernel/{Kbuild,Makefile,conftest.sh,conftest,test} "$SRC"/kernel/*.[ch] "$b/"
	cp "$SRC/lib/include/rproc/qcom-scm-shim.h" "$b/include/rproc/"
	{
		nice make -C "$b" KDIR="$KDIR" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
			SHIM_TEST=1 W=1 &&
			nice make -C "$b/test" KDIR="$KDIR" ARCH=arm64 \
				CROSS_COMPILE=aarch64-linux-gnu- W=1
	} >"$log" 2>&1 || return 1
	! grep -E 'warning:|WARNING:|undefined!' "$log"
}

# The arm64 sysroot: SYSROOT_PKGS unpacked, cached by the list.
shim_sysroot() {
	local key
	key=$(echo "${SYSROOT_PKGS[*]}" | sha256sum | cut -c1-12)
	SYSROOT=$cache/sysroot-$key
	[ -e "$SYSROOT/.done" ] && return 0
	vm_apt_setup arm64 arm64
	local debs d
	debs=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "${SYSROOT_PKGS[@]}") || return 1
	rm -rf "$SYSROOT" && mkdir -p "$SYSROOT"
	for d in $debs; do dpkg-deb -x "$d" "$SYSROOT" || return 1; done
	touch "$SYSROOT/.done"
}

# rprocd, rprocctl and librproc for arm64 (meson, cross file over the sysroot), installed into
# $work/rprocd-root; then the guest programs against that librproc.
shim_cross_build() {
	local b=$work/build-arm64 l=$SYSROOT/usr/lib/aarch64-linux-gnu log=$work/cross.log
	local cross=$work/cross-arm64.ini
	cat >"$cross.new" <<-EOT
		[binaries]
		c = 'aarch64-linux-gnu-gcc'
		ar = 'aarch64-linux-gnu-ar'
		strip = 'aarch64-linux-gnu-strip'
		pkgconfig = 'pkg-config'

		[properties]
		sys_root = '$SYSROOT'
		pkg_config_libdir = ['$l/pkgconfig', '$SYSROOT/usr/share/pkgconfig']

		[built-in options]
		c_args = ['-I$SYSROOT/usr/include', '-I$SYSROOT/usr/include/aarch64-linux-gnu']
		c_link_args = ['-L$l', '-Wl,-rpath-link,$l:$SYSROOT/lib/aarch64-linux-gnu']

		[host_machine]
		system = 'linux'
		cpu_family = 'aarch64'
		cpu = 'aarch64'
		endian = 'little'
	EOT
	if ! cmp -s "$cross.new" "$cross" || [ ! -e "$b/build.ninja" ]; then
		mv "$cross.new" "$cross"
		rm -rf "$b"
		meson setup "$b" "$SRC" --cross-file "$cross" -Dprefix=/usr -Dtests=false -Dman=disabled \
			-Dvm_tests=disabled >"$log" 2>&1 || return 1
	fi
	rm -rf "$work/rprocd-root"
	{
		nice meson compile -C "$b" -j "${VM_JOBS:-$(nproc)}" &&
			DESTDIR=$work/rprocd-root meson install -C "$b" --no-rebuild --quiet
	} >>"$log" 2>&1 || return 1
	local flags=(-std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter
		-Wno-format-truncation)
	aarch64-linux-gnu-gcc "${flags[@]}" -I"$SRC/lib/include" -o "$work/shim-client" \
		"$HERE/guest/shim-client.c" -L"$b/lib" -lrproc -Wl,-rpath-link,"$l" >>"$log" 2>&1 &&
		aarch64-linux-gnu-gcc "${flags[@]}" -static -o "$work/svcmgr" "$HERE/guest/svcmgr.c" \
			>>"$log" 2>&1
}

# shim_libs ROOT ELF...: copy every shared library the ELFs need (transitively) from the
# installed tree, the sysroot and the cross toolchain's libc into ROOT.
shim_libs() {
	local root=$1 lib dir found queue=() seen=" " f
	shift
	local dirs=("$work/rprocd-root/usr/lib/aarch64-linux-gnu" "$work/rprocd-root/usr/lib"
		"$SYSROOT/usr/lib/aarch64-linux-gnu" "$SYSROOT/lib/aarch64-linux-gnu"
		/usr/aarch64-linux-gnu/lib)
	mkdir -p "$root/lib/aarch64-linux-gnu"
	queue=("$@")
	while ((${#queue[@]})); do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for lib in $(aarch64-linux-gnu-readelf -d "$f" 2>/dev/null |
			sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
			[[ $seen == *" $lib "* ]] && continue
			seen+="$lib "
			found=
			for dir in "${dirs[@]}"; do
				[ -e "$dir/$lib" ] && { found=$dir/$lib; break; }
			done
			[ -n "$found" ] || { vm_log "guest: no $lib (needed by $f)"; return 1; }
			cp -L "$found" "$root/lib/aarch64-linux-gnu/$lib"
			queue+=("$found")
		done
	done
	cp -L /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$root/lib/"
}

# The board's own device tree, dumped by QEMU with the machine vm_boot starts, and the
# overlay applied to it; the ADSP's carveout read back from the result.
shim_dtb() {
	local out=$work/dtb gic smmu node reg
	mkdir -p "$out"
	vm_machine_args
	"$VM_QEMU" "${VM_MACHINE_ARGS[@]}" -machine "dumpdtb=$out/qemu.dtb" >"$out/dump.log" 2>&1 ||
		return 1
	gic=$(fdtget -t x "$out/qemu.dtb" /intc@8000000 phandle) || return 1
	smmu=$(fdtget -t x "$out/qemu.dtb" /smmuv3@9050000 phandle) || return 1
	sed -e "s/@GIC@/0x$gic/g; s/@SMMU@/0x$smmu/g" "$HERE/guest/lemans-dsps.dtso" \
		>"$out/overlay.dtso"
	dtc -@ -q -I dts -O dtb -o "$out/overlay.dtbo" "$out/overlay.dtso" &&
		fdtoverlay -i "$out/qemu.dtb" -o "$out/guest.dtb" "$out/overlay.dtbo" || return 1
	node=$(fdtget -t s "$out/guest.dtb" /__symbols__ adsp_mem) &&
		read -r _ VM_CARVEOUT_PA _ VM_CARVEOUT_SIZE < <(fdtget -t x "$out/guest.dtb" "$node" reg) ||
		return 1
	VM_CARVEOUT_PA=0x$VM_CARVEOUT_PA VM_CARVEOUT_SIZE=0x$VM_CARVEOUT_SIZE
}

# The SMEM header SBL writes (Linux's qcom_smem reads it, drivers/soc/qcom/smem.c): version
# 11 (the global heap) in the SBL slot, "initialized", the heap's free offset and what is
# available after the header and 512 table entries, the last 4 KiB left to a partition table
# that is not there.
shim_smem() {
	python3 - "$work/smem.bin" "$SMEM_SIZE" <<-'PY'
		import struct, sys
		size = int(sys.argv[2], 0)
		header = 4 * 16 + 32 * 4 + 4 * 4 + 512 * 16
		version = [0] * 32
		version[7] = 11 << 16
		blob = bytes(64) + struct.pack('<32I', *version)
		blob += struct.pack('<4I', 1, header, size - header - 4096, 0)
		open(sys.argv[1], 'wb').write(blob + bytes(512 * 16))
	PY
}

# The initramfs: busybox, the kernel's modules the shim needs plus the two test modules,
# rprocd installed with its libraries and dbus-daemon's, the firmware, the guest programs.
shim_image() {
	local root=$work/initramfs bb=$1 fw=$2 app m ko
	rm -rf "$root" && mkdir -p "$root"/{bin,proc,sys,dev,tmp,run,etc,var/lib,lib/modules}
	cp "$bb" "$root/bin/busybox"
	for app in sh mount cat echo ls insmod rmmod poweroff sleep dmesg grep tail head cut tr \
		sed uname kill mkdir rm wc seq od sort uniq date; do
		ln -s busybox "$root/bin/$app"
	done
	# the kernel's modules the test modules depend on (the debug kernel has them built in),
	# then those
	if [ $debug = 1 ]; then
		: >"$root/modules.list"
	else
		vm_modules "$root" vfio-pci vfio_iommu_type1 qcom_hwspinlock \
			$(modinfo -F depends "$work/modules/qcom_scm_shim_test.ko" | tr , ' ')
	fi
	for ko in qcom_scm_shim_test.ko test/qcom_scm_shim_fake.ko; do
		cp "$work/modules/$ko" "$root/lib/modules/"
		basename "$ko" >>"$root/modules.list"
	done
	cp -a "$work/rprocd-root/." "$root/"
	cp "$SYSROOT/usr/bin/dbus-daemon" "$root/bin/dbus-daemon"
	cp "$work/shim-client" "$work/svcmgr" "$root/bin/"
	shim_libs "$root" "$root/usr/sbin/rprocd" "$root/usr/bin/rprocctl" "$root/bin/dbus-daemon" \
		"$root/bin/shim-client" || return 1
	mkdir -p "$root/lib/firmware/qcom/sa8775p"
	cp "$fw" "$root/lib/firmware/qcom/sa8775p/adsp.mbn"
	cp "$work/cdsp0.mbn" "$root/lib/firmware/qcom/sa8775p/cdsp0.mbn"
	cp "$HERE/guest/init.sh" "$root/init"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	mkdir -p "$root/etc/rprocd"
	vm_bus_conf "$root/etc/rprocd/bus.conf"
	cat >"$root/vm.conf" <<-EOT
		VM_CARVEOUT_PA=$VM_CARVEOUT_PA
		VM_CARVEOUT_SIZE=$VM_CARVEOUT_SIZE
		DEVICE=$DEVICE
		DEVICE2=$DEVICE2
		PAS_ID=$PAS_ID
		CORE=$CORE
		CYCLES=$cycles
	EOT
	vm_initramfs "$root" "$work/initramfs.cpio.gz"
}

# ---- prepare ---------------------------------------------------------------------------------

# Downloads first, in the background, while apt-get installs what is missing.
({ [ $debug = 1 ] || vm_kernel_fetch "$RPROCD_VM_CACHE/kernels"; } &&
	vm_busybox "$RPROCD_VM_CACHE" >/dev/null && shim_sysroot) >"$work/prefetch.log" 2>&1 &
vm_need_pkgs qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross device-tree-compiler \
	cpio kmod xz-utils zstd gzip make dwarves meson ninja-build pkg-config binutils \
	gcc libc6-dev libssl-dev
vm_qemu_usable || vm_skip "$VM_QEMU cannot start a TCG machine here"
wait
step downloads

if [ $debug = 1 ]; then
	kout=$(bash "$HERE/debug-kernel.sh" 2>"$work/debug-kernel.log") ||
		fail_early "the debug kernel built (debug-kernel.sh)" "$work/debug-kernel.log"
	VM_KERNEL=$kout/Image KDIR=$kout/tree
	VM_KVER=$(cat "$KDIR/include/config/kernel.release")
else
	vm_debian_kernel "$RPROCD_VM_CACHE/kernels" || fail_early "Debian's $VM_KMETA downloaded" \
		"$work/prefetch.log"
	shim_headers || fail_early "linux-headers-$VM_KVER unpacked"
fi
step "kernel $VM_KVER, headers"
(shim_modules && echo ok >"$work/modules.ok") &
shim_sysroot || fail_early "arm64 sysroot (${SYSROOT_PKGS[*]})" "$work/prefetch.log"
shim_cross_build || fail_early "rprocd cross-built for arm64 ($work/cross.log)" "$work/cross.log"
step "rprocd cross-built"
wait
[ -e "$work/modules.ok" ] && rm "$work/modules.ok" ||
	fail_early "shim test module and fake SoC built against $KDIR without a warning" \
		"$work/modules.log"
step "modules built"
if [ -z "$mkfw" ]; then
	mkfw=$work/mkfw
	gcc -std=gnu11 -O2 -D_GNU_SOURCE -o "$mkfw" "$SRC/tests/mkfw/mkfw.c" -lcrypto ||
		fail_early "mkfw built"
fi
# MBN v6 with SHA-384, relocatable, bss and the extra segments (mkfw's defaults).
"$mkfw" -o "$work/adsp.mbn" --form mbn --seed 10 --segments 6 --size 1M >/dev/null &&
	"$mkfw" -o "$work/cdsp0.mbn" --form mbn --seed 11 --size 256K >/dev/null ||
	fail_early "mkfw wrote the firmware"
shim_dtb || fail_early "device tree: QEMU's dump plus the overlay" "$work/dtb/dump.log"
shim_smem || fail_early "the SMEM image"
bb=$(vm_busybox "$RPROCD_VM_CACHE") || fail_early "arm64 busybox"
shim_image "$bb" "$work/adsp.mbn" || fail_early "guest image"
step "guest image"

# ---- boot --------------------------------------------------------------------------------

t1=$(vm_now)
# a second edu: the CDSP0's SMMU stand-in
VM_TIMEOUT=${VM_TIMEOUT:-600} vm_boot "$work/console.log" "$VM_KERNEL" "$work/initramfs.cpio.gz" \
	-dtb "$work/dtb/guest.dtb" -device "loader,file=$work/smem.bin,addr=$SMEM_PA,force-raw=on" \
	-device "edu,dma_mask=$VM_EDU_DMA_MASK"
rc=$?
echo "=== $suite: prepare $(((t1 - t_all) / 1000)) s, boot+test $(secs "$t1") s," \
	"qemu exit $rc ($($VM_QEMU --version | head -1)), kernel $VM_KVER"
VM_PASS=0 VM_FAIL=0
VM_ARCH=arm64-shim$([ $debug = 1 ] && echo -debug)
vm_report "$work/console.log"
echo "=== total $(secs "$t_all") s"
echo "$suite: $VM_PASS passed, $VM_FAIL failed"
[ "$VM_FAIL" = 0 ]
