#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The qcom-scm shim module (kernel/) built against real Debian kernels, as CI runs it (suite
# "kernel"):
#   arm64, cross-compiled, W=1, real and test variants, against the linux-headers of
#     - the newest bookworm 6.1,
#     - the newest and the oldest 6.12 of bookworm (security / backports: the two PAS APIs),
#     - the newest 6.12 of trixie,
#     - the newest 7.x of trixie-backports and the newest of the 7.x before it;
#   x86-64 against the host's headers (Debian's amd64 6.1 when the host has none): a kernel
#     without QCOM_SCM, so the real module must refuse to build and the test variant build;
#   sparse (C=2) on the 6.1 and the newest 6.12 (Debian's sparse 0.6.4 cannot parse 7.x
#     headers); checkpatch.pl --strict and kernel-doc -Wall from Debian's newest
#     linux-source on the sources and the UAPI header.
# Any compiler or sparse warning, modpost "undefined!" or checkpatch finding fails the run.
#
# Downloads (through apt, from the host's own Debian archive) and the trixie chroot that
# runs trixie's kbuild tools (they need glibc >= 2.38) are cached in $RPROCD_KERNEL_CACHE:
# default $XDG_CACHE_HOME/rprocd-kernel, else /var/cache/rprocd-kernel for root, else
# ~/.cache/rprocd-kernel.  RPROCD_KERNEL_VERSIONS="6.1.0-57 7.3.4+deb13" picks the arm64
# kernels by hand.  Exits 77 (skipped) where it cannot run: not Debian, not root, no
# archive.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
SECONDS=0

if [ -z "${RPROCD_KERNEL_CACHE:-}" ]; then
	if [ -n "${XDG_CACHE_HOME:-}" ]; then
		RPROCD_KERNEL_CACHE=$XDG_CACHE_HOME/rprocd-kernel
	elif [ "$(id -u)" = 0 ]; then
		RPROCD_KERNEL_CACHE=/var/cache/rprocd-kernel
	else
		RPROCD_KERNEL_CACHE=$HOME/.cache/rprocd-kernel
	fi
fi
export RPROCD_KERNEL_CACHE
# The VM tier's apt helpers keep their private apt states under this cache here.
RPROCD_VM_CACHE=$RPROCD_KERNEL_CACHE
# shellcheck source=../vm/common.sh
. "$SRC/tests/vm/common.sh"

