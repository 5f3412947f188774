#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# meson install's last step (conf/meson.build): what a package's maintainer scripts do after
# unpacking rprocd.  Arguments: the installed sysusers.d and tmpfiles.d files.
# Nothing is done for a DESTDIR install (a package or an image being built): see README.
sysusers=$1 tmpfiles=$2
if [ -n "${DESTDIR:-}" ]; then
	echo "rprocd: DESTDIR install: run systemd-sysusers, ldconfig and journalctl --update-catalog" \
		"in the target (README, \"Installing into an image\")"
	exit 0
fi
run() {
	"$@" || echo "rprocd: '$*' failed (exit $?); run it by hand" >&2
}
command -v ldconfig >/dev/null && run ldconfig
command -v systemd-sysusers >/dev/null && run systemd-sysusers "$sysusers"
command -v systemd-tmpfiles >/dev/null && run systemd-tmpfiles --create "$tmpfiles"
command -v journalctl >/dev/null && run journalctl --update-catalog
# Only where systemd is the running service manager (not in a container or chroot).
if [ -d /run/systemd/system ]; then
	run systemctl daemon-reload
	command -v udevadm >/dev/null && run udevadm control --reload
fi
exit 0
