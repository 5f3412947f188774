# SPDX-License-Identifier: GPL-2.0-or-later
# Shared shell helpers of the VM tier (sourced by run.sh and iommufd.sh; bash only).
#
# Everything downloaded or built is cached under $RPROCD_VM_CACHE:
#   default $XDG_CACHE_HOME/rprocd-vm, else /var/cache/rprocd-vm for root,
#   else ~/.cache/rprocd-vm.
# Debian packages come from the host's own apt sources; foreign-arch and other-suite
# lookups use a private apt state (lists + archives) under the cache, so the host's dpkg
# and apt lists are left as they are.

if [ -z "${RPROCD_VM_CACHE:-}" ]; then
	if [ -n "${XDG_CACHE_HOME:-}" ]; then
		RPROCD_VM_CACHE=$XDG_CACHE_HOME/rprocd-vm
	elif [ "$(id -u)" = 0 ]; then
		RPROCD_VM_CACHE=/var/cache/rprocd-vm
	else
		RPROCD_VM_CACHE=$HOME/.cache/rprocd-vm
	fi
fi
export RPROCD_VM_CACHE
export DEBIAN_FRONTEND=noninteractive
VM_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_HOST_ARCH=$(dpkg --print-architecture 2>/dev/null || echo unknown)

vm_log() { printf 'vm: %s\n' "$*" >&2; }

# meson's "skipped" exit status: used whenever the tier cannot run here (no QEMU, not
# Debian, no root to install it). Never a pass.
vm_skip() {
	printf 'vm: SKIP: %s\n' "$*"
	exit 77
}

# vm_lock NAME: hold $RPROCD_VM_CACHE/NAME.lock until the script exits, so that two runs
# sharing the cache (two build directories, CI and a developer) do not unpack into each other.
vm_lock() {
	mkdir -p "$RPROCD_VM_CACHE"
	exec {VM_LOCK_FD}>"$RPROCD_VM_CACHE/$1.lock"
	flock -w 3600 "$VM_LOCK_FD" || vm_log "could not lock $RPROCD_VM_CACHE/$1.lock, going on"
}

vm_now() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); } # ms

# vm_need_pkgs PKG... : install missing host packages, or skip when that is impossible.
vm_need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	command -v apt-get >/dev/null || vm_skip "missing ${missing[*]} and no apt-get (not Debian)"
	[ "$(id -u)" = 0 ] || vm_skip "missing host packages ${missing[*]}; install them (root)"
	vm_log "installing ${missing[*]}"
	if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			vm_skip "apt-get install ${missing[*]} failed (no network or registry?)"
	fi
}

# The first URI of the host's Debian archive (deb822 .sources or one-line .list files),
# so a private source list can name another suite without writing a host into the repo.
vm_debian_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		uri=$(awk '/^URIs:/{for (i = 2; i <= NF; i++) if ($i !~ /security/) {print $i; exit}}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {
			if ($i !~ /security/) {print $i; exit}; break}}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

