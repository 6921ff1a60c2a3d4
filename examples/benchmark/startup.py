"""
Start-up cost: what cpy2py-run adds to starting the interpreters themselves

    python3 examples/benchmark/startup.py [--runs 15] [--quick]

Times ``python3 -c pass`` and ``pypy3 -c pass`` (median of --runs), the three
interpreters started together, and
``cpy2py-run --main-interpreter python3 --twin a=python3 --twin b=pypy3 startup_app.py``,
an application that makes one call to each twin and exits. The twins start in parallel
with the main, so the reference is the slower interpreter: the report is the median
wall time of the whole run minus ``max(python3 -c pass, pypy3 -c pass)``, and the times
(from the application's own clock) at which its main began and each first call returned.
On two cores three interpreters starting together compete for CPU, so the difference to
"started together" is printed too. Real interpreter binaries are used (a pyenv shim alone
costs tens of milliseconds). Everything runs twice: in the environment as given, and with
a bytecode cache (PYTHONPYCACHEPREFIX), since without one every process compiles the
runtime's modules from source.
The binary: $CPY2PY_RUN_BINARY, build/ or build-main/ of the repository, or PATH.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench_binary import find_binary
from bench_interpreters import describe, find_interpreter
from bench_timing import median

HERE = os.path.dirname(os.path.abspath(__file__))
BUDGET = 0.030


def wall(command, env=None):
    """Seconds to run ``command`` to its end, and its stdout"""
    start = time.time()
    env = dict(env or os.environ, BENCH_T0=repr(start))
    out = subprocess.run(command, stdout=subprocess.PIPE, env=env, check=True).stdout
    return time.time() - start, out


def ms(seconds):
    return '%6.1f ms' % (seconds * 1e3)


def parallel(commands, env):
    """Seconds until all ``commands``, started together, have exited"""
    start = time.time()
    for process in [subprocess.Popen(command, env=env) for command in commands]:
        process.wait()
    return time.time() - start


def measure(binary, python, pypy, runs, env):
    """Medians of the interpreters' start-up and of the application's run and marks"""
    app = [binary, '--main-interpreter', python, '--twin', 'a=' + python, '--twin', 'b=' + pypy,
           os.path.join(HERE, 'startup_app.py')]
    alone = [[python, '-c', 'pass'], [pypy, '-c', 'pass']]
    samples = dict((key, []) for key in ('python', 'pypy', 'parallel', 'app', 'main', 'a', 'b'))
    for command in alone + [app]:  # warm the page cache (and the bytecode cache, if any)
        wall(command, env)
    for index in range(runs):  # interleaved, so that all share the machine's load
        samples['python'].append(wall(alone[0], env)[0])
        samples['pypy'].append(wall(alone[1], env)[0])
        samples['parallel'].append(parallel([alone[0]] + alone, env))
        seconds, out = wall(app, env)
        samples['app'].append(seconds)
        for key, value in json.loads(out.decode().strip().splitlines()[-1]).items():
            samples[key].append(value)
        if sys.stderr.isatty():
            sys.stderr.write('\rrun %d/%d ' % (index + 1, runs))
    if sys.stderr.isatty():
        sys.stderr.write('\r')
    return dict((key, median(values)) for key, values in samples.items())


def report(title, med, python, pypy):
    slowest = max(med['python'], med['pypy'])
    calls_done = max(med['a'], med['b'])
    print(title)
    print('  %-62s %s' % ('python3 -c pass (%s)' % describe(python), ms(med['python'])))
    print('  %-62s %s' % ('pypy3 -c pass (%s)' % describe(pypy), ms(med['pypy'])))
    print('  %-62s %s' % ('python3, python3 and pypy3 -c pass started together', ms(med['parallel'])))
    print('  %-62s %s' % ('cpy2py-run, main python3, twins a=python3 b=pypy3: whole run', ms(med['app'])))
    print('    %-60s %s' % ('main script begins (supervisor, python3, import cpy2py)', ms(med['main'])))
    print('    %-60s %s' % ('first call to twin a (python3) returned', ms(med['a'])))
    print('    %-60s %s' % ('first call to twin b (pypy3) returned', ms(med['b'])))
    print('    %-60s %s' % ('exit after the last call (twins shut down)', ms(med['app'] - calls_done)))
    print('  added to max(interpreter start): %s whole run (budget %s), %s until both calls returned'
          % (ms(med['app'] - slowest).strip(), ms(BUDGET).strip(), ms(calls_done - slowest).strip()))
    print('  added to the three interpreters started together: %s whole run, %s until both calls returned'
          % (ms(med['app'] - med['parallel']).strip(), ms(calls_done - med['parallel']).strip()))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--quick', action='store_true', help='5 runs')
    args = parser.parse_args(argv)
    runs = 5 if args.quick else args.runs
    binary = find_binary()
    python, pypy = find_interpreter('python3'), find_interpreter('pypy3')
    if binary is None or python is None or pypy is None:
        print('startup.py needs cpy2py-run, python3 and pypy3; found %s, %s, %s' % (binary, python, pypy))
        return 77
    env = dict(os.environ)
    env.pop('CPY2PY_DEBUG', None)
    print('Start-up, median of %d runs (%s)' % (runs, binary))
    print('')
    no_bytecode = bool(env.get('PYTHONDONTWRITEBYTECODE'))
    report('Environment as given (PYTHONDONTWRITEBYTECODE %s):' % ('set: every process compiles the runtime'
           if no_bytecode else 'unset'), measure(binary, python, pypy, runs, env), python, pypy)
    cache = tempfile.mkdtemp(prefix='cpy2py-bench-pyc-')
    try:
        cached = dict(env, PYTHONPYCACHEPREFIX=cache)
        cached.pop('PYTHONDONTWRITEBYTECODE', None)
        print('')
        report('Bytecode cached (PYTHONPYCACHEPREFIX=<fresh dir>, written by the warm-up run):',
               measure(binary, python, pypy, runs, cached), python, pypy)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
