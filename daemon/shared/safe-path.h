/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether only root can change what a path names.  rprocd runs as root and trusts what it
 * loads from the paths of its configuration: code (BackendModule=) and firmware
 * (FirmwarePath=).  Anyone who can write the file, or any directory on the way to it (and so
 * rename or replace what follows), can choose what rprocd runs.
 */
#ifndef RPROCD_SAFE_PATH_H
#define RPROCD_SAFE_PATH_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * 0 when @st (of a file or directory named @path) can be written by root and rprocd's own
 * user only: owned by one of them, no write bit for the group (unless it is root's) or
 * others.  A directory with the sticky bit may be writable by all (like /tmp): its entries can
 * be replaced only by their owners, which the next component's own check covers.  Else
 * -EPERM, with @why (@len bytes) saying who else can write it.
 */
int stat_root_only(const char *path, const struct stat *st, char *why, size_t len);

/*
 * path_root_only() - stat_root_only() for every directory from / down to @path and for @path
 * itself, both as written (a symbolic link on the way is judged by the directory holding it)
 * and with every link resolved.  0, -EPERM with @why, or another negative errno (with @why)
 * when @path cannot be resolved.
 */
int path_root_only(const char *path, char *why, size_t len);

#endif
