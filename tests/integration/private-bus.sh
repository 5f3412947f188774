# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced: a private D-Bus "system" bus for the daemon's tests and demos, on which anyone may
# own any name and call anything (rprocd's own policy, conf/org.rprocd1.conf, is what a real
# system installs; the tests that check it load it themselves).

# private_bus_conf FILE ADDRESS: write that bus's configuration (private-bus.conf), listening on
# ADDRESS.
private_bus_conf() {
	sed "s|@LISTEN@|$2|" "$(dirname "${BASH_SOURCE[0]}")/private-bus.conf" >"$1"
}

# private_bus_start DIR: a dbus-daemon listening on DIR/bus; sets bus_pid and exports
# DBUS_SYSTEM_BUS_ADDRESS.  Returns 1, with what dbus-daemon said, if it did not come up.
private_bus_start() {
	private_bus_conf "$1/bus.conf" "unix:path=$1/bus"
	dbus-daemon --config-file "$1/bus.conf" --nofork --print-address=3 \
		3>"$1/bus.address" 2>"$1/bus.log" &
	bus_pid=$!
	for _ in $(seq 100); do [ -s "$1/bus.address" ] && break; sleep 0.05; done
	if [ ! -s "$1/bus.address" ]; then
		echo "dbus-daemon did not start: $(cat "$1/bus.log")" >&2
		return 1
	fi
	DBUS_SYSTEM_BUS_ADDRESS=$(head -1 "$1/bus.address")
	export DBUS_SYSTEM_BUS_ADDRESS
}
