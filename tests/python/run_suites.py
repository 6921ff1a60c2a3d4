#!/usr/bin/env python3
"""
Run the runtime's unittest suites (tests/python/test_*.py) for one twin interpreter

    run_suites.py --twin python2.7 --mode supervised|standalone [--only test_values ...]

* ``--twin`` names the interpreter under test (python3, pypy3, python2.7, python3.6,
  python3.13, or a path). It is looked up on PATH and in ``$(pyenv root)/versions/*/bin``;
  the real binary is used (pyenv shims may refuse versions that are not selected). When it
  is missing the runner prints ``SKIP: ...`` and exits 77 (CTest: skipped).
* The main interpreter is the python3 running this script; the ``peer`` twin is the same
  python3.
* ``standalone``: ``python3 -m unittest -v <module>`` with the bootstrap on PYTHONPATH;
  the suites' TwinMaster(...).start() spawns the twins.
* ``supervised``: ``$CPY2PY_RUN_BINARY --twin twin=<interp> --twin peer=<python3>
  -m unittest -v <module>``.

Each module runs in its own process (a crash or hang stays in its module; a module that
takes longer than ``--timeout`` seconds is killed and counts as failed). The last line is
``N passed, N failed``; the exit status is 1 if anything failed.
"""
from __future__ import print_function

import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get('CPY2PY_SOURCE_DIR') or os.path.dirname(os.path.dirname(HERE))
SKIP = 77


def _pyenv_root():
    root = os.environ.get('PYENV_ROOT')
    if root:
        return root
    try:
        out = subprocess.check_output(['pyenv', 'root'], stderr=subprocess.DEVNULL, timeout=30)
        return out.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return os.path.expanduser('~/.pyenv')


