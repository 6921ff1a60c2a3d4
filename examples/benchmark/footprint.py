"""
Footprint of the supervisor: its memory with four twins, and its CPU while idle

    cpy2py-run examples/benchmark/footprint.py [--interpreters python3 pypy3 python2.7 python3.13]
        [--idle 2] [--quick]

From inside the main (whose parent is cpy2py-run): VmRSS/VmHWM of the supervisor
(``/proc/<ppid>/status``) before any twin and with four twins started and called once,
then its CPU time (utime+stime, ``/proc/<ppid>/stat``) and context switches (all its
threads) over --idle seconds in which the application does nothing. Wake-ups count
context switches: a process that polls wakes up even when its CPU time rounds to zero
ticks. The twins' and the main's wake-ups over the same idle period are shown too.
Started with plain python3, the script runs itself under cpy2py-run.
"""
import argparse
import os
import sys
import time

from bench_binary import run_under_supervisor

if __name__ == '__main__':
    run_under_supervisor(__file__)

from cpy2py import TwinMaster  # noqa: E402
from bench_interpreters import find_interpreter  # noqa: E402
from bench_proc import context_switches, cpu_seconds, status  # noqa: E402

DEFAULT_INTERPRETERS = ['python3', 'pypy3', 'python2.7', 'python3.13']
RSS_BUDGET_KB = 8 * 1024


def kb(fields, key):
    return int(fields[key].split()[0])


def memory_line(label, pid):
    fields = status(pid)
    return '  %-44s VmRSS %6d kB  VmHWM %6d kB  (anon %d kB, file %d kB), %s threads' % (
        label, kb(fields, 'VmRSS'), kb(fields, 'VmHWM'), kb(fields, 'RssAnon'), kb(fields, 'RssFile'),
        fields['Threads']), kb(fields, 'VmRSS')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument('--interpreters', nargs='+', default=DEFAULT_INTERPRETERS)
    parser.add_argument('--idle', type=float, default=2.0, help='seconds of idleness (default 2)')
    parser.add_argument('--quick', action='store_true', help='1 s of idleness')
    args = parser.parse_args(argv)
    idle = 1.0 if args.quick else args.idle
    supervisor = os.getppid()
    print('Supervisor footprint (cpy2py-run pid %d)' % supervisor)
    line, _ = memory_line('main started, no twin yet:', supervisor)
    print(line)
    masters = []
    for index, name in enumerate(args.interpreters):
        path = find_interpreter(name)
        if path is None:
            print('Ignoring interpreter: %s (not found); using %s' % (name, sys.executable))
            path, name = sys.executable, os.path.basename(sys.executable)
        master = TwinMaster(executable=path, twinterpreter_id='bench-fp%d' % index)
        master.execute(time.time)
        masters.append((name, master, master.execute(os.getpid)))
    line, rss = memory_line('%d twins started and called:' % len(masters), supervisor)
    print(line)
    time.sleep(0.5)  # let the twins' pools settle
    pids = [('supervisor', supervisor), ('main', os.getpid())]
    pids += [('twin %s' % name, pid) for name, _, pid in masters]
    before = dict((pid, (cpu_seconds(pid), sum(context_switches(pid)))) for _, pid in pids)
    time.sleep(idle)
    after = dict((pid, (cpu_seconds(pid), sum(context_switches(pid)))) for _, pid in pids)
    print('')
    print('Idle for %.1f s (the main sleeps; its own sleep counts one wake-up):' % idle)
    for label, pid in pids:
        cpu = after[pid][0] - before[pid][0]
        switches = after[pid][1] - before[pid][1]
        print('  %-24s CPU %6.3f s   wake-ups %5d' % (label, cpu, switches))
    line, rss = memory_line('after idling:', supervisor)
    print(line)
    supervisor_cpu = after[supervisor][0] - before[supervisor][0]
    supervisor_wakeups = after[supervisor][1] - before[supervisor][1]
    print('')
    print('Summary: supervisor RSS %.1f MB with %d twins (budget < %d MB); idle CPU %.3f s and %d wake-ups '
          'in %.1f s (budget: no CPU while idle)' % (rss / 1024.0, len(masters), RSS_BUDGET_KB // 1024, supervisor_cpu,
                                        supervisor_wakeups, idle))
    return 0


if __name__ == '__main__':
    sys.exit(main())
