#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# install-test.sh MESON BUILDDIR LIBDIR CONSUMER_C SANITIZE CC...
#
# The installed tree works on its own: `meson install --destdir` into a temporary directory,
# then CONSUMER_C is compiled and linked with CC and nothing but `pkg-config --cflags --libs
# librproc` pointed into that tree, and run against the installed library.  SANITIZE is the
# build's b_sanitize (a sanitized librproc needs a sanitized program).
set -euo pipefail

meson=$1 build=$2 libdir=$3 src=$4 sanitize=$5
shift 5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

if ! "$meson" install -C "$build" --destdir "$dest" --no-rebuild >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	echo "FAIL: meson install --destdir failed"
	exit 1
fi

export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest$libdir/pkgconfig
if ! flags=$(pkg-config --cflags --libs librproc); then
	echo "FAIL: pkg-config finds no librproc in $dest$libdir/pkgconfig"
	exit 1
fi
echo "pkg-config --cflags --libs librproc: $flags"
case " $flags " in
*" -I$dest"*" -L$dest"*) ;;
*) echo "FAIL: the flags do not point into the installed tree $dest"; exit 1 ;;
esac

san=()
[ "$sanitize" = none ] || san=("-fsanitize=$sanitize")
# shellcheck disable=SC2086 # the flags are words
if ! "$@" -Wall -Wextra -Werror "${san[@]}" -o "$tmp/consumer" "$src" $flags; then
	echo "FAIL: a program using every <rproc/*.h> and <error.h> does not build from the"
	echo "      installed tree"
	exit 1
fi

export LD_LIBRARY_PATH=$dest$libdir
libs=$(ldd "$tmp/consumer")
if [[ $libs != *"librproc.so.0 => $dest$libdir/"* ]]; then
	echo "$libs"
	echo "FAIL: the program does not load the installed librproc"
	exit 1
fi
"$tmp/consumer"
echo "ok: built and ran against the installed librproc"
