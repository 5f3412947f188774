#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-kernel.sh: build (once) an x86-64 guest kernel with CONFIG_IOMMUFD and
# CONFIG_VFIO_DEVICE_CDEV, which no Debian kernel enables. Source: Debian's
# linux-source-<ver> from a newer suite (bookworm's 6.1 predates iommufd), fetched with a
# private apt source list under the cache. Config: allnoconfig + iommufd-kernel.config
# (vm_kernel_build in common.sh).
#
# Prints the path of the cached ELF vmlinux (booted by QEMU through PVH) on stdout.
# Env: VM_KSUITE (default trixie), VM_KSRC_PKG (default: the suite's linux-source-6.12),
#      VM_KJOBS (default nproc), RPROCD_VM_CACHE.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

out=$(vm_kernel_build iommufd amd64 "$HERE/iommufd-kernel.config" vmlinux vmlinux)
echo "$out/vmlinux"
