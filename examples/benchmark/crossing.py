"""
Calls in both directions at once: the main calls its twin while a thread of the twin calls
the main

    cpy2py-run examples/benchmark/crossing.py [--calls 3000]

(started with plain python3, the script runs itself under cpy2py-run)

A process that only calls leaves its socket unwatched between calls (docs/DESIGN.md,
"Parked sockets"); a request that its peer sends on its own meanwhile must not wait for
the promoter's tick. This prints the time per call of each direction, alone and while the
other direction runs too, and the worst single call of each crossing run.
"""
import argparse
import sys
import threading
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster, TwinObject, kernel_state  # noqa: E402


def now():
    return time.time()


class Pinger(TwinObject):
    """Lives in the twin: a thread there calls the main's clock in a loop"""
    __twin_id__ = 'bench-crossing'

    def run(self, calls):
        """Calls the main ``calls`` times; returns (seconds per call, worst call)"""
        main = TwinMaster(twinterpreter_id=kernel_state.MASTER_ID)
        return _loop(lambda: main.execute(now), calls)

    def start(self, calls):
        self.result = None

        def work():
            self.result = self.run(calls)
        self.thread = threading.Thread(target=work)
        self.thread.start()

    def join(self):
        self.thread.join()
        return self.result


def _loop(call, calls):
    worst = 0.0
    start = time.time()
    for _ in range(calls):
        begin = time.time()
        call()
        worst = max(worst, time.time() - begin)
    return (time.time() - start) / calls, worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--calls', type=int, default=3000)
    args = parser.parse_args(argv)
    twin = TwinMaster(executable=sys.executable, twinterpreter_id='bench-crossing')
    twin.start()
    pinger = Pinger()
    _loop(lambda: twin.execute(now), 500)
    pinger.run(500)

    alone_main = _loop(lambda: twin.execute(now), args.calls)
    alone_twin = pinger.run(args.calls)
    pinger.start(args.calls)
    both_main = _loop(lambda: twin.execute(now), args.calls)
    both_twin = pinger.join()

    print('per call (worst single call in brackets), %d calls' % args.calls)
    print('  main -> twin alone            %8.1f µs  (%.0f µs)' % (alone_main[0] * 1e6, alone_main[1] * 1e6))
    print('  twin thread -> main alone     %8.1f µs  (%.0f µs)' % (alone_twin[0] * 1e6, alone_twin[1] * 1e6))
    print('  main -> twin, both at once    %8.1f µs  (%.0f µs)' % (both_main[0] * 1e6, both_main[1] * 1e6))
    print('  twin thread -> main, at once  %8.1f µs  (%.0f µs)' % (both_twin[0] * 1e6, both_twin[1] * 1e6))
    return 0


if __name__ == '__main__':
    sys.exit(main())
