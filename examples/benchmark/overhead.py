"""
Call overhead of cpy2py-run: the original benchmark's table, and our ratio to the floor

    cpy2py-run examples/benchmark/overhead.py [--interpreters pypy3 python2.7 ...]
        [--repeats 15000:15:15x15k 5000:30:30x5k 1:300:300x1] [--quick]

(started with plain python3, the script runs itself under cpy2py-run)

For every interpreter found (PATH, then pyenv; missing ones are reported and skipped) a
twin is started with ``TwinMaster(executable=..., twinterpreter_id=...)`` (cpy2py-run
spawns undeclared twins on demand), warmed up, and ``execute(time.time)`` is timed: each
repeat ``COUNT:TRIES:NAME`` runs TRIES timed loops of COUNT calls; the table shows the
mean per call over the tries, ± its standard error. Unlike the original, a try does not
restart the twin: start-up is measured by startup.py.

In the same run the *floor* is measured: the same pickled call over a raw AF_UNIX
socketpair to a forked child (and to a pypy3 child). Floor, ``execute`` and a method call
on a TwinObject proxy are timed in interleaved blocks, so that they share the machine's
load; ratios are of the medians of the blocks. First the main's own interpreter is the
only twin connected; then a PyPy twin joins, and the CPython twin is timed again (the
kernel takes another path when it has several peers).

Where the scheduler puts the two ends matters more than anything else on virtual
machines (a wake-up on another CPU costs tens of microseconds), so the first ratios are
also measured with the ends pinned (bench_placement.py): all on one CPU, and the main on
one CPU with the twin and the floor child on another.
"""
import argparse
import os
import sys
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster  # noqa: E402

from bench_clock import clock_class  # noqa: E402
from bench_floor import FloorPeer  # noqa: E402
from bench_interpreters import describe, find_interpreter  # noqa: E402
from bench_placement import Pinned, placements  # noqa: E402
from bench_timing import TimingVector, median, time_repr  # noqa: E402

DEFAULT_INTERPRETERS = ['pypy3', 'python2.7', 'python3.6', 'python3.13', 'python3']
DEFAULT_REPEATS = ['15000:15:15x15k', '5000:30:30x5k', '1:300:300x1']
QUICK_REPEATS = ['2000:5:5x2k', '500:10:10x500', '1:50:50x1']
BUDGETS = {'execute': 1.5, 'method': 1.7, 'pypy': 2.0}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--interpreters', nargs='*', default=DEFAULT_INTERPRETERS,
                        help='twin interpreters, names or paths (default: %(default)s)')
    parser.add_argument('--repeats', nargs='+', default=None, metavar='COUNT:TRIES:NAME',
                        help='timed loops per table column (default: %s)' % ' '.join(DEFAULT_REPEATS))
    parser.add_argument('--rounds', type=int, default=None,
                        help='interleaved blocks for the floor ratios (default 15, quick 5)')
    parser.add_argument('--block', type=int, default=None,
                        help='calls per block for the floor ratios (default 2000, quick 1000)')
    parser.add_argument('--warmup', type=float, default=None,
                        help='seconds of calls to warm up each twin (default 1, quick 0.3)')
    parser.add_argument('--quick', action='store_true', help='fewer and shorter loops')
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = QUICK_REPEATS if args.quick else DEFAULT_REPEATS
    args.rounds = args.rounds or (5 if args.quick else 15)
    args.block = args.block or (1000 if args.quick else 2000)
    args.warmup = args.warmup if args.warmup is not None else (0.3 if args.quick else 1.0)
    try:
        args.repeats = [(int(c), int(t), n) for c, t, n in (r.split(':', 2) for r in args.repeats)]
    except ValueError:
        parser.error('--repeats takes COUNT:TRIES:NAME, e.g. 15000:15:15x15k')
    return args


def progress(*parts):
    if sys.stderr.isatty():
        sys.stderr.write('\r' + ' '.join(str(p) for p in parts) + ' ' * 10)
        sys.stderr.flush()


def safe_id(name):
    return 'bench-' + ''.join(c if c.isalnum() or c in '.-' else '_' for c in name)


