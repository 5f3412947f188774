# SPDX-License-Identifier: GPL-2.0-or-later
"""Test harness: rprocd on a private dbus-daemon, acting as its service manager.

The harness plays systemd's part: a NOTIFY_SOCKET that records READY=1, RELOADING=1,
STOPPING=1, STATUS= and keeps the FDSTORE=1 file descriptors, which a restart passes back as
LISTEN_FDS / LISTEN_FDNAMES / LISTEN_PID, the way systemd does it.
"""
import array
import fcntl
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

from jeepney import (DBusAddress, MatchRule, MessageType, message_bus, new_method_call,
                     new_method_return)
from jeepney.io.blocking import open_dbus_connection

BUS = 'org.rprocd1'
MANAGER = '/org/rprocd1'
RPROC_PREFIX = '/org/rprocd1/rproc/'
CORES = ['adsp', 'cdsp0', 'cdsp1', 'gpdsp0', 'gpdsp1']
TIMEOUT = float(os.environ.get('RPROCD_TEST_TIMEOUT', '60'))

# the permissive bus of every test, shared with the shell tests and the VM guests
BUS_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'private-bus.conf')


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class FakeService:
    """A service on the test bus, answering method calls on a thread: a subclass's
    answer(msg) returns (signature, body) for a reply, or None to send none.  Every call is
    kept in self.calls as (member, body)."""

    def __init__(self, address, name):
        self.calls = []
        self.conn = open_dbus_connection(bus=address)
        r = self.conn.send_and_get_reply(message_bus.RequestName(name))
        check(r.body[0] == 1, f'fake {name} owns its name: {r.body}')
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def answer(self, msg):
        return None

    def _run(self):
        while not self.stop:
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type != MessageType.method_call:
                continue
            self.calls.append((msg.header.fields.get(3), msg.body))
            a = self.answer(msg)
            if a:
                self.conn.send(new_method_return(msg, *a))

    def close(self):
        self.stop = True
        self.thread.join()
        self.conn.close()


def env_path(name):
    p = os.environ.get(name)
    if not p or not os.path.exists(p):
        print(f'SKIP: {name} not set or missing ({p})')
        sys.exit(77)
    return p


class Notify:
    """The service manager's side of sd_notify, with an fd store."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)
        self.messages = []
        self.fds = []  # [(name, fd)]
        self.cond = threading.Condition()
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        fdsize = array.array('i').itemsize
        while not self.stop:
            try:
                data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(64 * fdsize))
            except OSError:
                return
            fds = []
            for level, typ, cdata in anc:
                if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                    a = array.array('i')
                    a.frombytes(cdata[:len(cdata) - (len(cdata) % fdsize)])
                    fds.extend(a)
            self._handle(data.decode(errors='replace'), fds)

    def _handle(self, text, fds):
        fields = dict(l.split('=', 1) for l in text.split('\n') if '=' in l)
        with self.cond:
            self.messages.append(fields)
            if fields.get('FDSTOREREMOVE') == '1':
                name = fields.get('FDNAME', 'stored')
                for n, fd in [x for x in self.fds if x[0] == name]:
                    os.close(fd)
                self.fds = [x for x in self.fds if x[0] != name]
            if fields.get('FDSTORE') == '1':
                name = fields.get('FDNAME', 'stored')
                for fd in fds:
                    st = os.fstat(fd)
                    # systemd keeps one copy of the same open file
                    if any(os.path.samestat(st, os.fstat(o)) for _, o in self.fds):
                        os.close(fd)
                    else:
                        self.fds.append((name, fd))
            else:
                for fd in fds:
                    os.close(fd)
            self.cond.notify_all()

    def wait_for(self, key, value=None, start=0, timeout=TIMEOUT, prefix=False):
        """Index of the first message from @start with key (= value, or starting with value
        if @prefix); raises on timeout."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.messages)):
                    m = self.messages[i]
                    if key in m and (value is None or m[key] == value or
                                     (prefix and m[key].startswith(value))):
                        return i
                left = end - time.monotonic()
                if left <= 0:
                    raise Failure(f'no {key}={value} from rprocd within {timeout}s; got {self.messages}')
                self.cond.wait(left)

    def count(self):
        with self.cond:
            return len(self.messages)

    def close(self):
        self.stop = True
        self.sock.close()
        for _, fd in self.fds:
            os.close(fd)
        self.fds = []


