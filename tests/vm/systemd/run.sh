#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh --build DIR --mkfw PATH --dtb PATH [--work DIR]  -  the systemd VM (suite vm-systemd)
#
# A Debian 12 (bookworm) root filesystem with systemd and dbus from the archive (mmdebstrap,
# cached), rprocd installed into it by the README's own "Installing into an image" block (run
# as it is, with the build in DIR, DESTDIR = the image), booted under QEMU (TCG) with the
# Debian 6.1 kernel the VM tier already downloads, systemd as PID 1.  The guest runs
# checks.sh (rprocd-vm-checks.service) against the installed rprocd.service and reports on
# its second serial port; one line per check here, then "vm-systemd: N passed, N failed".
#
# Only the test's own pieces are added to the installed system: the simulated SoC and a crash
# injection in an rprocd.conf drop-in, the bundled SA8775p-like tree through a unit drop-in
# (--dtb: Debian's amd64 kernel has no device tree and rprocd.conf has no key for one),
# mkfw firmware in /lib/firmware, two test users, the check driver.
#
# Debian, root, x86-64; exits 77 (meson: skipped) when QEMU cannot run.  Downloads and the
# root filesystem are cached in $RPROCD_VM_CACHE/systemd (tests/vm/common.sh).
# Env: VM_TIMEOUT (guest, s; default 900), VM_EXTRA_APPEND (kernel command line).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../../.." && pwd)
. "$HERE/../common.sh"

build='' mkfw='' dtb='' work=''
while (($#)); do
	case $1 in
	--build) build=$2; shift 2 ;;
	--mkfw) mkfw=$2; shift 2 ;;
	--dtb) dtb=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	*) echo "usage: $0 --build DIR --mkfw PATH --dtb PATH [--work DIR]" >&2; exit 2 ;;
	esac
done
[ -n "$build" ] && [ -n "$mkfw" ] && [ -n "$dtb" ] ||
	{ echo "usage: $0 --build DIR --mkfw PATH --dtb PATH [--work DIR]" >&2; exit 2; }
build=$(cd "$build" && pwd)
work=${work:-$RPROCD_VM_CACHE/work-systemd}
cache=$RPROCD_VM_CACHE/systemd
CHECKS=(1 2 3 4 5 6 7 8 9)
mkdir -p "$work" "$cache"
t_all=$(vm_now)
secs() { local d=$(($(vm_now) - $1)); echo "$((d / 1000)).$((d % 1000 / 100))"; }

# Every check fails, with the reason, when the guest could not be prepared or booted.
fail_all() {
	local c
	echo "error: $*"
	for c in "${CHECKS[@]}"; do echo "FAIL - check $c: not run ($1)"; done
	echo "=== total $(secs "$t_all") s"
	echo "vm-systemd: 0 passed, ${#CHECKS[@]} failed"
	exit 1
}

command -v dpkg >/dev/null || vm_skip "not a Debian system (no dpkg): the guest is built from Debian's packages"
[ "$VM_HOST_ARCH" = amd64 ] || vm_skip "the guest runs this host's rprocd build on x86-64; host is $VM_HOST_ARCH"
vm_arch amd64
vm_need_pkgs qemu-system-x86 mmdebstrap e2fsprogs busybox-static cpio gzip kmod
vm_qemu_usable || vm_skip "$VM_QEMU cannot start a TCG machine here"
# the kernel cache is shared with the vm suite
vm_lock vm