def _real_executable(candidate):
    """The interpreter binary behind ``candidate`` if it runs (``-c pass``), else None"""
    try:
        out = subprocess.check_output(
            [candidate, '-c', 'import sys; sys.stdout.write(sys.executable)'],
            stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    path = out.decode('utf-8', 'replace').strip()
    if not path or not os.path.isfile(path):
        path = candidate
    return os.path.realpath(path) if os.path.isabs(path) else path


def find_interpreter(name):
    """Returns ``(absolute path or None, list of places looked at)``"""
    looked = []
    if os.sep in name:
        looked.append(name)
        return _real_executable(os.path.abspath(name)), looked
    candidates = []
    path_dirs = [d for d in os.environ.get('PATH', os.defpath).split(os.pathsep) if d]
    pyenv_dirs = sorted(glob.glob(os.path.join(_pyenv_root(), 'versions', '*', 'bin')))
    # PATH first (a pyenv shim there runs the selected version; we ask it for the real
    # binary); then pyenv's real binaries, for versions the shims refuse to run
    for directory in path_dirs + pyenv_dirs:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and candidate not in candidates:
            candidates.append(candidate)
    looked = ['PATH'] + [os.path.join(_pyenv_root(), 'versions', '*', 'bin')]
    for candidate in candidates:
        real = _real_executable(candidate)
        if real:
            return real, looked
    return None, looked


def discover_modules(only):
    modules = sorted(os.path.splitext(os.path.basename(path))[0]
                     for path in glob.glob(os.path.join(HERE, 'test_*.py')))
    if only:
        wanted = set(name[:-3] if name.endswith('.py') else name for name in only)
        unknown = wanted - set(modules)
        if unknown:
            sys.exit('unknown test modules: %s' % ', '.join(sorted(unknown)))
        modules = [name for name in modules if name in wanted]
    return modules


_RESULT_LINE = re.compile(r'^(?P<test>\w+) \((?P<where>[\w.]+)\)')
_RAN = re.compile(r'^Ran (\d+) tests? in ')
_SUMMARY = re.compile(r'^(OK|FAILED)(?: \((.*)\))?\s*$')


def parse_summary(output):
    """``(ran, failures, errors, skipped, expected failures, unexpected successes)`` or None"""
    ran = None
    counts = None
    for line in output.splitlines():
        match = _RAN.match(line)
        if match:
            ran = int(match.group(1))
            continue
        match = _SUMMARY.match(line)
        if match and ran is not None:
            fields = {}
            for part in (match.group(2) or '').split(','):
                if '=' in part:
                    key, value = part.strip().split('=')
                    fields[key.strip()] = int(value)
            counts = (ran, fields.get('failures', 0), fields.get('errors', 0), fields.get('skipped', 0),
                      fields.get('expected failures', 0), fields.get('unexpected successes', 0))
    return counts


def session_members(session):
    """Pids of the live processes whose session id is ``session``"""
    members = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as stat:
                fields = stat.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session and int(entry) != session:
            members.append(int(entry))
    return members


def run_module(module, command_prefix, env, timeout):
    command = command_prefix + ['-m', 'unittest', '-v', module]
    started = time.time()
    process = subprocess.Popen(command, cwd=HERE, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = []

    def kill():
        timed_out.append(True)
        # first let every Python process of the run print its threads' stacks
        # (PYTHONFAULTHANDLER is set), so a hang leaves evidence in the log
        for pid in session_members(process.pid):
            try:
                os.kill(pid, signal.SIGABRT)
            except OSError:
                pass
        time.sleep(2)
        for pid in [process.pid] + session_members(process.pid):
            try:
                os.killpg(pid, 9)
            except OSError:
                pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        output = process.communicate()[0].decode('utf-8', 'replace')
    finally:
        timer.cancel()
    # twins of a standalone main live in their own process groups; they exit when the
    # main's control channel closes, so nothing is left behind here
    return process.returncode, output, time.time() - started, bool(timed_out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--twin', required=True, help='interpreter under test (name or path)')
    parser.add_argument('--mode', required=True, choices=('supervised', 'standalone'))
    parser.add_argument('--timeout', type=float, default=60.0, help='seconds per module (default 60)')
    parser.add_argument('--only', nargs='*', default=None, help='run only these test modules')
    parser.add_argument('-q', '--quiet', action='store_true', help='print a module\'s output only if it failed')
    args = parser.parse_args()

    twin, looked = find_interpreter(args.twin)
    if twin is None:
        print('SKIP: %s not found (looked on %s)' % (args.twin, ' and in '.join(looked)))
        return SKIP
    main_python = os.path.realpath(sys.executable)
    if sys.version_info[0] < 3:
        print('SKIP: the main interpreter must be python3, not %s' % main_python)
        return SKIP

    bootstrap = os.path.join(SOURCE_DIR, 'bootstrap')
    env = dict(os.environ)
    for key in [key for key in env if key.startswith('CPY2PY_') and key not in (
            'CPY2PY_RUN_BINARY', 'CPY2PY_SOURCE_DIR', 'CPY2PY_DEBUG', 'CPY2PY_BOOTSTRAP_DIR',
            'CPY2PY_TEST_PYPY_DEADLINES')]:
        del env[key]
    env.update({
        'CPY2PY_TEST_TWIN': twin,
        'CPY2PY_TEST_PEER': main_python,
        'CPY2PY_TEST_MODE': args.mode,
        'CPY2PY_SOURCE_DIR': SOURCE_DIR,
        'PYTHONDONTWRITEBYTECODE': '1',
        'PYTHONUNBUFFERED': '1',
        'PYTHONFAULTHANDLER': '1',  # SIGABRT on a timeout dumps every thread's stack
    })
    if args.mode == 'standalone':
        env['PYTHONPATH'] = os.pathsep.join(
            [bootstrap, HERE] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        prefix = [main_python]
    else:
        binary = os.environ.get('CPY2PY_RUN_BINARY')
        if not binary or not os.access(binary, os.X_OK):
            print('SKIP: cpy2py-run binary not found (CPY2PY_RUN_BINARY=%r)' % binary)
            return SKIP
        env['CPY2PY_RUN_BINARY'] = os.path.abspath(binary)
        # cpy2py-run puts the bootstrap in front of PYTHONPATH itself
        env['PYTHONPATH'] = os.pathsep.join([HERE] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        prefix = [os.path.abspath(binary), '--main-interpreter', main_python,
                  '--twin', 'twin=%s' % twin, '--twin', 'peer=%s' % main_python]

    print('twin %s: %s; main and peer: %s; mode %s' % (args.twin, twin, main_python, args.mode))
    sys.stdout.flush()
    passed = failed = skipped = 0
    broken = []
    for module in discover_modules(args.only):
        returncode, output, elapsed, timed_out = run_module(module, prefix, env, args.timeout)
        counts = parse_summary(output)
        if counts is None:
            status = 'TIMEOUT' if timed_out else 'CRASHED (exit status %s)' % returncode
            failed += 1
            broken.append(module)
        else:
            ran, failures, errors, skips, expected, unexpected = counts
            failed += failures + errors + unexpected
            skipped += skips
            passed += ran - failures - errors - skips - expected - unexpected
            status = 'ok' if returncode == 0 and not timed_out else 'FAILED'
            if timed_out:
                status = 'TIMEOUT'
                failed += 1
            elif returncode != 0 and not (failures or errors or unexpected):
                failed += 1  # e.g. it hung at exit, or died after the summary
                status = 'FAILED (exit status %s after the tests)' % returncode
            if status != 'ok':
                broken.append(module)
        if not args.quiet or status != 'ok':
            print('=' * 30, module, '=' * 30)
            print(output.rstrip())
        print('--- %s: %s (%.1f s)' % (module, status, elapsed))
        sys.stdout.flush()
    if broken:
        print('modules with failures: %s' % ', '.join(broken))
    print('%d skipped' % skipped)
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
