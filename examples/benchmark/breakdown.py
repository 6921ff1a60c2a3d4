"""
Where the time of a call goes: CPU time and context switches on each side

    cpy2py-run examples/benchmark/breakdown.py [--calls 30000] [--rounds 3] [--twin python3]
        [--idle-peers N] [--quick]

(started with plain python3, the script runs itself under cpy2py-run)

Wall time on shared VMs swings with the neighbours' load; CPU time per call and context
switches per call are steadier. For the floor (the same pickled call over a raw
socketpair to a forked child), for ``execute(time.time)`` and for a method call on a
TwinObject proxy, this prints per call: wall time, CPU time of the calling process and of
the peer (``time.process_time`` run in the peer, all its threads), and the voluntary
context switches of each side (from ``/proc/<pid>/task/*/status``). A ping-pong needs one
voluntary switch per side per call (blocking in ``recv``); more means threads hand work
to each other.
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
from bench_proc import context_switches  # noqa: E402
from bench_timing import median  # noqa: E402


class Side(object):
    """CPU clock and pid of one end"""

    def __init__(self, pid, cpu_clock):
        self.pid = pid
        self.cpu_clock = cpu_clock

    def sample(self):
        return (self.cpu_clock(),) + context_switches(self.pid)


def measure(loop, calls, local, remote):
    """Per call: wall, local CPU, remote CPU, local and remote voluntary/involuntary switches"""
    l0, r0 = local.sample(), remote.sample()
    start = time.perf_counter()
    loop(calls)
    wall = time.perf_counter() - start
    l1, r1 = local.sample(), remote.sample()
    return [wall / calls] + [(b - a) / calls for a, b in zip(l0 + r0, l1 + r1)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--calls', type=int, default=30000)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--twin', default=sys.executable, help='twin interpreter (default: the main\'s)')
    parser.add_argument('--idle-peers', type=int, default=0,
                        help='also connect this many idle twins (the kernel may take another path '
                             'when it has several peers)')
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.rounds = 10000, 2
    floor = FloorPeer.fork()
    path = find_interpreter(args.twin)
    if path is None:
        print('Ignoring interpreter: %s (not found)' % args.twin)
        return 1
    master = TwinMaster(executable=path, twinterpreter_id='bench-breakdown')
    master.start()
    clock = clock_class('bench-breakdown')()
    for index in range(args.idle_peers):
        TwinMaster(executable=path, twinterpreter_id='bench-idle%d' % index).execute(time.time)
    me = Side(os.getpid(), time.process_time)
    floor_side = Side(floor.child, lambda: floor_call(floor, time.process_time))
    twin_side = Side(master.execute(os.getpid), lambda: master.execute(time.process_time))

    def execute_loop(count):
        execute, now = master.execute, time.time
        for _ in range(count):
            execute(now)

    def method_loop(count):
        for _ in range(count):
            clock.now()

    subjects = [('floor (forked %s child)' % describe(sys.executable), floor.run, floor_side),
                ('execute(time.time) in %s twin' % describe(path), execute_loop, twin_side),
                ('proxy.now() in %s twin' % describe(path), method_loop, twin_side)]
    for _, loop, _ in subjects:
        loop(args.calls // 5)  # warm-up
    results = dict((label, []) for label, _, _ in subjects)
    for _ in range(args.rounds):
        for label, loop, side in subjects:
            results[label].append(measure(loop, args.calls, me, side))
    print('per call, median of %d rounds of %d calls%s' % (
        args.rounds, args.calls, ', %d idle twins connected too' % args.idle_peers if args.idle_peers else ''))
    print('%-44s %8s %10s %10s %11s %11s' % (
        '', 'wall', 'main CPU', 'peer CPU', 'main vol/inv', 'peer vol/inv'))
    for label, _, _ in subjects:
        wall, cpu, vol, inv, rcpu, rvol, rinv = [median(column) for column in zip(*results[label])]
        print('%-44s %6.1f µs %7.1f µs %7.1f µs %5.2f/%-5.2f %5.2f/%-5.2f' % (
            label, wall * 1e6, cpu * 1e6, rcpu * 1e6, vol, inv, rvol, rinv))
    floor.close()
    return 0


def floor_call(floor, function):
    """Run ``function`` in the floor child and return its result (one extra round trip)"""
    import pickle
    import struct
    message = pickle.dumps((function, (), {}), floor.protocol)
    floor.sock.sendall(struct.pack('<I', len(message)) + message)
    buf = b''
    while len(buf) < 4 or len(buf) < 4 + struct.unpack_from('<I', buf)[0]:
        buf += floor.sock.recv(65536)
    return pickle.loads(buf[4:])


if __name__ == '__main__':
    sys.exit(main())