# ---- the build: the one the README makes -------------------------------------------------
# "meson setup build" with no option: if this build directory was configured with other
# paths, a fresh one is made the README's way.
odd=$(python3 - "$build" <<'PY'
import json, sys
opts = {o['name']: o['value'] for o in
        json.load(open(sys.argv[1] + '/meson-info/intro-buildoptions.json'))}
want = {'prefix': '/usr/local', 'sysconfdir': 'etc', 'bindir': 'bin', 'sbindir': 'sbin',
        'datadir': 'share', 'mandir': 'share/man', 'libdir': None}
for name in ('systemdsystemunitdir', 'sysusersdir', 'tmpfilesdir', 'catalogdir', 'modprobedir',
             'dbuspolicydir', 'dbussystemservicesdir', 'dbusinterfacesdir', 'udevrulesdir',
             'polkitactiondir'):
    want[name] = ''
for k, v in want.items():
    if v is None:  # meson's per-distribution default: lib/<triplet> on Debian
        if not (opts[k] == 'lib' or opts[k].startswith('lib/')):
            print(f'{k}={opts[k]}')
    elif opts.get(k) != v:
        print(f'{k}={opts.get(k)}')
PY
)
if [ -n "$odd" ]; then
	vm_log "systemd: $build has path options the README does not give ($(echo $odd)): building anew"
	build=$work/build
	{ [ -d "$build" ] || meson setup "$build" "$SRC"; } >"$work/build.log" 2>&1 &&
		nice meson compile -C "$build" >>"$work/build.log" 2>&1 ||
		fail_all "the README's build failed (see $work/build.log)"
fi

# ---- downloads: root filesystem, kernel --------------------------------------------------
# The guest's packages: systemd as init, the system bus, udev (reads the installed rules),
# kmod (kmod-static-nodes.service), man-db (systemd-analyze verify looks up the unit's man:
# pages), jq (the checks read Describe()'s JSON), and the libraries rprocd, rprocctl and
# librproc link, as the host's packages name them.
lib_pkgs() {
	local f lib p
	for f in "$build/daemon/rprocd/rprocd" "$build/daemon/rprocctl/rprocctl" "$build"/lib/librproc.so; do
		ldd "$f" | awk '/=> \//{print $3}'
	done | sort -u | while read -r lib; do
		for p in "$lib" "$(readlink -f "$lib")" "/usr$lib" "${lib#/usr}"; do
			dpkg -S "$p" 2>/dev/null | cut -d: -f1 && break
		done
	done | grep -v -e '^libc6$' | sort -u
}
guest_pkgs=(systemd systemd-sysv dbus udev kmod man-db jq $(lib_pkgs))
key=$(echo "bookworm minbase ${guest_pkgs[*]} 1" | sha256sum | cut -c1-12)
rootfs=$cache/rootfs-$key.tar
t0=$(vm_now)
kfetch_log=$work/kernel-fetch.log
(vm_kernel_fetch "$RPROCD_VM_CACHE/kernels" >"$kfetch_log" 2>&1) &
kfetch=$!
if [ ! -s "$rootfs" ]; then
	uri=$(vm_debian_uri) || fail_all "no Debian archive in the host's apt sources"
	vm_log "systemd: building the bookworm root filesystem (${guest_pkgs[*]})"
	rm -f "$cache"/rootfs-*.tar
	if ! nice mmdebstrap --variant=minbase --include="$(IFS=,; echo "${guest_pkgs[*]}")" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
		bookworm "$cache/rootfs-$key.tmp.tar" "$uri" >"$work/mmdebstrap.log" 2>&1; then
		tail -20 "$work/mmdebstrap.log"
		fail_all "mmdebstrap failed (see $work/mmdebstrap.log)"
	fi
	mv "$cache/rootfs-$key.tmp.tar" "$rootfs"
