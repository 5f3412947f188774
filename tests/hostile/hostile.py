#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile inputs through a running rprocd (the simulated SoC), not only through inspect.

  images  every `mkfw --bad` kind (as .mbn, and as a split image where it differs), FIFOs as
          the image or a .bNN, symbolic links (to devices, to a FIFO, in a loop, dangling, to
          a directory, to /proc/self/mem), a 4 GiB sparse file of zeros and a valid image
          padded to 4 GiB, a directory, names that leave the firmware directories: each
          through SetFirmware() and Start() on adsp.  Every one is refused (SetFirmware()
          or Start() fails, at once) but the padded image, which boots having read what its
          headers declare; after each the simulated SoC holds nothing, and at the end a good
          image still boots.
  trees   rprocd on trees with bad nodes (tests/fixtures overlap, broken-node, absurd, odd):
          it serves every core, boots the good ones, and refuses the bad ones with the reason.

Meant to run under ASan+UBSan too (.ci/run), where any memory error in rprocd fails the test:
rprocd's exit status is checked at the end of each test.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'integration'))
from harness import CORES, RPROC_PREFIX, TIMEOUT, Failure, check, run  # noqa: E402
from test_rprocd import sim_leftovers  # noqa: E402

NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)
IFACE = 'org.rprocd1.RemoteProc'
QUICK = 15  # seconds: a refusal must not wait for anything (sanitizers make rprocd slower)


def bad_kinds(mkfw):
    """The --bad kinds mkfw --help lists."""
    out = subprocess.run([mkfw, '--help'], capture_output=True, text=True).stdout
    kinds, on = [], False
    for ln in out.splitlines():
        if ln.startswith('Bad kinds:'):
            on = True
        elif on and ln.startswith('  ') and not ln.startswith('   '):
            kinds.append(ln.split()[0])
    check(len(kinds) > 10, f'mkfw lists its bad kinds: {kinds}')
    return kinds


def mkfw(env, out, *args):
    p = subprocess.run([env.mkfw, '-o', out, '--size', '64K', '--seed', '7'] + list(args),
                       capture_output=True, text=True)
    return p.returncode == 0


def hostile_images(env):
    """{firmware name: what it is}, created under the firmware directory."""
    d = os.path.join(env.fwdir, 'qcom', 'hostile')
    os.makedirs(d)
    names = {}
    for kind in bad_kinds(env.mkfw):
        for form, ext in (('mbn', 'mbn'), ('split', 'mdt')):
            if form == 'mbn' and kind == 'missing-bnn':
                continue
            if mkfw(env, os.path.join(d, f'{kind}-{form}.{ext}'), '--form', form, '--bad', kind):
                names[f'{kind}-{form}.{ext}'] = f'mkfw --bad {kind} ({form})'
    os.mkfifo(os.path.join(d, 'fifo.mbn'))
    names['fifo.mbn'] = 'a FIFO'
    check(mkfw(env, os.path.join(d, 'fifobnn.mdt')), 'split image')
    last = sorted(f for f in os.listdir(d) if f.startswith('fifobnn.b'))[-1]
    os.unlink(os.path.join(d, last))
    os.mkfifo(os.path.join(d, last))
    names['fifobnn.mdt'] = f'a split image whose {last} is a FIFO'
    for name, target in (('zero.mbn', '/dev/zero'), ('null.mbn', '/dev/null'),
                         ('tofifo.mbn', 'fifo.mbn'), ('dangling.mbn', 'nonexistent.mbn'),
                         ('todir.mbn', '/'), ('mem.mbn', '/proc/self/mem'),
                         ('loop1.mbn', 'loop2.mbn'), ('loop2.mbn', 'loop1.mbn'),
                         ('tty.mbn', '/dev/tty')):
        os.symlink(target, os.path.join(d, name))
        names[name] = f'a symbolic link to {target}'
    os.mkdir(os.path.join(d, 'dir.mbn'))
    names['dir.mbn'] = 'a directory'
    with open(os.path.join(d, 'sparse.mbn'), 'wb') as f:
        f.truncate(4 << 30)
    names['sparse.mbn'] = '4 GiB of zeros (sparse)'
    names['../../../etc/passwd'] = 'a name leaving the firmware directories'
    names['/etc/passwd'] = 'an absolute name'
    return names


