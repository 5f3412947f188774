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


TESTS = {name[5:]: fn for name, fn in globals().items() if name.startswith('test_')}

if __name__ == '__main__':
    run(TESTS)
