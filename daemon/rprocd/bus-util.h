/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Property getters for fields that sd-bus cannot read by itself.  sd-bus passes a getter the
 * object plus the vtable entry's offset, so one getter serves every field of its type:
 *
 *	SD_BUS_PROPERTY("Name", "s", bus_property_get_chars, offsetof(struct core, name), ...)
 *
 * sd-bus's own getter (NULL) reads "i", "u" and "t" fields of that size; "s" wants a char *,
 * "b" an int, hence these for char arrays and bool.
 */
#ifndef RPROCD_BUS_UTIL_H
#define RPROCD_BUS_UTIL_H

#include <systemd/sd-bus.h>

/* A NUL-terminated char array. */
int bus_property_get_chars(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error);
/* A bool. */
int bus_property_get_bool(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error);

#endif
