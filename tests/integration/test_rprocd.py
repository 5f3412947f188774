#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration tests: the real rprocd on a private bus with the simulated SoC, driven by
rprocctl and by a D-Bus client (jeepney).  One test per argument; see meson.build."""
import json
import os
import signal
import subprocess
import threading
import time
import xml.etree.ElementTree as ET

from harness import (CORES, MANAGER, RPROC_PREFIX, TIMEOUT, Failure, FakeService, Notify,
                     check, run)

NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)


def all_running(env, conn):
    for c in CORES:
        env.wait_state(conn, c, 'running')


def test_autostart(env):
    """Default config: every SA8775p core auto-starts in parallel; READY=1 and STATUS= lines."""
    start = env.start_daemon()
    conn = env.conn()
    all_running(env, conn)
    i = env.notify.wait_for('STATUS', None, start)
    check('remote processors' in env.notify.messages[i]['STATUS'], 'STATUS= line')
    i = env.notify.wait_for('STATUS', '5 of 5 remote processors running: ', start, prefix=True)
    for c in CORES:
        check(f'{c} running' in env.notify.messages[i]['STATUS'], f'{c} in STATUS=')
    d = env.describe(conn)
    check(d['backend'] == 'simulated', f'backend {d["backend"]}')
    check(sorted(r['name'] for r in d['rprocs']) == sorted(CORES), 'all five cores described')
    for r in d['rprocs']:
        check(r['boot_time_usec'] > 0 and r['timings']['image_bytes'] > 0, f'timings of {r["name"]}')
        check(r['firmware_path'].startswith(env.fwdir), f'firmware path {r["firmware_path"]}')
    log = env.read_log()
    check('adsp: running:' in log, 'a start line with timings in the log')


def test_list_start_status(env):
    """rprocctl list / start (all, in parallel) / status / --json."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    p = env.ctl('list', check_rc=0)
    for c in CORES:
        check(any(l.split()[:2] == [c, 'offline'] for l in p.stdout.splitlines()), f'{c} offline in list')
    p = env.ctl('start', *CORES, check_rc=0)
    for c in CORES:
        check(f'{c}: running (boot' in p.stdout, f'summary line for {c}: {p.stdout}')
    p = env.ctl('list', '--json', check_rc=0)
    j = json.loads(p.stdout)
    check(set(j) == {'rprocs'}, 'list --json has one key')
    for r in j['rprocs']:
        check(r['state'] == 'running', f'{r["name"]} running')
        for k in ('name', 'state', 'state_change_timestamp', 'pas_id', 'firmware', 'crash_count',
                  'last_crash_reason', 'last_coredump', 'boot_time_usec', 'recovery', 'compatible',
                  'phase', 'last_error', 'carveouts', 'iommu_streams'):
            check(k in r, f'key {k} in list --json')
    p = env.ctl('status', 'adsp', check_rc=0)
    for s in ('● adsp - qcom,sa8775p-adsp-pas', 'State: running since', 'PAS id: 1',
              'Carveout: 0x', 'IOMMU streams: 0x3000/0x0', 'Crashes: 0', 'Boot time:',
              'qcom/sa8775p/adsp.mbn'):
        check(s in p.stdout, f'status shows "{s}":\n{p.stdout}')
    p = env.ctl('status', '--json', 'adsp', 'cdsp1', check_rc=0)
    j = json.loads(p.stdout)
    check([r['name'] for r in j['rprocs']] == ['adsp', 'cdsp1'], 'status --json selects')
    env.ctl('status', 'nosuch', check_rc=4)
    env.ctl('start', 'nosuch', check_rc=5)
    env.ctl('frobnicate', check_rc=2)


# The bundled test tree's node order (lemans-el2.dts), which is not the names' order.
DT_ORDER = ['gpdsp0', 'gpdsp1', 'cdsp0', 'cdsp1', 'adsp']


def listed_orders(env, conn):
    """The order of the processors in every listing rprocd and rprocctl give."""
    orders = {}
    p = env.ctl('list', check_rc=0)
    orders['list'] = [ln.split()[0] for ln in p.stdout.splitlines()[1:] if ln.strip()
                      and not ln.endswith(').')]
    orders['list --json'] = [r['name'] for r in json.loads(env.ctl('list', '--json').stdout)['rprocs']]
    orders['status --json'] = [r['name'] for r in
                               json.loads(env.ctl('status', '--json').stdout)['rprocs']]
    p = env.ctl('status', '--lines', '0')
    orders['status'] = [ln.split()[1] for ln in p.stdout.splitlines() if ln[:1] in ('●', '*', '○', '×')]
    orders['ListRemoteProcs'] = [n for n, _, _ in
                                 env.call(conn, MANAGER, 'org.rprocd1.Manager', 'ListRemoteProcs')[1][0]]
    orders['Describe'] = [r['name'] for r in env.describe(conn)['rprocs']]
    return orders


def test_order(env):
    """Every listing is in device-tree order, whatever the states, across a re-adoption."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    check(sorted(DT_ORDER) == sorted(CORES), 'DT_ORDER names the tree\'s processors')
    for k, v in listed_orders(env, conn).items():
        check(v == DT_ORDER, f'{k} in device-tree order: {v}')
    env.ctl('start', 'adsp', 'cdsp1', check_rc=0)  # the last ones first
    for k, v in listed_orders(env, conn).items():
        check(v == DT_ORDER, f'{k} in device-tree order after starts: {v}')
    env.daemon.kill()
    env.daemon.wait()
    env.daemon = None
    env.conns.remove(conn)
    conn.close()
    env.start_daemon(listen_fds=list(env.notify.fds))
    conn = env.conn()
    for k, v in listed_orders(env, conn).items():
        check(v == DT_ORDER, f'{k} in device-tree order after a re-adoption: {v}')


def test_concurrent_start(env):
    """Two Start() calls at once on one core: both answered, the core boots once."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=ready_delay_ms=300\n')
    env.start_daemon()
    results = []

    def start():
        c = env.conn()
        results.append(env.call(c, RPROC_PREFIX + 'adsp', 'org.rprocd1.RemoteProc', 'Start'))

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(all(r[0] == 'ok' for r in results), f'every Start() succeeded: {results}')
    conn = env.conn()
    check(env.get(conn, 'adsp', 'State') == 'running', 'adsp running')
    d = env.describe(conn)
    check(d['simulator']['calls']['auth_and_reset'] == 1, f'booted once: {d["simulator"]}')
    # the bus answered while a start was under way: Describe() above, and:
    check(env.call(conn, RPROC_PREFIX + 'adsp', 'org.rprocd1.RemoteProc', 'Start')[0] == 'ok',
          'Start() on a running core')


def test_bus_during_boot(env):
    """READY=1 comes once the starts are begun; the bus answers while the cores boot."""
    env.write_config('[Daemon]\nSimulationConfig=ready_delay_ms=2500\n')
    env.start_daemon()
    conn = env.conn()
    d = env.describe(conn)
    states = {r['name']: r['state'] for r in d['rprocs']}
    check(all(s == 'starting' for s in states.values()), f'all still booting: {states}')
    p = env.ctl('status', '--json', 'adsp', check_rc=3)  # starting: not running yet
    check(json.loads(p.stdout)['rprocs'][0]['state'] == 'starting', 'status while booting')
    all_running(env, conn)