class Journal:
    """A stand-in for journald's native socket: collects the entries rprocd sends."""

    def __init__(self, directory):
        os.makedirs(directory, exist_ok=True)
        os.chmod(directory, 0o755)
        self.dir = directory
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(os.path.join(directory, 'socket'))
        self.entries = []
        self.lock = threading.Lock()
        threading.Thread(target=self._run, daemon=True).start()

    @staticmethod
    def parse(data):
        entry, i = {}, 0
        while i < len(data):
            nl = data.index(b'\n', i)
            line = data[i:nl]
            if b'=' in line:
                k, v = line.split(b'=', 1)
                i = nl + 1
            else:  # binary-safe form: KEY\n<le64 size><bytes>\n
                k = line
                size = int.from_bytes(data[nl + 1:nl + 9], 'little')
                v = data[nl + 9:nl + 9 + size]
                i = nl + 9 + size + 1
            entry[k.decode()] = v.decode(errors='replace')
        return entry

    def _run(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return
            with self.lock:
                self.entries.append(self.parse(data))

    def find(self, **fields):
        with self.lock:
            return [e for e in self.entries if all(e.get(k) == v for k, v in fields.items())]

    def wait(self, pred, timeout=TIMEOUT):
        """Entries matching @pred, waiting until there is at least one."""
        end = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [e for e in self.entries if pred(e)]
            if found or time.monotonic() > end:
                return found
            time.sleep(0.02)

    def close(self):
        self.sock.close()


class Env:
    def __init__(self, name, bus_policy=None):
        self.rprocd = env_path('RPROCD')
        self.rprocctl = env_path('RPROCCTL')
        self.mkfw = env_path('MKFW')
        self.dtb = env_path('DTB')
        self.dir = tempfile.mkdtemp(prefix=f'rprocd-{name}-')
        os.chmod(self.dir, 0o755)
        self.fwdir = os.path.join(self.dir, 'firmware')
        self.config = os.path.join(self.dir, 'rprocd.conf')
        self.log = os.path.join(self.dir, 'rprocd.log')
        self.bus_proc = None
        self.daemon = None
        self.notify = None
        self.journal = None
        self.conns = []
        self.make_firmware()
        self.write_config('')
        self.start_bus(bus_policy)

    # -- setup ---------------------------------------------------------------------------
    def make_firmware(self):
        os.makedirs(os.path.join(self.fwdir, 'qcom', 'sa8775p'))
        for i, core in enumerate(CORES):
            out = os.path.join(self.fwdir, 'qcom', 'sa8775p', core + '.mbn')
            subprocess.run([self.mkfw, '-o', out, '--seed', str(i + 1), '--size', '256K'],
                           check=True, stdout=subprocess.DEVNULL)
            os.chmod(out, 0o644)

    def write_config(self, text):
        with open(self.config, 'w') as f:
            f.write(text)

    def start_bus(self, policy=None):
        self.bus_path = os.path.join(self.dir, 'bus')
        conf = os.path.join(self.dir, 'bus.conf')
        with open(BUS_CONFIG) as f:
            text = f.read().replace('@LISTEN@', f'unix:path={self.bus_path}')
        if policy:  # the installed policy file, on top of the permissive defaults
            text = text.replace('</busconfig>', f'  <include>{policy}</include>\n</busconfig>')
        with open(conf, 'w') as f:
            f.write(text)
        self.bus_proc = subprocess.Popen(['dbus-daemon', '--config-file', conf, '--nofork',
                                          '--print-address'], stdout=subprocess.PIPE)
        self.address = self.bus_proc.stdout.readline().decode().strip()
        check(self.address.startswith('unix:'), 'dbus-daemon did not start')
        os.chmod(self.bus_path, 0o777)  # unprivileged callers connect too
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        os.environ.pop('DBUS_SESSION_BUS_ADDRESS', None)

    # -- the daemon ----------------------------------------------------------------------
    def daemon_argv(self, extra=()):
        target = 'journal' if self.journal else 'console'
        argv = [self.rprocd, '--simulate', '--dtb', self.dtb, '--firmware-path', self.fwdir,
                '--config', self.config, '--log-target', target, '--log-level', 'debug']
        argv += list(extra)
        if os.environ.get('RPROCD_TEST_VALGRIND'):
            argv = ['valgrind', '--error-exitcode=99', '--leak-check=full',
                    '--errors-for-leak-kinds=definite,indirect', '--quiet'] + argv
        if self.journal:
            # A private mount namespace where /run/systemd/journal is our Journal.
            argv = ['unshare', '--mount', 'sh', '-c',
                    'mount -t tmpfs rprocd-test /run && mkdir -p /run/systemd/journal && '
                    'mount --bind "$0" /run/systemd/journal && exec "$@"',
                    self.journal.dir] + argv
        return argv

    def use_journal(self):
        self.journal = Journal(os.path.join(self.dir, 'journal'))

    def start_daemon(self, extra=(), wait_ready=True, listen_fds=None, watchdog_usec=None):
        """Start rprocd as the service manager would; returns the index of the first
        notification it sends.  @listen_fds: [(name, fd)] passed as LISTEN_FDS."""
        if self.notify is None:
            self.notify = Notify(os.path.join(self.dir, 'notify'))
        for k in ('LISTEN_FDS', 'LISTEN_FDNAMES', 'LISTEN_PID', 'WATCHDOG_USEC', 'WATCHDOG_PID'):
            os.environ.pop(k, None)
        os.environ['NOTIFY_SOCKET'] = self.notify.path
        start = self.notify.count()
        fds = [fd for _, fd in listen_fds or ()]
        names = ':'.join(name for name, _ in listen_fds or ())

        def preexec():
            # In the child: the stored fds go to 3, 4, ... and the *_PID variables name the
            # child itself, as systemd does it.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 1000) for fd in fds]
            for i, h in enumerate(high):
                os.dup2(h, 3 + i)
                os.close(h)
            if fds:
                os.environ['LISTEN_FDS'] = str(len(fds))
                os.environ['LISTEN_FDNAMES'] = names
                os.environ['LISTEN_PID'] = str(os.getpid())
            if watchdog_usec:
                os.environ['WATCHDOG_USEC'] = str(watchdog_usec)
                os.environ['WATCHDOG_PID'] = str(os.getpid())

        with open(self.log, 'a') as logf:
            # env=None: the child's own environ, which preexec() edits
            self.daemon = subprocess.Popen(self.daemon_argv(extra), stdout=logf, stderr=logf,
                                           pass_fds=tuple(range(3, 3 + len(fds))),
                                           preexec_fn=preexec)
        del os.environ['NOTIFY_SOCKET']
        if wait_ready:
            try:
                self.notify.wait_for('READY', '1', start)
            except Failure:
                print(self.read_log())
                raise
        return start

    def stop_daemon(self, sig=signal.SIGTERM):
        if self.daemon is None:
            return None
        self.daemon.send_signal(sig)
        try:
            rc = self.daemon.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            rc = self.daemon.wait()
            raise Failure('rprocd did not exit on signal')
        self.daemon = None
        return rc

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ''

    # -- clients -------------------------------------------------------------------------
    def ctl(self, *args, user=None, check_rc=None, input=None):
        argv = [self.rprocctl] + list(args)
        if os.environ.get('RPROCD_TEST_VALGRIND'):
            argv = ['valgrind', '--error-exitcode=99', '--leak-check=full',
                    '--errors-for-leak-kinds=definite,indirect', '--quiet'] + argv
        if user:
            argv = ['setpriv', f'--reuid={user[0]}', f'--regid={user[1]}',
                    '--clear-groups' if len(user) < 3 else f'--groups={user[2]}'] + argv
        p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
        if check_rc is not None and p.returncode != check_rc:
            raise Failure(f'{" ".join(argv)}: exit {p.returncode}, expected {check_rc}\n'
                          f'stdout: {p.stdout}\nstderr: {p.stderr}\nlog:\n{self.read_log()[-4000:]}')
        return p

    def conn(self):
        c = open_dbus_connection(bus=self.address)
        self.conns.append(c)
        return c

    def call(self, conn, path, iface, method, sig=None, body=(), timeout=TIMEOUT):
        addr = DBusAddress(path, bus_name=BUS, interface=iface)
        msg = new_method_call(addr, method, sig, body) if sig else new_method_call(addr, method)
        reply = conn.send_and_get_reply(msg, timeout=timeout)
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(4)  # HeaderFields.error_name
            text = reply.body[0] if reply.body else ''
            return ('error', name, text)
        return ('ok', reply.body)

    def get(self, conn, core, prop):
        r = self.call(conn, RPROC_PREFIX + core, 'org.freedesktop.DBus.Properties', 'Get',
                      'ss', ('org.rprocd1.RemoteProc', prop))
        check(r[0] == 'ok', f'Get {core}.{prop}: {r}')
        return r[1][0][1]

    def describe(self, conn):
        r = self.call(conn, MANAGER, 'org.rprocd1.Manager', 'Describe')
        check(r[0] == 'ok', f'Describe: {r}')
        return json.loads(r[1][0])

    def wait_state(self, conn, core, state, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        while True:
            s = self.get(conn, core, 'State')
            if s == state:
                return
            if time.monotonic() > end:
                raise Failure(f'{core} is {s}, not {state}, after {timeout}s\n{self.read_log()[-4000:]}')
            time.sleep(0.05)

    def properties_match(self, conn):
        rule = MatchRule(type='signal', interface='org.freedesktop.DBus.Properties',
                         member='PropertiesChanged', path_namespace='/org/rprocd1')
        r = conn.send_and_get_reply(message_bus.AddMatch(rule))
        check(r.header.message_type != MessageType.error, 'AddMatch failed')
        return rule

    # -- teardown ------------------------------------------------------------------------
    def close(self):
        for c in self.conns:
            try:
                c.close()
            except Exception:
                pass
        rc = None
        if self.daemon is not None:
            rc = self.stop_daemon()
        if self.notify:
            self.notify.close()
        if self.journal:
            self.journal.close()
        if self.bus_proc:
            self.bus_proc.terminate()
            self.bus_proc.wait()
        if os.environ.get('RPROCD_TEST_KEEP'):
            print('kept', self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        return rc


def run(tests):
    """main(): run the test named in argv[1] (or all), one Env each."""
    names = sys.argv[1:] or list(tests)
    failed = 0
    for name in names:
        env = Env(name, bus_policy=getattr(tests[name], 'bus_policy', None))
        try:
            tests[name](env)
            rc = env.close()
            if rc not in (None, 0):
                raise Failure(f'rprocd exited with {rc}\n{env.read_log()[-4000:]}')
            print(f'ok {name}')
        except Exception as e:  # a failure, an unexpected exception: both fail the test
            failed += 1
            print(f'FAIL {name}: {type(e).__name__}: {e}')
            log = env.read_log()
            try:
                env.close()
            except Exception:
                pass
            print('--- rprocd log (tail) ---')
            print(log[-6000:])
    sys.exit(1 if failed else 0)