class Twin(object):
    """One twin under test, its interpreter and its TwinMaster"""

    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.version = describe(path)
        self.is_pypy = self.version.startswith('PyPy')
        self.master = TwinMaster(executable=path, twinterpreter_id=safe_id(name))
        self._clock = None

    def start(self, warmup):
        self.master.start()
        warm_up(lambda n: time_execute(self.master, n), warmup)

    @property
    def clock(self):
        """A TwinObject living in this twin (for method calls through a proxy)"""
        if self._clock is None:
            self._clock = clock_class(self.master.twinterpreter_id)()
        return self._clock


def warm_up(function, seconds):
    """Call ``function(count)`` for ``seconds`` (PyPy's JIT needs a few thousand calls)"""
    deadline = time.time() + seconds
    function(200)
    while time.time() < deadline:
        function(500)


def time_execute(master, count):
    execute, now = master.execute, time.time
    start = time.perf_counter()
    for _ in range(count):
        execute(now)
    return (time.perf_counter() - start) / count


def time_method(clock, count):
    start = time.perf_counter()
    for _ in range(count):
        clock.now()
    return (time.perf_counter() - start) / count


def find_twins(names, quiet=False):
    twins = []
    for name in names:
        path = find_interpreter(name)
        if path is None:
            print('Ignoring interpreter: %s (not found)' % name)
            continue
        twins.append(Twin(name, path))
    return twins


def run_table(twins, repeats, warmup):
    """{(twin name, repeat name): TimingVector of per-call seconds}"""
    results = {}
    for twin in twins:
        twin.start(warmup)
        for count, tries, name in repeats:
            vector = results[twin.name, name] = TimingVector()
            started = time.time()
            for index in range(tries):
                vector.append(time_execute(twin.master, count))
                progress('Test', name.rjust(15), '=>', twin.name, index + 1, '/', tries, vector.long_str())
            progress('Test', name.rjust(15), twin.name.rjust(15), 'Done %.1f s' % (time.time() - started))
    progress('')
    return results


def print_table(twins, repeats, results):
    rule = ' '.join(['=' * 20] * (len(repeats) + 1))
    main_name = os.path.splitext(os.path.basename(sys.executable))[0]
    print(rule)
    print('%20s' % main_name + ''.join(' %20s' % name for _, _, name in repeats))
    print(rule)
    for twin in twins:
        print(twin.name.rjust(20) + ''.join(' %20s' % results[twin.name, name] for _, _, name in repeats))
    print(rule)


def run_ratios(floors, subjects, rounds, block):
    """Interleaved blocks of every subject; {label: [per-call seconds of each block]}"""
    samples = dict((label, []) for label, _ in floors + subjects)
    for label, function in floors + subjects:  # warm-up, and the JIT of PyPy children
        function(block)
    for index in range(rounds):
        for label, function in floors + subjects:
            samples[label].append(function(block))
        progress('Floor ratios: round', index + 1, '/', rounds)
    progress('')
    return samples


def print_ratios(med, lines):
    for text, label, base in lines:
        if label not in med:
            continue
        base_name = 'pypy floor' if base and base.startswith('pypy') else 'floor'
        ratio = '  %.2fx %s' % (med[label] / med[base], base_name) if base else ''
        print('  %-56s %9s%s' % (text, time_repr(med[label]), ratio))