def test_progress(env):
    """rprocctl start on a terminal shows phases, sizes and timings as they happen."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    p = subprocess.run(['script', '-qefc', f'{env.rprocctl} start adsp cdsp0', '/dev/null'],
                       capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout.replace('\r', '')
    check(p.returncode == 0, f'exit {p.returncode}: {out}')
    lines = [l for l in out.splitlines() if l.startswith('adsp ')]
    check(any('state: starting' in l for l in lines) or any('state: running' in l for l in lines),
          f'state lines: {out}')
    check(any(l.split()[1].startswith('+') and l.split()[1].endswith('s') for l in lines),
          f'elapsed time on each line: {lines}')
    check('adsp: running (boot ' in out and 'cdsp0: running (boot ' in out, f'summaries: {out}')
    check('MiB loaded' in out or 'KiB loaded' in out, f'sizes: {out}')
    p = env.ctl('start', 'gpdsp0', check_rc=0)  # not a terminal: one line
    check(p.stdout.count('\n') == 1 and p.stdout.startswith('gpdsp0: running'), p.stdout)


def test_progress_no_repeats(env):
    """A progress line says something new: never the same text twice in a row for a core."""
    # 2 MiB images: the last data segment ends past 97.5 %, so the third and the fourth
    # quarter of the load both read "2.0 MiB of 2.0 MiB" (the bss segment ends the image)
    for i, core in enumerate(CORES):
        out = os.path.join(env.fwdir, 'qcom', 'sa8775p', core + '.mbn')
        subprocess.run([env.mkfw, '-o', out, '--seed', str(i + 1), '--size', '2M'],
                       check=True, capture_output=True)
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    # Whether the daemon sends both of those depends on timing (the library coalesces
    # progress): several rounds make it likely.  Before the fix: 3 of 3 direct runs failed.
    for _ in range(5):
        p = subprocess.run(['script', '-qefc', f'{env.rprocctl} start ' + ' '.join(CORES),
                            '/dev/null'], capture_output=True, text=True, timeout=TIMEOUT)
        out = p.stdout.replace('\r', '')
        check(p.returncode == 0, f'exit {p.returncode}: {out}')
        last = {}
        n = 0
        for line in out.splitlines():
            f = line.split(None, 2)
            if len(f) < 3 or f[0] not in CORES or not f[1].startswith('+'):
                continue
            n += 1
            check(last.get(f[0]) != f[2], f'{f[0]}: "{f[2]}" printed twice in a row:\n{out}')
            last[f[0]] = f[2]
        check(n >= 2 * len(CORES), f'progress lines shown: {out}')
        check(any('loading' in ln for ln in out.splitlines()), f'loading lines: {out}')
        env.ctl('stop', *CORES, check_rc=0)


def test_stop_restart(env):
    env.start_daemon()
    conn = env.conn()
    all_running(env, conn)
    t0 = env.get(conn, 'cdsp0', 'StateChangeTimestamp')
    env.ctl('stop', 'adsp', check_rc=0)
    check(env.get(conn, 'adsp', 'State') == 'offline', 'adsp offline after stop')
    env.ctl('stop', 'adsp', check_rc=0)  # no-op
    env.ctl('restart', 'cdsp0', check_rc=0)
    check(env.get(conn, 'cdsp0', 'State') == 'running', 'cdsp0 running after restart')
    check(env.get(conn, 'cdsp0', 'StateChangeTimestamp') > t0, 'restart changed the timestamp')
    env.ctl('restart', 'adsp', check_rc=0)  # from offline: a start
    check(env.get(conn, 'adsp', 'State') == 'running', 'adsp running after restart')
    p = env.ctl('--no-block', 'stop', 'gpdsp1', check_rc=0)
    check('queued' in p.stdout, '--no-block says queued')
    env.wait_state(conn, 'gpdsp1', 'offline')
    t1 = env.get(conn, 'gpdsp0', 'StateChangeTimestamp')
    p = env.ctl('--no-block', 'restart', 'gpdsp0', check_rc=0)
    check('gpdsp0: restart queued' in p.stdout, p.stdout)
    end = time.monotonic() + TIMEOUT
    while env.get(conn, 'gpdsp0', 'State') != 'running' or \
            env.get(conn, 'gpdsp0', 'StateChangeTimestamp') == t1:
        check(time.monotonic() < end, 'gpdsp0 restarted')
        time.sleep(0.05)
    r = env.call(conn, RPROC_PREFIX + 'gpdsp0', 'org.rprocd1.RemoteProc', 'Enqueue', 's',
                 ('reboot',))
    check(r[0] == 'error' and r[1] == 'org.freedesktop.DBus.Error.InvalidArgs' and
          "unknown action 'reboot'" in r[2], f'Enqueue(reboot): {r}')


def test_cancel_during_start(env):
    """Stop() and Restart() while cores boot: a stop cancels the start (whose caller gets
    StartFailed), a restart ends running."""
    # adsp never reports ready (and the timeout is long): the stop surely lands mid-boot
    env.write_config('[Daemon]\nSimulationConfig=ready_delay_ms=1500;no_ready=adsp\n'
                     'ReadyTimeoutSec=120\n'
                     '[RemoteProc:adsp]\nAutoStart=no\n[RemoteProc:cdsp0]\nAutoStart=no\n')
    env.start_daemon()
    conn = env.conn()
    starter = subprocess.Popen([env.rprocctl, 'start', 'adsp'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    env.wait_state(conn, 'adsp', 'starting')
    env.ctl('stop', 'adsp', check_rc=0)
    out, err = starter.communicate(timeout=TIMEOUT)
    check(starter.returncode == 1, f'the cancelled start failed: {starter.returncode} {err}')
    check(env.get(conn, 'adsp', 'State') == 'offline', 'adsp offline after the cancel')
    env.ctl('--no-block', 'start', 'cdsp0', check_rc=0)
    env.wait_state(conn, 'cdsp0', 'starting')
    env.ctl('restart', 'cdsp0', check_rc=0)
    check(env.get(conn, 'cdsp0', 'State') == 'running', 'cdsp0 running after a restart mid-boot')
    for c in CORES[1:]:
        env.wait_state(conn, c, 'running')


def test_permission(env):
    """Reading is open; control needs root or ControlGroup= membership."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nControlGroup=users\n')
    env.start_daemon()
    nobody = ('nobody', 'nogroup')
    env.ctl('list', user=nobody, check_rc=0)
    env.ctl('status', 'adsp', user=nobody, check_rc=3)  # offline: status says 3
    p = env.ctl('start', 'adsp', user=nobody, check_rc=4)
    check('users' in p.stderr, f'message names the group: {p.stderr}')
    env.ctl('reload', user=nobody, check_rc=4)
    conn = env.conn()
    check(env.get(conn, 'adsp', 'State') == 'offline', 'adsp not started by nobody')
    env.ctl('start', 'adsp', user=('nobody', 'nogroup', 'users'), check_rc=0)
    check(env.get(conn, 'adsp', 'State') == 'running', 'a ControlGroup member may start')
    env.ctl('stop', 'adsp', user=nobody, check_rc=4)


def stutter(text):
    """Lines that say a thing twice in a row ("firmware: firmware: ..."), if any."""
    def repeats(line):
        parts = line.strip().split(': ')
        return any(a == b for a, b in zip(parts, parts[1:]))
    return [ln for ln in text.splitlines() if repeats(ln)]