# vm_apt_setup NAME ARCH [SUITE]: fill the array APTX with apt options for a private
# state under $RPROCD_VM_CACHE/apt-NAME. Without SUITE the host's sources are read (for a
# foreign ARCH); with SUITE a private source list for that Debian suite is written.
# Lists are refreshed when missing or older than a day.
vm_apt_setup() {
	local name=$1 arch=$2 suite=${3:-} d uri
	d=$RPROCD_VM_CACHE/apt-$name
	VM_APT_ARCH=$arch
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc"
	APTX=(-o "APT::Architectures::=$arch" -o "APT::Architecture=$arch"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=$d/status")
	[ -e "$d/status" ] || : >"$d/status"
	if [ -n "$suite" ]; then
		uri=$(vm_debian_uri) || vm_skip "no Debian archive URI in /etc/apt sources"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" \
			>"$d/etc/sources.list"
		APTX+=(-o "Dir::Etc::SourceList=$d/etc/sources.list"
			-o "Dir::Etc::SourceParts=$d/etc/none")
	fi
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		apt-get "${APTX[@]}" update -qq >/dev/null 2>&1 ||
			vm_log "apt-get update ($name) reported errors"
	fi
}

# vm_apt_download DIR PKG...: the .debs of PKG... for $VM_APT_ARCH in DIR (not installed),
# one path per line.  A .deb already in DIR is used as is (no apt query: apt-cache takes
# seconds on a loaded machine); the missing ones come in one apt-get download.  Uses the
# APTX set by vm_apt_setup (or the host's apt when APTX is empty).
vm_apt_download() {
	local dir=$1 pkg f missing=()
	local arch=${VM_APT_ARCH:-$VM_HOST_ARCH}
	shift
	mkdir -p "$dir"
	for pkg in "$@"; do
		ls "$dir/${pkg}_"*_{"$arch",all}.deb >/dev/null 2>&1 || missing+=("$pkg")
	done
	if ((${#missing[@]})); then
		(cd "$dir" && apt-get "${APTX[@]}" download -qq "${missing[@]}" 2>&1 |
			grep -v 'unsandboxed' >&2) || true
	fi
	for pkg in "$@"; do
		f=$(ls -t "$dir/${pkg}_"*_{"$arch",all}.deb 2>/dev/null | head -1)
		[ -n "$f" ] || { vm_log "download of $pkg ($arch) failed"; return 1; }
		echo "$f"
	done
}

# ---- per-architecture guest pieces -------------------------------------------------------

# vm_arch ARCH: QEMU binary, cross compiler, packages, memory layout of the guest.
#  amd64: q35 + intel-iommu; memmap=17M$0xc000000 keeps 16 MiB carveout + 64 KiB devmem
#         from the kernel, below edu's 28-bit DMA mask, so IOVA == PA works as is.
#  arm64: virt + SMMUv3; RAM starts at 1 GiB and mem=480M keeps the top 32 MiB of the 512 MiB
#         from the kernel.  That is above edu's default 28-bit DMA mask, so the device is
#         given a 32-bit mask (edu's dma_mask property) for IOVA == PA; VM_ARM64_DMA_MASK
#         overrides it (e.g. 0xfffffff exercises the declared fixed-IOVA path).
vm_arch() {
	VM_ARCH=$1
	case $VM_ARCH in
	amd64)
		VM_QEMU=qemu-system-x86_64 VM_CC=gcc VM_GNU=x86_64-linux-gnu
		VM_PKGS=(qemu-system-x86)
		VM_CARVEOUT_PA=0xc000000 VM_DEVMEM_PA=0xd000000
		VM_RESERVE='memmap=17M$0xc000000'
		VM_EDU_DMA_MASK=0xfffffff
		;;
	arm64)
		VM_QEMU=qemu-system-aarch64 VM_CC=aarch64-linux-gnu-gcc VM_GNU=aarch64-linux-gnu
		VM_PKGS=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
		VM_CARVEOUT_PA=0x5e000000 VM_DEVMEM_PA=0x5f000000
		VM_RESERVE='mem=480M'
		VM_EDU_DMA_MASK=${VM_ARM64_DMA_MASK:-0xffffffff}
		;;
	*)
		vm_log "unknown architecture $VM_ARCH (amd64 or arm64)"
		return 1
		;;
	esac
	VM_CARVEOUT_SIZE=0x1000000 VM_DEVMEM_SIZE=0x10000
}

# vm_qemu_usable: QEMU starts under TCG here (no KVM needed).  Else the suite skips.
vm_qemu_usable() {
	command -v "$VM_QEMU" >/dev/null || return 1
	printf 'quit\n' | timeout 30 "$VM_QEMU" -machine none -accel tcg -display none -nodefaults \
		-no-user-config -monitor stdio >/dev/null 2>&1
}

# vm_kernel_fetch DIR: resolve Debian's current linux-image for $VM_ARCH (or the metapackage
# $VM_KMETA, e.g. linux-image-6.12-arm64) and download its .deb (not installed); its path goes
# to DIR/<arch or metapackage>.deb, remembered for a day because apt-cache takes seconds on a
# loaded machine.  Needs only apt, so run.sh starts it while apt-get still installs QEMU.
vm_kernel_fetch() {
	local dir=$1 meta pkg deb kmeta=${VM_KMETA:-linux-image-$VM_ARCH}
	local memo=$1/${VM_KMETA:-$VM_ARCH}.deb
	mkdir -p "$dir"
	if [ -n "$(find "$memo" -mtime -1 2>/dev/null)" ] && deb=$(cat "$memo") && [ -f "$deb" ]; then
		return 0
	fi
	if [ "$VM_ARCH" = "$VM_HOST_ARCH" ]; then
		APTX=() VM_APT_ARCH=$VM_HOST_ARCH
		apt-cache show "$kmeta" >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1
	else
		vm_apt_setup "$VM_ARCH" "$VM_ARCH"
	fi
	meta=$(apt-cache "${APTX[@]}" depends "$kmeta" 2>/dev/null |
		awk '/Depends: linux-image-/{print $2; exit}')
	pkg=${meta%%:*}
	[ -n "$pkg" ] || { vm_log "cannot resolve $kmeta"; return 1; }
	deb=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "$pkg") || return 1
	echo "$deb" >"$memo"
}

