"""
CPU placement: pin the main, a twin and a floor child to chosen CPUs

On virtual machines waking a thread on another CPU costs far more than on the same CPU,
so the floor and a call change with where the scheduler puts the two ends. overhead.py
measures both placements explicitly: every end on one CPU, and the two ends on different
CPUs. Linux only (``os.sched_setaffinity``, Python 3.3+); elsewhere nothing is pinned.
"""
import os


def pin_process(cpus):
    """Pin every thread of this process to ``cpus``; returns the previous affinity"""
    previous = os.sched_getaffinity(0)
    for tid in os.listdir('/proc/self/task'):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:  # the thread ended meanwhile
            pass
    return previous


def placements():
    """``[(label, main cpus, peer cpus)]`` to measure; empty with fewer than two CPUs"""
    if not hasattr(os, 'sched_getaffinity'):
        return []
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return []
    first, second = cpus[0], cpus[1]
    return [('same CPU', set([first]), set([first])),
            ('different CPUs', set([first]), set([second]))]


class Pinned(object):
    """``with Pinned(main, peer, twin_masters, floor_pids):`` pins, then restores"""

    def __init__(self, main_cpus, peer_cpus, masters, floor_pids):
        self.main_cpus, self.peer_cpus = main_cpus, peer_cpus
        self.masters, self.floor_pids = masters, floor_pids

    def __enter__(self):
        self.main_before = pin_process(self.main_cpus)
        self.twins_before = [(m, m.execute(pin_process, self.peer_cpus)) for m in self.masters]
        self.floors_before = []
        for pid in self.floor_pids:
            self.floors_before.append((pid, os.sched_getaffinity(pid)))
            os.sched_setaffinity(pid, self.peer_cpus)
        return self

    def __exit__(self, *exc):
        for pid, cpus in self.floors_before:
            os.sched_setaffinity(pid, cpus)
        for master, cpus in self.twins_before:
            master.execute(pin_process, cpus)
        pin_process(self.main_before)
        return False