C=$RPROCD_KERNEL_CACHE
DEBS=$C/debs
ROOT=$C/trixie-root
WORK=$(mktemp -d /tmp/rprocd-kernel.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
LOGS=$C/logs # the last run's build logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
pass=0
fail=0
summary=()

km_log() { printf 'kernel: %s\n' "$*" >&2; }
km_result() { # PASS|FAIL text
	summary+=("$1 $2")
	if [ "$1" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	printf '%s %s\n' "$1" "$2"
}

# The trixie chroot (mmdebstrap, chroot) needs root; so does installing what is missing.
[ "$(id -u)" = 0 ] || vm_skip "the kernel build matrix runs as root (trixie chroot)"
mkdir -p "$DEBS" "$C/trees"
exec {KM_LOCK}>"$C/kernel.lock"
flock -w 3600 "$KM_LOCK" || km_log "could not lock $C/kernel.lock, going on"

vm_need_pkgs make gcc gcc-aarch64-linux-gnu mmdebstrap sparse dwarves perl python3 xz-utils \
	debian-archive-keyring

# ---- private apt states: every Debian suite this needs, for one architecture -------------

km_security_uri() { # the host's Debian security archive, from its URIs:/deb lines
	local f uri
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		uri=$(awk '/^URIs:/ || $1 == "deb" {for (i = 2; i <= NF; i++)
			if ($i ~ /:\/\/.*security/) {print $i; exit}}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

km_apt_setup() { # ARCH: APTX for bookworm(-backports,-security) and trixie(-backports,-security)
	local arch=$1 d=$C/apt-$1 uri sec s key=/usr/share/keyrings/debian-archive-keyring.gpg
	uri=$(vm_debian_uri) || vm_skip "no Debian archive URI in /etc/apt sources"
	sec=$(km_security_uri || true)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/etc"
	[ -e "$d/status" ] || : >"$d/status"
	{
		for s in bookworm bookworm-backports trixie trixie-backports; do
			echo "deb [signed-by=$key] $uri $s main"
		done
		if [ -n "$sec" ]; then
			echo "deb [signed-by=$key] $sec bookworm-security main"
			echo "deb [signed-by=$key] $sec trixie-security main"
		fi
	} >"$d/etc/sources.list"
	VM_APT_ARCH=$arch
	APTX=(-o "APT::Architectures::=$arch" -o "APT::Architecture=$arch"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=$d/status"
		-o "Dir::Etc::SourceList=$d/etc/sources.list" -o "Dir::Etc::SourceParts=$d/etc/none")
	# Lists older than a day, or fetched for other sources, are fetched again.
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ] ||
		! cmp -s "$d/etc/sources.list" "$d/lists/.rprocd-sources"; then
		if apt-get "${APTX[@]}" update -qq >/dev/null 2>&1; then
			cp "$d/etc/sources.list" "$d/lists/.rprocd-sources"
		else
			km_log "apt-get update ($arch) reported errors"
		fi
	fi
	[ -n "$(find "$d/lists" -maxdepth 1 -name '*Packages*' | head -1)" ] ||
		vm_skip "no package lists for $arch (no archive reachable?)"
}

km_pkgnames() { apt-cache "${APTX[@]}" pkgnames linux-headers- | grep -E "$1" | sort -V; }

# The linux-headers-<kver>-<flavour> package's own kbuild and common packages.
km_deps() { # PKG
	apt-cache "${APTX[@]}" depends "$1" 2>/dev/null |
		awk '/Depends: linux-(kbuild|headers)-/ {print $2}' | sort -u
}

# ---- kernel trees ---------------------------------------------------------------------------

# km_fetch KVER FLAVOUR: the .debs (headers, common, kbuild) of one kernel, one path a line.
km_fetch() {
	local kver=$1 flavour=$2 hdr deps d arch_hdr
	hdr=linux-headers-$kver-$flavour
	km_apt_setup "$flavour"
	arch_hdr=$(vm_apt_download "$DEBS" "$hdr") || return 1
	echo "$arch_hdr"
	mapfile -t deps < <(km_deps "$hdr")
	for d in "${deps[@]}"; do
		case $d in
		linux-headers-*-common*) km_apt_setup "$flavour"; VM_APT_ARCH=all ;;
		linux-kbuild-*) km_apt_setup amd64 ;;
		*) continue ;;
		esac
		vm_apt_download "$DEBS" "$d" || return 1
	done
}

# A tree builds on this host when its kbuild tools run on the host's glibc (trixie's need
# 2.38) and the compiler its Makefile names is here (trixie's kernels want gcc-14).
km_runs_here() { # TREE_ROOT FLAVOUR
	local t=$1 need have cc prefix=
	need=$(find "$t"/usr/lib/linux-kbuild-*/ -type f -perm -u+x -exec objdump -T {} + 2>/dev/null |
		grep -o 'GLIBC_2\.[0-9]*' | sort -uV | tail -1)
	have=GLIBC_$(ldd --version 2>/dev/null | head -1 | awk '{print $NF}')
	[ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -1)" = "$have" ] || return 1
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\).*/\1/p' "$t"/usr/src/linux-headers-*-"$2"/.kernelvariables \
		2>/dev/null | head -1)
	[ "$2" = arm64 ] && [ "$(dpkg --print-architecture)" != arm64 ] && prefix=aarch64-linux-gnu-
	command -v "$prefix${cc:-gcc}" >/dev/null
}

