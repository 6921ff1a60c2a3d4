"""
Head-of-line blocking: a trivial call while another thread runs 1 ms calls in the same twin

    cpy2py-run examples/benchmark/head_of_line.py [--calls 400] [--rounds 5] [--quick]

(started with plain python3, the script runs itself under cpy2py-run)

The main thread times each of --calls trivial calls (``now()``) one by one while a second
thread keeps the same server busy with 1 ms calls:

* ``sleep``: calls that wait 1 ms (``time.sleep``, as I/O would; the server's GIL is free);
* ``cpu``: calls that hold the CPU for 1 ms (a Python loop: the server's GIL is busy);

and, for reference, with no load. The server is a python3 twin (``execute``) or a
``multiprocessing`` manager (bench_service.py, one server thread per client connection),
in blocks interleaved round by round. The report gives p50 and p99 of all calls of each
cell, how many calls the load thread made and at what rate (a load that starved the trivial
calls would show a high rate), and the ratios the goals of issue 12 name: loaded p50 over unloaded p50 (sleep load),
and twin p50 over manager p50 under the same load.
"""
import argparse
import sys
import threading
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster  # noqa: E402

import bench_service  # noqa: E402
from bench_interpreters import describe  # noqa: E402
from bench_timing import time_repr  # noqa: E402

LOADS = ('none', 'sleep', 'cpu')
GOAL_SLEEP = 3.0


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Load(object):
    """A thread calling ``function()`` until stopped; counts its calls"""

    def __init__(self, function):
        self.function = function
        self.calls = 0
        #: seconds the load ran (from its third call to the stop)
        self.seconds = 0.0
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, name='load')
        self.thread.daemon = True

    def _loop(self):
        while not self.stopping:
            self.function()
            self.calls += 1

    def __enter__(self):
        self.thread.start()
        while self.calls < 2:  # the load is running
            time.sleep(0.001)
        self._started, self._calls_before = time.perf_counter(), self.calls
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join()
        self.seconds = time.perf_counter() - self._started
        self.calls -= self._calls_before
        return False


def timed_calls(function, count):
    samples = []
    clock = time.perf_counter
    for _ in range(count):
        start = clock()
        function()
        samples.append(clock() - start)
    return samples


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--calls', type=int, default=None, help='timed calls per block (default 400, quick 200)')
    parser.add_argument('--rounds', type=int, default=None, help='rounds (default 5, quick 2)')
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    calls = args.calls or (200 if args.quick else 400)
    rounds = args.rounds or (2 if args.quick else 5)

    manager, service = bench_service.start_manager()  # forked before runtime threads run
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-hol')
    master.start()
    execute = master.execute
    systems = {
        'twin': {'now': lambda: execute(bench_service.now),
                 'sleep': lambda: execute(bench_service.sleep_ms, 1),
                 'cpu': lambda: execute(bench_service.burn_ms, 1)},
        'manager': {'now': service.now,
                    'sleep': lambda: service.sleep_ms(1),
                    'cpu': lambda: service.burn_ms(1)},
    }
    samples = dict(((name, load), []) for name in systems for load in LOADS)
    loads_done = dict(((name, load), 0) for name in systems for load in LOADS)
    load_seconds = dict(((name, load), 0.0) for name in systems for load in LOADS)
    for name in systems:  # warm-up, also of the load thread's paths
        timed_calls(systems[name]['now'], 200)
        with Load(systems[name]['sleep']):
            timed_calls(systems[name]['now'], 50)
    for index in range(rounds):
        for load in LOADS:
            for name, ops in sorted(systems.items()):
                if load == 'none':
                    samples[name, load] += timed_calls(ops['now'], calls)
                    continue
                with Load(ops[load]) as running:
                    samples[name, load] += timed_calls(ops['now'], calls)
                loads_done[name, load] += running.calls
                load_seconds[name, load] += running.seconds
        sys.stderr.write('.')
        sys.stderr.flush()
    sys.stderr.write('\n')

    print('A trivial call while another thread runs 1 ms calls on the same server; %s, '
          '%d rounds of %d calls' % (describe(sys.executable), rounds, calls))
    print('')
    print('%-9s %-6s %10s %10s %10s %12s %13s' % ('server', 'load', 'p50', 'p99', 'max', 'load calls', 'load calls/s'))
    p50 = {}
    for name in ('twin', 'manager'):
        for load in LOADS:
            values = samples[name, load]
            p50[name, load] = percentile(values, 0.5)
            loaded = load != 'none'
            print('%-9s %-6s %10s %10s %10s %12s %13s' % (
                name, load, time_repr(p50[name, load]), time_repr(percentile(values, 0.99)),
                time_repr(max(values)), loads_done[name, load] if loaded else '-',
                '%.0f' % (loads_done[name, load] / load_seconds[name, load]) if loaded else '-'))
    print('')
    print('Summary (goals of issue 12):')
    print('  twin, sleeping load: p50 %.2fx the unloaded p50 (goal <= %g); manager %.2fx' % (
        p50['twin', 'sleep'] / p50['twin', 'none'], GOAL_SLEEP,
        p50['manager', 'sleep'] / p50['manager', 'none']))
    print('  CPU-bound load: twin p50 %s, manager p50 %s: %.2fx the manager (goal <= 1)' % (
        time_repr(p50['twin', 'cpu']), time_repr(p50['manager', 'cpu']),
        p50['twin', 'cpu'] / p50['manager', 'cpu']))
    manager.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
