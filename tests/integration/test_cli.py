#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""rprocctl as systemd users expect it (issue 13): conventions, exit codes, one JSON schema,
monitor, coredumps, and the daemon-side messages behind them.  One test per argument; the
real rprocd on a private bus (harness.py)."""
import json
import os
import re
import shutil
import signal
import stat
import struct
import subprocess
import time

from harness import CORES, TIMEOUT, Failure, check, run

NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)
SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'rprocctl.schema.json')
ESC = '\x1b['


def ctl_env(env, **extra):
    e = dict(os.environ, **extra)
    for k in ('NO_COLOR', 'SYSTEMD_COLORS', 'COLUMNS'):
        if k not in extra:
            e.pop(k, None)
    return e


def ctl(env, *args, rc=None, extra=None, input=None):
    argv = [env.rprocctl] + list(args)
    if os.environ.get('RPROCD_TEST_VALGRIND'):
        argv = ['valgrind', '--error-exitcode=99', '--leak-check=full',
                '--errors-for-leak-kinds=definite,indirect', '--quiet'] + argv
    p = subprocess.run(argv, capture_output=True, text=True,
                       timeout=TIMEOUT, env=ctl_env(env, **(extra or {})), input=input)
    if rc is not None and p.returncode != rc:
        raise Failure(f'rprocctl {" ".join(args)}: exit {p.returncode}, expected {rc}\n'
                      f'stdout: {p.stdout}\nstderr: {p.stderr}\nlog:\n{env.read_log()[-3000:]}')
    return p


def validate(doc, defname):
    """@doc against $defs/@defname of rprocctl.schema.json, and no "" anywhere."""
    import jsonschema
    with open(SCHEMA) as f:
        schema = json.load(f)
    jsonschema.validate(doc, {'$ref': f'#/$defs/{defname}', '$defs': schema['$defs']})

    def no_empty(v, where):
        if v == '':
            raise Failure(f'"" at {where}: a missing value is null')
        if isinstance(v, dict):
            for k, x in v.items():
                no_empty(x, f'{where}.{k}')
        if isinstance(v, list):
            for i, x in enumerate(v):
                no_empty(x, f'{where}[{i}]')
    no_empty(doc, defname)


def test_json_schema(env):
    """Every command that prints JSON follows rprocctl.schema.json; short/pretty/off."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    validate(json.loads(ctl(env, '--json=short', 'list', rc=0).stdout), 'rprocs')
    p = ctl(env, '--json=short', 'status', 'adsp', rc=3)
    check(len(p.stdout.splitlines()) == 1, 'short: one line')
    validate(json.loads(p.stdout), 'rprocs')
    p = ctl(env, '--json=pretty', 'list', rc=0)
    check(len(p.stdout.splitlines()) > 10, 'pretty: indented')
    check(not ctl(env, '--json=off', 'list', rc=0).stdout.startswith('{'), '--json=off: a table')
    ctl(env, '--json=loud', 'list', rc=2)
    validate(json.loads(ctl(env, '--json', 'start', 'adsp', 'cdsp0', rc=0).stdout), 'results')
    d = json.loads(ctl(env, '--json', 'status', 'adsp', rc=0).stdout)
    validate(d, 'rprocs')
    check(d['rprocs'][0]['timings']['total_usec'] > 0, 'timings of a running core')
    validate(json.loads(ctl(env, '--json', 'stop', 'adsp', rc=0).stdout), 'results')
    validate(json.loads(ctl(env, '--json', 'reload', rc=0).stdout), 'reload')
    validate(json.loads(ctl(env, '--json', 'set-firmware', 'adsp', 'qcom/sa8775p/adsp.mbn',
                            rc=0).stdout), 'set_firmware')
    p = ctl(env, '--json', 'check', '--dtb', env.dtb, '--config', env.config)
    validate(json.loads(p.stdout), 'check')
    validate(json.loads(ctl(env, 'describe', '--dtb', env.dtb, '--json', rc=0).stdout),
             'describe')
    fw = os.path.join(env.fwdir, 'qcom', 'sa8775p', 'adsp.mbn')
    validate(json.loads(ctl(env, 'inspect', fw, '--json', rc=0).stdout), 'image')
    # the offline commands take the same --json=MODE
    for argv in (['describe', '--dtb', env.dtb], ['inspect', fw]):
        check(len(ctl(env, *argv, '--json=short', rc=0).stdout.splitlines()) == 1, f'{argv} short')
        check(not ctl(env, *argv, '--json=off', rc=0).stdout.startswith('{'), f'{argv} off')
    # the same facts under the same keys and types in list, status and describe
    live = json.loads(ctl(env, '--json', 'list', rc=0).stdout)['rprocs']
    dt = {r['name']: r for r in json.loads(ctl(env, 'describe', '--dtb', env.dtb, '--json',
                                               rc=0).stdout)['rprocs']}
    for r in live:
        o = dt[r['name']]
        for k in ('name', 'compatible', 'device', 'pas_id', 'firmware'):
            check(r[k] == o[k], f'{r["name"]}.{k}: list {r[k]!r}, describe {o[k]!r}')
        check([(c['base'], c['size']) for c in r['carveouts']] ==
              [(c['base'], c['size']) for c in o['carveouts']], 'carveouts alike')
        check([(s['sid'], s['mask']) for s in r['iommu_streams']] ==
              [(s['sid'], s['mask']) for s in o['iommu_streams']], 'iommu_streams alike')