km_chroot() { # make sure $ROOT exists: trixie with its cross compiler, sparse and pahole
	local pkgs=make,gcc-14-aarch64-linux-gnu,libc6-dev,dwarves,sparse,bc,kmod,perl
	[ -e "$ROOT/.rprocd-$pkgs" ] && return 0
	km_log "creating the trixie chroot (once): $ROOT"
	rm -rf "$ROOT.tmp"
	mmdebstrap --variant=apt --mode=root --include="$pkgs" trixie "$ROOT.tmp" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(vm_debian_uri) trixie main" \
		>"$C/mmdebstrap.log" 2>&1 || { km_log "mmdebstrap failed: $C/mmdebstrap.log"; return 1; }
	rm -rf "$ROOT" && mv "$ROOT.tmp" "$ROOT" && touch "$ROOT/.rprocd-$pkgs"
}

# km_tree KVER FLAVOUR: prints "ROOT KDIR" (ROOT empty: on the host), unpacking once.
km_tree() {
	local kver=$1 flavour=$2 t=$C/trees/$1-$2 debs f
	if [ ! -e "$t/.done" ]; then
		mapfile -t debs < <(km_fetch "$kver" "$flavour") || return 1
		((${#debs[@]} >= 3)) || { km_log "incomplete download for $kver"; return 1; }
		rm -rf "$t" && mkdir -p "$t"
		for f in "${debs[@]}"; do dpkg-deb -x "$f" "$t" || return 1; done
		printf '%s\n' "${debs[@]}" >"$t/.done"
	fi
	if km_runs_here "$t" "$flavour"; then
		# Debian's Makefile includes the common tree by its installed path: point it here.
		sed -i "s|^include /usr/src/|include $t/usr/src/|" \
			"$t/usr/src/linux-headers-$kver-$flavour/Makefile"
		echo " $t/usr/src/linux-headers-$kver-$flavour"
		return 0
	fi
	km_chroot || return 1
	if [ ! -e "$ROOT/.rprocd-kernel-$kver-$flavour" ]; then
		while read -r f; do dpkg-deb -x "$f" "$ROOT" || return 1; done <"$t/.done"
		touch "$ROOT/.rprocd-kernel-$kver-$flavour"
	fi
	echo "$ROOT /usr/src/linux-headers-$kver-$flavour"
}

# ---- building --------------------------------------------------------------------------------

# km_build NAME ROOT KDIR ARCH EXPECT [make args...]: EXPECT is "ok" or the text the refusal
# must contain.  Sources are copied as the DKMS tree is laid out (UAPI header beside them).
km_build() {
	local name=$1 root=$2 kdir=$3 arch=$4 expect=$5 dir log rc cross=() run=()
	shift 5
	dir=${root:-$WORK}/build/$name
	log=$LOGS/$name.log
	rm -rf "$dir" && mkdir -p "$dir/include/rproc"
	cp -r "$SRC"/kernel/{Kbuild,Makefile,conftest.sh,conftest} "$SRC"/kernel/*.[ch] "$dir/"
	rm -f "$dir"/shim_conftest.h "$dir"/*.mod.c # a build's products in the source tree
	cp "$SRC/lib/include/rproc/qcom-scm-shim.h" "$dir/include/rproc/"
	[ "$arch" = arm64 ] && cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	[ -n "$root" ] && run=(chroot "$root")
	"${run[@]}" nice make -C "${dir#"$root"}" KDIR="$kdir" "${cross[@]}" W=1 "$@" >"$log" 2>&1
	rc=$?
	if [ "$expect" != ok ]; then
		if [ $rc -ne 0 ] && grep -q "$expect" "$log"; then
			km_result PASS "$name: refused as it must ($(grep -o "kernel .*no CONFIG_QCOM_SCM" "$log" | head -1))"
		else
			km_result FAIL "$name: expected a refusal containing '$expect' (exit $rc)"
			sed 's/^/  | /' "$log" | tail -20
		fi
		return
	fi
	# Kbuild only warns when C=2 finds no usable sparse: that is a failure here too.
	if [ $rc -ne 0 ] || grep -Eq 'warning:|WARNING|undefined!|error:|sparse is not' "$log"; then
		km_result FAIL "$name (exit $rc, $log)"
		grep -E 'warning:|WARNING|undefined!|error|Error|not found|sparse' "$log" | sed 's/^/  | /' |
			head -30
		return
	fi
	km_result PASS "$name: $(grep -c '^#define SHIM_HAVE' "$dir/shim_conftest.h") API probes found: $(
		sed -n 's/^#define SHIM_HAVE_\([A-Z0-9_]*\) 1/\1/p' "$dir/shim_conftest.h" |
			tr 'A-Z\n' 'a-z ' | sed 's/ $//')"
}

km_arm64() { # KVER [sparse]
	local kver=$1 sparse=${2:-} tree root kdir args=()
	tree=$(km_tree "$kver" arm64) || { km_result FAIL "arm64 $kver: download or unpack failed"; return; }
	read -r root kdir <<<"$tree"
	[ -z "$kdir" ] && { kdir=$root; root=; }
	[ -n "$sparse" ] && args=(C=2)
	km_build "arm64-$kver" "$root" "$kdir" arm64 ok "${args[@]}"
	km_build "arm64-$kver-test" "$root" "$kdir" arm64 ok SHIM_TEST=1
}

km_x86() {
	local kdir kver tree root
	kdir=/lib/modules/$(uname -r)/build
	if [ ! -e "$kdir/Makefile" ]; then
		km_apt_setup amd64
		kver=$(km_pkgnames '^linux-headers-6\.1\.0-[0-9]+-amd64$' | tail -1)
		kver=${kver#linux-headers-}
		kver=${kver%-amd64}
		[ -n "$kver" ] || { km_result FAIL "x86-64: no amd64 linux-headers found"; return; }
		tree=$(km_tree "$kver" amd64) || { km_result FAIL "x86-64 $kver: download failed"; return; }
		read -r root kdir <<<"$tree"
		[ -z "$kdir" ] && { kdir=$root; root=; }
	fi
	if grep -q '^CONFIG_QCOM_SCM=' "$kdir/include/config/auto.conf" 2>/dev/null; then
		km_build "x86_64-host" "" "$kdir" x86_64 ok
	else
		km_build "x86_64-real" "" "$kdir" x86_64 "has no CONFIG_QCOM_SCM"
	fi
	km_build "x86_64-test" "" "$kdir" x86_64 ok SHIM_TEST=1
}

km_checkpatch() {
	local pkg deb cp=$C/checkpatch out files
	km_apt_setup amd64
	pkg=$(apt-cache "${APTX[@]}" pkgnames linux-source- | grep -E '^linux-source-[0-9.]+$' |
		sort -V | tail -1)
	[ -n "$pkg" ] || { km_result FAIL "checkpatch: no linux-source package"; return; }
	if [ ! -e "$cp/$pkg/tools/docs/kernel-doc" ]; then
		VM_APT_ARCH=all
		deb=$(vm_apt_download "$DEBS" "$pkg") || { km_result FAIL "checkpatch: download"; return; }
		rm -rf "$cp" && mkdir -p "$cp/$pkg"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cp" --wildcards '*.tar.xz' &&
			tar -xJf "$cp"/usr/src/"$pkg".tar.xz -C "$cp/$pkg" --strip-components=1 \
				--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
				'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc*' \
				'*/tools/docs/kernel-doc' '*/tools/lib/python/*'
		rm -rf "$cp/usr"
	fi
	# The sources, not what a build left beside them.  ALLOC_WITH_SIZEOF asks for
	# kzalloc_obj(), which the older kernels this module builds for do not have.
	files=$(cd "$SRC" && ls kernel/*.[ch] kernel/conftest/*.[ch] lib/include/rproc/qcom-scm-shim.h |
		grep -v -e '\.mod\.c$' -e 'shim_conftest\.h$')
	# shellcheck disable=SC2086
	out=$(cd "$SRC" && perl "$cp/$pkg/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --no-summary --ignore ALLOC_WITH_SIZEOF -f $files 2>&1)
	if [ -z "$out" ]; then
		km_result PASS "checkpatch --strict ($pkg): no finding"
	else
		km_result FAIL "checkpatch --strict ($pkg)"
		printf '%s\n' "$out" | sed 's/^/  | /' | head -40
	fi
	# kernel-doc of the UAPI and the provider seam: every comment parses, every member named.
	out=$(cd "$SRC" && python3 "$cp/$pkg/tools/docs/kernel-doc" -none -Wall \
		lib/include/rproc/qcom-scm-shim.h kernel/qcom_scm_shim_provider.h 2>&1)
	if [ -z "$out" ]; then
		km_result PASS "kernel-doc -Wall ($pkg): the UAPI and the provider seam"
	else
		km_result FAIL "kernel-doc -Wall ($pkg)"
		printf '%s\n' "$out" | sed 's/^/  | /' | head -20
	fi
}

# ---- the matrix ------------------------------------------------------------------------------

km_apt_setup arm64
if [ -n "${RPROCD_KERNEL_VERSIONS:-}" ]; then
	read -r -a kvers <<<"$RPROCD_KERNEL_VERSIONS"
	sparse_on=("${kvers[@]}")
else
	h=$(km_pkgnames '^linux-headers-6\.1\.0-[0-9]+-arm64$' | tail -1)
	b12=$(km_pkgnames '^linux-headers-6\.12\.[0-9]+\+deb12-arm64$' | tail -1)
	b12old=$(km_pkgnames '^linux-headers-6\.12\.[0-9]+\+deb12-arm64$' | head -1)
	t12=$(km_pkgnames '^linux-headers-6\.12\.[0-9]+\+deb13-arm64$' | tail -1)
	mapfile -t sevens < <(km_pkgnames '^linux-headers-[7-9]\.[0-9]+\.[0-9]+\+deb13-arm64$')
	s7=${sevens[-1]:-}
	prev7=
	for ((i = ${#sevens[@]} - 1; i >= 0; i--)); do
		# the newest release of the minor before the newest one
		if [ "$(echo "${sevens[i]}" | cut -d. -f1-2)" != "$(echo "$s7" | cut -d. -f1-2)" ]; then
			prev7=${sevens[i]}
			break
		fi
	done
	kvers=()
	for p in "$h" "$b12" "$b12old" "$t12" "$s7" "$prev7"; do
		[ -n "$p" ] || continue
		p=${p#linux-headers-}
		p=${p%-arm64}
		[[ " ${kvers[*]} " == *" $p "* ]] || kvers+=("$p")
	done
	# sparse: Debian's 0.6.4 is too old for 7.x headers (__typeof_unqual__, which 7.x's
	# kbuild tests for before it runs sparse), so the 6.x kernels get it.
	sparse_on=()
	for p in "$h" "$b12"; do
		p=${p#linux-headers-}
		sparse_on+=("${p%-arm64}")
	done
	((${#kvers[@]} >= 3)) || km_result FAIL "fewer than three arm64 kernels found: ${kvers[*]}"
fi
km_log "arm64 kernels: ${kvers[*]}"

for k in "${kvers[@]}"; do
	if [[ " ${sparse_on[*]} " == *" $k "* ]]; then km_arm64 "$k" sparse; else km_arm64 "$k"; fi
done
km_x86
km_checkpatch

echo "kernel matrix: ${SECONDS}s, cache $C"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
