#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# debug-kernel.sh: build (once) the arm64 guest kernel of vm-shim-debug: Debian's
# linux-source-6.12 (trixie), allnoconfig + debug-kernel.config (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP), cross-compiled; vm_kernel_build in ../common.sh.  The configured tree
# is kept (objects removed) so that the shim and the fake SoC build against it.
#
# Prints the cache directory (Image, config, tree/) on stdout.
# Env: VM_KSUITE, VM_KSRC_PKG, VM_KJOBS (default nproc), RPROCD_VM_CACHE.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../common.sh"

VM_KBUILD_TREE=1 vm_kernel_build shim-debug arm64 "$HERE/debug-kernel.config" \
	arch/arm64/boot/Image Image modules