def test_conventions(env):
    """--no-legend, -q, colours (tty only, NO_COLOR, SYSTEMD_COLORS=0), the pager, -H."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    ctl(env, 'start', 'gpdsp0', rc=0)  # a state with a colour
    p = ctl(env, 'list', rc=0)
    check(p.stdout.startswith('NAME') and 'listed' in p.stdout, f'legend:\n{p.stdout}')
    p = ctl(env, '--no-legend', 'list', rc=0)
    check(len(p.stdout.splitlines()) == 5 and p.stdout.split()[0] == 'gpdsp0',
          f'--no-legend: the rows only\n{p.stdout}')
    check(ESC not in p.stdout, 'no colour into a pipe')
    check(ESC in ctl(env, 'list', extra={'SYSTEMD_COLORS': '1'}).stdout, 'SYSTEMD_COLORS=1')
    check(ESC not in ctl(env, 'list', extra={'SYSTEMD_COLORS': '1', 'NO_COLOR': '1'}).stdout,
          'NO_COLOR wins')
    script = shutil.which('script')
    if script:
        def on_tty(cmd, **extra):
            e = ctl_env(env, TERM='xterm', **extra)
            out = subprocess.run([script, '-qefc', cmd, '/dev/null'], capture_output=True,
                                 text=True, timeout=TIMEOUT, env=e).stdout
            return out.replace('\r', '')
        check(ESC in on_tty(f'{env.rprocctl} --no-pager status gpdsp0 -n0'), 'colour on a tty')
        check(ESC not in on_tty(f'{env.rprocctl} --no-pager status gpdsp0 -n0',
                                SYSTEMD_COLORS='0'), 'SYSTEMD_COLORS=0 on a tty')
        out = on_tty(f'{env.rprocctl} list', SYSTEMD_PAGER='sed s/^/paged:/')
        check('paged:NAME' in out, f'the pager on a tty:\n{out}')
        out = on_tty(f'{env.rprocctl} --no-pager list', SYSTEMD_PAGER='sed s/^/paged:/')
        check('paged:' not in out and 'NAME' in out, f'--no-pager:\n{out}')
    p = ctl(env, '-q', 'is-active', 'adsp', rc=3)
    check(p.stdout == '', '-q: nothing')
    # -H: sd-bus runs "ssh HOST systemd-stdio-bridge"; this ssh bridges to the test bus
    bridge = shutil.which('systemd-stdio-bridge')
    if bridge:
        bindir = os.path.join(env.dir, 'bin')
        os.makedirs(bindir)
        with open(os.path.join(bindir, 'ssh'), 'w') as f:
            f.write(f'#!/bin/sh\nexec {bridge} --bus-path="{env.address}"\n')
        os.chmod(os.path.join(bindir, 'ssh'), 0o755)
        path = bindir + ':' + os.environ['PATH']
        p = ctl(env, '-H', 'board.example', '--no-legend', 'list', rc=0,
                extra={'PATH': path, 'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=/nonexistent'})
        check(len(p.stdout.splitlines()) == 5, f'-H list:\n{p.stdout}{p.stderr}')


def test_ask_password(env):
    """Method calls allow interactive authorization, unless --no-ask-password."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    mon = subprocess.Popen(['busctl', f'--address={env.address}', 'monitor', '--json=short',
                            '--match', "type='method_call',member='Reload'"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.5)
    ctl(env, 'reload', rc=0)
    ctl(env, '--no-ask-password', 'reload', rc=0)
    time.sleep(0.5)
    mon.terminate()
    calls = [json.loads(l) for l in mon.stdout if l.startswith('{')]
    calls = [c for c in calls if c.get('member') == 'Reload']
    check(len(calls) == 2, f'two Reload calls seen: {calls}')
    check(calls[0]['flags'] & 4 and not calls[1]['flags'] & 4,
          f'ALLOW_INTERACTIVE_AUTHORIZATION, then not: {[c["flags"] for c in calls]}')