fi
t_rootfs=$(secs "$t0")
wait "$kfetch" || { cat "$kfetch_log"; fail_all "the Debian kernel could not be downloaded"; }
vm_debian_kernel "$RPROCD_VM_CACHE/kernels" || fail_all "the Debian kernel could not be unpacked"
# The modules the initramfs loads to mount the root image, and those systemd loads itself.
deb=$(cat "$RPROCD_VM_CACHE/kernels/amd64.deb")
kmods=$cache/modules-$(basename "$deb" .deb)
if [ ! -d "$kmods/lib/modules/$VM_KVER" ]; then
	rm -rf "$kmods.tmp" && mkdir -p "$kmods.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kmods.tmp" --wildcards \
		'./lib/modules/*/modules.order' './lib/modules/*/modules.builtin*' \
		'./lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko' \
		'./lib/modules/*/kernel/fs/ext4/*' './lib/modules/*/kernel/fs/jbd2/*' \
		'./lib/modules/*/kernel/fs/mbcache.ko' './lib/modules/*/kernel/fs/autofs/*' \
		'./lib/modules/*/kernel/lib/crc16.ko' './lib/modules/*/kernel/crypto/crc32c_generic.ko' ||
		fail_all "cannot unpack the kernel modules from $deb"
	depmod -b "$kmods.tmp" "$VM_KVER" && mv "$kmods.tmp" "$kmods" ||
		fail_all "depmod failed for $kmods.tmp"
fi
t_dl=$(secs "$t0")

# ---- the guest's root: the archive's system + rprocd by the README's commands -----------
t0=$(vm_now)
root=$work/root
rm -rf "$root" && mkdir -p "$root"
tar -xpf "$rootfs" -C "$root" --numeric-owner || fail_all "cannot unpack $rootfs"
# test users (before the README's systemd-sysusers, which creates them with rprocd's group)
mkdir -p "$root/etc/sysusers.d"
cat >"$root/etc/sysusers.d/rprocd-vm.conf" <<-'EOT'
	# tests/vm/systemd: a user outside and one inside the rprocd group
	u vmuser - "rprocd VM test user without control"
	u vmop - "rprocd VM test user with control"
	m vmop rprocd
