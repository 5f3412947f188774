#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the systemd VM's initramfs (busybox): load the virtio block and ext4 modules of
# Debian's kernel, mount the root image and hand over to systemd.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do
	insmod "/lib/modules/$m" || echo "initramfs: insmod $m failed"
done </modules.list
i=0
while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /newroot
if ! mount -t ext4 -o rw /dev/vda /newroot; then
	echo "initramfs: cannot mount /dev/vda"
	poweroff -f
fi
umount /proc /sys /dev
exec switch_root /newroot /sbin/init
