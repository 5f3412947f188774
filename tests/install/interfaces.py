# SPDX-License-Identifier: GPL-2.0-or-later
"""The interface XML installed to dbus-1.pc's interfaces_dir (conf/org.rprocd1.*.xml) is what
the running rprocd introspects as: rprocd on a private bus (tests/integration/harness.py),
Introspect() on the manager and on one core, each org.rprocd1 interface compared with its
file.  With --write DIR, the files are (re)written from the daemon instead.
"""
import sys
import xml.etree.ElementTree as ET

from jeepney import DBusAddress, new_method_call

import harness

HEADER = ('<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n'
          '"https://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n'
          '<!-- SPDX-License-Identifier: GPL-2.0-or-later -->\n'
          '<!-- org.rprocd1(5).  Written from the running rprocd\'s introspection by\n'
          '     tests/install/interfaces.py; the test of that name compares the two. -->\n')


def introspect(conn, path):
    addr = DBusAddress(path, bus_name=harness.BUS, interface='org.freedesktop.DBus.Introspectable')
    reply = conn.send_and_get_reply(new_method_call(addr, 'Introspect'), timeout=harness.TIMEOUT)
    return ET.fromstring(reply.body[0])


def canonical(iface):
    """One interface as text: members and annotations in document order, whitespace gone."""
    for e in iface.iter():
        e.text = e.tail = None
    ET.indent(iface, space='  ')
    return ET.tostring(iface, encoding='unicode')


def daemon_interfaces():
    env = harness.Env('interfaces')
    try:
        env.write_config(''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in harness.CORES))
        env.start_daemon()
        conn = env.conn()
        found = {}
        for path in (harness.MANAGER, harness.RPROC_PREFIX + 'adsp'):
            for iface in introspect(conn, path).findall('interface'):
                name = iface.get('name')
                if name.startswith('org.rprocd1.'):
                    found[name] = canonical(iface)
        harness.check(env.close() in (None, 0), 'rprocd exited cleanly')
        return found
    except BaseException:
        env.close()
        raise


def main():
    found = daemon_interfaces()
    harness.check(set(found) == {'org.rprocd1.Manager', 'org.rprocd1.RemoteProc'},
                  f'the daemon serves org.rprocd1.Manager and .RemoteProc: {sorted(found)}')
    if sys.argv[1] == '--write':
        for name, text in found.items():
            with open(f'{sys.argv[2]}/{name}.xml', 'w') as f:
                f.write(HEADER + '<node>\n' + ET.tostring(ET.fromstring(text)).decode()
                        .replace('\n', '\n  ').join(['  ', '\n']) + '</node>\n')
        print('written:', ', '.join(sorted(found)))
        return 0
    bad = 0
    for path in sys.argv[1:]:
        doc = ET.parse(path).getroot()
        files = doc.findall('interface')
        harness.check(len(files) == 1, f'{path}: one interface')
        name = files[0].get('name')
        want = found.get(name)
        have = canonical(files[0])
        if want == have:
            print(f'ok   - {path}: {name} as the daemon introspects it')
            continue
        bad += 1
        print(f'FAIL - {path}: {name} differs from the daemon\'s introspection; regenerate it with'
              f' "python3 tests/install/interfaces.py --write conf" (PYTHONPATH=tests/integration'
              f' and the RPROCD/RPROCCTL/MKFW/DTB variables of meson test)')
        import difflib
        sys.stdout.writelines(difflib.unified_diff(have.splitlines(True), (want or '').splitlines(True),
                                                   'file', 'daemon'))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
