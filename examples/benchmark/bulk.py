"""
Bulk data: a 100 MB bytes / bytearray / memoryview crossing between python3 processes

    cpy2py-run examples/benchmark/bulk.py [--size-mb 100] [--repeats 5] [--quick]

(started with plain python3, the script runs itself under cpy2py-run)

Between Python 3.8+ interpreters large bytes-like values travel as pickle protocol 5
out-of-band buffers. For each kind this times, median of --repeats:

* argument: ``execute(size_of, value)``, main -> twin;
* result: ``execute(take, kind)`` returning a value the twin prepared beforehand, twin -> main;
* echo: ``execute(echo, value)``, both ways (GB/s counts the bytes once per direction).

For reference, the same run measures a raw AF_UNIX socketpair between two processes
(``sendall`` of a memoryview, ``recv_into`` a new buffer each time, as a receiver of a new
object must, or always the same buffer) and a memory copy (``bytes(bytearray)``, into new memory) in the main. GB/s are 10**9 bytes per second.
"""
import argparse
import os
import socket
import sys
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster  # noqa: E402

import bench_payload  # noqa: E402
from bench_interpreters import describe, find_interpreter  # noqa: E402
from bench_timing import median  # noqa: E402

KINDS = ('bytes', 'bytearray', 'memoryview')
BUDGET = 1.0  # GB/s


def timed(function, repeats):
    """Median seconds of ``function()``"""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return median(samples)


def socketpair_seconds(size, repeats, fresh):
    """
    Median seconds to move ``size`` bytes over an AF_UNIX socketpair to a forked child

    The child receives into a new buffer each time (``fresh``: what a receiver of a new
    object must do, page faults included) or always into the same one.
    """
    parent, child = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the child receives and acknowledges
        parent.close()
        view = memoryview(bytearray(size))
        try:
            while True:
                if fresh:
                    view = memoryview(bytearray(size))
                have = 0
                while have < size:
                    got = child.recv_into(view[have:])
                    if not got:
                        os._exit(0)
                    have += got
                child.sendall(b'k')
        finally:
            os._exit(0)
    child.close()
    data = memoryview(bench_payload.make('bytearray', size))

    def once():
        parent.sendall(data)
        parent.recv(1)
    result = timed(once, repeats)
    parent.close()
    os.waitpid(pid, 0)
    return result


def gbps(size, seconds):
    return size / seconds / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--size-mb', type=float, default=100)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--twin', default='python3', help='twin interpreter, 3.8+ (default python3)')
    parser.add_argument('--quick', action='store_true', help='2 repeats')
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else args.repeats
    size = int(args.size_mb * 1e6)
    # fork before the kernel starts threads
    raw_fresh = socketpair_seconds(size, repeats, fresh=True)
    raw_reused = socketpair_seconds(size, repeats, fresh=False)
    path = find_interpreter(args.twin)
    if path is None:
        print('Ignoring interpreter: %s (not found)' % args.twin)
        return 77
    master = TwinMaster(executable=path, twinterpreter_id='bench-bulk')
    master.start()
    source = bytearray(size)
    copy = timed(lambda: bytes(source), repeats)
    del source
    print('Bulk transfer of %.0f MB, median of %d, main %s, twin %s' % (
        size / 1e6, repeats, describe(sys.executable), describe(path)))
    print('  %-56s %7.2f GB/s' % ('raw AF_UNIX socketpair, receiving into a new buffer', gbps(size, raw_fresh)))
    print('  %-56s %7.2f GB/s' % ('raw AF_UNIX socketpair, receiving into the same buffer', gbps(size, raw_reused)))
    print('  %-56s %7.2f GB/s' % ('memory copy (bytes(bytearray)) in the main', gbps(size, copy)))
    print('')
    print('  %-12s %18s %18s %18s' % ('', 'argument', 'result', 'echo (each way)'))
    worst = None
    for kind in KINDS:
        value = bench_payload.make(kind, size)
        master.execute(bench_payload.prepare, kind, size)
        master.execute(bench_payload.size_of, b'x' * 70000)  # warm the out-of-band path
        argument = timed(lambda: master.execute(bench_payload.size_of, value), repeats)
        result = timed(lambda: master.execute(bench_payload.take, kind), repeats)
        echo = timed(lambda: master.execute(bench_payload.echo, value), repeats)
        returned = master.execute(bench_payload.take, kind)
        assert type(returned).__name__ == kind and memoryview(returned).nbytes == size, (kind, type(returned))
        master.execute(bench_payload.release)
        rates = [gbps(size, argument), gbps(size, result), gbps(2 * size, echo)]
        worst = min([worst] + rates if worst is not None else rates)
        print('  %-12s %13.2f GB/s %13.2f GB/s %13.2f GB/s' % ((kind,) + tuple(rates)))
        del value, returned
    print('')
    print('  slowest: %.2f GB/s (budget >= %g GB/s); %.0f%% of the raw socketpair into a new buffer' % (
        worst, BUDGET, 100 * worst / gbps(size, raw_fresh)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