def test_help(env):
    """Per-verb --help, rprocctl help [VERB], "did you mean"."""
    verbs = ['list', 'status', 'is-active', 'is-failed', 'start', 'stop', 'restart',
             'set-firmware', 'reload', 'monitor', 'logs', 'coredump', 'check']
    p = ctl(env, 'help', rc=0)
    for v in verbs + ['describe', 'inspect']:
        check(f'\n  {v} ' in p.stdout, f'{v} in rprocctl help')
    for v in verbs:
        a = ctl(env, v, '--help', rc=0).stdout
        check(a.startswith(f'Usage: rprocctl [OPTIONS] {v} ') and 'Options:' in a,
              f'{v} --help:\n{a}')
        check(ctl(env, 'help', v, rc=0).stdout == a, f'help {v} == {v} --help')
    check(ctl(env, 'help', 'describe', rc=0).stdout.startswith('Usage: rprocctl describe'),
          'help describe')
    for typo, guess in (('stauts', 'status'), ('strat', 'start'), ('relaod', 'reload'),
                        ('coredumps', 'coredump'), ('is-activ', 'is-active')):
        p = ctl(env, typo, rc=2)
        check(f"unknown command '{typo}'; did you mean '{guess}'?" in p.stderr, p.stderr)
    p = ctl(env, 'coredump', 'lsit', rc=2)
    check("did you mean 'list'" in p.stderr, p.stderr)


def test_exit_codes(env):
    """systemctl's codes: status 3 not running, 4 unknown; 5 no such core; 7 no daemon."""
    p = ctl(env, 'list', rc=7)
    check('systemctl start rprocd' in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr)
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    ctl(env, 'start', 'cdsp0', rc=0)
    ctl(env, 'status', 'cdsp0', rc=0)
    ctl(env, 'status', 'cdsp0', 'adsp', rc=3)
    ctl(env, 'status', rc=0)  # no names: every core, as systemctl status shows the system
    ctl(env, 'status', 'nosuch', rc=4)
    p = ctl(env, 'start', 'adsp', 'nosuch', rc=5)
    check(p.stderr == "rprocctl: no remote processor 'nosuch'; known: gpdsp0, gpdsp1, cdsp0, "
          "cdsp1, adsp\n", f'one clear line:\n{p.stderr}')
    check(ctl(env, 'is-active', 'adsp', rc=3).stdout == 'offline\n', 'not started: no typo start')
    p = ctl(env, 'stop', 'adps', rc=5)
    check("(did you mean 'adsp'?)" in p.stderr, p.stderr)
    check(ctl(env, 'is-active', 'cdsp0', rc=0).stdout == 'running\n', 'is-active')
    ctl(env, 'is-active', 'cdsp0', 'adsp', rc=3)
    ctl(env, 'is-active', 'nosuch', rc=4)
    ctl(env, 'is-failed', 'adsp', rc=1)
    ctl(env, 'set-firmware', 'nosuch', 'x.mbn', rc=5)