def test_start_failure(env):
    """A failing step: StartFailed naming the step, exit 5, a log line, LastError set.
    The step is said once: LastError is the cause alone, the texts built from it do not
    repeat the step (before, status said "Last error: firmware: firmware: ...")."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=fail=auth_and_reset@adsp:1\n')
    env.start_daemon()
    p = env.ctl('start', 'adsp', check_rc=1)
    check('adsp: ' in p.stderr and 'auth' in p.stderr, f'error names the step: {p.stderr}')
    conn = env.conn()
    check(env.get(conn, 'adsp', 'State') == 'failed', 'adsp failed')
    check(env.get(conn, 'adsp', 'LastErrorStep') != '', 'LastErrorStep set')
    check('start failed' in env.read_log(), 'failure logged')
    env.ctl('start', 'adsp', check_rc=0)  # the rule fired once; a second start works

    r = env.call(conn, RPROC_PREFIX + 'cdsp0', 'org.rprocd1.RemoteProc', 'SetFirmware', 's',
                 ('qcom/missing.mbn',))
    check(r[0] == 'ok', f'SetFirmware: {r}')
    p = env.ctl('start', 'cdsp0', check_rc=1)
    step, error = env.get(conn, 'cdsp0', 'LastErrorStep'), env.get(conn, 'cdsp0', 'LastError')
    check(step == 'firmware' and error.startswith("firmware 'qcom/missing.mbn' not found"),
          f'LastErrorStep {step!r}, LastError {error!r}')
    check(p.stderr == f'rprocctl: start cdsp0: cdsp0: firmware: {error}\n', p.stderr)
    p = env.ctl('status', 'cdsp0', '--lines', '0', check_rc=3)  # failed
    check(f'  Last error: firmware: {error}\n' in p.stdout, p.stdout)
    log = env.read_log()
    check(f'cdsp0: firmware: start failed: {error}\n' in log, log)
    check(not stutter(p.stdout + p.stderr + log), '\n'.join(stutter(p.stdout + p.stderr + log)))


def test_log_once(env):
    """One log line per event at the default level: the daemon's, not also librproc's."""
    cores = os.path.join(env.dir, 'cores')
    os.mkdir(cores)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=fail=auth_and_reset@adsp:1;'
                     f'crash=adsp:fatal:300:1;crash_reason=test crash\nCoredumpDirectory={cores}\n'
                     '[RemoteProc:adsp]\nRecovery=yes\n')
    env.start_daemon(extra=['--log-level', 'info'])
    conn = env.conn()
    env.ctl('start', 'adsp', check_rc=1)
    env.ctl('start', 'adsp', check_rc=0)
    end = time.monotonic() + TIMEOUT
    while env.get(conn, 'adsp', 'CrashCount') < 1 or env.get(conn, 'adsp', 'State') != 'running':
        check(time.monotonic() < end, 'crash and recovery')
        time.sleep(0.05)
    env.ctl('stop', 'adsp', check_rc=0)
    # (the simulated SoC's own lines, "adsp: sim: ...", are the hardware's side: left out)
    lines = [ln for ln in env.read_log().splitlines() if 'adsp' in ln and 'adsp: sim: ' not in ln]
    text = '\n'.join(lines)

    def once(what, n=1):
        check(sum(what in ln for ln in lines) == n, f'"{what}" {n} time(s):\n{text}')
    check(not any(' -> ' in ln for ln in lines), f'no state-change lines at info:\n{text}')
    once('AUTH_AND_RESET')  # the failed step, on the failure line
    once('start failed')
    once('adsp: running', 2)  # the start and the recovery
    once('bytes loaded', 2)  # ... with their timings
    once('adsp: starting', 2)  # the two starts asked for (the recovery has its own line)
    once('test crash')
    once('coredump written')
    once('adsp: stopped')


def collect_changes(env, conn, rule, core, until, timeout=TIMEOUT):
    """PropertiesChanged of @core until until(props, history) says stop."""
    history = []
    end = time.monotonic() + timeout
    with conn.filter(rule) as queue:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Failure(f'timeout; changes seen: {history}')
            msg = conn.recv_until_filtered(queue, timeout=left)
            if msg.header.fields.get(1) != RPROC_PREFIX + core:  # HeaderFields.path
                continue
            iface, changed, _ = msg.body
            props = {k: v[1] for k, v in changed.items()}
            history.append(props)
            if until(props, history):
                return history


def test_crash_recovery(env):
    """An injected crash: crashed -> running seen as PropertiesChanged, CrashCount 1."""
    cores = os.path.join(env.dir, 'cores')
    os.mkdir(cores)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=crash=adsp:fatal:300:1;'
                     f'crash_reason=test crash\nCoredumpDirectory={cores}\n'
                     '[RemoteProc:adsp]\nRecovery=yes\n')
    env.start_daemon()
    conn = env.conn()
    rule = env.properties_match(conn)
    env.ctl('start', 'adsp', check_rc=0)
    states = []

    def until(props, history):
        if 'State' in props:
            states.append(props['State'])
        return 'crashed' in states and states[-1] == 'running'

    collect_changes(env, conn, rule, 'adsp', until)
    check(env.get(conn, 'adsp', 'CrashCount') == 1, 'CrashCount 1')
    check(env.get(conn, 'adsp', 'LastCrashReason') != '', 'LastCrashReason set')
    check('crashed' in env.read_log(), 'crash logged')
    dump = env.get(conn, 'adsp', 'LastCoredump')
    check(dump.startswith(cores + '/') and os.path.getsize(dump) > 0, f'coredump written: {dump!r}')
    with open(dump, 'rb') as f:
        # zstd-compressed when built with libzstd (rprocctl coredump reads either)
        check(f.read(4) in (b'\x7fELF', b'\x28\xb5\x2f\xfd'), 'an ELF core file')
    p = env.ctl('status', 'adsp', check_rc=0)
    check('Crashes: 1 (last: ' in p.stdout and f'Coredump: {dump}' in p.stdout, p.stdout)


def test_coredump_files(env):
    """Coredumps: mode 0640 in the directory's group, complete under their name, the oldest
    removed first past CoredumpMaxFiles= (never the newest), stale temporary files removed."""
    cores = os.path.join(env.dir, 'cores')
    os.mkdir(cores)
    if os.geteuid() == 0:
        os.chown(cores, -1, 4242)  # a group rprocd is not in, as the rprocd group
    old = time.time() - 7200
    for i in range(3):  # dumps of an earlier run, oldest first
        path = os.path.join(cores, f'cdsp0-2020010{i + 1}T000000Z.core')
        with open(path, 'wb') as f:
            f.write(b'\x7fELF')
        os.utime(path, (old + i, old + i))
    stale = os.path.join(cores, '.#1234-abc-0.tmp')  # a writer that died
    fresh = os.path.join(cores, '.#1234-abd-0.tmp')  # one that may be writing
    for path in (stale, fresh):
        with open(path, 'wb') as f:
            f.write(b'x')
    os.utime(stale, (old, old))
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=crash=adsp:fatal:100:2\n'
                     f'CoredumpDirectory={cores}\nCoredumpMaxFiles=2\nCoredumpKeepFree=0\n'
                     '[RemoteProc:adsp]\nRecovery=yes\nRestartLimit=10\n')
    env.start_daemon()
    # at start: down to two, the newest kept
    names = sorted(os.listdir(cores))
    check(names == ['.#1234-abd-0.tmp', 'cdsp0-20200102T000000Z.core',
                    'cdsp0-20200103T000000Z.core'], names)
    conn = env.conn()
    env.ctl('start', 'adsp', check_rc=0)
    end = time.monotonic() + TIMEOUT
    while env.get(conn, 'adsp', 'CrashCount') < 2 or env.get(conn, 'adsp', 'State') != 'running':
        check(time.monotonic() < end, 'two crashes and a recovery')
        time.sleep(0.05)
    dump = env.get(conn, 'adsp', 'LastCoredump')
    end = time.monotonic() + TIMEOUT
    while True:  # the second dump's clean-up runs once it is compressed
        names = sorted(n for n in os.listdir(cores) if not n.startswith('.'))
        if len(names) == 2 or time.monotonic() > end:
            break
        time.sleep(0.05)
    check(len(names) == 2 and all(n.startswith('adsp-') for n in names) and
          os.path.basename(dump) in names, f'the two newest kept: {names}, last {dump}')
    for n in names:
        st = os.stat(os.path.join(cores, n))
        check(st.st_mode & 0o7777 == 0o640, f'{n}: mode {st.st_mode & 0o7777:o}')
        check(st.st_gid == os.stat(cores).st_gid, f'{n}: group {st.st_gid}')
        with open(os.path.join(cores, n), 'rb') as f:
            check(f.read(4) in (b'\x7fELF', b'\x28\xb5\x2f\xfd'), f'{n}: complete')
    check(os.path.exists(fresh), 'a young temporary file is left alone')
    log = env.read_log()
    check('removed ' + os.path.join(cores, 'cdsp0-20200101T000000Z.core') +
          ' (CoredumpMaxFiles=)' in log, log)
    check(f'removed {stale} (a temporary file left by a writer that died)' in log, log)


def test_crash_giveup(env):
    """Crashing on every boot: recovery gives up after RestartLimit= crashes -> failed."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=crash=cdsp1:wdog:50:0\n'
                     'CoredumpDirectory=\n[RemoteProc:cdsp1]\nRestartLimit=2\n'
                     'RestartWindowSec=1min\n')
    env.start_daemon()
    conn = env.conn()
    env.ctl('start', 'cdsp1', check_rc=0)
    env.wait_state(conn, 'cdsp1', 'failed')
    check(env.get(conn, 'cdsp1', 'CrashCount') >= 2, 'crashed at least RestartLimit times')
    check('cdsp1: recovery: recovery gave up: 3 crashes within 60 s (limit 2 restarts)\n'
          in env.read_log(), 'giving up logged')
    check(env.get(conn, 'cdsp1', 'LastError') == '3 crashes within 60 s (limit 2 restarts)',
          env.get(conn, 'cdsp1', 'LastError'))
    check(not stutter(env.read_log()), '\n'.join(stutter(env.read_log())))
    env.ctl('start', 'cdsp1', check_rc=0)  # a manual start is still possible


