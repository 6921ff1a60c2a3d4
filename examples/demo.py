"""
The cpy2py-run demo: one application, three interpreters

    cpy2py-run --twin pypy=pypy3 --twin cpython=python3 examples/demo.py

The main script runs in CPython. ``SuperComputer`` objects live in the PyPy twin,
``Ledger`` objects in a second CPython twin; calls, callbacks, exceptions and objects cross
between them transparently.
"""
from __future__ import print_function

import platform
import sys
import time

from cpy2py import TwinMaster, TwinObject, kernel_state, twinfunction


def where():
    """Which twin and which interpreter runs this"""
    return '%s (%s %s)' % (kernel_state.TWIN_ID, platform.python_implementation(),
                           platform.python_version())


class SuperComputer(TwinObject):
    """Number crunching: lives in PyPy, where the hot loop is JIT-compiled"""
    __twin_id__ = 'pypy'

    def megaloop(self, x, y):
        return sum(a * b % 7 for a in range(x) for b in range(y))

    def report_to(self, ledger, label):
        # a call from the PyPy twin straight into the CPython twin
        ledger.record(label, where())
        return ledger.count()


class Ledger(TwinObject):
    """Bookkeeping: lives in the 'cpython' twin"""
    __twin_id__ = 'cpython'

    def __init__(self):
        self.entries = []

    def record(self, label, origin):
        self.entries.append((label, origin))

    def count(self):
        return len(self.entries)

    def check(self, value):
        if value < 0:
            raise ValueError('negative value %d rejected in %s' % (value, where()))
        return value


@twinfunction('pypy')
def interpreter_of_twinfunction():
    return where()


def main():
    print('main runs in', where())
    print('TwinMaster.execute in pypy:', TwinMaster('pypy').execute(where))
    print('twinfunction runs in:', interpreter_of_twinfunction())

    computer = SuperComputer()
    start = time.time()
    result = computer.megaloop(2000, 2000)
    print('megaloop(2000, 2000) = %d in %.2f s in PyPy' % (result, time.time() - start))

    ledger = Ledger()
    ledger.record('main', where())
    print('entries after PyPy reported to the ledger:', computer.report_to(ledger, 'pypy'))
    for label, origin in ledger.entries:
        print('  ledger entry from %-6s %s' % (label, origin))

    try:
        ledger.check(-1)
    except ValueError as error:
        print('exception crossed back with its type:', type(error).__name__, '-', error)
    return 0


if __name__ == '__main__':
    sys.exit(main())