# vm_prefetch: every download of $VM_ARCH's guest (kernel; for a foreign arch busybox and
# libcrypto) without unpacking anything.
vm_prefetch() {
	vm_kernel_fetch "$RPROCD_VM_CACHE/kernels" || return 1
	if [ "$VM_ARCH" != "$VM_HOST_ARCH" ] && [ ! -x "$RPROCD_VM_CACHE/busybox-$VM_ARCH/bin/busybox" ]; then
		vm_apt_setup "$VM_ARCH" "$VM_ARCH"
		vm_apt_download "$RPROCD_VM_CACHE/debs" busybox-static libssl-dev >/dev/null
	fi
}

# vm_debian_kernel DIR: Debian's current linux-image for $VM_ARCH unpacked under DIR (cached);
# sets VM_KVER, VM_KROOT and VM_KERNEL (the image QEMU boots).
vm_debian_kernel() {
	local dir=$1 pkg deb
	vm_kernel_fetch "$dir" || return 1
	deb=$(cat "$dir/${VM_KMETA:-$VM_ARCH}.deb")
	pkg=$(basename "$deb" | cut -d_ -f1)
	VM_KROOT=$dir/$(basename "$deb" .deb)
	if [ ! -d "$VM_KROOT/boot" ]; then
		rm -rf "$VM_KROOT.tmp" && mkdir -p "$VM_KROOT.tmp"
		# only the kernel and the module trees the guests load from (VFIO, irqbypass,
		# IOMMU drivers; rpmsg, Qualcomm SoC and hwspinlock for the shim's dependencies):
		# a tenth of the 400 MB, and a quick depmod
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$VM_KROOT.tmp" --wildcards \
			'./boot/*' './lib/modules/*/modules.order' './lib/modules/*/modules.builtin*' \
			'./lib/modules/*/kernel/drivers/vfio/*' './lib/modules/*/kernel/virt/*' \
			'./lib/modules/*/kernel/drivers/iommu/*' './lib/modules/*/kernel/drivers/rpmsg/*' \
			'./lib/modules/*/kernel/drivers/soc/qcom/*' \
			'./lib/modules/*/kernel/drivers/hwspinlock/*' 2>/dev/null
		[ -d "$VM_KROOT.tmp/boot" ] || { vm_log "cannot unpack $deb"; return 1; }
		VM_KVER=$(ls "$VM_KROOT.tmp/lib/modules" | head -1)
		# the .deb ships no modules.dep
		depmod -b "$VM_KROOT.tmp" "$VM_KVER"
		mv "$VM_KROOT.tmp" "$VM_KROOT"
	fi
	VM_KVER=$(ls "$VM_KROOT/lib/modules" | head -1)
	VM_KERNEL=$VM_KROOT/boot/vmlinuz-$VM_KVER
	if [ "$VM_ARCH" = amd64 ]; then
		# QEMU boots the ELF vmlinux through PVH: no in-guest decompression (~3 s of TCG)
		[ -s "$VM_KROOT/vmlinux" ] || vm_extract_vmlinux "$VM_KERNEL" "$VM_KROOT/vmlinux" ||
			true
		[ -s "$VM_KROOT/vmlinux" ] && VM_KERNEL=$VM_KROOT/vmlinux
	fi
	vm_log "$VM_ARCH kernel $pkg ($VM_KVER): $VM_KERNEL"
}