def test_reload(env):
    """Reload() and SIGHUP: RELOADING=1 ... READY=1, changed settings applied, signalled."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    check(env.get(conn, 'adsp', 'Recovery') is True, 'recovery on by default')
    rule = env.properties_match(conn)
    env.write_config(NO_AUTOSTART + '[RemoteProc:adsp]\nRecovery=no\nStopOnExit=yes\n')
    n = env.notify.count()
    env.ctl('reload', check_rc=0)
    i = env.notify.wait_for('RELOADING', '1', n)
    env.notify.wait_for('READY', '1', i)
    collect_changes(env, conn, rule, 'adsp', lambda p, h: p.get('Recovery') is False)
    check(env.get(conn, 'adsp', 'StopOnExit') is True, 'StopOnExit applied')
    env.write_config(NO_AUTOSTART)
    n = env.notify.count()
    env.daemon.send_signal(signal.SIGHUP)
    i = env.notify.wait_for('RELOADING', '1', n)
    env.notify.wait_for('READY', '1', i)
    env.wait_state(conn, 'adsp', 'offline')
    end = time.monotonic() + TIMEOUT
    while env.get(conn, 'adsp', 'Recovery') is not True:
        check(time.monotonic() < end, 'Recovery back on after SIGHUP')
        time.sleep(0.05)


def test_reload_during_boot(env):
    """Reload while cores boot: settings wait for each core to settle; nothing breaks."""
    slow = '[Daemon]\nSimulationConfig=ready_delay_ms=1500\nFirmwarePath=/nonexistent\n'
    env.write_config(slow)
    env.start_daemon()
    conn = env.conn()
    env.write_config(slow + 'FirmwarePath=\nFirmwarePath=/also-nonexistent\n'
                     'CoredumpDirectory=/tmp/x\nReadyTimeoutSec=9\n'
                     '[RemoteProc:adsp]\nFirmware=qcom/sa8775p/cdsp0.mbn\nRestartLimit=9\n')
    env.ctl('reload', check_rc=0)
    check(env.get(conn, 'adsp', 'State') == 'starting', 'reloaded while adsp was booting')
    all_running(env, conn)
    check(env.get(conn, 'adsp', 'Firmware') == 'qcom/sa8775p/adsp.mbn',
          'the firmware of a running core is not changed under it')
    env.ctl('stop', 'adsp', check_rc=0)
    check(env.get(conn, 'adsp', 'Firmware') == 'qcom/sa8775p/cdsp0.mbn', 'applied once offline')
    env.ctl('start', 'adsp', check_rc=0)  # --firmware-path still comes first
    check(env.get(conn, 'adsp', 'FirmwarePath').endswith('/cdsp0.mbn'), 'new firmware loaded')


def test_bad_config(env):
    """Unknown keys and bad values: warnings with file:line; the valid part applies."""
    env.write_config('[Daemon]\nFrobnicate=1\nReadyTimeoutSec=soon\n'
                     'this line is not ini\n'
                     '[RemoteProc:adsp]\nAutoStart=no\nRestartLimit=-3\n'
                     '[RemoteProc:cdsp0]\nFirmware=../../etc/passwd\n'
                     '[Nonsense]\nKey=1\n')
    env.start_daemon()
    log = env.read_log()
    for line, what in ((2, 'Frobnicate'), (3, 'ReadyTimeoutSec'), (4, 'syntax'), (7, 'RestartLimit'),
                       (9, 'Firmware'), (11, 'Nonsense')):
        check(f'{env.config}:{line}:' in log and what in log, f'warning for line {line} ({what}):\n{log}')
    conn = env.conn()
    env.wait_state(conn, 'cdsp0', 'running')  # still serving, others auto-started
    check(env.get(conn, 'adsp', 'State') == 'offline', 'AutoStart=no applied despite the errors')
    check(env.get(conn, 'cdsp0', 'Firmware') == 'qcom/sa8775p/cdsp0.mbn', 'bad Firmware= ignored')


def test_set_firmware(env):
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    path = RPROC_PREFIX + 'adsp'
    r = env.call(conn, path, 'org.rprocd1.RemoteProc', 'SetFirmware', 's', ('../evil.mbn',))
    check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.InvalidFirmware', f'invalid name: {r}')
    r = env.call(conn, path, 'org.rprocd1.RemoteProc', 'SetFirmware', 's', ('qcom/sa8775p/cdsp1.mbn',))
    check(r[0] == 'ok', f'SetFirmware offline: {r}')
    check(env.get(conn, 'adsp', 'Firmware') == 'qcom/sa8775p/cdsp1.mbn', 'Firmware changed')
    env.ctl('start', 'adsp', check_rc=0)
    check(env.get(conn, 'adsp', 'FirmwarePath').endswith('cdsp1.mbn'), 'the new file was loaded')
    r = env.call(conn, path, 'org.rprocd1.RemoteProc', 'SetFirmware', 's', ('qcom/sa8775p/adsp.mbn',))
    check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.Busy', f'running: {r}')
    r = env.call(conn, RPROC_PREFIX + 'nosuch', 'org.rprocd1.RemoteProc', 'Start')
    check(r[0] == 'error' and 'UnknownObject' in r[1], f'unknown object: {r}')


CONST_PROPS = {'Name', 'Compatible', 'Device', 'PasId', 'Carveouts', 'IommuStreams'}
CHANGING_PROPS = {'Firmware', 'FirmwarePath', 'State', 'Phase', 'Progress', 'LastError',
                  'LastErrorStep', 'CrashCount', 'LastCrashReason', 'LastCoredump',
                  'StateChangeTimestamp', 'BootTimeUSec', 'Timings', 'Recovery', 'AutoStart',
                  'StopOnExit'}


def described(d):
    """The RemoteProc properties as Describe() gives them, in D-Bus shapes."""
    t = d['timings']
    return {'Name': d['name'], 'Compatible': d['compatible'], 'Device': d['device'],
            'PasId': d['pas_id'], 'Carveouts': [(c['base'], c['size']) for c in d['carveouts']],
            'IommuStreams': [(i['sid'], i['mask']) for i in d['iommu_streams']],
            'Firmware': d['firmware'], 'FirmwarePath': d['firmware_path'], 'State': d['state'],
            'Phase': d['phase'], 'Progress': tuple(d['progress']), 'LastError': d['last_error'],
            'LastErrorStep': d['last_error_step'], 'CrashCount': d['crash_count'],
            'LastCrashReason': d['last_crash_reason'], 'LastCoredump': d['last_coredump'],
            'StateChangeTimestamp': d['state_change_timestamp'],
            'BootTimeUSec': d['boot_time_usec'],
            'Timings': (t['firmware_usec'], t['load_usec'], t['auth_usec'], t['ready_usec'],
                        t['total_usec'], t['image_bytes']),
            'Recovery': d['recovery'], 'AutoStart': d['auto_start'],
            'StopOnExit': d['stop_on_exit']}


def test_properties(env):
    """Each property reads its own field (GetAll agrees with Describe()); the facts are const,
    the rest emit PropertiesChanged, and each of those is signalled when it changes."""
    cores = os.path.join(env.dir, 'cores')
    os.mkdir(cores)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=fail=auth_and_reset@cdsp0:1;'
                     f'crash=adsp:fatal:300:1;crash_reason=test crash\nCoredumpDirectory={cores}\n'
                     '[RemoteProc:adsp]\nRecovery=yes\n')
    env.start_daemon()
    conn, watch = env.conn(), env.conn()
    rule = env.properties_match(watch)
    seen = {}
    with watch.filter(rule, bufsize=100000) as queue:
        env.ctl('start', 'adsp', check_rc=0)
        env.ctl('start', 'cdsp0', check_rc=1)
        r = env.call(conn, RPROC_PREFIX + 'cdsp1', 'org.rprocd1.RemoteProc', 'SetFirmware', 's',
                     ('qcom/sa8775p/cdsp0.mbn',))
        check(r[0] == 'ok', f'SetFirmware: {r}')
        end = time.monotonic() + TIMEOUT
        while env.get(conn, 'adsp', 'CrashCount') < 1 or env.get(conn, 'adsp', 'State') != 'running':
            check(time.monotonic() < end, 'crash and recovery')
            time.sleep(0.05)
        env.write_config(NO_AUTOSTART.replace('[RemoteProc:gpdsp0]\nAutoStart=no\n', '') +
                         '[RemoteProc:gpdsp0]\nRecovery=no\nStopOnExit=yes\n')
        # 6: applied, with a warning (SimulationConfig= waits for the next start)
        env.ctl('reload', check_rc=6)
        env.ctl('stop', 'adsp', check_rc=0)
        while True:
            try:
                msg = watch.recv_until_filtered(queue, timeout=1)
            except TimeoutError:
                break
            path = msg.header.fields.get(1)  # HeaderFields.path
            seen.setdefault(path[len(RPROC_PREFIX):], set()).update(msg.body[1])
    everything = set().union(*seen.values())
    check(everything == CHANGING_PROPS, f'signalled: {sorted(everything)}, never: '
          f'{sorted(CHANGING_PROPS - everything)}, wrongly: {sorted(everything - CHANGING_PROPS)}')
    check(seen.get('gpdsp0') == {'Recovery', 'AutoStart', 'StopOnExit'}, f'reload: {seen}')
    check(seen.get('cdsp1') == {'Firmware'}, f'SetFirmware: {seen}')

    d = {r['name']: r for r in env.describe(conn)['rprocs']}
    for core in ('adsp', 'cdsp0', 'cdsp1', 'gpdsp0'):
        r = env.call(conn, RPROC_PREFIX + core, 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                     ('org.rprocd1.RemoteProc',))
        check(r[0] == 'ok', f'GetAll {core}: {r}')
        got = {k: v[1] for k, v in r[1][0].items()}
        want = described(d[core])
        check(got == want, f'{core}: GetAll and Describe() differ: ' +
              str({k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                   if got.get(k) != want.get(k)}))
    check(d['adsp']['crash_count'] == 1 and d['adsp']['last_coredump'].startswith(cores) and
          d['cdsp0']['last_error'] and d['gpdsp0']['stop_on_exit'], f'values set: {d}')

    r = env.call(conn, RPROC_PREFIX + 'adsp', 'org.freedesktop.DBus.Introspectable', 'Introspect')
    iface = ET.fromstring(r[1][0]).find("interface[@name='org.rprocd1.RemoteProc']")
    emits = {p.get('name'): [a.get('value') for a in p.findall('annotation')
                             if a.get('name') == 'org.freedesktop.DBus.Property.EmitsChangedSignal']
             for p in iface.findall('property')}
    check(emits == {**{p: ['const'] for p in CONST_PROPS}, **{p: [] for p in CHANGING_PROPS}},
          f'EmitsChangedSignal: {emits}')

def test_busctl(env):
    """Introspection is complete and busctl works against it."""
    env.start_daemon()
    bus = ['busctl', f'--address={env.address}']
    p = subprocess.run(bus + ['tree', 'org.rprocd1'], capture_output=True, text=True)
    check(p.returncode == 0, f'busctl tree: {p.stderr}')
    for c in CORES:
        check(RPROC_PREFIX + c in p.stdout, f'{c} in busctl tree:\n{p.stdout}')
    p = subprocess.run(bus + ['introspect', 'org.rprocd1', RPROC_PREFIX + 'adsp'],
                       capture_output=True, text=True)
    check(p.returncode == 0, f'busctl introspect: {p.stderr}')
    for m in ('.Start', '.Stop', '.Restart', '.SetFirmware', '.Enqueue', '.State', '.Phase',
              '.StateChangeTimestamp', '.BootTimeUSec', '.CrashCount', '.LastCoredump', '.PasId'):
        check(m in p.stdout, f'{m} introspected')
    p = subprocess.run(bus + ['introspect', 'org.rprocd1', MANAGER], capture_output=True, text=True)
    for m in ('.ListRemoteProcs', '.Describe', '.Reload', '.Version', '.Backend'):
        check(m in p.stdout, f'{m} introspected on the manager')
    p = subprocess.run(bus + ['call', 'org.rprocd1', MANAGER, 'org.rprocd1.Manager',
                              'ListRemoteProcs'], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith('a(sso) 5'), f'ListRemoteProcs: {p.stdout}')


def test_readopt(env):
    """SIGKILL while cores run; the restarted daemon re-adopts them from the fd store."""
    env.write_config('[RemoteProc:gpdsp1]\nAutoStart=no\n')
    env.start_daemon()
    conn = env.conn()
    for c in CORES[:-1]:
        env.wait_state(conn, c, 'running')
    env.ctl('stop', 'cdsp1', check_rc=0)
    r = env.call(conn, RPROC_PREFIX + 'cdsp1', 'org.rprocd1.RemoteProc', 'SetFirmware', 's',
                 ('qcom/sa8775p/gpdsp1.mbn',))
    check(r[0] == 'ok', f'SetFirmware: {r}')
    before = {r['name']: r for r in env.describe(conn)['rprocs']}
    time.sleep(0.2)  # let the snapshot of the last change reach the memfd
    check(any(n == 'rprocd-snapshot' for n, _ in env.notify.fds), f'snapshot stored: {env.notify.fds}')
    env.daemon.kill()
    env.daemon.wait()
    env.daemon = None
    conn.close()
    env.conns.remove(conn)

    stored = list(env.notify.fds)
    env.start_daemon(listen_fds=stored)
    conn = env.conn()
    d = env.describe(conn)
    after = {r['name']: r for r in d['rprocs']}
    for c in ('adsp', 'cdsp0', 'gpdsp0'):
        a, b = after[c], before[c]
        check(a['state'] == 'running', f'{c} still running after re-adoption: {a["state"]}')
        check(a['adopted'], f'{c} marked adopted')
        for k in ('state_change_timestamp', 'crash_count', 'boot_time_usec', 'firmware_path'):
            check(a[k] == b[k], f'{c}.{k} kept: {b[k]} -> {a[k]}')
    check(after['cdsp1']['state'] == 'offline', 'a stopped core stays stopped')
    check(after['cdsp1']['firmware'] == 'qcom/sa8775p/gpdsp1.mbn',
          f'SetFirmware() survives the restart: {after["cdsp1"]["firmware"]}')
    check(after['gpdsp1']['state'] == 'offline', 'a core never started stays offline')
    sim = d['simulator']
    check(sim['running_cores'] == 3, f'TZ still runs 3 cores: {sim}')
    check(sim['smmu_mappings'] >= 3, f'the carveout mappings are still there: {sim}')
    for op in ('shutdown', 'stop_bit', 'iommu_unmap', 'iommu_map', 'init_image', 'auth_and_reset',
               'mem_map'):
        check(sim['calls'][op] == 0, f'the new rprocd made no {op} call: {sim["calls"]}')
    log = env.read_log()
    check('re-adopted' in log, 're-adoption logged')
    # controllable again
    env.ctl('stop', 'adsp', check_rc=0)
    check(env.get(conn, 'adsp', 'State') == 'offline', 'adsp stopped after re-adoption')
    env.ctl('start', 'adsp', 'cdsp1', check_rc=0)
    check(env.get(conn, 'cdsp1', 'State') == 'running', 'cdsp1 started after re-adoption')
    check(env.get(conn, 'cdsp1', 'FirmwarePath').endswith('gpdsp1.mbn'),
          'the firmware set before the restart is the one loaded')


def sim_leftovers(sim, running=0):
    """What the simulated SoC still holds, beyond @running authenticated cores and their maps."""
    left = {k: sim[k] for k in ('bridges', 'metadata_buffers', 'cpu_mappings', 'proxy_votes',
                                'stop_bits') if sim[k]}
    if sim['running_cores'] != running:
        left['running_cores'] = sim['running_cores']
    for k in ('load_states', 'glink_edges'):  # held by a running core until its stop
        if sim[k] != running:
            left[k] = sim[k]
    if not running and sim['smmu_mappings']:
        left['smmu_mappings'] = sim['smmu_mappings']
    return left


def readopt_interrupted(env, conn, job, config=None):
    """Kill rprocd (SIGKILL) now; restart it on the stored fds (with @config if given); check
    the cleanup; start and stop every core."""
    env.daemon.kill()
    env.daemon.wait()
    env.daemon = None
    env.conns.remove(conn)
    conn.close()
    if config is not None:
        env.write_config(config)
    env.start_daemon(listen_fds=list(env.notify.fds))
    conn = env.conn()
    d = env.describe(conn)
    for r in d['rprocs']:
        check(r['state'] == 'failed', f'{r["name"]} adopted as failed: {r["state"]}')
        check(r['last_error'].startswith('interrupted by a daemon restart during ')
              and r['last_error'].endswith('; cleaned up, start it again'),
              f'{r["name"]} says why: {r["last_error"]!r}')
        check(r['adopted'], f'{r["name"]} adopted')
    left = sim_leftovers(d['simulator'])
    check(not left, f'the interrupted {job}s left nothing in the simulated SoC: {left}')
    check('interrupted by a daemon restart' in env.read_log(), 'the cleanup is logged')
    # restartable: the next start boots every core
    env.ctl('start', *CORES, check_rc=0)
    d = env.describe(conn)
    for r in d['rprocs']:
        check(r['state'] == 'running', f'{r["name"]} running after the restart: {r["state"]}')
    left = sim_leftovers(d['simulator'], running=len(CORES))
    check(not left, f'nothing else held while running: {left}')
    env.ctl('stop', *CORES, check_rc=0)
    left = sim_leftovers(env.describe(conn)['simulator'])
    check(not left, f'nothing left after a stop: {left}')
    return conn


def test_readopt_midboot(env):
    """SIGKILL while cores boot: the next rprocd releases what the boots held; Start() works."""
    env.write_config('[Daemon]\nSimulationConfig=ready_delay_ms=1500\n')
    env.start_daemon()
    conn = env.conn()
    for c in CORES:
        check(env.get(conn, c, 'State') == 'starting', f'{c} killed mid-boot')
    time.sleep(0.3)  # past auth-and-reset: TrustZone runs them, the SMMU maps them
    sim = env.describe(conn)['simulator']
    check(sim['running_cores'] == len(CORES), f'authenticated before the kill: {sim}')
    readopt_interrupted(env, conn, 'start')


def test_readopt_midstop(env):
    """SIGKILL while cores stop (no stop-ack yet): the next rprocd finishes the release."""
    env.write_config('[Daemon]\nStopTimeoutSec=30\n'
                     'SimulationConfig=' + ';'.join(f'no_stop_ack={c}' for c in CORES) + '\n')
    env.start_daemon()
    conn = env.conn()
    all_running(env, conn)
    env.ctl('--no-block', 'stop', *CORES, check_rc=0)
    for c in CORES:
        env.wait_state(conn, c, 'stopping')
    time.sleep(0.3)
    sim = env.describe(conn)['simulator']
    check(sim['stop_bits'] == len(CORES), f'stop bits set, waiting for stop-ack: {sim}')
    readopt_interrupted(env, conn, 'stop', config='')  # stop-ack answered again


def test_readopt_inside_auth(env):
    """SIGKILL while TrustZone is inside AUTH_AND_RESET, every core's SHM bridge created: the
    next rprocd deletes the bridges (the snapshot named them before they were made), and every
    core boots again."""
    env.write_config('[Daemon]\nSimulationConfig=slow_auth_ms=5000\n')
    env.start_daemon()
    conn = env.conn()
    deadline = time.monotonic() + TIMEOUT
    while True:
        d = env.describe(conn)
        phases = {r['name']: r['phase'] for r in d['rprocs']}
        if all(p == 'auth-and-reset' for p in phases.values()) and \
                d['simulator']['bridges'] == len(CORES):
            break
        check(time.monotonic() < deadline, f'every core inside auth-and-reset: {phases} '
                                           f'{d["simulator"]}')
        time.sleep(0.05)
    readopt_interrupted(env, conn, 'start', config='')


def test_readopt_old_snapshot(env):
    """Snapshot records of an older rprocd (version 2: shorter, no phase) are still adopted."""
    import struct
    env.start_daemon()
    conn = env.conn()
    all_running(env, conn)
    time.sleep(0.2)  # the last change reaches the memfd
    env.daemon.kill()
    env.daemon.wait()
    env.daemon = None
    env.conns.remove(conn)
    conn.close()
    snapfd = next(fd for n, fd in env.notify.fds if n == 'rprocd-snapshot')
    data = os.pread(snapfd, 1 << 20, 0)
    magic, count, size = struct.unpack_from('<8sII', data)
    check(magic == b'RPROCSN1' and count == len(CORES), f'snapshot header: {magic} {count}')
    # version 3 appended char phase[32], version 4 char firmware[256]; the version is the
    # first field after name[32]
    newer = 32 + 256
    old = bytearray(struct.pack('<8sII', magic, count, size - newer))
    for i in range(count):
        rec = data[16 + i * size:16 + (i + 1) * size]
        check(struct.unpack_from('<I', rec, 32)[0] == 5, 'this rprocd writes version 5')
        old += rec[:32] + struct.pack('<I', 2) + rec[36:size - newer]
    fd = os.memfd_create('rprocd-snapshot')
    os.write(fd, bytes(old))
    fds = [(n, f) for n, f in env.notify.fds if n != 'rprocd-snapshot'] + [('rprocd-snapshot', fd)]
    env.start_daemon(listen_fds=fds)
    d = env.describe(env.conn())
    states = [(r['name'], r['state'], r['adopted']) for r in d['rprocs']]
    check(all(r['adopted'] and r['state'] == 'running' for r in d['rprocs']),
          f'version 2 records adopted: {states}')
    check(d['simulator']['calls']['auth_and_reset'] == 0, 'nothing booted again')


def test_readopt_stale(env):
    """Passed-back fds that cannot be adopted: start afresh, drop them from the store."""
    bad_snap = os.memfd_create('rprocd-snapshot')
    os.write(bad_snap, b'not a snapshot' * 10)
    bad_sim = os.memfd_create('rproc-sim')
    os.write(bad_sim, b'\0' * 4096)  # wrong size for this tree's simulated SoC
    # as if the service manager's store held them
    env.notify = Notify(os.path.join(env.dir, 'notify'))
    env.notify.fds = [('rprocd-snapshot', bad_snap), ('rproc-sim', bad_sim)]
    start = env.start_daemon(listen_fds=list(env.notify.fds))
    conn = env.conn()
    all_running(env, conn)  # auto-started afresh
    d = env.describe(conn)
    check(not any(r['adopted'] for r in d['rprocs']), 'nothing adopted')
    log = env.read_log()
    check('could not adopt' in log, f'adoption failure logged:\n{log}')
    env.notify.wait_for('FDSTOREREMOVE', '1', start)
    sims = [n for n, _ in env.notify.fds if n == 'rproc-sim']
    check(len(sims) == 1, f'one fresh simulator fd in the store: {env.notify.fds}')
    check(len([n for n, _ in env.notify.fds if n == 'rprocd-snapshot']) == 1,
          'the snapshot memfd is reused, not stored twice')

    # the store now holds fresh state: a restart adopts it
    env.daemon.kill()
    env.daemon.wait()
    env.daemon = None
    env.start_daemon(listen_fds=list(env.notify.fds))
    d = env.describe(env.conn())
    check(all(r['adopted'] and r['state'] == 'running' for r in d['rprocs']),
          f'adopted after the fresh start: {[(r["name"], r["state"], r["adopted"]) for r in d["rprocs"]]}')


def test_watchdog(env):
    """WATCHDOG_USEC set: rprocd pings the service manager (WATCHDOG=1)."""
    start = env.start_daemon(watchdog_usec=200000)
    env.notify.wait_for('WATCHDOG', '1', start)


def test_bus_policy(env):
    """conf/org.rprocd1.conf on the bus: reads open; control calls reach rprocd (so that it
    can ask polkit), which refuses them itself."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nControlGroup=\n')
    env.start_daemon()
    nobody = ('nobody', 'nogroup')
    env.ctl('list', user=nobody, check_rc=0)
    env.ctl('status', '--json', 'adsp', user=nobody, check_rc=3)  # offline
    p = env.ctl('start', 'adsp', user=nobody, check_rc=4)
    check('permission denied: Start needs root' in p.stderr and 'org.rprocd1.manage' in p.stderr,
          f'refused by rprocd: {p.stderr}')
    check('D-Bus policy' not in p.stderr, 'not refused by the bus policy')
    env.ctl('reload', user=nobody, check_rc=4)
    check(env.get(env.conn(), 'adsp', 'State') == 'offline', 'adsp not started by nobody')
    p = subprocess.run(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                        'busctl', f'--address={env.address}', 'introspect', 'org.rprocd1',
                        RPROC_PREFIX + 'adsp'], capture_output=True, text=True)
    check(p.returncode == 0 and '.Start' in p.stdout, f'introspection open: {p.stderr}')
    env.ctl('start', 'adsp', check_rc=0)  # root