def test_table_width(env):
    """Tables fit COLUMNS, shortened in the middle; --full keeps everything."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    utf8 = {'LC_ALL': 'C.UTF-8'}
    full = ctl(env, 'list', rc=0, extra=utf8).stdout.splitlines()
    width = max(len(l) for l in full[:6])
    p = ctl(env, 'list', rc=0, extra=dict(utf8, COLUMNS=str(width - 8)))
    rows = p.stdout.splitlines()[:6]
    check(all(len(l) <= width - 8 for l in rows), f'fits {width - 8}:\n{p.stdout}')
    check(re.search(r'qcom/sa\S*\u2026\S*\.mbn', p.stdout), f'middle ellipsis:\n{p.stdout}')
    p = ctl(env, '--full', 'list', rc=0, extra=dict(utf8, COLUMNS=str(width - 8)))
    check('qcom/sa8775p/gpdsp0.mbn' in p.stdout and '\u2026' not in p.stdout, p.stdout)
    p = ctl(env, 'list', rc=0, extra={'LC_ALL': 'C', 'COLUMNS': str(width - 8)})
    check('...' in p.stdout, f'ASCII ellipsis outside UTF-8:\n{p.stdout}')


def test_monitor(env):
    """monitor: the current state, then every change, JSON lines with --json; exits on SIGINT."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    ctl(env, 'monitor', 'nosuch', rc=5)
    mon = subprocess.Popen([env.rprocctl, '--json', 'monitor', 'adsp'], stdout=subprocess.PIPE,
                           text=True, env=ctl_env(env))
    human = subprocess.Popen([env.rprocctl, 'monitor'], stdout=subprocess.PIPE, text=True,
                             env=ctl_env(env))
    time.sleep(0.5)
    ctl(env, 'start', 'adsp', 'cdsp0', rc=0)
    ctl(env, 'stop', 'adsp', rc=0)
    time.sleep(0.3)
    mon.send_signal(signal.SIGINT)
    human.send_signal(signal.SIGINT)
    out, _ = mon.communicate(timeout=TIMEOUT)
    hout, _ = human.communicate(timeout=TIMEOUT)
    check(mon.returncode == 0 and human.returncode == 0, 'exit 0 on SIGINT')
    events = [json.loads(l) for l in out.splitlines()]
    for e in events:
        validate(e, 'monitor_event')
    check(events[0]['event'] == 'initial' and events[0]['state'] == 'offline', events[0])
    check({e['name'] for e in events} == {'adsp'}, 'only the named core')
    states = [e['state'] for e in events if 'state' in e]
    check(states[:1] == ['offline'] and 'starting' in states and 'running' in states and
          states[-1] == 'offline', f'states {states}')
    check(any('progress' in e for e in events), 'progress')
    check('cdsp0    state running' in hout and 'adsp     state offline firmware' in hout,
          f'human lines:\n{hout}')


def test_set_firmware(env):
    """set-firmware: the status shows the new name and no stale path."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    ctl(env, 'start', 'adsp', rc=0)
    ctl(env, 'set-firmware', 'adsp', 'qcom/sa8775p/cdsp1.mbn', rc=1)  # running: busy
    ctl(env, 'stop', 'adsp', rc=0)
    p = ctl(env, 'set-firmware', 'adsp', 'qcom/sa8775p/cdsp1.mbn', rc=0)
    check('adsp: firmware qcom/sa8775p/cdsp1.mbn' in p.stdout, p.stdout)
    p = ctl(env, 'status', '-n0', 'adsp', rc=3)
    check('Firmware: qcom/sa8775p/cdsp1.mbn\n' in p.stdout and 'adsp.mbn' not in p.stdout,
          f'new name, no stale path:\n{p.stdout}')
    ctl(env, 'start', 'adsp', rc=0)
    p = ctl(env, 'status', '-n0', 'adsp', rc=0)
    check(re.search(r'Firmware: qcom/sa8775p/cdsp1.mbn \(/\S+/cdsp1.mbn\)', p.stdout), p.stdout)


def test_no_old_boot_time(env):
    """A core that is not running shows no boot time (list, status, BootTimeUSec)."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    conn = env.conn()
    ctl(env, 'start', 'adsp', rc=0)
    check('Boot time:' in ctl(env, 'status', '-n0', 'adsp', rc=0).stdout, 'running: shown')
    ctl(env, 'stop', 'adsp', rc=0)
    p = ctl(env, 'status', '-n0', 'adsp', rc=3)
    check('Boot time:' not in p.stdout, f'stopped: no boot time\n{p.stdout}')
    check(env.get(conn, 'adsp', 'BootTimeUSec') == 0, 'BootTimeUSec 0')
    row = [l for l in ctl(env, '--no-legend', 'list', rc=0).stdout.splitlines()
           if l.startswith('adsp')][0]
    check(row.split()[4] == '-', f'list: no boot time: {row}')
    j = json.loads(ctl(env, '--json', 'status', 'adsp', rc=3).stdout)['rprocs'][0]
    check(j['boot_time_usec'] is None and j['timings'] is None, j)


