#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What must not wedge or take down rprocd (one test per argument, see meson.build):

  fifo_firmware  a FIFO as the image or as a .bNN: refused at once (it blocked the worker)
  stuck_start    a start stuck in a call that does not return: Stop() ends it within
                 StopTimeoutSec=, SIGTERM exits within StopTimeoutSec= + 5 s, the next
                 rprocd releases what the start held and the core boots again
  bad_config     a configuration that exists but cannot be read (a FIFO, NUL bytes, too large,
                 a directory): the start stops, Reload() keeps the configuration in use
  bad_nodes      trees with bad nodes (tests/fixtures/overlap.dts, broken-node.dts,
                 absurd.dts): the good cores work, the others are failed with the reason
  inspect_fifo   rprocctl inspect of a FIFO: refused at once
"""
import json
import os
import signal
import subprocess
import time

from harness import CORES, RPROC_PREFIX, TIMEOUT, Failure, check, run

NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)
IFACE = 'org.rprocd1.RemoteProc'
# what "at once" means here: a call that used to block for ever must be answered in this
QUICK = 10


def quick_call(env, conn, core, method, sig=None, body=()):
    t0 = time.monotonic()
    try:
        r = env.call(conn, RPROC_PREFIX + core, IFACE, method, sig, body, timeout=QUICK)
    except TimeoutError:
        raise Failure(f'{core}.{method}() not answered within {QUICK} s (blocked?)') from None
    return r, time.monotonic() - t0


def test_fifo_firmware(env):
    """A FIFO named as firmware, or as one of a split image's .bNN files: Start() fails at
    once naming it; Stop() and SIGTERM still work."""
    qc = os.path.join(env.fwdir, 'qcom', 'sa8775p')
    os.mkfifo(os.path.join(qc, 'fifo.mbn'))
    subprocess.run([env.mkfw, '-o', os.path.join(qc, 'split.mdt'), '--size', '64K'], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bnn = sorted(f for f in os.listdir(qc) if f.startswith('split.b'))[-1]
    os.unlink(os.path.join(qc, bnn))
    os.mkfifo(os.path.join(qc, bnn))
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    # the .bNN first: nothing stat()s it before it is opened (the main image is looked up)
    for core, name, what in (('cdsp0', 'split.mdt', f'{bnn} is a FIFO, not a regular file'),
                             ('adsp', 'fifo.mbn', 'fifo.mbn (a FIFO, not a regular file)')):
        r, _ = quick_call(env, conn, core, 'SetFirmware', 's', ('qcom/sa8775p/' + name,))
        check(r[0] == 'ok', f'SetFirmware {name}: {r}')
        r, secs = quick_call(env, conn, core, 'Start')
        check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.StartFailed' and what in r[2],
              f'{core}: Start() of {name}: {r}')
        check(env.get(conn, core, 'State') == 'failed', f'{core} failed')
        r, _ = quick_call(env, conn, core, 'Stop')
        check(r[0] == 'ok', f'{core}: Stop(): {r}')
    env.ctl('start', 'cdsp1', check_rc=0)  # the others are unaffected
    t0 = time.monotonic()
    check(env.stop_daemon() == 0, 'rprocd exits 0 on SIGTERM')
    check(time.monotonic() - t0 < QUICK, 'and at once')


def test_stuck_start(env):
    """A start stuck in a call that does not return (AUTH_AND_RESET held for 10 minutes by
    the simulated TrustZone): Stop() ends it, a start is refused until the call returns, and
    SIGTERM exits within StopTimeoutSec= + 5 s, leaving the start to the next rprocd."""
    env.write_config(NO_AUTOSTART + '[Daemon]\nStopTimeoutSec=1\n'
                     'SimulationConfig=slow_auth_ms=600000\n')
    env.start_daemon()
    conn = env.conn()
    env.ctl('--no-block', 'start', 'adsp', check_rc=0)
    end = time.monotonic() + TIMEOUT
    while env.get(conn, 'adsp', 'Phase') != 'auth-and-reset':
        check(time.monotonic() < end, 'adsp reaches auth-and-reset')
        time.sleep(0.02)
    r, secs = quick_call(env, conn, 'adsp', 'Stop')
    check(r[0] == 'ok', f'Stop() of the stuck start: {r}')
    check(secs < 5, f'Stop() answered after {secs:.1f} s, StopTimeoutSec=1')
    state, err = env.get(conn, 'adsp', 'State'), env.get(conn, 'adsp', 'LastError')
    check(state == 'failed' and 'auth-and-reset has not returned' in err, f'{state}: {err}')
    check(env.get(conn, 'adsp', 'LastErrorStep') == 'auth-and-reset', 'the step')
    r, _ = quick_call(env, conn, 'adsp', 'Start')
    check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.Busy' and 'has not returned' in r[2],
          f'a start while the abandoned one has not returned: {r}')
    r, _ = quick_call(env, conn, 'adsp', 'SetFirmware', 's', ('qcom/sa8775p/cdsp0.mbn',))
    check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.Busy', f'SetFirmware: {r}')
    # the bus still answers, the other cores still work
    env.ctl('reload', check_rc=0)
    t0 = time.monotonic()
    env.daemon.send_signal(signal.SIGTERM)
    try:
        rc = env.daemon.wait(1 + 5 + 5)
    except subprocess.TimeoutExpired:
        raise Failure('rprocd did not exit within StopTimeoutSec= + 5 s of SIGTERM') from None
    secs = time.monotonic() - t0
    env.daemon = None
    check(rc == 1, f'exit status {rc}: a job did not end')
    log = env.read_log()
    check('adsp: the abandoned start did not end within 6000 ms of the exit (in '
          'auth-and-reset)' in log, log[-2000:])
    # the next rprocd releases what the start may hold
    env.conns.remove(conn)
    conn.close()
    env.write_config(NO_AUTOSTART)
    env.start_daemon(listen_fds=list(env.notify.fds))
    conn = env.conn()
    err = env.get(conn, 'adsp', 'LastError')
    check(env.get(conn, 'adsp', 'State') == 'failed' and err.startswith(
        'interrupted by a daemon restart during auth-and-reset'), f'adopted: {err}')
    # what the abandoned start held (metadata, votes, the bridged AUTH) was released: it boots
    env.ctl('start', 'adsp', check_rc=0)
    check(env.get(conn, 'adsp', 'State') == 'running', 'adsp boots after the adoption')
    env.ctl('start', 'cdsp0', check_rc=0)
    print(f'stop ended the stuck start; SIGTERM: exit {rc} after {secs:.1f} s')


def daemon_run(env, timeout=QUICK):
    """rprocd in the foreground until it exits: (exit status, output)."""
    try:
        p = subprocess.run(env.daemon_argv(), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f'rprocd still runs after {timeout} s (blocked reading its '
                      'configuration?)') from None
    return p.returncode, p.stdout + p.stderr


def test_bad_config(env):
    """A configuration file that cannot be read stops the start with the path and the reason
    (never the defaults, which would start every core); Reload() keeps the one in use."""
    cases = (('fifo', 'a FIFO, not a regular file'),
             ('nul', 'it contains a NUL byte'),
             ('big', 'larger than 1048576 bytes'),
             ('dir', 'a directory, not a regular file'))
    for kind, why in cases:
        os.unlink(env.config) if not os.path.isdir(env.config) else os.rmdir(env.config)
        if kind == 'fifo':
            os.mkfifo(env.config)
        elif kind == 'nul':
            with open(env.config, 'wb') as f:
                f.write(NO_AUTOSTART.encode() + b'\0\n')
        elif kind == 'big':
            with open(env.config, 'w') as f:
                f.write(NO_AUTOSTART + '#' * (1 << 20))
        else:
            os.mkdir(env.config)
        rc, out = daemon_run(env)
        check(rc == 1 and f'cannot read the configuration: {env.config}: {why}' in out and
              'not starting' in out, f'{kind}: exit {rc}\n{out}')
        check('starting (firmware' not in out, f'{kind}: no core started:\n{out}')
    os.rmdir(env.config)

    env.write_config(NO_AUTOSTART + '[Daemon]\nStopTimeoutSec=7\n')
    env.start_daemon()
    conn = env.conn()
    for kind, why in cases[:2]:
        os.unlink(env.config)
        if kind == 'fifo':
            os.mkfifo(env.config)
        else:
            with open(env.config, 'wb') as f:
                f.write(b'[Daemon]\nStopTimeoutSec=1\n\0')
        n = env.notify.count()
        t0 = time.monotonic()
        p = env.ctl('reload')
        check(time.monotonic() - t0 < QUICK, f'{kind}: Reload() answered at once')
        check(p.returncode == 1 and env.config in p.stderr and why in p.stderr and
              'the configuration in use is kept' in p.stderr, f'{kind}: {p.returncode} {p.stderr}')
        env.notify.wait_for('READY', '1', env.notify.wait_for('RELOADING', '1', n))
        env.daemon.send_signal(signal.SIGHUP)  # the same, logged
        env.notify.wait_for('READY', '1', env.notify.wait_for('RELOADING', '1', n + 2))
        check(env.read_log().count(f'reload: cannot read the configuration: {env.config}: {why}')
              == 2, env.read_log()[-2000:])
        # kept: AutoStart=no (nothing started), the stop timeout of the file in use
        check(all(env.get(conn, c, 'State') == 'offline' for c in CORES), 'nothing started')
    os.unlink(env.config)
    env.write_config(NO_AUTOSTART)
    env.ctl('reload', check_rc=0)


def fixture(name):
    path = os.path.join(os.environ.get('FIXTURE_DIR', ''), name + '.dtb')
    if not os.path.exists(path):
        print(f'SKIP: {path} missing')
        raise SystemExit(77)
    return path


def test_bad_nodes(env):
    """One bad node costs its own core only: the other cores are served and work, each bad
    one is failed with the reason (LastError, status), a broken disabled node is skipped."""
    expect = {
        'overlap': ({'adsp', 'gpdsp0'}, {
            'cdsp0': 'is also the carveout of /soc@0/remoteproc@2a300000 (cdsp1)',
            'cdsp1': 'is also the carveout of /soc@0/remoteproc@26300000 (cdsp0)',
            'gpdsp1': 'overlaps the reserved-memory region /reserved-memory/smem@90900000'}),
        'broken-node': ({'adsp', 'cdsp0', 'cdsp1', 'gpdsp1'}, {
            'gpdsp0': 'property memory-region: entry 0: phandle 0xdead refers to no node'}),
        'absurd': ({'gpdsp1'}, {
            'adsp': 'is not 4 KiB aligned',
            'cdsp0': 'is absurd',
            'cdsp1': 'overflows',
            'gpdsp0': 'is absurd'}),
    }
    for tree, (good, bad) in expect.items():
        env.dtb = fixture(tree)
        env.write_config('')  # the SoC's defaults: every core auto-starts
        env.start_daemon()
        conn = env.conn()
        for c in good:
            env.wait_state(conn, c, 'running')
        for c, why in bad.items():
            check(env.get(conn, c, 'State') == 'failed', f'{tree}: {c} failed')
            err = env.get(conn, c, 'LastError')
            check(why in err and env.get(conn, c, 'LastErrorStep') == 'devicetree',
                  f'{tree}: {c}: {err}')
            p = env.ctl('start', c, check_rc=1)
            check(f'{c} cannot be used: devicetree: ' in p.stderr and why in p.stderr,
                  f'{tree}: start {c}: {p.stderr}')
            p = env.ctl('status', c, '--lines', '0')
            check('Last error: devicetree: ' in p.stdout and 'PAS id: -\n' in p.stdout,
                  p.stdout)
        names = [r['name'] for r in json.loads(env.ctl('list', '--json').stdout)['rprocs']]
        check(set(names) == good | set(bad), f'{tree}: served: {names}')
        env.ctl('stop', *good, check_rc=0)
        env.ctl('restart', *good, check_rc=0)
        log = env.read_log()
        if tree == 'broken-node':
            check('extra: devicetree: disabled in the device tree, and its node is broken too'
                  in log, log[-3000:])
        check(env.stop_daemon() == 0, f'{tree}: rprocd exits 0')
        p = env.ctl('describe', '--dtb', env.dtb, '--json', check_rc=0)
        d = {r['name']: r for r in json.loads(p.stdout)['rprocs']}
        for c in good:
            check(d[c]['error'] is None, f'describe {tree}: {c}: {d[c]["error"]}')
        for c, why in bad.items():
            check(why in (d[c]['error'] or ''), f'describe {tree}: {c}: {d[c]["error"]}')
        p = subprocess.run([env.rprocd, '--check', '--dtb', env.dtb, '--config', env.config],
                           capture_output=True, text=True, timeout=TIMEOUT)
        for c, why in bad.items():
            check(any(ln.startswith(f'fail {c}: ') and why in ln for ln in p.stdout.splitlines()),
                  f'--check {tree}: {c}:\n{p.stdout}')


def test_inspect_fifo(env):
    """rprocctl inspect of a FIFO: refused at once, exit 1."""
    fifo = os.path.join(env.dir, 'image.mbn')
    os.mkfifo(fifo)
    try:
        p = subprocess.run([env.rprocctl, 'inspect', fifo], capture_output=True, text=True,
                           timeout=QUICK)
    except subprocess.TimeoutExpired:
        raise Failure(f'rprocctl inspect of a FIFO still runs after {QUICK} s') from None
    check(p.returncode == 1 and 'is a FIFO, not a regular file' in p.stderr,
          f'{p.returncode}: {p.stderr}')


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