# vm_kernel_build NAME ARCH CONFIG PRODUCT TARGET...: build (once) a guest kernel from Debian's
# linux-source (package $VM_KSRC_PKG, default linux-source-6.12, of suite $VM_KSUITE, default
# trixie, through a private apt source list), configured as allnoconfig plus the fragment
# CONFIG, every option of which must survive; "make TARGET..." for ARCH (amd64, or arm64
# cross-compiled with aarch64-linux-gnu-).  Cached in $RPROCD_VM_CACHE/kernel-NAME/
# <pkg>-<ver>-<hash of CONFIG>/: PRODUCT (a path in the tree, e.g. vmlinux) copied there and
# its .config; any cached build of the same fragment is used without an apt lookup.  With
# VM_KBUILD_TREE=1 the configured tree stays there as tree/, objects removed, for out-of-tree
# modules (M=); otherwise the 1.5 GB source is removed.  Prints the output directory.
# VM_KJOBS: the parallelism (default nproc).
vm_kernel_build() {
	local name=$1 arch=$2 config=$3 product=$4 suite=${VM_KSUITE:-trixie}
	local pkg=${VM_KSRC_PKG:-linux-source-6.12} key cached ver out deb work tarball src
	local t0 t1 t2 bad=0 line kmake
	shift 4
	key=$(sha256sum <"$config" | cut -c1-12)
	cached=$(ls -d "$RPROCD_VM_CACHE/kernel-$name/$pkg"-*-"$key" 2>/dev/null | tail -1 || true)
	if [ -n "$cached" ] && [ -s "$cached/$(basename "$product")" ]; then
		vm_log "$name kernel: cached $cached"
		echo "$cached"
		return 0
	fi
	vm_need_pkgs build-essential bc bison flex libelf-dev libssl-dev xz-utils
	case $arch in
	amd64) kmake=(make ARCH=x86_64) ;;
	arm64)
		vm_need_pkgs gcc-aarch64-linux-gnu
		kmake=(make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		;;
	esac
	vm_apt_setup "$suite-all" amd64 "$suite"
	ver=$(apt-cache "${APTX[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/{print $2}')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || { vm_log "$pkg not found in $suite"; return 1; }
	out=$RPROCD_VM_CACHE/kernel-$name/$pkg-$ver-$key

	t0=$(vm_now)
	deb=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "$pkg") || return 1
	work=$RPROCD_VM_CACHE/kernel-$name/build
	rm -rf "$work" && mkdir -p "$work"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards '*/linux-source-*.tar.xz'
	tarball=$(find "$work" -name 'linux-source-*.tar.xz' | head -1)
	tar -xJf "$tarball" -C "$work" || return 1
	rm -f "$tarball"
	src=$(find "$work" -maxdepth 1 -type d -name 'linux-source-*' | head -1)
	t1=$(vm_now)
	vm_log "kernel source $pkg $ver unpacked in $(((t1 - t0) / 1000)) s"

	"${kmake[@]}" -s -C "$src" KCONFIG_ALLCONFIG="$config" allnoconfig || return 1
	# every option of the fragment must have survived (a missing dependency drops it silently)
	while read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		grep -qx "$line" "$src/.config" || { vm_log "config: $line did not stick"; bad=1; }
	done <"$config"
	[ $bad = 0 ] || return 1
	nice "${kmake[@]}" -s -C "$src" -j"${VM_KJOBS:-$(nproc)}" "$@" || return 1
	t2=$(vm_now)
	rm -rf "$out" && mkdir -p "$out"
	cp "$src/$product" "$out/$(basename "$product").tmp"
	strip --strip-debug "$out/$(basename "$product").tmp" 2>/dev/null || true
	cp "$src/.config" "$out/config"
	if [ "${VM_KBUILD_TREE:-0}" = 1 ]; then
		# what M= needs stays: sources, headers, .config, Module.symvers, the host tools
		find "$src" -name '*.o' ! -path "$src/scripts/*" -delete
		rm -f "$src/vmlinux" "$src/vmlinux.a"
		mv "$src" "$out/tree"
	fi
	mv "$out/$(basename "$product").tmp" "$out/$(basename "$product")"
	rm -rf "$work"
	vm_log "$name kernel built in $(((t2 - t1) / 1000)) s (unpack $(((t1 - t0) / 1000)) s): $out"
	echo "$out"
}