def test_last_error_words(env):
    """A long LastError is cut at a word, with an ellipsis, never mid-word."""
    dirs = [os.path.join(env.dir, 'firmware-directory-with-a-long-name-number-%02d' % i)
            for i in range(12)]
    env.write_config(NO_AUTOSTART + '[Daemon]\n' + ''.join(f'FirmwarePath={d}\n' for d in dirs) +
                     '[RemoteProc:adsp]\nFirmware=qcom/sa8775p/missing-image-name.mbn\n')
    env.start_daemon()
    conn = env.conn()
    ctl(env, 'start', 'adsp', rc=1)
    e = env.get(conn, 'adsp', 'LastError')
    check(e.endswith('\u2026'), f'ellipsis: {e!r}')
    # "tried: A, B, C…": every path listed is whole (the firmware directory, --firmware-path
    # first, then each FirmwarePath=)
    tried = e[:-1].split('tried: ', 1)[1].split(', ')
    whole = [os.path.join(d, 'qcom/sa8775p/missing-image-name.mbn') for d in [env.fwdir] + dirs]
    check(tried == whole[:len(tried)], f'cut inside a path: {tried[-1]!r}')


def test_reload_warnings(env):
    """reload prints the warnings, exit 6; an unknown [RemoteProc:] is one; clean: 0."""
    env.write_config(NO_AUTOSTART + '[RemoteProc:nosuchcore]\nAutoStart=no\n')
    env.start_daemon()
    # file:line of the section's first setting
    check(f'{env.config}:12: [RemoteProc:nosuchcore]: the device tree has no remote processor'
          in env.read_log(), f'warned at start:\n{env.read_log()[-2000:]}')
    env.write_config(NO_AUTOSTART + '[Daemon]\nFrobnicate=1\n[RemoteProc:nosuchcore]\n'
                     'Recovery=no\n')
    p = ctl(env, 'reload', rc=6)
    check(f'warning: {env.config}:12: unknown key' in p.stderr and
          f'{env.config}:14: [RemoteProc:nosuchcore]' in p.stderr and 'it has: gpdsp0' in p.stderr,
          f'warnings printed:\n{p.stderr}')
    j = json.loads(ctl(env, '--json', 'reload', rc=6).stdout)
    check(len(j['warnings']) == 2 and j['warnings'][0]['line'] == 12, j)
    # rprocd.service's ExecReload=: applied with warnings is a success, and still says them
    p = ctl(env, 'reload', '--warnings-ok', rc=0)
    check('unknown key' in p.stderr, f'warnings printed with --warnings-ok:\n{p.stderr}')
    env.write_config(NO_AUTOSTART)
    p = ctl(env, 'reload', rc=0)
    check(p.stderr == '', f'clean: silent\n{p.stderr}')


def test_second_daemon(env):
    """A second rprocd stops at the bus name, before any core, naming who holds it."""
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    # no --simulate: had it gone on, it would have looked for the real backend
    p = subprocess.run([env.rprocd, '--dtb', env.dtb, '--config', env.config, '--log-target',
                        'console'], capture_output=True, text=True, timeout=TIMEOUT)
    check(p.returncode == 1, f'exit {p.returncode}')
    comm = '' if os.environ.get('RPROCD_TEST_VALGRIND') else 'rprocd)'  # valgrind's own name
    check(f'org.rprocd1 is already owned by process {env.daemon.pid} ({comm}' in p.stderr,
          f'who holds it:\n{p.stderr}')
    check('device tree' not in p.stderr and 'backend' not in p.stderr.split('owned')[0],
          f'nothing touched first:\n{p.stderr}')