EOT
block=$(awk '/<!-- tests\/vm\/systemd runs this block/ {f = 1; next}
	f && /^```sh/ {g = 1; next}
	g && /^```/ {exit}
	g' "$SRC/README.md")
[ -n "$block" ] || fail_all "README.md has no install-into-an-image block for tests/vm/systemd"
echo "=== README's image install (build: $build)"
echo "$block" | sed 's/^/    $ /'
mkdir -p "$work/readme" && ln -sfn "$build" "$work/readme/build"
if ! (cd "$work/readme" && ROOT=$root bash -euo pipefail -c "$block") >"$work/install.log" 2>&1; then
	tail -20 "$work/install.log"
	fail_all "the README's install commands failed (see $work/install.log)"
fi
t_install=$(secs "$t0")

# the test's configuration: drop-ins only
mkdir -p "$root/etc/rprocd.conf.d" "$root/etc/rprocd-vm" "$root/lib/firmware/qcom/sa8775p" \
	"$root/etc/systemd/system/rprocd.service.d" "$root/usr/local/libexec/rprocd-vm" \
	"$root/etc/systemd/system/multi-user.target.wants" "$root/lib/modules"
i=0
for c in adsp cdsp0 cdsp1 gpdsp0 gpdsp1; do
	i=$((i + 1))
	"$mkfw" -o "$root/lib/firmware/qcom/sa8775p/$c.mbn" --seed "$i" --size 512K >/dev/null 2>&1 ||
		fail_all "mkfw failed"
done
cp "$dtb" "$root/etc/rprocd-vm/lemans-el2.dtb"
cat >"$root/etc/rprocd.conf.d/50-vm.conf" <<-'EOT'
	# tests/vm/systemd: the simulated SoC; gpdsp1 crashes 500 ms after each boot, and its
	# recovery gives up at the second crash (the journal check starts it).
	[Daemon]
	Backend=simulated
	SimulationConfig=crash=gpdsp1:fatal:500:5

	[RemoteProc:gpdsp1]
	AutoStart=no
	RestartLimit=1
EOT
exec_start=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/rprocd.service")
[ -n "$exec_start" ] || fail_all "the installed rprocd.service has no ExecStart="
cat >"$root/etc/systemd/system/rprocd.service.d/50-vm.conf" <<-EOT
	# tests/vm/systemd: the tree (no live device tree in this x86-64 guest)
	[Service]
	ExecStart=
	ExecStart=$exec_start --dtb=/etc/rprocd-vm/lemans-el2.dtb
EOT
cp "$HERE/checks.sh" "$root/usr/local/libexec/rprocd-vm/checks.sh"
cp "$HERE/rprocd-vm-checks.service" "$root/etc/systemd/system/"
ln -sf ../rprocd-vm-checks.service "$root/etc/systemd/system/multi-user.target.wants/"
cp -a "$kmods/lib/modules/$VM_KVER" "$root/lib/modules/"
echo rprocd-vm >"$root/etc/hostname"
echo '/dev/vda / ext4 rw 0 1' >"$root/etc/fstab"

t0=$(vm_now)
rm -f "$work/root.img"
mke2fs -q -F -t ext4 -L rprocd-vm -d "$root" "$work/root.img" 2G ||
	fail_all "mke2fs -d failed"
# initramfs: busybox, the modules for virtio-blk and ext4, init.sh
ird=$work/initramfs
rm -rf "$ird" && mkdir -p "$ird"/{bin,proc,sys,dev,newroot}
cp /bin/busybox "$ird/bin/busybox"
for app in sh mount umount insmod sleep mkdir poweroff switch_root echo; do
	ln -s busybox "$ird/bin/$app"
done
cp "$HERE/init.sh" "$ird/init"
VM_KROOT=$kmods vm_modules "$ird" virtio_pci virtio_blk crc32c_generic ext4
vm_initramfs "$ird" "$work/initramfs.cpio.gz"
rm -rf "$root" # the image has it
t_image=$(secs "$t0")
echo "=== prepare: root filesystem ${t_rootfs} s, downloads ${t_dl} s, README install ${t_install} s," \
	"image ${t_image} s"

# ---- boot -------------------------------------------------------------------------------
log=$work/console.log results=$work/checks.log
rm -f "$results"
args=(-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 1G -display none -no-reboot
	-nic none -monitor none -kernel "$VM_KERNEL" -initrd "$work/initramfs.cpio.gz"
	-append "console=ttyS0 root=/dev/vda rw panic=-1 no_timer_check loglevel=4 ${VM_EXTRA_APPEND:-}"
	-drive "file=$work/root.img,if=virtio,format=raw,cache=unsafe"
	-serial stdio -serial "file:$results")
echo "+ $VM_QEMU ${args[*]}" >"$log"
t0=$(vm_now)
vm_qemu_run "$log" "${VM_TIMEOUT:-900}" "${args[@]}"
rc=$?
t_boot=$(secs "$t0")

# ---- report -----------------------------------------------------------------------------
pass=0 fail=0
tr -d '\r' <"$results" 2>/dev/null | grep -v '^VMINFO' | grep -v '^VMCHECK ' | head -5
for c in "${CHECKS[@]}"; do
	line=$(tr -d '\r' <"$results" 2>/dev/null | grep -m1 "^VMCHECK $c ")
	tr -d '\r' <"$results" 2>/dev/null | sed -n "s/^VMINFO $c /    /p"
	if [ -z "$line" ]; then
		echo "FAIL - check $c: did not run (guest: qemu exit $rc; console $log)"
		fail=$((fail + 1))
		continue
	fi
	read -r _ _ verdict t what <<<"$line"
	if [ "$verdict" = pass ]; then
		echo "ok   - check $c: $what ($t s)"
		pass=$((pass + 1))
	else
		echo "FAIL - check $c: $what ($t s)"
		fail=$((fail + 1))
	fi
done
grep -q '^VMCHECKS done' "$results" 2>/dev/null || echo "note: the checks did not finish (qemu exit $rc)"
if [ "$fail" -gt 0 ]; then
	echo "=== console (last 80 lines of $log)"
	tail -80 "$log" | sed 's/^/    | /'
fi
echo "=== guest: boot + checks ${t_boot} s, qemu exit $rc ($($VM_QEMU --version | head -1))"
echo "=== total $(secs "$t_all") s"
echo "vm-systemd: $pass passed, $fail failed"
[ "$fail" = 0 ]
