#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend=module: rprocd loads a backend from a shared object (<rproc/backend-module.h>).
The test module ($BACKEND_MODULE) wraps the simulated SoC; one test per argument."""
import os
import subprocess

from harness import CORES, TIMEOUT, check, run

MODULE = os.environ.get('BACKEND_MODULE', '')
MODULE_BADABI = os.environ.get('BACKEND_MODULE_BADABI', '')
LIBRPROC = os.environ.get('LIBRPROC', '')
NO_AUTOSTART = ''.join(f'[RemoteProc:{c}]\nAutoStart=no\n' for c in CORES)


def without_simulate(env):
    """The harness starts rprocd with --simulate, which overrides Backend=."""
    argv = env.daemon_argv
    env.daemon_argv = lambda extra=(): [a for a in argv(extra) if a != '--simulate']


def test_module_boot(env):
    """Backend=module: the module's backend boots a core through rprocctl; stop; describe."""
    env.write_config(f'[Daemon]\nBackend=module\nBackendModule={MODULE}\n' + NO_AUTOSTART)
    without_simulate(env)
    env.start_daemon()
    p = env.ctl('start', 'adsp', check_rc=0)
    check('adsp: running (boot' in p.stdout, f'start through the module: {p.stdout}')
    p = env.ctl('status', 'adsp', check_rc=0)
    check('State: running since' in p.stdout, f'status: {p.stdout}')
    env.ctl('stop', 'adsp', check_rc=0)
    p = env.ctl('status', 'adsp', check_rc=3)  # offline: status says 3
    check('State: offline' in p.stdout, f'offline after stop: {p.stdout}')
    d = env.describe(env.conn())
    check(d['backend'] == 'simulated', f'the module\'s backend name: {d["backend"]}')
    log = env.read_log()
    check('backend: simulated' in log, 'backend line in the log')


def failing_start(env, conf, *expect):
    env.write_config('[Daemon]\nBackend=module\n' + conf)
    argv = [a for a in env.daemon_argv() if a != '--simulate']
    p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout + p.stderr
    check(p.returncode == 1, f'{conf!r}: exit {p.returncode}\n{out}')
    for e in expect:
        check(e in out, f'{conf!r}: "{e}" in the error:\n{out}')


def test_module_errors(env):
    """Every way a module can fail to load gives exit 1 and a message naming the cause."""
    failing_start(env, '', 'BackendModule=')
    failing_start(env, 'BackendModule=/nonexistent/backend.so\n', '/nonexistent/backend.so',
                  'cannot load')
    failing_start(env, f'BackendModule={LIBRPROC}\n', 'rproc_backend_module_abi',
                  'not an rprocd backend module')
    failing_start(env, f'BackendModule={MODULE_BADABI}\n', 'ABI 999', 'rebuild the module')
    failing_start(env, f'BackendModule={MODULE}\nBackendModuleArgs=fail\n', 'asked to fail')
    p = subprocess.run([env.rprocd, '--dtb', env.dtb, '--config', env.config, '--log-target',
                        'console'], capture_output=True, text=True, timeout=TIMEOUT)
    check(p.returncode == 1, 'no daemon left behind')


def test_module_unsafe(env):
    """A module someone other than root can change is refused (it runs as root inside
    rprocd), and so is one that is not a regular file (a FIFO would block dlopen())."""
    import grp
    import shutil
    staff = grp.getgrnam('staff').gr_gid

    def place(sub, mode, file_mode=0o755, gid=0):
        d = os.path.join(env.dir, sub)
        os.mkdir(d)
        os.chmod(d, mode)
        dst = os.path.join(d, 'backend.so')
        shutil.copy(MODULE, dst)
        os.chown(dst, 0, gid)
        os.chmod(dst, file_mode)
        return d, dst

    d, so = place('open', 0o777)
    failing_start(env, f'BackendModule={so}\n', f'BackendModule={so} refused: {d} is writable '
                  'by everyone', 'owned by root and not writable by group or others')
    d, so = place('group', 0o755, 0o775, staff)
    failing_start(env, f'BackendModule={so}\n', f'{so} is writable by group {staff} (staff)')
    d, so = place('sticky', 0o1777)  # as /tmp: others cannot replace root's file
    d2, so2 = place('ok', 0o755)
    fifo = os.path.join(d2, 'fifo.so')
    os.mkfifo(fifo)
    failing_start(env, f'BackendModule={fifo}\n', f'BackendModule={fifo} is a FIFO, not a '
                  'regular file')
    link = os.path.join(env.dir, 'open', 'link.so')  # a link others could re-point
    os.symlink(so2, link)
    failing_start(env, f'BackendModule={link}\n', 'is writable by everyone')
    for good in (so, so2):
        env.write_config(f'[Daemon]\nBackend=module\nBackendModule={good}\n' + NO_AUTOSTART)
        without_simulate(env)
        env.start_daemon()
        env.ctl('start', 'adsp', check_rc=0)
        check(env.stop_daemon() == 0, f'{good}: rprocd exits 0')


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
