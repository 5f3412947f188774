#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-kernel.sh: build (once) an x86-64 guest kernel with CONFIG_IOMMUFD and
# CONFIG_VFIO_DEVICE_CDEV, which no Debian kernel enables. Source: Debian's
# linux-source-<ver> from a newer suite (bookworm's 6.1 predates iommufd), fetched with a
# private apt source list under the cache. Config: allnoconfig + iommufd-kernel.config.
#
# Prints the path of the cached ELF vmlinux (booted by QEMU through PVH) on stdout.
# Env: VM_KSUITE (default trixie), VM_KSRC_PKG (default: the suite's linux-source-6.12),
#      VM_KJOBS (default nproc), RPROCD_VM_CACHE.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

suite=${VM_KSUITE:-trixie}
pkg=${VM_KSRC_PKG:-linux-source-6.12}
key=$(sha256sum <"$HERE/iommufd-kernel.config" | cut -c1-12)
# any kernel built from this config is good enough: no apt lookup when one is cached
cached=$(ls -d "$RPROCD_VM_CACHE/kernel-iommufd/$pkg"-*-"$key"/vmlinux 2>/dev/null | tail -1 || true)
if [ -n "$cached" ] && [ -s "$cached" ]; then
	vm_log "iommufd kernel: cached $cached"
	echo "$cached"
	exit 0
fi
vm_need_pkgs build-essential bc bison flex libelf-dev xz-utils
vm_apt_setup "$suite-all" amd64 "$suite"
ver=$(apt-cache "${APTX[@]}" policy "$pkg" 2>/dev/null | awk '/Candidate:/{print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { vm_log "$pkg not found in $suite"; exit 1; }
out=$RPROCD_VM_CACHE/kernel-iommufd/$pkg-$ver-$key

t0=$(vm_now)
deb=$(vm_apt_download "$RPROCD_VM_CACHE/debs" "$pkg")
work=$RPROCD_VM_CACHE/kernel-iommufd/build
rm -rf "$work" && mkdir -p "$work"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards '*/linux-source-*.tar.xz'
tarball=$(find "$work" -name 'linux-source-*.tar.xz' | head -1)
tar -xJf "$tarball" -C "$work"
rm -f "$tarball"
src=$(find "$work" -maxdepth 1 -type d -name 'linux-source-*' | head -1)
t1=$(vm_now)
vm_log "kernel source $pkg $ver unpacked in $(((t1 - t0) / 1000)) s"

make -s -C "$src" ARCH=x86_64 KCONFIG_ALLCONFIG="$HERE/iommufd-kernel.config" allnoconfig
# every option of the fragment must have survived (a missing dependency drops it silently)
bad=0
while read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" "$src/.config" || { vm_log "config: $line did not stick"; bad=1; }
done <"$HERE/iommufd-kernel.config"
[ $bad = 0 ] || exit 1
make -s -C "$src" ARCH=x86_64 -j"${VM_KJOBS:-$(nproc)}" vmlinux
t2=$(vm_now)
mkdir -p "$out"
cp "$src/vmlinux" "$out/vmlinux.tmp"
strip --strip-debug "$out/vmlinux.tmp" 2>/dev/null || true
cp "$src/.config" "$out/config"
mv "$out/vmlinux.tmp" "$out/vmlinux"
rm -rf "$work"
vm_log "iommufd kernel built in $(((t2 - t1) / 1000)) s (unpack $(((t1 - t0) / 1000)) s): $out/vmlinux"
echo "$out/vmlinux"
