#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Figures 2-7: rprocd on a private dbus-daemon with the simulated SoC (tests/bench/README.md).

    bench-daemon.py FIGURE...     FIGURE: cpu parallel startup footprint queries scaling

The daemon runs as the integration tests run it (tests/integration/harness.py: a private bus, a
fake service manager); the timed parts that Python would blur run in bench-client.  Every
figure prints its reference measured in the same run.  Exit 77 when the daemon cannot run here.
"""
import json
import os
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

from harness import CORES, MANAGER, RPROC_PREFIX, Env, Failure, check

IFACE = 'org.rprocd1.RemoteProc'
IMAGE_SIZE = '6300K'  # an SA8775p DSP image is about this size (6.3 MiB)
SIM_DSP_THREAD = 'rproc-sim-dsp'  # the simulator's DSP model (lib/backend/sim/sim-dsp.c)
NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)


# ---- output ------------------------------------------------------------------------------

def stats(values):
    v = sorted(values)
    return statistics.median(v), v[0], v[-1], len(v)


def report(fig, what, measured, reference, values, op, target, label='ratio', fmt='{:.2f}'):
    """One figure line, as bench.h's bench_report() prints it; returns whether it was met."""
    med, lo, hi, n = stats(values)
    met = {'>=': med >= target, '<=': med <= target, '<': med < target}[op]
    f = fmt.format
    print(f'figure {fig:<3} {what}: {measured} | reference {reference} | {label} {f(med)} '
          f'[{f(lo)}-{f(hi)}, n={n}] | target {op} {f(target)} | {"MET" if met else "MISSED"}',
          flush=True)
    return met


def info(fig, what, text):
    print(f'figure {fig:<3} {what}: {text}', flush=True)


# ---- the daemon's CPU time, exited threads included (taskstats) ---------------------------