test_bus_policy.bus_policy = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                          'conf', 'org.rprocd1.conf')


def test_user_bus(env):
    """--user: rprocd and rprocctl on the session bus."""
    env.write_config(NO_AUTOSTART)
    os.environ['DBUS_SESSION_BUS_ADDRESS'] = env.address
    os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = 'unix:path=/nonexistent'
    env.start_daemon(extra=['--user'])
    env.ctl('list', check_rc=7)  # nothing on the "system" bus
    env.ctl('--user', 'start', 'adsp', check_rc=0)
    p = env.ctl('--user', 'list', '--json', check_rc=0)
    states = {r['name']: r['state'] for r in json.loads(p.stdout)['rprocs']}
    check(states['adsp'] == 'running' and states['cdsp0'] == 'offline', f'states: {states}')


def test_journal(env):
    """Structured journal entries: RPROC=, PAS_ID=, STEP=, ERRNO=; start timings; failures."""
    if subprocess.run(['unshare', '--mount', 'true']).returncode != 0:
        print('SKIP: no mount namespaces here')
        raise SystemExit(77)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=fail=auth_and_reset@cdsp1:1\n')
    env.use_journal()
    env.start_daemon()
    env.ctl('start', 'adsp', check_rc=0)
    env.ctl('start', 'cdsp1', check_rc=1)
    timing = env.journal.wait(lambda e: e.get('RPROC') == 'adsp' and 'BOOT_TIME_USEC' in e)
    check(all(e.get('PAS_ID') == '1' for e in env.journal.find(RPROC='adsp')),
          'PAS_ID=1 on every adsp entry')
    check(len(timing) == 1, f'one start line with timings: {timing}')
    for k in ('FIRMWARE_USEC', 'LOAD_USEC', 'AUTH_USEC', 'READY_USEC', 'IMAGE_BYTES'):
        check(int(timing[0][k]) > 0 or k == 'FIRMWARE_USEC', f'{k} in the start line')
    check(timing[0]['MESSAGE'].startswith('adsp: running'), timing[0]['MESSAGE'])
    fail = env.journal.wait(lambda e: e.get('RPROC') == 'cdsp1' and e.get('PAS_ID') == '30' and
                            e.get('PRIORITY') == '3' and 'start failed' in e['MESSAGE'])
    check(len(fail) == 1, f'one failure line for cdsp1: {env.journal.find(RPROC="cdsp1")}')
    check(fail[0].get('STEP') and fail[0].get('ERRNO'), f'STEP= and ERRNO= on the failure: {fail[0]}')
    check(fail[0]['MESSAGE'].startswith(f'cdsp1: {fail[0]["STEP"]}: '), fail[0]['MESSAGE'])
    check(f'{fail[0]["STEP"]}: {fail[0]["STEP"]}:' not in fail[0]['MESSAGE'], 'step named once')


