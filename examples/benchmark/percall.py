"""
One trivial call against the spinning floor, in every placement, and instructions per call

    python3 examples/benchmark/percall.py [--rounds 15] [--block 2000] [--no-callgrind]
        [--quick]

(started with plain python3: the timing part runs itself under cpy2py-run, the callgrind
part runs cpy2py-run and the floor under valgrind)

1. Time per call: ``execute(time.time)`` in a python3 twin against two floors in
   interleaved blocks (bench_floor.py): the blocking pickled ping-pong, and the *spinning*
   one that waits the way the runtime does (non-blocking receives and ``sched_yield`` for
   up to 100 µs, then a blocking one). Placements: as the scheduler puts the ends, all on
   one CPU, the main on one CPU and the twin and floor child on the other
   (bench_placement.py).
2. Instructions per call on each side (``valgrind --tool=callgrind``): the whole run is
   counted twice, with --cg-calls and with three times as many calls, and the difference is
   divided by the extra calls, so start-up and exit cancel out. Spinning is off in both
   (``CPY2PY_SPIN_US=0``, the blocking floor): under valgrind threads run one at a time and
   a spin would only count its own loop. Skipped (saying why) without valgrind.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench_binary import find_binary, under_supervisor

HERE = os.path.dirname(os.path.abspath(__file__))
GOAL = 1.2


def per_call(function, count):
    start = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - start) / count


def measure_times(rounds, block):
    """Under cpy2py-run: {label: median seconds per call}"""
    from cpy2py import TwinMaster
    from bench_floor import FloorPeer
    from bench_placement import Pinned, placements
    from bench_timing import median
    floor = FloorPeer.fork('blocking floor')
    spin_floor = FloorPeer.fork('spinning floor', spin=True)
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-percall')
    master.start()

    def call(n, execute=master.execute, now=time.time):
        return per_call(lambda: execute(now), n)
    results = {}
    for label, main_cpus, peer_cpus in [('as scheduled', None, None)] + placements():
        subjects = [('floor', floor.run), ('spin floor', spin_floor.run), ('call', call)]
        pin = Pinned(main_cpus, peer_cpus, [master], [floor.child, spin_floor.child]) if main_cpus else None
        if pin:
            pin.__enter__()
        try:
            samples = dict((name, []) for name, _ in subjects)
            for _, function in subjects:
                function(block)
            for _ in range(rounds):
                for name, function in subjects:
                    samples[name].append(function(block))
        finally:
            if pin:
                pin.__exit__()
        results[label] = dict((name, median(values)) for name, values in samples.items())
    master.stop()
    spin_floor.close()
    floor.close()
    return results


def callgrind_app(calls):
    """Under cpy2py-run (under valgrind): warm up, then ``calls`` calls"""
    from cpy2py import TwinMaster
    master = TwinMaster(executable=sys.executable, twinterpreter_id='bench-percall')
    master.start()
    for _ in range(200 + calls):
        master.execute(time.time)


def callgrind_floor(calls):
    """Under valgrind: a spawned floor child (exec'd, so counted in its own file)"""
    from bench_floor import FloorPeer
    peer = FloorPeer.spawn(sys.executable)
    peer.run(200 + calls)
    peer.close()


def _totals(directory):
    """{command line: instructions} of every callgrind file in ``directory``"""
    found = {}
    for path in glob.glob(os.path.join(directory, 'cg.*')):
        cmd, total = '', None
        with open(path) as lines:
            for line in lines:
                if line.startswith('cmd:'):
                    cmd = line[4:].strip()
                elif line.startswith(('summary:', 'totals:')):
                    total = int(line.split()[1])
        if total is not None:
            found[cmd] = found.get(cmd, 0) + total
    return found


def _roles(totals):
    """{'main'|'twin'|'floor parent'|'floor child'|'supervisor': instructions}"""
    roles = {}
    for cmd, total in totals.items():
        if 'cpy2py_twin' in cmd:
            role = 'twin'
        elif '--callgrind-app' in cmd and 'cpy2py-run' in cmd.split()[0]:
            role = 'supervisor'
        elif '--callgrind-app' in cmd:
            role = 'main'
        elif 'bench_floor._serve_fd' in cmd:
            role = 'floor child'
        elif '--callgrind-floor' in cmd:
            role = 'floor parent'
        else:
            continue
        roles[role] = roles.get(role, 0) + total
    return roles


def run_callgrind(binary, python, calls):
    """{role: instructions per call}, or a string saying why not"""
    valgrind = shutil.which('valgrind')
    if valgrind is None:
        return 'valgrind not found on PATH (Debian: apt-get install valgrind)'
    env = dict(os.environ, CPY2PY_SPIN_US='0')
    counts = {}
    for n in (calls, 3 * calls):
        directory = tempfile.mkdtemp(prefix='cpy2py-callgrind-')
        try:
            prefix = [valgrind, '--tool=callgrind', '--trace-children=yes',
                      '--callgrind-out-file=' + os.path.join(directory, 'cg.%p')]
            me = os.path.abspath(__file__)
            for command in ([binary, '--main-interpreter', python, me, '--callgrind-app', str(n)],
                            [python, me, '--callgrind-floor', str(n)]):
                subprocess.check_call(prefix + command, env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            counts[n] = _roles(_totals(directory))
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    extra = 2.0 * calls
    return dict((role, (counts[3 * calls][role] - counts[calls][role]) / extra)
                for role in counts[calls] if role in counts[3 * calls])


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--rounds', type=int, default=None, help='blocks of each (default 15, quick 5)')
    parser.add_argument('--block', type=int, default=None, help='calls per block (default 2000, quick 1000)')
    parser.add_argument('--cg-calls', type=int, default=None, help='calls counted by callgrind (default 2000, quick 1000)')
    parser.add_argument('--no-callgrind', action='store_true')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--measure', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--callgrind-app', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--callgrind-floor', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rounds = args.rounds or (5 if args.quick else 15)
    block = args.block or (1000 if args.quick else 2000)
    if args.callgrind_app is not None:
        return callgrind_app(args.callgrind_app)
    if args.callgrind_floor is not None:
        return callgrind_floor(args.callgrind_floor)
    if args.measure:
        if not under_supervisor():
            sys.exit('--measure runs under cpy2py-run')
        import json
        print(json.dumps(measure_times(rounds, block)))
        return 0
    binary = find_binary()
    if binary is None:
        sys.exit('cpy2py-run not found (set CPY2PY_RUN_BINARY)')
    from bench_interpreters import describe, find_interpreter
    from bench_timing import time_repr
    import json
    python = find_interpreter('python3') or sys.executable
    out = subprocess.check_output([binary, '--main-interpreter', python, os.path.abspath(__file__),
                                   '--measure', '--rounds', str(rounds), '--block', str(block)])
    times = json.loads(out.decode().strip().splitlines()[-1])
    print('execute(time.time) per call against the floors; main and twin %s; medians of %d '
          'interleaved blocks of %d calls' % (describe(python), rounds, block))
    print('')
    print('%-16s %12s %15s %12s %12s %12s' % ('placement', 'floor', 'spinning floor', 'call',
                                             'x spinning', 'x floor'))
    for label in ('as scheduled', 'same CPU', 'different CPUs'):
        med = times.get(label)
        if med is None:
            continue
        print('%-16s %12s %15s %12s %11.2fx %11.2fx' % (
            label, time_repr(med['floor']), time_repr(med['spin floor']), time_repr(med['call']),
            med['call'] / med['spin floor'], med['call'] / med['floor']))
    print('')
    if args.no_callgrind:
        return 0
    calls = args.cg_calls or (1000 if args.quick else 2000)
    per = run_callgrind(binary, python, calls)
    if isinstance(per, str):
        print('Instructions per call: skipped, %s' % per)
        return 0
    print('Instructions per call (callgrind, spinning off, difference of %d and %d calls):' % (calls, 3 * calls))
    for role in ('main', 'twin', 'supervisor', 'floor parent', 'floor child'):
        if role in per:
            print('  %-14s %10.0f' % (role, per[role]))
    if 'main' in per and 'floor parent' in per:
        print('  runtime/floor: main side %.2fx, twin side %.2fx' % (
            per['main'] / per['floor parent'], per.get('twin', 0) / per.get('floor child', 1)))
    print('')
    print('Summary (goal of issue 12: a call <= %gx the spinning floor in every placement):' % GOAL)
    for label in ('as scheduled', 'same CPU', 'different CPUs'):
        if label in times:
            ratio = times[label]['call'] / times[label]['spin floor']
            print('  %-15s %.2fx (%s)' % (label, ratio, 'met' if ratio <= GOAL else 'missed'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