class TaskStats:
    """Generic-netlink TASKSTATS: cpu_run_virtual_total of a thread group, in ns, including the
    threads that have exited (the lifecycle's workers do).  Needs CAP_NET_ADMIN."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
        self.sock.bind((0, 0))
        self.seq = 0
        reply = self._request(0x10, 3, self._attr(2, b'TASKSTATS\0'))  # CTRL_CMD_GETFAMILY
        self.family = struct.unpack('H', self._attrs(reply)[1][:2])[0]

    @staticmethod
    def _attr(kind, payload):
        a = struct.pack('HH', 4 + len(payload), kind) + payload
        return a + b'\0' * (-len(a) % 4)

    @staticmethod
    def _attrs(buf):
        out, i = {}, 0
        while i + 4 <= len(buf):
            length, kind = struct.unpack('HH', buf[i:i + 4])
            if length < 4:
                break
            out[kind & 0x3fff] = buf[i + 4:i + length]
            i += (length + 3) & ~3
        return out

    def _request(self, family, cmd, payload):
        self.seq += 1
        msg = struct.pack('BBH', cmd, 1, 0) + payload
        self.sock.send(struct.pack('IHHII', 16 + len(msg), family, 1, self.seq, 0) + msg)
        data = self.sock.recv(65536)
        length, kind = struct.unpack('IH', data[:6])
        if kind == 2:  # NLMSG_ERROR
            raise OSError(-struct.unpack('i', data[16:20])[0], 'taskstats')
        return data[20:length]

    def cpu_ns(self, pid):
        reply = self._attrs(self._request(self.family, 1, self._attr(2, struct.pack('I', pid))))
        for nested in reply.values():
            inner = self._attrs(nested)
            if 3 in inner:  # TASKSTATS_TYPE_STATS: cpu_run_virtual_total at offset 72
                return struct.unpack_from('Q', inner[3], 72)[0]
        raise OSError('taskstats: no statistics in the reply')


def thread_cpu_ns(pid, comm):
    """CPU time of the live threads of @pid named @comm (schedstat, ns)."""
    total = 0
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/comm') as f:
                if f.read().strip() != comm:
                    continue
            with open(f'/proc/{pid}/task/{tid}/schedstat') as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


# ---- environment -------------------------------------------------------------------------

class BenchEnv(Env):
    """The integration harness with images of a real DSP's size and the daemon at its default
    log level (debug lines would be CPU the service does not spend)."""

    def make_firmware(self):
        d = os.path.join(self.fwdir, 'qcom', 'sa8775p')
        os.makedirs(d)
        self.images = {}
        for i, core in enumerate(CORES):
            out = os.path.join(d, core + '.mbn')
            p = subprocess.run([self.mkfw, '-o', out, '--seed', str(i + 1), '--size', IMAGE_SIZE,
                                '--segments', '12', '--describe'], check=True,
                               capture_output=True, text=True)
            os.chmod(out, 0o644)
            self.images[core] = json.loads(p.stdout)

    def daemon_argv(self, extra=()):
        argv = super().daemon_argv(extra)
        i = argv.index('--log-level')
        return argv[:i] + argv[i + 2:]

    def placed_bytes(self, core='adsp'):
        return sum(s['memsz'] for s in self.images[core]['segments'] if s['loadable'])


def client(*args, stdin=None):
    return subprocess.run([os.environ['BENCH_CLIENT']] + [str(a) for a in args], check=True,
                          capture_output=True, text=True, stdin=stdin).stdout


def words(line):
    return {k: float(v) for k, v in (w.split('=') for w in line.split())}


def memcpy_seconds(nbytes):
    """(hot, cold): memcpy() of @nbytes between buffers just touched, and evicted first."""
    w = words(client('memcpy', nbytes))
    return w['seconds'], w['cold']


def call(env, conn, core, method):
    r = env.call(conn, RPROC_PREFIX + core, IFACE, method)
    check(r[0] == 'ok', f'{method} {core}: {r}')


def start_parallel(env, cores):
    """Start @cores at once (one connection each, as independent clients would); wall seconds
    until every Start has returned (the core is running)."""
    conns = [env.conn() for _ in cores]
    errors = []

    def one(conn, core):
        try:
            call(env, conn, core, 'Start')
        except Exception as e:  # reported below, in the main thread
            errors.append(e)

    threads = [threading.Thread(target=one, args=(c, n)) for c, n in zip(conns, cores)]
    t = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t = time.monotonic() - t
    for c in conns:
        env.conns.remove(c)
        c.close()
    if errors:
        raise errors[0]
    return t


def stop_all(env, conn, cores=CORES):
    for c in cores:
        call(env, conn, c, 'Stop')


# ---- figure 2: CPU per start --------------------------------------------------------------

def fig_cpu(env):
    """rprocd's CPU for one start (all its threads, TrustZone's hashing off) / memcpy of the
    image's bytes."""
    try:
        ts = TaskStats()
    except OSError as e:
        info('2', 'cpu per start', f'SKIP: taskstats unavailable ({e}); needs CAP_NET_ADMIN')
        return
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=auth_hash=0;ready_delay_ms=5\n')
    env.start_daemon()
    conn = env.conn()
    pid = env.daemon.pid
    nbytes = env.placed_bytes('adsp')
    # the first start gives the simulated RAM its pages: a cost real RAM does not have
    call(env, conn, 'adsp', 'Start')
    call(env, conn, 'adsp', 'Stop')
    cpu, dsp, hot, cold, ratios = [], [], [], [], []
    for _ in range(9):
        h, c = memcpy_seconds(nbytes)
        c0, d0 = ts.cpu_ns(pid), thread_cpu_ns(pid, SIM_DSP_THREAD)
        call(env, conn, 'adsp', 'Start')
        c1, d1 = ts.cpu_ns(pid), thread_cpu_ns(pid, SIM_DSP_THREAD)
        timings = env.get(conn, 'adsp', 'Timings')
        call(env, conn, 'adsp', 'Stop')
        dsp.append((d1 - d0) / 1e9)
        cpu.append((c1 - c0) / 1e9 - dsp[-1])
        hot.append(h)
        cold.append(c)
        ratios.append(cpu[-1] / c)
    report('2', f'cpu per start ({nbytes / 2**20:.1f} MiB image)',
           f'{statistics.median(cpu) * 1e3:.2f} ms CPU',
           f'memcpy {statistics.median(cold) * 1e3:.2f} ms (caches cold as for a start; hot '
           f'{statistics.median(hot) * 1e3:.2f} ms)', ratios, '<=', 1.3)
    info('2', 'not counted', f'the simulated DSPs\' thread: {statistics.median(dsp) * 1e3:.2f} ms '
         'per start (the DSP reads its image; on a board that is the DSP\'s work)')
    info('2', 'last start', 'firmware {} us, load {} us, auth {} us, ready {} us, total {} us'
         .format(*timings[:5]))