def test_sigterm(env):
    """SIGTERM: STOPPING=1, exit 0; StopOnExit=yes cores are stopped, others left running."""
    env.write_config('[RemoteProc:adsp]\nStopOnExit=yes\n')
    start = env.start_daemon()
    conn = env.conn()
    all_running(env, conn)
    rc = env.stop_daemon(signal.SIGTERM)
    check(rc == 0, f'exit status {rc}')
    env.notify.wait_for('STOPPING', '1', start)
    log = env.read_log()
    check('adsp: stopping (StopOnExit=yes)' in log, 'StopOnExit core stopped')
    check('cdsp0: left running for the next rprocd to adopt' in log, 'others left running')



class FakeSystemd(FakeService):
    """org.freedesktop.systemd1 on the test bus, as far as rprocd asks it at SIGTERM: the unit
    of a PID, its Job, and that job's JobType (@job: 'stop', 'restart', None for no job, or
    'silent': the manager never answers)."""

    UNIT = '/org/freedesktop/systemd1/unit/rprocd_2eservice'
    JOB = '/org/freedesktop/systemd1/job/4242'

    def __init__(self, address, job):
        self.job = job
        super().__init__(address, 'org.freedesktop.systemd1')

    def answer(self, msg):
        member, path = msg.header.fields.get(3), msg.header.fields.get(1)
        if self.job == 'silent':
            return None
        if member == 'GetUnitByPID':
            return 'o', (self.UNIT,)
        if member == 'Get' and path == self.UNIT and msg.body == ('org.freedesktop.systemd1.Unit',
                                                                 'Job'):
            return 'v', (('(uo)', (4242, self.JOB) if self.job else (0, '/')),)
        if member == 'Get' and path == self.JOB and msg.body == ('org.freedesktop.systemd1.Job',
                                                                'JobType'):
            return 'v', (('s', self.job),)
        return None


