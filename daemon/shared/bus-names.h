/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of rprocd's D-Bus API, org.rprocd1(5): what rprocd serves and rprocctl calls.
 * Defined here once so that the two programs cannot drift apart.
 */
#ifndef RPROCD_BUS_NAMES_H
#define RPROCD_BUS_NAMES_H

#define RPROCD_BUS_NAME "org.rprocd1"

#define RPROCD_MANAGER_PATH "/org/rprocd1"
#define RPROCD_MANAGER_IFACE "org.rprocd1.Manager"

/* One object per core: the prefix, then the core's name as sd_bus_path_encode() escapes it. */
#define RPROCD_RPROC_PATH_PREFIX "/org/rprocd1/rproc"
#define RPROCD_RPROC_IFACE "org.rprocd1.RemoteProc"

/* The polkit action of every control method (conf/org.rprocd1.policy). */
#define RPROCD_POLKIT_ACTION "org.rprocd1.manage"

#define RPROCD_ERROR_PERMISSION "org.rprocd1.Error.PermissionDenied"
#define RPROCD_ERROR_BUSY "org.rprocd1.Error.Busy"
#define RPROCD_ERROR_INVALID_FIRMWARE "org.rprocd1.Error.InvalidFirmware"
#define RPROCD_ERROR_START_FAILED "org.rprocd1.Error.StartFailed"
#define RPROCD_ERROR_STOP_FAILED "org.rprocd1.Error.StopFailed"
#define RPROCD_ERROR_CONFIG "org.rprocd1.Error.BadConfiguration"

#endif
