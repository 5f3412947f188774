#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Who may control the cores (org.rprocd1(5), ACCESS CONTROL): the credentials the bus vouches
for, and polkit.

  pid_reuse  a connection made by nobody is used after its process exited and another process
             took its PID: rprocd must judge the connection by what the bus recorded when it
             connected, not by what /proc/PID says now.  Run in a PID namespace of its own
             (the test re-executes itself under unshare), where the PID that is reused is ours
             to choose through /proc/sys/kernel/ns_last_pid.
  polkit     a fake polkit authority on the test bus that allows, denies or challenges;
             root and ControlGroup= members are not asked; without polkit, refused.
"""
import os
import socket
import subprocess
import sys
import time

from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import Parser

from harness import CORES, RPROC_PREFIX, TIMEOUT, Failure, FakeService, check, run

NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)
IFACE = 'org.rprocd1.RemoteProc'
NOBODY = 65534


def group_id(name):
    import grp
    return grp.getgrnam(name).gr_gid


def raw_start(sock, core='adsp', serial=1000):
    """Start() on a connection another process made (a bare socket, Hello long done):
    ('ok',) or ('error', name, text)."""
    msg = new_method_call(DBusAddress(RPROC_PREFIX + core, bus_name='org.rprocd1',
                                      interface=IFACE), 'Start')
    sock.sendall(msg.serialise(serial=serial))
    parser = Parser()
    sock.settimeout(TIMEOUT)
    while True:
        reply = parser.get_next_message()
        if reply is None:
            data = sock.recv(65536)
            check(data, 'the bus closed the connection')
            parser.add_data(data)
            continue
        if reply.header.fields.get(5) != serial:  # HeaderFields.reply_serial
            continue  # NameAcquired and the like, left unread by the connection's maker
        if reply.header.message_type == MessageType.error:
            return ('error', reply.header.fields.get(4), reply.body[0] if reply.body else '')
        return ('ok',)


# ---- PID reuse -------------------------------------------------------------------------------

def fork_with_pid(pid, fn):
    """Fork a child whose PID is @pid (in our PID namespace) and run fn() in it."""
    for _ in range(20):
        with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
            f.write(str(pid - 1))
        child = os.fork()
        if child == 0:
            try:
                fn()
            finally:
                os._exit(0)
        if child == pid:
            return child
        os.kill(child, 9)  # another process took it first: again
        os.waitpid(child, 0)
    raise Failure(f'could not get PID {pid} back')


def test_pid_reuse(env):
    """nobody connects, hands the connection over and exits; a process of ControlGroup=
    takes its PID.  Start() on the connection is nobody's: refused."""
    group = 'staff'
    env.write_config(NO_AUTOSTART + f'[Daemon]\nControlGroup={group}\n')
    env.start_daemon()
    gid = group_id(group)
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # nobody, no groups: connects, passes the socket on, exits
        try:
            parent.close()
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            conn = open_dbus_connection(bus=env.address)
            socket.send_fds(child, [conn.unique_name.encode()], [conn.sock.fileno()])
        finally:
            os._exit(0)
    child.close()
    data, fds, _, _ = socket.recv_fds(parent, 256, 1)
    os.waitpid(pid, 0)
    check(len(fds) == 1, 'the connection was handed over')
    sock = socket.socket(fileno=fds[0])

    ready_r, ready_w = os.pipe()

    def member_of_group():  # nobody too, but in ControlGroup=: what /proc/PID now shows
        os.setgroups([gid])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        os.write(ready_w, b'1')
        time.sleep(3600)

    taker = fork_with_pid(pid, member_of_group)
    os.close(ready_w)
    check(os.read(ready_r, 1) == b'1', 'the process that took the PID is ready')
    os.close(ready_r)
    try:
        with open(f'/proc/{pid}/status') as f:
            groups = next(ln for ln in f if ln.startswith('Groups:')).split()[1:]
        check(str(gid) in groups, f'PID {pid} now belongs to a member of {group}: {groups}')
        r = raw_start(sock)
        check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.PermissionDenied',
              f'Start() on nobody\'s connection, its PID taken by a member of {group}: {r}')
        check(env.get(env.conn(), 'adsp', 'State') == 'offline', 'adsp not started')
    finally:
        os.kill(taker, 9)
        os.waitpid(taker, 0)
        sock.close()
    # the same process credentials, but connected as the member: allowed
    p = env.ctl('start', 'adsp', user=('nobody', 'nogroup', group), check_rc=0)
    check(env.get(env.conn(), 'adsp', 'State') == 'running', f'a member may start: {p.stderr}')


def in_pid_namespace(name):
    """Re-run this test as PID 1's child of a new PID namespace (with its own /proc)."""
    if os.environ.get('RPROCD_TEST_PIDNS') == '1':
        return
    if os.geteuid() != 0:
        print('SKIP: needs root (a PID namespace and ns_last_pid)')
        sys.exit(77)
    env = dict(os.environ, RPROCD_TEST_PIDNS='1')
    p = subprocess.run(['unshare', '--pid', '--fork', '--mount-proc', sys.executable,
                        os.path.abspath(__file__), name], env=env)
    sys.exit(p.returncode)


