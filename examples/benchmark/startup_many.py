"""
Start-up with many twins: 16 eager python3 twins, until every first call has returned

    python3 examples/benchmark/startup_many.py [--twins 16] [--runs 9] [--quick]

Times, in interleaved runs (median of --runs):

* 17 bare ``python3 -c pass`` started together, until the last has exited (what the
  interpreters alone cost when they compete for the CPUs);
* ``cpy2py-run --twin t1=python3 … --twin t16=python3 startup_app.py t1 … t16``: a main
  and 16 eager twins; the application calls each twin once. The report is the time at which
  the last first call returned (the application's clock, from just before cpy2py-run was
  started), and the whole run including the exit.

The real interpreter binary is used (a pyenv shim alone costs tens of milliseconds per
process). The binary: $CPY2PY_RUN_BINARY, build/ or build-main/ of the repository, or PATH.
"""
import argparse
import json
import os
import subprocess
import sys
import time

from bench_binary import find_binary
from bench_interpreters import describe, find_interpreter
from bench_timing import median

HERE = os.path.dirname(os.path.abspath(__file__))
GOAL = 1.5


def bare(python, count):
    start = time.time()
    for process in [subprocess.Popen([python, '-c', 'pass']) for _ in range(count)]:
        process.wait()
    return time.time() - start


def application(binary, python, twins):
    ids = ['t%d' % (i + 1) for i in range(twins)]
    command = [binary, '--main-interpreter', python]
    for twin_id in ids:
        command += ['--twin', '%s=%s' % (twin_id, python)]
    command += [os.path.join(HERE, 'startup_app.py')] + ids
    start = time.time()
    env = dict(os.environ, BENCH_T0=repr(start))
    env.pop('CPY2PY_DEBUG', None)
    out = subprocess.run(command, stdout=subprocess.PIPE, env=env, check=True).stdout
    whole = time.time() - start
    marks = json.loads(out.decode().strip().splitlines()[-1])
    return max(marks[i] for i in ids), whole


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--twins', type=int, default=16)
    parser.add_argument('--runs', type=int, default=None, help='default 9, quick 3')
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 9)
    binary, python = find_binary(), find_interpreter('python3')
    if binary is None or python is None:
        print('startup_many.py needs cpy2py-run and python3; found %s, %s' % (binary, python))
        return 77
    bare(python, args.twins + 1)  # warm the page cache
    application(binary, python, args.twins)
    samples = {'bare': [], 'calls': [], 'whole': []}
    for index in range(runs):
        samples['bare'].append(bare(python, args.twins + 1))
        calls, whole = application(binary, python, args.twins)
        samples['calls'].append(calls)
        samples['whole'].append(whole)
        if sys.stderr.isatty():
            sys.stderr.write('\rrun %d/%d ' % (index + 1, runs))
    med = dict((key, median(values)) for key, values in samples.items())
    print('Start-up with %d eager twins, %s, median of %d interleaved runs (%s)' % (
        args.twins, describe(python), runs, binary))
    print('  %d x python3 -c pass started together, all exited        %7.1f ms' % (
        args.twins + 1, med['bare'] * 1e3))
    print('  cpy2py-run, main + %d twins: every first call returned    %7.1f ms  = %.2fx' % (
        args.twins, med['calls'] * 1e3, med['calls'] / med['bare']))
    print('  cpy2py-run, main + %d twins: whole run, exit included     %7.1f ms  = %.2fx' % (
        args.twins, med['whole'] * 1e3, med['whole'] / med['bare']))
    print('')
    print('Summary (goal of issue 12: all first calls within %gx the bare interpreters): %.2fx (%s)' % (
        GOAL, med['calls'] / med['bare'], 'met' if med['calls'] / med['bare'] <= GOAL else 'missed'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