def main(argv=None):
    args = parse_args(argv)
    me = os.path.realpath(sys.executable)
    # fork the floor child first: later the kernel runs threads
    floor_py = FloorPeer.fork('python3 (forked main interpreter)')
    twins = find_twins(args.interpreters)
    pypy_path = next((t.path for t in twins if t.is_pypy), None) or find_interpreter('pypy3')
    floor_pypy = FloorPeer.spawn(pypy_path, 'pypy3') if pypy_path else None
    if floor_pypy is not None:  # as long a warm-up as the PyPy twin gets
        warm_up(floor_pypy.run, max(args.warmup, 2.0))

    # the twins of the ratios: the main's own interpreter, and PyPy
    cpython = next((t for t in twins if os.path.realpath(t.path) == me), None)
    if cpython is None:
        cpython = Twin(os.path.basename(me), me)
    pypy = next((t for t in twins if t.is_pypy), None)
    if pypy is None and pypy_path:
        pypy = Twin('pypy3', pypy_path)

    # 1. CPython main and CPython twin, the only peer
    cpython.start(args.warmup)
    floors = [('floor', floor_py.run)]
    subjects = [('execute', lambda n: time_execute(cpython.master, n)),
                ('method', lambda n: time_method(cpython.clock, n))]
    samples = run_ratios(floors, subjects, args.rounds, args.block)
    pinned = placements()
    for label, main_cpus, peer_cpus in pinned:
        with Pinned(main_cpus, peer_cpus, [cpython.master], [floor_py.child]):
            samples.update(run_ratios(
                [('floor ' + label, floor_py.run)],
                [('execute ' + label, lambda n: time_execute(cpython.master, n)),
                 ('method ' + label, lambda n: time_method(cpython.clock, n))],
                args.rounds, args.block))
    # 2. with PyPy: its floor and twin, and the CPython twin again, now with two peers
    if pypy is not None:
        pypy.start(max(args.warmup, 2.0))
        floors = [('floor 2', floor_py.run), ('pypy floor', floor_pypy.run)]
        subjects = [('execute 2', lambda n: time_execute(cpython.master, n)),
                    ('pypy execute', lambda n: time_execute(pypy.master, n))]
        samples.update(run_ratios(floors, subjects, args.rounds, args.block))

    results = run_table(twins, args.repeats, args.warmup)

    print('main: %s (%s)' % (describe(sys.executable), sys.executable))
    for twin in twins:
        print('twin %-12s %s (%s)' % (twin.name + ':', twin.version, twin.path))
    print('')
    print_table(twins, args.repeats, results)
    print('')
    med = dict((label, median(values)) for label, values in samples.items())
    print('Floor: the same pickled call over a raw AF_UNIX socketpair to a forked child; '
          'medians of %d interleaved blocks of %d calls' % (args.rounds, args.block))
    print('1. the %s twin is the only peer:' % cpython.name)
    print_ratios(med, [('floor, python3 child (%s)' % describe(sys.executable), 'floor', None),
                       ('execute(time.time), %s twin' % cpython.name, 'execute', 'floor'),
                       ('proxy.now() (TwinObject method), %s twin' % cpython.name, 'method', 'floor')])
    for label, main_cpus, peer_cpus in pinned:
        print('   pinned, %s (main on CPU %s, twin and floor child on CPU %s):' % (
            label, min(main_cpus), min(peer_cpus)))
        print_ratios(med, [('floor', 'floor ' + label, None),
                           ('execute(time.time)', 'execute ' + label, 'floor ' + label),
                           ('proxy.now()', 'method ' + label, 'floor ' + label)])
    if pypy is not None:
        print('2. a %s twin is connected too:' % pypy.name)
        print_ratios(med, [('floor, python3 child', 'floor 2', None),
                           ('execute(time.time), %s twin' % cpython.name, 'execute 2', 'floor 2'),
                           ('floor, pypy3 child (%s)' % pypy.version, 'pypy floor', None),
                           ('execute(time.time), %s twin' % pypy.name, 'pypy execute', 'pypy floor')])
    print('')
    print('Summary (median-based, same run):')
    print('  execute/floor = %.2fx (budget %gx)' % (med['execute'] / med['floor'], BUDGETS['execute']))
    print('  method/floor = %.2fx (budget %gx)' % (med['method'] / med['floor'], BUDGETS['method']))
    for label, _, _ in pinned:
        print('  pinned, %s: execute/floor = %.2fx, method/floor = %.2fx' % (
            label, med['execute ' + label] / med['floor ' + label],
            med['method ' + label] / med['floor ' + label]))
    if pypy is not None:
        print('  pypy execute/floor = %.2fx (budget %gx; %.2fx the python3 floor)' % (
            med['pypy execute'] / med['pypy floor'], BUDGETS['pypy'], med['pypy execute'] / med['floor 2']))
        print('  execute/floor with two twins connected = %.2fx' % (med['execute 2'] / med['floor 2']))
    else:
        print('  pypy execute/floor = n/a (pypy3 not found)')
    floor_py.close()
    if floor_pypy is not None:
        floor_pypy.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
