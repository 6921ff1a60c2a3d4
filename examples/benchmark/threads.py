"""
Many caller threads into one twin: total calls per second, against a multiprocessing manager

    cpy2py-run examples/benchmark/threads.py [--threads 1 2 8 32] [--calls 4000] [--rounds 5]
        [--quick]

(started with plain python3, the script runs itself under cpy2py-run)

For each thread count, persistent caller threads (bench_crew.py) all call a trivial method
at once: ``now()`` on a TwinObject proxy (the twin is a python3 twin, this interpreter),
and ``now()`` on a ``multiprocessing`` manager's proxy (bench_service.py: a forked server
process, one connection and one server thread per client thread) — the standard library's
way to serve one object to many threads. Blocks alternate between the two, --rounds times;
the report gives the median total calls/s of each and their ratio.

Then the main thread's own call cost: measured first, before any other thread has called
(some runtimes switch to a slower path once several threads call), and again after the
thread blocks, each time in blocks interleaved with the spinning floor (bench_floor.py: a
raw pickled ping-pong that waits the way the runtime does) and the blocking floor.
"""
import argparse
import sys
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster  # noqa: E402

import bench_service  # noqa: E402
from bench_clock import clock_class  # noqa: E402
from bench_crew import Crew  # noqa: E402
from bench_floor import FloorPeer  # noqa: E402
from bench_interpreters import describe  # noqa: E402
from bench_timing import median, time_repr  # noqa: E402

GOAL_SINGLE, GOAL_MANAGER = 1.0, 1.5


def per_call(function, count):
    start = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - start) / count


def main_thread_blocks(subjects, rounds, block):
    """Interleaved blocks; {label: median seconds per call}"""
    samples = dict((label, []) for label, _ in subjects)
    for label, function in subjects:
        function(block)  # warm-up
    for _ in range(rounds):
        for label, function in subjects:
            samples[label].append(function(block))
    return dict((label, median(values)) for label, values in samples.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--threads', type=int, nargs='+', default=[1, 2, 8, 32])
    parser.add_argument('--calls', type=int, default=None,
                        help='calls per block, shared by the threads (default 8000, quick 2000)')
    parser.add_argument('--rounds', type=int, default=None, help='blocks of each (default 5, quick 3)')
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    calls = args.calls or (2000 if args.quick else 8000)
    rounds = args.rounds or (3 if args.quick else 5)
    block = 1000 if args.quick else 3000

    # fork before the runtime starts threads: the floors and the manager's server
    floor = FloorPeer.fork('blocking floor')
    spin_floor = FloorPeer.fork('spinning floor', spin=True)
    manager, service = bench_service.start_manager()
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-threads')
    master.start()
    clock = clock_class(master.twinterpreter_id)()

    def twin_block(n):
        return per_call(clock.now, n)
    subjects = [('floor', floor.run), ('spin floor', spin_floor.run), ('twin', twin_block)]
    before = main_thread_blocks(subjects, rounds, block)

    results = []
    for size in args.threads:
        crew = Crew(size)
        each = max(1, calls // size)
        systems = [('twin', clock.now), ('manager', service.now)]
        for _, function in systems:
            crew.run(function, max(1, 200 // size))  # warm-up: the manager connects per thread
        samples = dict((name, []) for name, _ in systems)
        for _ in range(rounds):
            for name, function in systems:
                samples[name].append(size * each / crew.run(function, each))
        crew.stop()
        results.append((size, median(samples['twin']), median(samples['manager'])))
        sys.stderr.write('.')
        sys.stderr.flush()
    sys.stderr.write('\n')

    after = main_thread_blocks(subjects, rounds, block)

    print('Caller threads into one twin; main and twin %s, medians of %d interleaved blocks'
          % (describe(sys.executable), rounds))
    print('')
    print('%8s %14s %14s %10s %12s' % ('threads', 'twin calls/s', 'manager', 'vs manager', 'vs 1 thread'))
    single = results[0][1] if results and results[0][0] == 1 else None
    for size, twin, mgr in results:
        print('%8d %14.0f %14.0f %9.2fx %11s' % (
            size, twin, mgr, twin / mgr, '%.2fx' % (twin / single) if single else '-'))
    print('')
    print("The main thread's call (TwinObject method), before and after other threads called:")
    for title, med in (('before', before), ('after', after)):
        print('  %-7s floor %9s  spinning floor %9s  call %9s = %.2fx spinning floor, %.2fx floor' % (
            title, time_repr(med['floor']), time_repr(med['spin floor']), time_repr(med['twin']),
            med['twin'] / med['spin floor'], med['twin'] / med['floor']))
    print('')
    print('Summary (goals of issue 12):')
    for size, twin, mgr in results:
        if size == 1:
            continue
        print('  %2d threads: %.2fx the single thread (goal >= %g), %.2fx the manager (goal >= %g)' % (
            size, twin / single if single else float('nan'), GOAL_SINGLE, twin / mgr, GOAL_MANAGER))
    print('  main thread after/before, each against its spinning floor: %.2fx (goal: the same)' % (
        (after['twin'] / after['spin floor']) / (before['twin'] / before['spin floor'])))
    # in reverse order of forking: each later child holds the earlier sockets too
    manager.shutdown()
    spin_floor.close()
    floor.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
