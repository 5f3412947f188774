#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Soak: rprocd on the simulated SoC through many cycles, and under a flood of D-Bus clients.

  cycles   start/stop cycles of every core at once (one client per core)
  crashes  crash/restart cycles of every core (each boot crashes shortly after ready), then
           crash/recovery cycles on the recovery timer
  flood    many clients at once: reads, Start/Stop/Restart/SetFirmware on random cores; at
           the end every view of the state agrees and the simulated SoC holds nothing more
           than the running cores

Each test prints one line of figures (RSS and fds of rprocd before and after, cycles, Get
latency percentiles) and fails when rprocd's fds grow, its RSS keeps growing in the second
half of the run, or a state is inconsistent.  The defaults keep each test to a few tens of
seconds; RPROCD_SOAK_SCALE=N multiplies the cycle counts and durations (tests/README.md has
figures of long runs).
"""
import json
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from harness import CORES, MANAGER, RPROC_PREFIX, TIMEOUT, Failure, check, run  # noqa: E402
from test_rprocd import sim_leftovers  # noqa: E402

SCALE = float(os.environ.get('RPROCD_SOAK_SCALE', '1'))
IFACE = 'org.rprocd1.RemoteProc'
NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)
# KiB the resident set may still grow in the second half of a run (allocator arenas and
# caches settle in the first half; a leak of a few hundred bytes per cycle does not)
RSS_SLACK_KIB = 768


def proc_usage(pid):
    """(RSS in KiB, open fds) of @pid."""
    with open(f'/proc/{pid}/status') as f:
        rss = next(int(ln.split()[1]) for ln in f if ln.startswith('VmRSS:'))
    return rss, len(os.listdir(f'/proc/{pid}/fd'))


class Usage:
    """Samples of rprocd's RSS and fds: after the warm-up, at half-time and at the end."""

    def __init__(self, env):
        self.pid = env.daemon.pid
        self.samples = {}

    def sample(self, label):
        self.samples[label] = proc_usage(self.pid)

    def check_flat(self, what):
        (r0, f0), (r1, f1), (r2, f2) = (self.samples[k] for k in ('start', 'half', 'end'))
        check(f2 <= f0, f'{what}: rprocd fds {f0} -> {f1} -> {f2}')
        check(r2 - r1 <= RSS_SLACK_KIB,
              f'{what}: rprocd RSS {r0} -> {r1} -> {r2} KiB: still growing after half-time')

    def figures(self):
        (r0, f0), (r2, f2) = self.samples['start'], self.samples['end']
        return {'rss_kib': [r0, self.samples['half'][0], r2], 'fds': [f0, f2]}


def percentile(values, p):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))]


def report(name, figures):
    print(f'SOAK {name} ' + json.dumps(figures, sort_keys=True))


def call_ok(env, conn, core, method, sig=None, body=()):
    r = env.call(conn, RPROC_PREFIX + core, IFACE, method, sig, body)
    check(r[0] == 'ok', f'{core}.{method}: {r}\n{env.read_log()[-3000:]}')


