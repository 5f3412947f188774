#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# uapi-check.sh SRCDIR: the shim UAPI header compiles as C and C++ with no implicit padding
# (-Wpadded -Werror) and the layout pinned in uapi-layout.c on x86-64, i386 and arm64.  The
# kernel side is the module build itself (build-matrix.sh).  i386 needs no multilib
# packages: this only compiles, and x86's UAPI asm headers serve both widths.
src=$1
t=$src/tests/kernel/uapi-layout.c
inc=$src/lib/include
flags="-Wall -Wextra -Wpadded -Werror -I$inc -c -o /dev/null"
x86inc=/usr/include/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
status=0
run() { # ABI LANG compiler...
	abi=$1
	lang=$2
	shift 2
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "FAIL $abi $lang: $1 not installed (.ci/packages has it)"
		status=1
		return
	fi
	if "$@" $flags "$t"; then
		echo "ok   $abi $lang"
	else
		echo "FAIL $abi $lang"
		status=1
	fi
}
run x86-64 C gcc -std=c11
run x86-64 C++ g++ -x c++ -std=c++11
run i386 C gcc -m32 -idirafter "$x86inc" -std=c11
run i386 C++ g++ -m32 -idirafter "$x86inc" -x c++ -std=c++11
run arm64 C aarch64-linux-gnu-gcc -std=c11
exit $status