def call(env, conn, method, sig=None, body=()):
    t0 = time.monotonic()
    try:
        r = env.call(conn, RPROC_PREFIX + 'adsp', IFACE, method, sig, body, timeout=QUICK)
    except TimeoutError:
        raise Failure(f'adsp.{method}{body} not answered within {QUICK} s') from None
    return r, time.monotonic() - t0


def leftovers(env, conn, running=0):
    return sim_leftovers(env.describe(conn)['simulator'], running)


def test_images(env):
    """Every hostile image through SetFirmware() and Start(): refused, nothing held."""
    env.write_config(NO_AUTOSTART)
    names = hostile_images(env)
    # a valid image padded to 4 GiB: boots, reading what its headers say only
    padded = os.path.join(env.fwdir, 'qcom', 'hostile', 'padded.mbn')
    check(mkfw(env, padded), 'padded image')
    with open(padded, 'r+b') as f:
        f.truncate(4 << 30)
    env.start_daemon()
    conn = env.conn()
    refused = {}
    for name, what in names.items():
        fw = name if name.startswith('/') or name.startswith('..') else 'qcom/hostile/' + name
        r, _ = call(env, conn, 'SetFirmware', 's', (fw,))
        if r[0] == 'error':
            check(r[1] == 'org.rprocd1.Error.InvalidFirmware', f'SetFirmware {name}: {r}')
            refused[name] = 'SetFirmware'
            continue
        r, secs = call(env, conn, 'Start')
        check(r[0] == 'error' and r[1] == 'org.rprocd1.Error.StartFailed',
              f'{name} ({what}): Start() must fail: {r}')
        check(env.get(conn, 'adsp', 'State') == 'failed', f'{name}: adsp failed')
        step = env.get(conn, 'adsp', 'LastErrorStep')
        refused[name] = f'{step} ({secs * 1000:.0f} ms)'
        left = leftovers(env, conn)
        check(not left, f'{name}: the simulated SoC holds nothing after the failure: {left}')
    r, _ = call(env, conn, 'SetFirmware', 's', ('qcom/hostile/padded.mbn',))
    check(r[0] == 'ok', f'SetFirmware padded: {r}')
    r, secs = call(env, conn, 'Start')
    check(r[0] == 'ok', f'the padded image boots: {r}')
    check(env.get(conn, 'adsp', 'Timings')[5] < (1 << 20), 'and only its segments were read')
    env.ctl('stop', 'adsp', check_rc=0)
    r, _ = call(env, conn, 'SetFirmware', 's', ('qcom/sa8775p/adsp.mbn',))
    env.ctl('start', *CORES, check_rc=0)
    check(not leftovers(env, conn, running=len(CORES)), 'a good image still boots')
    env.ctl('stop', *CORES, check_rc=0)
    for name, how in sorted(refused.items()):
        print(f'refused {name}: {names[name]}: {how}')
    print(f'{len(refused)} hostile images refused, padded 4 GiB image booted in {secs:.2f} s')
    check(env.stop_daemon() == 0, 'rprocd exits 0 (no sanitizer report)')


def test_trees(env):
    """rprocd on trees with bad nodes: serves every core, boots the good ones."""
    fixtures = os.environ.get('FIXTURE_DIR', '')
    for tree in ('overlap', 'broken-node', 'absurd', 'odd', 'x1e80100', 'devmem'):
        env.dtb = os.path.join(fixtures, tree + '.dtb')
        check(os.path.exists(env.dtb), f'{env.dtb} built')
        env.write_config('')
        env.start_daemon()
        conn = env.conn()
        d = env.describe(conn)
        good = [r['name'] for r in d['rprocs'] if r['last_error_step'] not in
                ('devicetree', 'describe', 'create')]
        for r in d['rprocs']:
            if r['name'] not in good:
                check(r['state'] == 'failed' and r['last_error'], f'{tree}: {r["name"]}: {r}')
                p = env.ctl('start', r['name'], check_rc=1)
                check('cannot be used' in p.stderr, f'{tree}: {p.stderr}')
        # the good ones start, if their firmware is there (only lemans' is)
        for name in good:
            env.ctl('start', name)
        env.ctl('list', check_rc=0)
        check(env.stop_daemon() == 0, f'{tree}: rprocd exits 0 (no sanitizer report)')
        print(f'{tree}: {len(d["rprocs"])} served, usable: {good}')


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
