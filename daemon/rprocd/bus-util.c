// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>

#include "bus-util.h"

int bus_property_get_chars(sd_bus *bus, const char *path, const char *interface,
			   const char *property, sd_bus_message *reply, void *userdata,
			   sd_bus_error *error)
{
	return sd_bus_message_append_basic(reply, 's', userdata);
}

int bus_property_get_bool(sd_bus *bus, const char *path, const char *interface,
			  const char *property, sd_bus_message *reply, void *userdata,
			  sd_bus_error *error)
{
	int b = *(const bool *)userdata;

	return sd_bus_message_append_basic(reply, 'b', &b);
}