# ---- figure 3: five cores at once ---------------------------------------------------------

def get_latency_client(env):
    """Get, one at a time, until its stdin closes."""
    return subprocess.Popen([os.environ['BENCH_CLIENT'], 'get', env.address, 'org.rprocd1',
                             RPROC_PREFIX + 'adsp', IFACE, 'State', '0'],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def fig_parallel(env):
    """Five starts at once / one start, with a 300 ms DSP ready delay and TrustZone's time as a
    delay; Get latency while they run, against Get latency with nothing running."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=auth_hash=0;auth_us_per_mib=2000;'
                     'ready_delay_ms=300\n')
    env.start_daemon()
    conn = env.conn()
    start_parallel(env, CORES)  # warm: the simulated RAM gets its pages
    stop_all(env, conn)
    ratios, one, five, p99, idle_p99, med = [], [], [], [], [], []
    for _ in range(3):
        idle = words(client('get', env.address, 'org.rprocd1', RPROC_PREFIX + 'adsp', IFACE,
                            'State', 0.3))
        idle_p99.append(idle['p99_us'] / 1e3)
        one.append(start_parallel(env, ['adsp']))
        stop_all(env, conn, ['adsp'])
        lat = get_latency_client(env)
        five.append(start_parallel(env, CORES))
        out, _ = lat.communicate('')
        busy = words(out)
        p99.append(busy['p99_us'] / 1e3)
        med.append(busy['median_us'] / 1e3)
        stop_all(env, conn)
        ratios.append(five[-1] / one[-1])
    report('3', 'parallel boot, 5 cores', f'{statistics.median(five) * 1e3:.0f} ms',
           f'one core {statistics.median(one) * 1e3:.0f} ms', ratios, '<=', 1.3)
    report('3', 'Get p99 during the boots', f'median {statistics.median(med):.2f} ms',
           f'p99 idle {statistics.median(idle_p99):.2f} ms', p99, '<', 5.0, label='p99 ms')


# ---- figure 4: exec to READY=1 -----------------------------------------------------------

def exec_times(*args):
    return [float(x) for x in client(*args).split()]


def fig_startup(env):
    """exec -> READY=1 with five cores and no auto-start, against exec -> exit of
    rprocd --version; then with auto-start, where READY=1 must not wait for the cores."""
    env.write_config(NO_AUTOSTART)
    sock = os.path.join(env.dir, 'notify-bench')
    argv = env.daemon_argv()
    ready, version, ratios = [], [], []
    for _ in range(4):  # alternate, 4 x 5 runs each; one ratio of medians per block
        r = exec_times('exec-ready', 5, sock, '--', *argv)
        v = exec_times('exec-exit', 5, '--', env.rprocd, '--version')
        ready += r
        version += v
        ratios.append(statistics.median(r) / statistics.median(v))
    report('4', 'exec to READY=1, no auto-start', f'median {statistics.median(ready):.1f} ms',
           f'rprocd --version {statistics.median(version):.1f} ms', ready, '<=', 20.0,
           label='ms', fmt='{:.1f}')
    report('4', 'exec to READY=1 / --version', f'median {statistics.median(ready):.1f} ms',
           f'rprocd --version {statistics.median(version):.1f} ms', ratios, '<=', 2.0)
    env.write_config('[Daemon]\nSimulationConfig=auth_hash=0;auth_us_per_mib=2000;'
                     'ready_delay_ms=300\n')
    auto = exec_times('exec-ready', 5, sock, '--', *argv)
    report('4', 'exec to READY=1, five cores auto-starting (300 ms each)',
           f'median {statistics.median(auto):.1f} ms',
           f'no auto-start {statistics.median(ready):.1f} ms', auto, '<=', 20.0, label='ms',
           fmt='{:.1f}')


# ---- figure 5: footprint ------------------------------------------------------------------

def smaps(pid):
    """[(start, end, name, {field: kB})] of /proc/PID/smaps."""
    maps, cur = [], None
    with open(f'/proc/{pid}/smaps') as f:
        for line in f:
            m = re.match(r'^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$', line)
            if m:
                cur = (int(m.group(1), 16), int(m.group(2), 16), m.group(3), {})
                maps.append(cur)
            elif cur and line.endswith(' kB\n'):
                k, v = line.split(':', 1)
                cur[3][k] = int(v.split()[0])
    return maps


def is_anon(name):
    return name == '' or (name.startswith('[') and name not in ('[vdso]', '[vvar]', '[vsyscall]'))


def samples(env, per_core=8, size=64):
    """Windows of firmware bytes to look for on the heap: the first and the last bytes of every
    segment's file data (where a header read or a bounce buffer would leave them) and a few
    at random."""
    rnd = random.Random(7)
    out = []
    for core, d in env.images.items():
        with open(d['path'], 'rb') as f:
            data = f.read()
        segs = [s for s in d['segments'] if s['loadable'] and s['filesz'] >= 4096]
        for s in segs:
            out.append(data[s['offset']:s['offset'] + size])
            out.append(data[s['offset'] + s['filesz'] - size:s['offset'] + s['filesz']])
        for _ in range(per_core):
            s = rnd.choice(segs)
            off = s['offset'] + rnd.randrange(0, s['filesz'] - size)
            out.append(data[off:off + size])
    return out


def heap_hits(pid, maps, needles):
    hits = 0
    with open(f'/proc/{pid}/mem', 'rb', buffering=0) as mem:
        for start, end, name, fields in maps:
            if not is_anon(name) or not fields.get('Rss'):
                continue
            try:
                mem.seek(start)
                data = mem.read(end - start)
            except OSError:
                continue
            hits += sum(1 for n in needles if n in data)
    return hits


def sim_ram_mib(pid):
    """What the simulated SoC's memfd holds (its pages, mapped or not)."""
    for fd in os.listdir(f'/proc/{pid}/fd'):
        try:
            if 'memfd:rproc-sim' in os.readlink(f'/proc/{pid}/fd/{fd}'):
                return os.stat(f'/proc/{pid}/fd/{fd}').st_blocks * 512 / 2**20
        except OSError:
            pass
    return 0.0


def switches(pid):
    n = 0
    for tid in os.listdir(f'/proc/{pid}/task'):
        try:
            with open(f'/proc/{pid}/task/{tid}/status') as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        n += int(line.split()[1])
        except OSError:
            pass
    return n


def fig_footprint(env):
    """Anonymous private dirty memory with five cores running (the simulated RAM apart), firmware
    bytes left on the heap, wakeups over 10 s idle."""
    env.write_config('[Daemon]\nSimulationConfig=ready_delay_ms=5\n')
    env.start_daemon()
    conn = env.conn()
    for c in CORES:
        env.wait_state(conn, c, 'running')
    pid = env.daemon.pid
    time.sleep(0.5)
    maps = smaps(pid)
    anon = sum(f.get('Private_Dirty', 0) for _, _, n, f in maps if is_anon(n)) / 1024
    sim = sim_ram_mib(pid)
    report('5', 'anonymous private dirty, 5 cores running', f'{anon:.2f} MiB',
           f'simulated SoC RAM {sim:.1f} MiB (not counted)', [anon], '<=', 2.0, label='MiB')
    needles = samples(env)
    hits = heap_hits(pid, maps, needles)
    report('5', 'firmware bytes on the heap after the starts', f'{hits} of {len(needles)} samples',
           'the images\' segment bytes', [hits], '<=', 0, label='found', fmt='{:.0f}')
    conn.close()
    env.conns.remove(conn)
    time.sleep(0.5)
    n0 = switches(pid)
    time.sleep(10)
    n = switches(pid) - n0
    report('5', 'wakeups in 10 s idle', f'{n} context switches', 'none expected', [n], '<=', 0,
           label='wakeups', fmt='{:.0f}')


# ---- figure 6: status queries -------------------------------------------------------------

def fig_queries(env):
    """Get / GetAll per second from one connection, against the bus driver's own Get in the
    same run; rprocctl status against busctl get-property."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    call(env, conn, 'adsp', 'Start')
    path = RPROC_PREFIX + 'adsp'
    bus = ('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus')
    get, getall, driver, sync = [], [], [], []
    for _ in range(3):
        driver.append(words(client('get', env.address, *bus, 'Features', 1, 32))['rate'])
        get.append(words(client('get', env.address, 'org.rprocd1', path, IFACE, 'State', 1,
                                32))['rate'])
        getall.append(words(client('getall', env.address, 'org.rprocd1', path, IFACE, 1,
                                   32))['rate'])
        sync.append(words(client('get', env.address, 'org.rprocd1', path, IFACE, 'State', 0.5)))
    d = statistics.median(driver)
    report('6', 'Get per second, one connection, 32 in flight', f'{statistics.median(get):.0f}/s',
           f'bus driver Get {d:.0f}/s', get, '>=', 10000, label='calls/s', fmt='{:.0f}')
    report('6', 'GetAll per second, one connection, 32 in flight',
           f'{statistics.median(getall):.0f}/s', f'bus driver Get {d:.0f}/s', getall, '>=',
           10000, label='calls/s', fmt='{:.0f}')
    info('6', 'Get one at a time', '{:.0f}/s, latency median {:.0f} us, p99 {:.0f} us'.format(
        statistics.median(s['rate'] for s in sync),
        statistics.median(s['median_us'] for s in sync),
        statistics.median(s['p99_us'] for s in sync)))
    status, busctl, ratios = [], [], []
    for _ in range(4):  # alternate, 4 x 5 runs each; one ratio of medians per block
        s = exec_times('exec-exit', 5, '--', env.rprocctl, 'status', 'adsp')
        b = exec_times('exec-exit', 5, '--', shutil.which('busctl'), f'--address={env.address}',
                       'get-property', 'org.rprocd1', path, IFACE, 'State')
        status += s
        busctl += b
        ratios.append(statistics.median(s) / statistics.median(b))
    report('6', 'rprocctl status adsp', f'{statistics.median(status):.1f} ms',
           f'busctl get-property {statistics.median(busctl):.1f} ms', ratios, '<=', 2.0)


# ---- figure 7: scaling ---------------------------------------------------------------------

SCALE_SIZES = (1, 5, 32, 128)


def least_squares(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def anon_mib(pid):
    return sum(f.get('Private_Dirty', 0) for _, _, n, f in smaps(pid) if is_anon(n)) / 1024


def scale_run(env, ts, n):
    """One tree of @n cores (bench-scale-N.dtb, every node the same compatible, PAS ids from
    pas_id= and PasId=): the median CPU of a start (cores started one after the other, at
    least 16 starts), memory idle and with all running, ListRemoteProcs."""
    names = [f'dsp{k}' for k in range(n)]
    env.dtb = os.path.join(os.environ['BENCH_TREES'], f'bench-scale-{n}.dtb')
    fw = os.path.join(env.fwdir, 'bench')
    os.makedirs(fw, exist_ok=True)
    for k, name in enumerate(names):
        out = os.path.join(fw, name + '.mbn')
        if not os.path.exists(out):
            subprocess.run([env.mkfw, '-o', out, '--seed', str(k + 1), '--size', '1M',
                            '--segments', '4'], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    simconf = os.path.join(env.dir, f'sim-{n}.conf')
    with open(simconf, 'w') as f:
        f.write('auth_hash=0\nready_delay_ms=5\n')
        f.writelines(f'pas_id={name}:{100 + k}\n' for k, name in enumerate(names))
    env.write_config(f'[Daemon]\nSimulationConfig=@{simconf}\n' +
                     ''.join(f'[RemoteProc:{name}]\nAutoStart=no\nPasId={100 + k}\n'
                             for k, name in enumerate(names)))
    ready = statistics.median(exec_times('exec-ready', 3, os.path.join(env.dir, 'notify-bench'),
                                         '--', *env.daemon_argv()))
    env.start_daemon()
    pid = env.daemon.pid
    conn = env.conn()
    idle = anon_mib(pid)
    # the first start of each core gives the simulated RAM its pages: not measured
    for name in names:
        call(env, conn, name, 'Start')
    for name in names:
        call(env, conn, name, 'Stop')
    cpu = []
    while len(cpu) < 16:  # at least 16 starts, every core started once per round
        if cpu:
            for name in names:
                call(env, conn, name, 'Stop')
        for name in names:
            c0 = ts.cpu_ns(pid)
            call(env, conn, name, 'Start')
            cpu.append((ts.cpu_ns(pid) - c0) / 1e9)
    running = anon_mib(pid)
    listing = words(client('call', env.address, MANAGER, 'org.rprocd1.Manager', 'ListRemoteProcs',
                           200))
    env.conns.remove(conn)
    conn.close()
    env.stop_daemon()
    return (statistics.median(cpu), idle, running, listing['median_us'] / 1e3,
            listing['p99_us'] / 1e3, ready)


def fig_scaling(env):
    """Per-core start cost and memory over trees of 1, 5, 32 and 128 PAS nodes, and
    ListRemoteProcs with 128 cores against one."""
    try:
        ts = TaskStats()
    except OSError as e:
        info('7', 'scaling', f'SKIP: taskstats unavailable ({e}); needs CAP_NET_ADMIN')
        return
    res = {}
    for n in SCALE_SIZES:
        res[n] = scale_run(env, ts, n)
        cpu, idle, running, lmed, lp99, ready = res[n]
        info('7', f'{n:3} cores', f'CPU per start {cpu * 1e3:.2f} ms, anonymous dirty {idle:.2f} '
             f'MiB idle / {running:.2f} MiB running, ListRemoteProcs {lmed:.2f} ms '
             f'(p99 {lp99:.2f}), exec to READY=1 {ready:.1f} ms')
    ns = list(SCALE_SIZES)
    cpu = [res[n][0] for n in ns]
    report('7', 'CPU per start, 128 cores / 1', f'{cpu[-1] * 1e3:.2f} ms at 128 (slope '
           f'{least_squares(ns, cpu) * 1e6:+.2f} us per core)', f'{cpu[0] * 1e3:.2f} ms at 1',
           [cpu[-1] / cpu[0]], '<=', 1.2)
    run = [res[n][2] for n in ns]
    low, high = (run[1] - run[0]) / 4, (run[3] - run[2]) / 96
    report('7', 'memory per running core, 32->128 / 1->5', f'{high * 1024:.1f} KiB per core '
           f'(slope {least_squares(ns, run) * 1024:.1f} KiB per core)',
           f'{low * 1024:.1f} KiB per core', [high / low if low > 0 else float('inf')], '<=', 1.2)
    report('7', 'ListRemoteProcs, 128 cores', f'median {res[128][3]:.2f} ms',
           f'one core {res[1][3]:.2f} ms', [res[128][3]], '<', 5.0, label='ms')
    info('7', 'start-up', f'exec to READY=1 with 128 cores {res[128][5]:.1f} ms, with one '
         f'{res[1][5]:.1f} ms: {(res[128][5] - res[1][5]) / 127 * 1e3:.0f} us per core (no target)')


FIGURES = {'cpu': fig_cpu, 'parallel': fig_parallel, 'startup': fig_startup,
           'footprint': fig_footprint, 'queries': fig_queries, 'scaling': fig_scaling}


def main():
    names = sys.argv[1:] or list(FIGURES)
    if not os.environ.get('BENCH_CLIENT'):
        print('SKIP: BENCH_CLIENT not set')
        sys.exit(77)
    for tool in ('dbus-daemon', 'busctl'):
        if not shutil.which(tool):
            print(f'SKIP: no {tool} here (install dbus and systemd)')
            sys.exit(77)
    failed = 0
    for name in names:
        env = BenchEnv('bench-' + name)
        try:
            FIGURES[name](env)
            rc = env.close()
            if rc not in (None, 0):
                raise Failure(f'rprocd exited with {rc}')
        except Exception as e:
            failed += 1
            print(f'{name}: cannot measure: {type(e).__name__}: {e}')
            print(env.read_log()[-3000:])
            try:
                env.close()
            except Exception:
                pass
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