# vm_extract_vmlinux BZIMAGE OUT: the compressed payload of an x86 bzImage, decompressed.
# The first xz or zstd stream whose output is an ELF file is it.
vm_extract_vmlinux() {
	local in=$1 out=$2 kind magic off
	for kind in xz zstd; do
		case $kind in
		xz) magic='\xfd7zXZ\x00' ;;
		zstd) magic='\x28\xb5\x2f\xfd' ;;
		esac
		for off in $(LC_ALL=C grep -obUaP "$magic" "$in" 2>/dev/null | cut -d: -f1 | head -3); do
			# decompressors complain about the trailing data: judge the output instead
			tail -c +$((off + 1)) "$in" 2>/dev/null |
				{ if [ $kind = xz ]; then xz -dcq --single-stream; else zstd -dcq; fi; } \
					>"$out.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

# vm_modules ROOT MODS...: copy MODS and their dependencies from $VM_KROOT into the
# initramfs ROOT (decompressed for busybox insmod), load order in ROOT/modules.list.
vm_modules() {
	local root=$1 m ko name
	shift
	mkdir -p "$root/lib/modules"
	: >"$root/modules.list"
	for m in "$@"; do
		modprobe -d "$VM_KROOT" -S "$VM_KVER" --show-depends "$m" 2>/dev/null |
			awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		name=${ko##*/}
		case $name in
		*.xz) xz -dc "$ko" >"$root/lib/modules/${name%.xz}" && name=${name%.xz} ;;
		*.zst) zstd -qdc "$ko" >"$root/lib/modules/${name%.zst}" && name=${name%.zst} ;;
		*) cp "$ko" "$root/lib/modules/$name" ;;
		esac
		echo "$name" >>"$root/modules.list"
	done
}

# vm_busybox DIR: a static busybox for $VM_ARCH; prints its path.
vm_busybox() {
	local dir=$1 deb
	if [ "$VM_ARCH" = "$VM_HOST_ARCH" ]; then
		vm_need_pkgs busybox-static
		echo /bin/busybox
		return 0
	fi
	if [ ! -x "$dir/busybox-$VM_ARCH/bin/busybox" ]; then
		vm_apt_setup "$VM_ARCH" "$VM_ARCH"
		# libssl-dev (vm_crypto) comes in the same apt-get run
		deb=$(vm_apt_download "$RPROCD_VM_CACHE/debs" busybox-static libssl-dev | head -1)
		[ -n "$deb" ] || return 1
		rm -rf "$dir/busybox-$VM_ARCH" && dpkg -x "$deb" "$dir/busybox-$VM_ARCH"
	fi
	echo "$dir/busybox-$VM_ARCH/bin/busybox"
}

# vm_crypto DIR: compiler flags for a static libcrypto of $VM_ARCH (librproc's firmware
# hash code needs it).  The host's libssl-dev for the host arch; for another arch Debian's
# libssl-dev:<arch>, unpacked (not installed) under DIR.  Sets VM_CRYPTO_CFLAGS (headers)
# and VM_CRYPTO_FLAGS (link).
vm_crypto() {
	local dir=$1 deb x
	if [ "$VM_ARCH" = "$VM_HOST_ARCH" ]; then
		vm_need_pkgs libssl-dev
		VM_CRYPTO_CFLAGS=() VM_CRYPTO_FLAGS=(-lcrypto)
		return 0
	fi
	x=$dir/libssl-$VM_ARCH
	if [ ! -f "$x/usr/lib/$VM_GNU/libcrypto.a" ]; then
		vm_apt_setup "$VM_ARCH" "$VM_ARCH"
		deb=$(vm_apt_download "$RPROCD_VM_CACHE/debs" libssl-dev) || return 1
		rm -rf "$x" && dpkg -x "$deb" "$x"
	fi
	VM_CRYPTO_CFLAGS=(-I"$x/usr/include" -I"$x/usr/include/$VM_GNU")
	VM_CRYPTO_FLAGS=("$x/usr/lib/$VM_GNU/libcrypto.a")
}