def per_core(fn):
    """Run fn(core) on one thread per core; re-raise the first failure."""
    errors = []

    def wrap(core):
        try:
            fn(core)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f'{core}: {type(e).__name__}: {e}')

    threads = [threading.Thread(target=wrap, args=(c,)) for c in CORES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(not errors, '; '.join(errors))


def test_cycles(env):
    """N start/stop cycles of all five cores at once: fds and RSS flat."""
    n = max(4, int(300 * SCALE))
    env.write_config(NO_AUTOSTART)
    env.start_daemon(extra=['--log-level', 'notice'])
    usage = Usage(env)
    conns = {c: env.conn() for c in CORES}

    def cycles(count):
        def one(core):
            for _ in range(count):
                call_ok(env, conns[core], core, 'Start')
                call_ok(env, conns[core], core, 'Stop')
        per_core(one)

    cycles(3)  # warm-up: threads, arenas, the bus's buffers
    usage.sample('start')
    t0 = time.monotonic()
    cycles(n // 2)
    usage.sample('half')
    cycles(n - n // 2)
    secs = time.monotonic() - t0
    usage.sample('end')
    left = sim_leftovers(env.describe(env.conn())['simulator'])
    check(not left, f'the simulated SoC holds nothing after {n} cycles: {left}')
    usage.check_flat('start/stop cycles')
    report('cycles', dict(usage.figures(), cycles=n, cores=len(CORES),
                          seconds=round(secs, 1)))


def wait_crashes(env, conn, core, count, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while env.get(conn, core, 'CrashCount') < count:
        check(time.monotonic() < end, f'{core}: crash {count} within {timeout}s')
        time.sleep(0.005)


def test_crashes(env):
    """Every boot crashes 20 ms after ready: N crash/restart cycles of all five cores, then
    crash/recovery on the recovery timer; fds and RSS flat."""
    n = max(4, int(200 * SCALE))
    recovery_secs = max(3, int(8 * SCALE))
    crash = ';'.join(f'crash={c}:fatal:20:0' for c in CORES)
    base = f'[Daemon]\nSimulationConfig={crash}\nCoredumpDirectory=\n'
    env.write_config(base + ''.join(f'[RemoteProc:{c}]\nAutoStart=no\nRecovery=no\n'
                                    for c in CORES))
    env.start_daemon(extra=['--log-level', 'notice'])
    usage = Usage(env)
    conns = {c: env.conn() for c in CORES}

    def cycles(count):
        def one(core):
            conn = conns[core]
            for _ in range(count):
                seen = env.get(conn, core, 'CrashCount')
                while True:  # a crash still being handled answers Busy: try again
                    r = env.call(conn, RPROC_PREFIX + core, IFACE, 'Start')
                    if r[0] == 'ok':
                        break
                    check(r[1] in ('org.rprocd1.Error.Busy', 'org.rprocd1.Error.StartFailed'),
                          f'{core}.Start: {r}')
                    time.sleep(0.005)
                wait_crashes(env, conn, core, seen + 1)
        per_core(one)

    cycles(2)
    usage.sample('start')
    t0 = time.monotonic()
    cycles(n // 2)
    usage.sample('half')
    cycles(n - n // 2)
    usage.sample('end')
    secs = time.monotonic() - t0
    usage.check_flat('crash/restart cycles')
    manual = {c: env.get(conns[c], c, 'CrashCount') for c in CORES}

    # the recovery timer restarts them now (one crash a second per core: the window is 1 s)
    env.write_config(base + ''.join(f'[RemoteProc:{c}]\nAutoStart=no\nRecovery=yes\n'
                                    f'RestartLimit=0\nRestartWindowSec=1\n' for c in CORES))
    env.ctl('reload', check_rc=0)
    time.sleep(1.5)  # the crashes above leave the window: no back-off
    per_core(lambda c: env.call(conns[c], RPROC_PREFIX + c, IFACE, 'Start'))
    time.sleep(recovery_secs)
    recovered = {c: env.get(conns[c], c, 'CrashCount') - manual[c] for c in CORES}
    check(all(v >= recovery_secs // 2 for v in recovered.values()),
          f'recovery restarted every core about once a second: {recovered}')
    # idle again (a start holds its image open): stop them, then count
    env.write_config(base + NO_AUTOSTART)
    env.ctl('reload', check_rc=0)
    for c in CORES:
        end = time.monotonic() + TIMEOUT
        while env.get(conns[c], c, 'State') != 'offline':
            check(time.monotonic() < end, f'{c} stops')
            env.call(conns[c], RPROC_PREFIX + c, IFACE, 'Stop')
            time.sleep(0.01)
    rss, fds = proc_usage(env.daemon.pid)
    check(fds <= usage.samples['start'][1], f'fds after the recovery cycles: {fds}')
    report('crashes', dict(usage.figures(), cycles=n, cores=len(CORES), seconds=round(secs, 1),
                           recovery_cycles=sum(recovered.values()),
                           rss_after_recovery_kib=rss))


def settled(env, conn):
    """Every core's state, once none is starting or stopping."""
    end = time.monotonic() + TIMEOUT
    while True:
        states = {c: env.get(conn, c, 'State') for c in CORES}
        if not any(s in ('starting', 'stopping') for s in states.values()):
            return states
        check(time.monotonic() < end, f'settled within {TIMEOUT}s: {states}')
        time.sleep(0.05)


def test_flood(env):
    """Many clients at once for a while; then every view of the state agrees."""
    clients = int(os.environ.get('RPROCD_SOAK_CLIENTS', '20'))
    secs = max(3.0, 15 * SCALE)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=ready_delay_ms=5\n')
    env.start_daemon(extra=['--log-level', 'notice'])
    usage = Usage(env)
    conn = env.conn()
    env.ctl('start', *CORES, check_rc=0)  # warm-up
    env.ctl('stop', *CORES, check_rc=0)
    usage.sample('start')
    stop_at = time.monotonic() + secs
    lat, counts, errors, lock = [], {}, [], threading.Lock()
    names = ['qcom/sa8775p/%s.mbn' % c for c in CORES]

    def client(seed):
        rnd = random.Random(seed)
        c = env.conn()
        mine, my_counts = [], {}
        try:
            while time.monotonic() < stop_at:
                core = rnd.choice(CORES)
                op = rnd.choices(['get', 'getall', 'describe', 'list', 'enqueue', 'start',
                                  'stop', 'restart', 'setfw'],
                                 [50, 10, 4, 6, 12, 6, 6, 3, 3])[0]
                path = RPROC_PREFIX + core
                t = time.perf_counter()
                if op == 'get':
                    r = env.call(c, path, 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                                 (IFACE, rnd.choice(['State', 'Phase', 'CrashCount',
                                                     'LastError', 'Progress'])))
                    mine.append(time.perf_counter() - t)
                elif op == 'getall':
                    r = env.call(c, path, 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                                 (IFACE,))
                elif op == 'describe':
                    r = env.call(c, MANAGER, 'org.rprocd1.Manager', 'Describe')
                elif op == 'list':
                    r = env.call(c, MANAGER, 'org.rprocd1.Manager', 'ListRemoteProcs')
                elif op == 'enqueue':
                    r = env.call(c, path, IFACE, 'Enqueue', 's',
                                 (rnd.choice(['start', 'stop', 'restart']),))
                elif op == 'setfw':
                    r = env.call(c, path, IFACE, 'SetFirmware', 's', (rnd.choice(names),))
                else:
                    r = env.call(c, path, IFACE, op.capitalize())
                key = op if r[0] == 'ok' else f'{op}:{r[1]}'
                my_counts[key] = my_counts.get(key, 0) + 1
                if r[0] != 'ok' and r[1] not in ('org.rprocd1.Error.Busy',
                                                 'org.rprocd1.Error.StartFailed'):
                    raise Failure(f'{op} {core}: {r}')
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(f'client {seed}: {type(e).__name__}: {e}')
        with lock:
            lat.extend(mine)
            for k, v in my_counts.items():
                counts[k] = counts.get(k, 0) + v

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(secs / 2)
    usage.sample('half')
    for t in threads:
        t.join()
    check(not errors, '; '.join(errors[:5]))

    # consistency: the property, the list, Describe(), rprocctl and the simulated SoC agree
    states = settled(env, conn)
    listed = {n: s for n, s, _ in
              env.call(conn, MANAGER, 'org.rprocd1.Manager', 'ListRemoteProcs')[1][0]}
    d = env.describe(conn)
    described = {r['name']: r['state'] for r in d['rprocs']}
    ctl = {r['name']: r['state'] for r in json.loads(env.ctl('list', '--json').stdout)['rprocs']}
    check(states == listed == described == ctl,
          f'states agree: Get {states}, List {listed}, Describe {described}, rprocctl {ctl}')
    running = sum(s == 'running' for s in states.values())
    left = sim_leftovers(d['simulator'], running=running)
    check(not left, f'the simulated SoC holds what {running} running cores hold: {left}')
    for c in CORES:
        fw = env.get(conn, c, 'Firmware')
        check(fw in names, f'{c}: Firmware {fw!r} is one a client set')
    env.ctl('stop', *CORES, check_rc=0)
    left = sim_leftovers(env.describe(conn)['simulator'])
    check(not left, f'nothing held once all are stopped: {left}')
    usage.sample('end')
    usage.check_flat('flood')
    ms = [x * 1000 for x in lat]
    report('flood', dict(usage.figures(), clients=clients, seconds=secs,
                         calls=sum(counts.values()), gets=len(ms),
                         get_ms={'p50': round(percentile(ms, 50), 3),
                                 'p99': round(percentile(ms, 99), 3),
                                 'max': round(max(ms) if ms else 0, 3),
                                 'mean': round(statistics.mean(ms) if ms else 0, 3)},
                         final=states))


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
