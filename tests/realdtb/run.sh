#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh RPROCCTL [CACHE_DIR]
#
# `rprocctl describe` on every Qualcomm board DTB that Debian's newest arm64 kernel package
# ships (arch/arm64/boot/dts/qcom), each answer cross-checked against the tree itself with
# dtc/fdtget (check.py).  Prints "realdtb: N passed, N failed"; exit 77 (skip) when the
# package cannot be downloaded.
#
# The package lists and the .deb live under CACHE_DIR (default: $RPROC_REALDTB_CACHE or
# /var/tmp/rprocd-realdtb) with a private apt state, so the host's apt configuration, lists
# and dpkg architectures stay untouched.  The Debian mirror is the one this host already
# uses: its URI is read from /etc/apt at run time.
#
# Environment:
#   REALDTB_DEB=FILE      use this kernel .deb (or a directory of *.dtb) instead of downloading
#   REALDTB_SUITES="..."  suites to look in (default: trixie trixie-backports bookworm-backports)
set -uo pipefail
RPROCCTL=$(readlink -f "$1")
CACHE=${2:-${RPROC_REALDTB_CACHE:-/var/tmp/rprocd-realdtb}}
HERE=$(cd "$(dirname "$0")" && pwd)
SUITES=${REALDTB_SUITES:-trixie trixie-backports bookworm-backports}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

skip() { echo "realdtb: skipped: $*"; exit 77; }

for tool in dtc fdtget python3; do
	command -v "$tool" >/dev/null || skip "$tool not installed"
done
mkdir -p "$CACHE" || skip "cannot create $CACHE"

# The main Debian archive URI this machine's apt uses (deb822 or one-line sources).
debian_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-security$/) ok = 1 }
			/^$/ { if (uri && ok && uri !~ /security/) { print uri; exit } uri = ""; ok = 0 }
			END { if (uri && ok && uri !~ /security/) print uri }' "$f" | head -1
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f"
	done
}

# Directory holding the qcom *.dtb files to check.
fetch_dtbs() {
	local A=$CACHE/apt uri apt=() ver abi pkg deb
	if [ -n "${REALDTB_DEB:-}" ]; then
		if [ -d "$REALDTB_DEB" ]; then
			DTB_DIR=$REALDTB_DEB
			KERNEL="(directory $REALDTB_DEB)"
			return 0
		fi
		deb=$REALDTB_DEB
	else
		command -v apt-get >/dev/null || skip "not a Debian system (no apt-get)"
		uri=$(debian_uri | head -1)
		[ -n "$uri" ] || skip "no Debian archive in /etc/apt"
		mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/sources.list.d" \
			"$A/preferences.d" || skip "cannot create $A"
		cat >"$A/sources.list.d/debian.sources" <<-SRC
			Types: deb
			URIs: $uri
			Suites: $SUITES
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		SRC
		apt=(-o "APT::Architectures::=arm64" -o "APT::Architecture=arm64"
			-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache"
			-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$A/sources.list.d"
			-o "Dir::Etc::preferencesparts=$A/preferences.d" -q)
		if [ -z "$(find "$A/lists" -name '*Packages*' -mmin -1440 -print -quit)" ]; then
			apt-get "${apt[@]}" update >"$CACHE/apt-update.log" 2>&1 ||
				echo "note: apt-get update reported errors (see $CACHE/apt-update.log)"
		fi
		# the newest linux-image-arm64 of all suites, then the package that holds its DTBs
		ver=$(apt-cache "${apt[@]}" madison linux-image-arm64 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
			sort -V | tail -1)
		[ -n "$ver" ] || skip "linux-image-arm64 not found (no network or no mirror?)"
		abi=$(apt-cache "${apt[@]}" show "linux-image-arm64=$ver" 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-arm64\).*/\1/p' | head -1)
		[ -n "$abi" ] || skip "cannot resolve linux-image-arm64 $ver"
		abi=${abi#linux-image-}
		KERNEL="linux $abi ($ver)"
		deb=
		for pkg in "linux-image-$abi" "linux-base-$abi" "linux-image-$abi-unsigned"; do
			apt-cache "${apt[@]}" show "$pkg" >/dev/null 2>&1 || continue
			if ! ls "$CACHE/${pkg}_"*.deb >/dev/null 2>&1; then
				(cd "$CACHE" && apt-get "${apt[@]}" download "$pkg" 2>&1 |
					grep -v 'unsandboxed') || true
			fi
			deb=$(ls "$CACHE/${pkg}_"*.deb 2>/dev/null | head -1)
			[ -n "$deb" ] || continue
			# awk reads the whole listing (grep -q would SIGPIPE dpkg-deb under pipefail)
			dpkg-deb -c "$deb" 2>/dev/null |
				awk '/\/qcom\/[^\/]*\.dtb$/ { f = 1 } END { exit !f }' && break
			deb=
		done
		[ -n "$deb" ] || skip "no package of $KERNEL holds qcom DTBs (download failed?)"
	fi
	DTB_DIR=$CACHE/x-$(basename "$deb" .deb)
	if [ ! -d "$DTB_DIR" ]; then
		rm -rf "$DTB_DIR.tmp" && mkdir -p "$DTB_DIR.tmp" &&
			dpkg-deb -x "$deb" "$DTB_DIR.tmp" && mv "$DTB_DIR.tmp" "$DTB_DIR" ||
			skip "cannot unpack $deb"
	fi
	KERNEL=${KERNEL:-$(basename "$deb")}
}

fetch_dtbs
mapfile -t dtbs < <(find "$DTB_DIR" -path '*/qcom/*.dtb' | sort)
[ "${#dtbs[@]}" -gt 0 ] || skip "no qcom DTB in $DTB_DIR"
echo "realdtb: $KERNEL: ${#dtbs[@]} qcom DTBs"
exec python3 "$HERE/check.py" "$RPROCCTL" "${dtbs[@]}"