# vm_build_guest SRC OUT: the static guest test for $VM_ARCH.  librproc's sources change
# shape while it grows, so no list of them is kept here: every source of lib/'s basic, parse,
# firmware, lifecycle and check folders and the VFIO and /dev/mem backends are compiled (a file that needs what the guest lacks, libfdt or libudev for
# a cross build, is skipped and listed) into an archive, and the link takes from it what the
# test uses.  A missing piece is then an "undefined reference" naming the function.
vm_build_guest() {
	local src=$1 out=$2 gen=$2.gen d f o n=0
	local real=$src/lib/backend/real
	local libsrc=("$src"/lib/{basic,parse,firmware,lifecycle,check}/*.c "$real"/vfio*.c
		"$real"/iommufd.c "$real"/devmem.c)
	mkdir -p "$gen"
	# config.h: the UAPI the cross compiler's kernel headers have (meson does this for the host)
	{
		echo "/* generated by tests/vm for $VM_ARCH */"
		vm_cc_has 'linux/iommufd.h' IOMMU_IOAS_MAP && d=1 || d=0
		echo "#define HAVE_LINUX_IOMMUFD_H $d"
		[ $d = 1 ] && vm_cc_has 'linux/iommufd.h' IOMMU_IOAS_MAP_FILE && d=1 || d=0
		echo "#define HAVE_IOMMU_IOAS_MAP_FILE $d"
		vm_cc_has 'linux/vfio.h' VFIO_DEVICE_BIND_IOMMUFD && d=1 || d=0
		echo "#define HAVE_VFIO_DEVICE_BIND_IOMMUFD $d"
	} >"$gen/config.h.new"
	cmp -s "$gen/config.h.new" "$gen/config.h" || mv "$gen/config.h.new" "$gen/config.h"
	local flags=(-std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter
		-Wno-format-truncation -Wno-missing-field-initializers
		-I"$gen" -I"$src/lib/include" -I"$src/lib/basic" -I"$src/lib/lifecycle" -I"$real"
		-I"$src/tests/vm/guest"
		"${VM_CRYPTO_CFLAGS[@]}")
	# rebuilt only when a source, a header or the flags changed (~5-20 s)
	local key
	key=$({ echo "$VM_CC ${flags[*]} ${VM_CRYPTO_FLAGS[*]}"; cat "$src"/tests/vm/guest/* \
		"${libsrc[@]}" "$src"/lib/*/*.h "$src"/lib/include/rproc/*.h "$real"/*.h \
		"$real"/compat/*.h \
		"$gen/config.h"; } 2>/dev/null | sha256sum | cut -c1-16)
	[ -x "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ] && return 0
	rm -f "$out.key"
	rm -rf "$gen/obj" && mkdir -p "$gen/obj"
	for f in "${libsrc[@]}"; do
		o=$gen/obj/$(basename "$(dirname "$f")")-$(basename "$f" .c).o
		{ "$VM_CC" "${flags[@]}" -c "$f" -o "$o" 2>"$o.log" || rm -f "$o"; } &
		(((n += 1) % ${VM_JOBS:-$(nproc)})) || wait
	done
	wait
	for o in "$gen"/obj/*.o.log; do
		[ -e "${o%.log}" ] || echo "  (guest build: $(basename "${o%.o.log}") skipped:" \
			"$(grep -m1 -E 'error|fatal' "$o" | cut -c1-120))"
	done
	rm -f "$gen/librproc-guest.a"
	ar rcs "$gen/librproc-guest.a" "$gen"/obj/*.o || return 1
	"$VM_CC" "${flags[@]}" -static -s -o "$out" "$src"/tests/vm/guest/*.c \
		"$gen/librproc-guest.a" "${VM_CRYPTO_FLAGS[@]}" -lpthread \
		2> >(grep -v -e 'statically linked applications' -e 'in function .\(dlfcn\|BIO_\)' >&2) &&
		echo "$key" >"$out.key"
}

# vm_build_module SRC GEN LIBRPROC OUT: the daemon part's backend module (x86-64 host =
# guest only): tests/vm/guest/module/edu-module.c with the guest test's edu backend, built
# shared against the build's librproc.so (rprocd's own copy), config.h from vm_build_guest.
# librproc.so exports only its public API: the VFIO and /dev/mem code the edu backend drives
# directly is compiled into the module (hidden), and logs through librproc's rproc_log.
vm_build_module() {
	local src=$1 gen=$2 librproc=$3 out=$4 g=$1/tests/vm/guest real=$1/lib/backend/real
	"$VM_CC" -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
		-Wno-format-truncation -Wno-missing-field-initializers -fPIC -shared \
		-fvisibility=hidden -Wl,-z,defs -I"$gen" -I"$src/lib/include" -I"$src/lib/basic" \
		-I"$real" -I"$g" -o "$out" "$g/module/edu-module.c" "$g/edu-backend.c" \
		"$g/vm-dma.c" "$g/edu.c" "$g/vm-mem.c" "$real"/vfio*.c "$real"/iommufd.c \
		"$real"/devmem.c "$librproc"
}

# vm_daemon_files ROOT RPROCD RPROCCTL MODULE DTS: rprocd, rprocctl, dbus-daemon with a system
# bus configuration, the module, the compiled device tree and the daemon script (run by /init
# as /guest-extra.sh) in the initramfs ROOT, with every shared library ldd names (the
# programs are the host's, built for the guest's architecture).
vm_daemon_files() {
	local root=$1 rprocd=$2 rprocctl=$3 module=$4 dts=$5 bin lib
	mkdir -p "$root/lib/rprocd" "$root/etc/rprocd-vm" "$root/run" "$root/var/lib"
	cp "$rprocd" "$root/bin/rprocd"
	cp "$rprocctl" "$root/bin/rprocctl"
	cp "$(command -v dbus-daemon)" "$root/bin/dbus-daemon"
	cp "$module" "$root/lib/rprocd/edu-module.so"
	dtc -@ -q -I dts -O dtb -o "$root/etc/rprocd-vm/edu.dtb" "$dts" || return 1
	cp "$VM_HERE/guest/daemon.sh" "$root/guest-extra.sh"
	for bin in "$rprocd" "$rprocctl" "$(command -v dbus-daemon)" "$module"; do
		ldd "$bin" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}'
	done | sort -u | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
		# a library found through rprocd's build-tree RUNPATH goes to the default path too
		case $lib in /lib/* | /usr/lib/* | /lib64/*) ;; *)
			mkdir -p "$root/lib/$VM_GNU" && cp -L "$lib" "$root/lib/$VM_GNU/" ;;
		esac
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	vm_bus_conf "$root/etc/rprocd-vm/bus.conf"
}

# vm_bus_conf FILE: a system bus for a guest: anyone may own and call anything.
. "$VM_HERE/../integration/private-bus.sh"
vm_bus_conf() {
	private_bus_conf "$1" unix:path=/run/dbus/system_bus_socket
}

vm_cc_has() { # header symbol
	printf '#include <%s>\n#ifndef %s\nint x = sizeof(%s);\n#endif\n' "$1" "$2" "$2" |
		"$VM_CC" -x c -fsyntax-only - >/dev/null 2>&1
}

# vm_initramfs ROOT OUT: pack ROOT as a gzip'd newc cpio.
vm_initramfs() {
	(cd "$1" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1 >"$2")
}

# vm_qemu_run LOG SECONDS QEMU-ARGS...: run $VM_QEMU for at most SECONDS, its output appended
# to LOG with host timestamps; returns QEMU's exit status.
vm_qemu_run() {
	local log=$1 limit=$2 start line
	shift 2
	start=$(vm_now)
	timeout -k 5 "$limit" "$VM_QEMU" "$@" </dev/null 2>&1 |
		while IFS= read -r line; do
			printf '[%6.2f] %s\n' "$(($(vm_now) - start))e-3" "${line%$'\r'}"
		done >>"$log"
	return "${PIPESTATUS[0]}"
}

# vm_machine_args: VM_MACHINE_ARGS, the guest machine of $VM_ARCH (board, CPU, IOMMU, memory,
# edu) without kernel, initrd or command line; vm_boot uses it, and a suite that dumps the
# board's device tree (-machine dumpdtb=) must use the same.
vm_machine_args() {
	case $VM_ARCH in
	amd64)
		VM_MACHINE_ARGS=(-machine q35,kernel-irqchip=split -cpu max
			-device intel-iommu,intremap=on,caching-mode=on)
		;;
	arm64)
		VM_MACHINE_ARGS=(-machine virt,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on)
		;;
	esac
	VM_MACHINE_ARGS+=(-accel tcg,thread=multi -smp 2 -m 512M -nographic -no-reboot -nic none
		-device "edu,dma_mask=$VM_EDU_DMA_MASK")
}

# vm_boot LOG KERNEL INITRD QEMU-ARGS...: boot under TCG with an emulated IOMMU and edu,
# console into LOG (with host timestamps).  Returns QEMU's exit status.
vm_boot() {
	local log=$1 kernel=$2 initrd=$3
	shift 3
	local append="console=$([ "$VM_ARCH" = arm64 ] && echo ttyAMA0 || echo ttyS0) loglevel=4"
	append+=" panic=-1 $VM_RESERVE ${VM_EXTRA_APPEND:-}"
	local args=()
	vm_machine_args
	# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer test can miss
	# its window and panic ("timer doesn't work through Interrupt-remapped IO-APIC").
	case $VM_ARCH in
	amd64) append+=" edd=off intel_iommu=on iommu=nopt no_timer_check" ;;
	arm64) append+=" iommu.passthrough=0" ;;
	esac
	args=("${VM_MACHINE_ARGS[@]}" -append "$append" -kernel "$kernel" -initrd "$initrd" "$@")
	local try rc
	for try in 1 2; do
		echo "+ $VM_QEMU ${args[*]}" >"$log"
		vm_qemu_run "$log" "${VM_TIMEOUT:-240}" "${args[@]}"
		rc=$?
		# A kernel that died before userspace says nothing about librproc: boot once more,
		# keep the first console, and say so.  A second such boot is a failure.
		grep -q 'VMGUEST up' "$log" && break
		[ $try = 2 ] && break
		mv "$log" "$log.boot1"
		vm_log "$VM_ARCH: the guest kernel did not reach userspace (console: $log.boot1); booting again"
	done
	return "$rc"
}

# vm_report LOG: print the console and one line per check ("ok   - ARCH: what" /
# "FAIL - ARCH: what"); adds VM_PASS / VM_FAIL.  A guest that did not finish is a failure.
vm_report() {
	local log=$1 verdict what p=0 f=0
	sed 's/^/    | /' "$log"
	while read -r verdict what; do
		if [ "$verdict" = pass ]; then
			echo "ok   - $VM_ARCH: $what"
			p=$((p + 1))
		else
			echo "FAIL - $VM_ARCH: $what"
			f=$((f + 1))
		fi
	done < <(sed -n 's/^\[[ 0-9.]*\] VMCHECK //p' "$log")
	if grep -q 'VMTEST done' "$log" && grep -q 'VMGUEST end' "$log"; then
		echo "ok   - $VM_ARCH: guest test ran to completion"
		p=$((p + 1))
	else
		echo "FAIL - $VM_ARCH: guest test ran to completion (see the console above)"
		f=$((f + 1))
	fi
	VM_PASS=$((VM_PASS + p)) VM_FAIL=$((VM_FAIL + f))
}

# vm_guest_image OUT BUSYBOX FW TEST_ARGS [MODULE...]: OUT/initramfs.cpio.gz with busybox,
# OUT/vm-test, the firmware image, the modules (from $VM_KROOT) and /init + /vm.conf.
vm_guest_image() {
	local out=$1 bb=$2 fw=$3 test_args=$4 root=$1/initramfs app
	shift 4
	rm -rf "$root" && mkdir -p "$root"/{bin,proc,sys,dev,tmp,lib/firmware}
	cp "$bb" "$root/bin/busybox"
	for app in sh mount cat echo ls insmod poweroff sleep dmesg grep tail head readlink cut \
		tr sed uname; do
		ln -s busybox "$root/bin/$app"
	done
	cp "$out/vm-test" "$root/bin/vm-test"
	cp "$fw" "$root/lib/firmware/vm-test.mbn"
	cp "$VM_HERE/guest/init.sh" "$root/init"
	if (($#)); then
		vm_modules "$root" "$@"
	else
		: >"$root/modules.list"
	fi
	cat >"$root/vm.conf" <<-EOT
		VM_CARVEOUT_PA=$VM_CARVEOUT_PA
		VM_CARVEOUT_SIZE=$VM_CARVEOUT_SIZE
		VM_DEVMEM_PA=$VM_DEVMEM_PA
		VM_DEVMEM_SIZE=$VM_DEVMEM_SIZE
		VM_EDU_DMA_MASK=$VM_EDU_DMA_MASK
		VM_RESERVE='$VM_RESERVE'
		VM_TEST_ARGS='$test_args'
	EOT
	# more files for the guest (run.sh: the daemon part) before packing
	if [ -n "${VM_IMAGE_HOOK:-}" ]; then
		"$VM_IMAGE_HOOK" "$root" || return 1
	fi
	vm_initramfs "$root" "$out/initramfs.cpio.gz"
}