def test_exit_job(env):
    """SIGTERM under a service manager: rprocd asks which job ends it.  A stop (systemd 252
    empties the fd store once the unit is down) stops every core with the stop handshake; a
    restart, no job, or no answer within 1 s leaves them running for the next rprocd."""
    env.write_config('[RemoteProc:gpdsp1]\nAutoStart=no\n')
    auto = CORES[:-1]
    for job in ('restart', None, 'silent', 'stop'):
        if env.notify:  # a fresh start: the previous round's store is dropped
            for _, fd in env.notify.fds:
                os.close(fd)
            env.notify.fds = []
        start = env.start_daemon()
        pid = env.daemon.pid
        conn = env.conn()
        for c in auto:
            env.wait_state(conn, c, 'running')
        env.conns.remove(conn)
        conn.close()
        time.sleep(0.2)  # let the snapshot of the last change reach the memfd
        sd = FakeSystemd(env.address, job)
        mark = len(env.read_log())
        t0 = time.monotonic()
        try:
            rc = env.stop_daemon(signal.SIGTERM)
        finally:
            sd.close()
        took = time.monotonic() - t0
        log = env.read_log()[mark:]
        check(rc == 0, f'{job}: exit status {rc}')
        env.notify.wait_for('STOPPING', '1', start)
        check(sd.calls and sd.calls[0] == ('GetUnitByPID', (pid,)),
              f'{job}: asked for the unit of its own PID: {sd.calls}')
        stopping = 'systemd is stopping the unit: the fd store will be emptied' in log
        check(stopping == (job == 'stop'), f'{job}: says why it stops the cores: {log}')
        if job == 'silent':
            check('cannot ask the service manager' in log, f'silent: the failure is logged: {log}')
            # bounded: 1 s for the question, well below the 25 s of a default D-Bus timeout
            check(took < 6, f'silent: SIGTERM -> exit took {took:.1f} s')
        # What the next rprocd finds in the fd store (the simulated SoC is in it too).
        env.start_daemon(listen_fds=list(env.notify.fds))
        conn = env.conn()
        d = env.describe(conn)
        states = {r['name']: r['state'] for r in d['rprocs']}
        sim = d['simulator']
        if job == 'stop':
            for c in auto:
                check(f'{c}: stopping (the unit is being stopped)' in log, f'{c} stopped: {log}')
                check(states[c] == 'offline', f'stop: {c} {states[c]} in the next rprocd')
            check('left running' not in log, f'stop: nothing left running: {log}')
            left = sim_leftovers(sim)
            check(not left, f'stop: the stop handshakes released everything: {left}')
        else:
            for c in auto:
                check(f'{c}: left running for the next rprocd to adopt' in log,
                      f'{job}: {c} left running: {log}')
                check(states[c] == 'running', f'{job}: {c} {states[c]} in the next rprocd')
            check(sim['calls']['auth_and_reset'] == 0 and sim['calls']['shutdown'] == 0,
                  f'{job}: re-adopted, not booted again: {sim["calls"]}')
        env.conns.remove(conn)
        conn.close()
        env.stop_daemon(signal.SIGKILL)

