"""
Big data: a 256 MiB numpy array, 1 GiB of bytes, and bytes nested in a list and an object

    cpy2py-run examples/benchmark/bigdata.py [--bytes-mib 1024] [--array-mib 256]
        [--nested-mib 256] [--repeats 3] [--quick]

(started with plain python3, the script runs itself under cpy2py-run; the main and the twin
use an interpreter that has numpy — Debian's python3-numpy exists for /usr/bin/python3
only — or, without one, the numpy part is skipped and says why)

Each value crosses as an argument (``execute(payload_bytes, value)``, main -> twin) and
as a result (``execute(take, kind)`` of a value the twin built beforehand, twin -> main);
median GB/s (10**9 bytes per second) of --repeats, against a memory copy in the main
(``bytes(bytearray)``, numpy's ``copy()``) measured in the same run, and as a multiple of
a copy of as many bytes into new memory timed right before each transfer (``x memcpy``). For each direction the
extra peak memory of the sender and the receiver is read from /proc (VmHWM, reset before
each transfer; see bench_big.py) and given as a multiple of the payload: the receiver
needs 1x for the value it keeps, anything more is copies on the way.
"""
import os
import subprocess
import sys

from bench_binary import run_under_supervisor

DEBIAN_PYTHON = '/usr/bin/python3'


def _numpy_interpreter():
    """This interpreter if it has numpy, else Debian's python3 if that has it, else None"""
    try:
        import numpy  # noqa: F401
        return None
    except ImportError:
        pass
    if os.path.exists(DEBIAN_PYTHON):
        if subprocess.call([DEBIAN_PYTHON, '-c', 'import numpy'], stderr=subprocess.DEVNULL) == 0:
            return DEBIAN_PYTHON
    return None


if __name__ == '__main__':
    run_under_supervisor(__file__, _numpy_interpreter())

import argparse  # noqa: E402
import time  # noqa: E402

from cpy2py import TwinMaster  # noqa: E402

import bench_big  # noqa: E402
from bench_interpreters import describe  # noqa: E402
from bench_timing import median  # noqa: E402

MIB = 1 << 20
GOALS = {'numpy': 4.0, 'bytes': 3.0}
GOAL_MEMORY = 1.2


def gbps(size, seconds):
    return size / seconds / 1e9


def transfer(master, kind, size, direction, value, repeats):
    """Median seconds, median seconds of a memory copy of as many bytes (into new memory,
    timed right before each transfer: the machine's load changes from second to second),
    and the worst extra peak memory (sender, receiver) in bytes"""
    seconds, copies, extra_main, extra_twin = [], [], [], []
    source = bytearray(size)
    source[::4096] = b'x' * len(source[::4096])
    for _ in range(repeats):
        copies.append(_timed(lambda: bytes(source)))
        if direction == 'result':
            master.execute(bench_big.prepare, kind, size)
        base_twin = master.execute(bench_big.reset_peak)
        base_main = bench_big.reset_peak()
        start = time.perf_counter()
        if direction == 'argument':
            got = master.execute(bench_big.payload_bytes, value)
        else:
            received = master.execute(bench_big.take, kind)
        seconds.append(time.perf_counter() - start)
        peak_main = bench_big.peak()
        peak_twin = master.execute(bench_big.peak)
        if direction == 'result':
            got = bench_big.payload_bytes(received)
            del received
            master.execute(bench_big.release)
        assert got == size, (kind, direction, got, size)
        extra_main.append(peak_main - base_main)
        extra_twin.append(peak_twin - base_twin)
    if direction == 'argument':
        return median(seconds), median(copies), max(extra_main), max(extra_twin)
    return median(seconds), median(copies), max(extra_twin), max(extra_main)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--bytes-mib', type=int, default=1024)
    parser.add_argument('--array-mib', type=int, default=256)
    parser.add_argument('--nested-mib', type=int, default=256)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--quick', action='store_true', help='1 repeat, a quarter of the sizes')
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats
    scale = 4 if args.quick else 1
    cases = [('numpy', 'numpy array', args.array_mib * MIB // scale),
             ('bytes', 'bytes', args.bytes_mib * MIB // scale),
             ('list', 'bytes in a list', args.nested_mib * MIB // scale),
             ('object', 'bytes in an object', args.nested_mib * MIB // scale)]
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-bigdata')
    master.start()
    numpy_here = bench_big.has_numpy() and master.execute(bench_big.has_numpy)
    print('Big values, median of %d, main and twin %s (%s)' % (repeats, describe(sys.executable), sys.executable))
    if not numpy_here:
        print('  numpy part skipped: numpy cannot be imported by %s (Debian: apt-get install '
              'python3-numpy, for /usr/bin/python3; looked at %s too)' % (sys.executable, DEBIAN_PYTHON))
        cases = cases[1:]
    source = bytearray(args.bytes_mib * MIB // scale)
    source[::4096] = b'x' * len(source[::4096])
    copy = gbps(len(source), median([_timed(lambda: bytes(source)) for _ in range(repeats)]))
    del source
    print('  memory copy in the main, bytes(bytearray), %d MiB: %.2f GB/s' % (args.bytes_mib // scale, copy))
    if numpy_here:
        import numpy
        array = numpy.ones(args.array_mib * MIB // scale // 8)
        numpy_copy = gbps(array.nbytes, median([_timed(array.copy) for _ in range(repeats)]))
        del array
        print('  memory copy in the main, numpy copy(), %d MiB: %.2f GB/s' % (args.array_mib // scale, numpy_copy))
    print('')
    print('%-20s %6s %10s %8s %9s %8s %8s   (extra peak memory x payload)' % (
        'value', 'MiB', 'direction', 'GB/s', 'x memcpy', 'sender', 'receiver'))
    summary = []
    master.execute(bench_big.payload_bytes, b'x' * 100000)  # warm the out-of-band path
    for kind, title, size in cases:
        value = bench_big.make(kind, size)
        for direction in ('argument', 'result'):
            seconds, copy_seconds, sender, receiver = transfer(
                master, kind, size, direction, value if direction == 'argument' else None, repeats)
            rate, versus = gbps(size, seconds), copy_seconds / seconds
            print('%-20s %6d %10s %8.2f %8.2fx %7.2fx %7.2fx' % (
                title, size // MIB, direction, rate, versus, float(sender) / size, float(receiver) / size))
            summary.append((kind, title, direction, rate, versus, float(sender) / size, float(receiver) / size))
        del value
    print('')
    print('Summary (goals of issue 12: numpy >= %g GB/s, bytes >= %g GB/s each way, extra peak '
          'memory <= %gx the payload on each side):' % (GOALS['numpy'], GOALS['bytes'], GOAL_MEMORY))
    for kind, title, direction, rate, versus, sender, receiver in summary:
        goal = GOALS.get(kind)
        print('  %-20s %-9s %6.2f GB/s = %.2fx memcpy%s; memory sender %.2fx, receiver %.2fx%s' % (
            title, direction, rate, versus,
            ' (goal >= %g: %s)' % (goal, 'met' if rate >= goal else 'missed') if goal else '',
            sender, receiver, '' if max(sender, receiver) <= GOAL_MEMORY else ' (over %gx)' % GOAL_MEMORY))
    return 0


def _timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


if __name__ == '__main__':
    sys.exit(main())