def legacy_core(notes):
    """An ELF64 ET_CORE file with one PT_NOTE of RPROC notes (type, text) and no segment."""
    body = b''
    for t, text in notes:
        desc = text + b'\0'
        body += struct.pack('<III', 6, len(desc), t) + b'RPROC\0\0\0'
        body += desc + b'\0' * (-len(desc) % 4)
    eh = (b'\x7fELF\x02\x01\x01' + b'\0' * 9 +
          struct.pack('<HHIQQQIHHHHHH', 4, 164, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0))
    ph = struct.pack('<IIQQQQQQ', 4, 0, 64 + 56, 0, 0, len(body), 0, 4)
    return eh + ph + body


def test_coredump(env):
    """coredump list|info|dump|debug over the files rprocd wrote (zstd when built with it)."""
    cores = os.path.join(env.dir, 'cores')
    os.mkdir(cores)
    env.write_config(NO_AUTOSTART + '[Daemon]\nSimulationConfig=crash=adsp:fatal:100:1;'
                     f'crash_reason=err_qdi.c:412 invalid access\nCoredumpDirectory={cores}\n')
    env.start_daemon()
    conn = env.conn()
    p = ctl(env, 'coredump', 'list', '--config', env.config, rc=5)
    check('no coredumps in' in p.stderr, p.stderr)
    ctl(env, 'start', 'adsp', rc=0)
    end = time.monotonic() + TIMEOUT
    while not env.get(conn, 'adsp', 'LastCoredump'):
        check(time.monotonic() < end, 'a coredump')
        time.sleep(0.05)
    dump = env.get(conn, 'adsp', 'LastCoredump')
    check(os.path.exists(dump), f'LastCoredump names the file there: {dump}')
    zstd = os.environ.get('RPROCD_ZSTD') == '1'  # built with libzstd
    check(dump.endswith('.core.zst') == zstd, f'compressed as built: {dump}')
    if zstd:
        check(not os.path.exists(dump[:-4]), 'the uncompressed file is gone')
        check(stat.S_IMODE(os.stat(dump).st_mode) == 0o640, 'mode kept (0640, rprocd(8))')
    p = ctl(env, 'coredump', 'list', '--config', env.config, rc=0)
    check(re.search(r'\n\S+ \S+ \S+ \S+ adsp +\S+ \S+ err_qdi.c:412 invalid access ', p.stdout),
          f'time, core, size, reason:\n{p.stdout}')
    j = json.loads(ctl(env, '--json', 'coredump', 'list', '-D', cores, rc=0).stdout)
    validate(j, 'coredumps')
    c = j['coredumps'][0]
    check(c['name'] == 'adsp' and c['reason'] == 'err_qdi.c:412 invalid access' and
          c['compressed'] == zstd and c['core_size'] > c['size'] * (0 if not zstd else 0), c)
    p = ctl(env, 'coredump', 'info', 'adsp', '-D', cores, rc=0)
    check('Reason: err_qdi.c:412 invalid access' in p.stdout and 'Segments: ' in p.stdout and
          (not zstd or '(zstd)' in p.stdout), p.stdout)
    check('Carveout: 0x95900000 (30.0 MiB): the only memory read' in p.stdout, p.stdout)
    check(c['carveout'] == {'base': 0x95900000, 'size': 0x1e00000}, c)
    validate(json.loads(ctl(env, '--json', 'coredump', 'info', dump, rc=0).stdout), 'coredump')
    out = os.path.join(env.dir, 'out.core')
    ctl(env, 'coredump', 'dump', '-D', cores, '-o', out, rc=0)
    with open(out, 'rb') as f:
        elf = f.read()
    check(elf[:4] == b'\x7fELF' and elf[16] == 4, 'an ELF core file (ET_CORE)')
    check(len(elf) == c['core_size'], 'the whole file')
    if zstd and shutil.which('zstd'):
        ref = subprocess.run(['zstd', '-dc', dump], capture_output=True).stdout
        check(ref == elf, 'dump == zstd -dc')
    # a file of an earlier rprocd: the RPROC note types were 1 (core) and 2 (reason)
    old = os.path.join(env.dir, 'old.core')
    with open(old, 'wb') as f:
        f.write(legacy_core([(1, b'gpdsp1'), (2, b'old reason')]))
    j = json.loads(ctl(env, '--json', 'coredump', 'info', old, rc=0).stdout)
    check(j['name'] == 'gpdsp1' and j['reason'] == 'old reason' and j['carveout'] is None, j)
    p = ctl(env, 'coredump', 'dump', 'nosuch', '-D', cores, rc=5)
    check("no coredump of 'nosuch'" in p.stderr, p.stderr)
    fake = os.path.join(env.dir, 'fakedbg')
    seen = os.path.join(env.dir, 'seen')
    with open(fake, 'w') as f:
        f.write(f'#!/bin/sh\necho "$@" > {seen}\nhead -c 4 "$4" | od -c >> {seen}\nexit 7\n')
    os.chmod(fake, 0o755)
    ctl(env, 'coredump', 'debug', '-D', cores, f'--debugger={fake}', '-A', '-q',
        '--firmware=/fw.mbn', rc=7)
    with open(seen) as f:
        text = f.read()
    check(re.match(r'-q /fw.mbn -c /var/tmp/rprocctl-coredump-\S+\n', text) and 'E   L   F' in text,
          f'debugger argv and a decompressed core: {text}')


COMPLETIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                           'shell-completion')


def bash_complete(env, line):
    """COMPREPLY for @line (completing its last word) with the bash completion."""
    words = line.split(' ')
    script = (f'source {COMPLETIONS}/bash/rprocctl; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
              f'COMP_CWORD={len(words) - 1}; _rprocctl; printf "%s\\n" "${{COMPREPLY[@]}}"')
    path = os.path.dirname(env.rprocctl) + ':' + os.environ['PATH']
    p = subprocess.run(['bash', '-c', script], capture_output=True, text=True, timeout=TIMEOUT,
                       env=ctl_env(env, PATH=path))
    return sorted(w for w in p.stdout.split('\n') if w)


def test_completion(env):
    """bash and zsh completions: every verb and option of rprocctl --help, core names."""
    helptext = ctl(env, '--help', rc=0).stdout
    verbs = re.findall(r'^  ([a-z-]+) ', helptext.split('Options:')[0], re.M)
    options = set(re.findall(r'(--[a-z-]+)', helptext.split('Options:')[1]))
    with open(os.path.join(COMPLETIONS, 'bash', 'rprocctl')) as f:
        bash = f.read()
    with open(os.path.join(COMPLETIONS, 'zsh', '_rprocctl')) as f:
        zsh = f.read()
    for v in verbs:
        check(re.search(rf'[ \'\n\t]{v}[ \'\n]', bash), f'bash: verb {v}')
        check(f"'{v}:" in zsh, f'zsh: verb {v}')
    for o in options:
        check(re.search(rf'{o}[ =\n\'|]', bash), f'bash: option {o}')
        check(re.search(o + r'[\[=}]', zsh), f'zsh: option {o}')
    if shutil.which('zsh'):
        p = subprocess.run(['zsh', '-n', os.path.join(COMPLETIONS, 'zsh', '_rprocctl')],
                           capture_output=True, text=True)
        check(p.returncode == 0, f'zsh -n: {p.stderr}')
    check(bash_complete(env, 'rprocctl sta') == ['start', 'status'], 'verbs')
    check('--no-legend' in bash_complete(env, 'rprocctl list --no-'), 'options')
    check(bash_complete(env, 'rprocctl coredump ') == ['debug', 'dump', 'info', 'list'], 'coredump')
    env.write_config(NO_AUTOSTART)
    env.start_daemon()
    check(bash_complete(env, 'rprocctl start ') == sorted(CORES), 'core names from rprocd')
    check(bash_complete(env, 'rprocctl -q status cd') == ['cdsp0', 'cdsp1'], 'after options')
    check(bash_complete(env, 'rprocctl logs adsp ') == [], 'logs takes one name')


def test_no_internal_references(env):
    """No message cites the out-of-tree design notes: the binaries' strings."""
    lib = os.path.join(os.path.dirname(os.path.dirname(env.rprocd)), '..', 'lib')
    files = [env.rprocd, env.rprocctl] + [os.path.join(lib, f) for f in os.listdir(lib)
                                          if f.startswith('librproc.so')]
    for f in files:
        text = subprocess.run(['strings', f], capture_output=True, text=True).stdout
        bad = [l for l in text.splitlines() if 'DOMAIN' in l or '\u00a7' in l]
        check(not bad, f'{f}: {bad[:3]}')


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