# ---- polkit ------------------------------------------------------------------------------

class FakePolkit(FakeService):
    """org.freedesktop.PolicyKit1 on the test bus: answers CheckAuthorization per @mode:
    allow, deny, or challenge (authorized only when the caller allows interaction, as if an
    agent had asked for the password)."""

    def __init__(self, address, mode):
        self.mode = mode
        self.checks = []
        super().__init__(address, 'org.freedesktop.PolicyKit1')

    def answer(self, msg):
        if msg.header.fields.get(3) != 'CheckAuthorization':
            return None
        subject, action, details, flags, _ = msg.body
        self.checks.append({'subject': subject, 'action': action, 'details': details,
                            'flags': flags})
        if self.mode == 'allow':
            answer = (True, False, {})
        elif self.mode == 'challenge':
            answer = (True, False, {}) if flags & 1 else (False, True, {})
        else:
            answer = (False, False, {})
        return '(bba{ss})', (answer,)


def test_polkit(env):
    """rprocd asks polkit about callers neither root nor in ControlGroup=."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nControlGroup=staff\n')
    env.start_daemon()
    nobody = ('nobody', 'nogroup')
    conn = env.conn()

    # no polkit on the bus: refused, with what would have allowed it
    p = env.ctl('start', 'adsp', user=nobody, check_rc=4)
    check('permission denied' in p.stderr and 'staff' in p.stderr and
          'org.rprocd1.manage' in p.stderr, f'no polkit: {p.stderr}')

    for mode, rc in (('allow', 0), ('deny', 4)):
        pk = FakePolkit(env.address, mode)
        try:
            p = env.ctl('start', 'adsp', user=nobody, check_rc=rc)
            state = env.get(conn, 'adsp', 'State')
            check(state == ('running' if rc == 0 else 'offline'), f'{mode}: adsp {state}')
            check(len(pk.checks) == 1, f'{mode}: polkit asked once: {pk.checks}')
            c = pk.checks[0]
            kind, props = c['subject']
            check(kind == 'system-bus-name' and props['name'][1].startswith(':'),
                  f'{mode}: the subject is the caller\'s bus name: {c["subject"]}')
            check(c['action'] == 'org.rprocd1.manage', f'{mode}: action {c["action"]}')
            check(c['details'].get('method') == 'Start' and
                  c['details'].get('object') == RPROC_PREFIX + 'adsp', f'details {c["details"]}')
            if rc:
                check('permission denied' in p.stderr, f'deny: {p.stderr}')
            env.ctl('stop', 'adsp', check_rc=0)  # root: polkit is not asked
            check(len(pk.checks) == 1, f'{mode}: root was not asked about: {pk.checks}')
            env.ctl('start', 'adsp', user=('nobody', 'nogroup', 'staff'), check_rc=0)
            env.ctl('stop', 'adsp', user=('nobody', 'nogroup', 'staff'), check_rc=0)
            check(len(pk.checks) == 1, f'{mode}: ControlGroup= members are not asked about')
        finally:
            pk.close()

    # challenge: --no-ask-password does not allow interaction: "authorization required";
    # allowing it, polkit would ask through an agent (here: says yes)
    pk = FakePolkit(env.address, 'challenge')
    try:
        p = env.ctl('--no-ask-password', 'start', 'adsp', user=nobody, check_rc=4)
        check('authorization required' in p.stderr, f'challenge without interaction: {p.stderr}')
        check(pk.checks[-1]['flags'] == 0, f'not interactive: {pk.checks[-1]}')
        check(env.get(conn, 'adsp', 'State') == 'offline', 'adsp not started')
        env.ctl('start', 'adsp', user=nobody, check_rc=0)
        check(pk.checks[-1]['flags'] == 1, f'interactive: {pk.checks[-1]}')
        check(env.get(conn, 'adsp', 'State') == 'running', 'started after authentication')
        # every control method goes through it, Reload() too
        n = len(pk.checks)
        env.ctl('--no-ask-password', 'set-firmware', 'cdsp0', 'qcom/sa8775p/adsp.mbn',
                user=nobody, check_rc=4)
        env.ctl('--no-ask-password', 'reload', user=nobody, check_rc=4)
        check([c['details']['method'] for c in pk.checks[n:]] == ['SetFirmware', 'Reload'],
              f'SetFirmware and Reload asked about: {pk.checks[n:]}')
        check(env.get(conn, 'cdsp0', 'Firmware') == 'qcom/sa8775p/cdsp0.mbn', 'not changed')
    finally:
        pk.close()


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == 'pid_reuse':
        in_pid_namespace('pid_reuse')
    run(TESTS)