def test_check(env):
    """--check without the hardware: fail lines with fixes, exit 1 (and the same from rprocctl)."""
    for argv in ([env.rprocd, '--check'], [env.rprocctl, 'check']):
        p = subprocess.run(argv + ['--dtb', env.dtb, '--config', env.config], capture_output=True,
                           text=True, timeout=TIMEOUT)
        check(p.returncode == 1, f'{argv}: exit {p.returncode}\n{p.stdout}{p.stderr}')
        check('\nfail ' in '\n' + p.stdout and '     fix: ' in p.stdout, f'fail/fix lines:\n{p.stdout}')
        for c in CORES:
            check(f'{c}: ' in p.stdout, f'{c} checked')
    p = subprocess.run([env.rprocd, '--bogus'], capture_output=True, text=True)
    check(p.returncode == 2, 'bad option: exit 2')
    p = subprocess.run([env.rprocd, '--version'], capture_output=True, text=True)
    check(p.returncode == 0 and p.stdout.startswith('rprocd '), '--version')
    # no --simulate and no shim: a clear error, not a hang
    p = subprocess.run([env.rprocd, '--dtb', env.dtb, '--config', env.config, '--log-target',
                        'console'], capture_output=True, text=True, timeout=TIMEOUT)
    check(p.returncode == 1 and '--simulate' in p.stderr, f'Backend=auto without hardware: {p.stderr}')
    p = subprocess.run([env.rprocd, '--simulate', '--dtb', '/nonexistent.dtb', '--log-target',
                        'console'], capture_output=True, text=True, timeout=TIMEOUT)
    check(p.returncode == 1 and 'nonexistent.dtb' in p.stderr, f'missing tree: {p.stderr}')
    env.ctl('--version', check_rc=0)
    env.ctl('start', check_rc=2)  # no names
    env.ctl('list', check_rc=7)   # no daemon on the bus



def test_usage(env):
    """Command-line errors: exit 2 and a line that says what is wrong (no daemon needed)."""
    for argv, text in ((['frobnicate'], "unknown command 'frobnicate'"),
                       (['--json', 'frobnicate', 'adsp'], "unknown command 'frobnicate'"),
                       (['list', 'adsp'], 'list: wrong number of arguments'),
                       (['reload', 'adsp'], 'reload: wrong number of arguments'),
                       (['check', 'adsp'], 'check: wrong number of arguments'),
                       (['start'], 'start: wrong number of arguments'),
                       (['stop'], 'stop: wrong number of arguments'),
                       (['restart'], 'restart: wrong number of arguments'),
                       (['--json', 'describe'], "give 'describe' first"),
                       (['-q', 'inspect', 'x.mbn'], "give 'inspect' first")):
        p = env.ctl(*argv, check_rc=2)
        check(p.stderr.startswith('rprocctl: ') and text in p.stderr, f'{argv}: {p.stderr}')
    p = env.ctl(check_rc=2)
    check('Usage: rprocctl' in p.stdout, f'no command: the help\n{p.stdout}')
    for opt, value in (('--log-target', 'syslog'), ('--log-level', 'loud')):
        p = subprocess.run([env.rprocd, opt, value], capture_output=True, text=True)
        check(p.returncode == 2 and f"rprocd: unknown {opt[2:].replace('-', ' ')} '{value}'"
              in p.stderr, f'rprocd {opt} {value}: {p.returncode} {p.stderr}')
    # the offline commands take their own options when they come first
    p = env.ctl('describe', '--dtb', env.dtb, '--json', check_rc=0)
    check(json.loads(p.stdout)['rprocs'], f'describe --json: {p.stdout[:200]}')

TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
