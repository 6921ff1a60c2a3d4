"""
What spinning costs: CPU per call when calls are fast, slow, or spaced out

    python3 examples/benchmark/spin_cost.py [--calls 2000]

A thread that expects an answer spins up to CPY2PY_SPIN_US (default 100 µs) before it
sleeps (docs/DESIGN.md, "Spinning"), and stops spinning on a connection whose last waits
all outlasted the spin. This runs the same workloads twice under cpy2py-run, with the
default and with CPY2PY_SPIN_US=0, and prints wall time and CPU time (main and twin) per
call:

* ``fast``: ``execute(time.time)`` in a loop;
* ``slow``: a call that sleeps 1 ms in the twin (the caller would spin in vain);
* ``spaced``: fast calls with 1 ms of sleep in the main between them (the twin's worker
  would spin in vain after each reply).
"""
import argparse
import json
import os
import subprocess
import sys
import time

from bench_binary import find_binary, under_supervisor

WORKLOADS = ('fast', 'slow', 'spaced')


def measure(calls):
    """Runs under cpy2py-run: one JSON line {workload: [wall, main cpu, twin cpu] per call}"""
    from cpy2py import TwinMaster
    from bench_proc import cpu_seconds
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-spin')
    master.start()
    twin_pid = master.execute(os.getpid)
    loops = {
        'fast': lambda: master.execute(time.time),
        'slow': lambda: master.execute(time.sleep, 0.001),
        'spaced': lambda: (master.execute(time.time), time.sleep(0.001)),
    }
    results = {}
    for name in WORKLOADS:
        loop = loops[name]
        for _ in range(200):
            loop()
        me, twin, start = cpu_seconds(os.getpid()), cpu_seconds(twin_pid), time.time()
        for _ in range(calls):
            loop()
        wall = time.time() - start
        results[name] = [wall / calls, (cpu_seconds(os.getpid()) - me) / calls,
                         (cpu_seconds(twin_pid) - twin) / calls]
    print(json.dumps(results))


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--calls', type=int, default=2000)
    parser.add_argument('--measure', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        if not under_supervisor():
            sys.exit('--measure runs under cpy2py-run')
        return measure(args.calls)
    binary = find_binary()
    if binary is None:
        sys.exit('cpy2py-run not found (set CPY2PY_RUN_BINARY)')
    print('per call: wall / main CPU / twin CPU, %d calls each (CPU at clock-tick resolution)' % args.calls)
    print('%-8s %-28s %-28s' % ('', 'spinning (default)', 'CPY2PY_SPIN_US=0'))
    runs = {}
    for label, value in (('default', None), ('off', '0')):
        env = dict(os.environ)
        env.pop('CPY2PY_SPIN_US', None)
        if value is not None:
            env['CPY2PY_SPIN_US'] = value
        out = subprocess.check_output([binary, os.path.abspath(__file__), '--measure',
                                       '--calls', str(args.calls)], env=env)
        runs[label] = json.loads(out.decode().strip().splitlines()[-1])
    for name in WORKLOADS:
        cells = ['%6.1f / %5.1f / %5.1f µs' % tuple(v * 1e6 for v in runs[label][name])
                 for label in ('default', 'off')]
        print('%-8s %-28s %-28s' % (name, cells[0], cells[1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
