"""
Deadlines under load, from the main thread (run by tests/e2e/test_deadline_load.py)

    interrupt_load_app.py stopped TWIN_ID       small bounded calls to a twin stopped with SIGSTOP
    interrupt_load_app.py imports TWIN_ID DIR   bounded calls that import, interrupted; then
                                                an import in the twin must still work
Prints ``TIMEOUTS n`` and ``RESULT value``.
"""
import importlib
import os
import signal
import sys
import time

import cpy2py
from cpy2py import TwinMaster, CallTimeout

MODULES = 300
PREFIX = 'cpy2py_load_import_'


def size_of(value):
    return len(value)


def prepare(directory):
    for index in range(MODULES):
        with open(os.path.join(directory, '%s%d.py' % (PREFIX, index)), 'w') as module:
            module.write('VALUE = %d\n' % index)
    sys.path.insert(0, directory)
    if hasattr(importlib, 'invalidate_caches'):
        importlib.invalidate_caches()


def import_then_spin(name, seconds):
    importlib.import_module(name)
    end = time.time() + seconds
    while time.time() < end:
        [object() for _ in range(50)]


def import_another(directory):
    with open(os.path.join(directory, PREFIX + 'after.py'), 'w') as module:
        module.write('VALUE = 42\n')
    if hasattr(importlib, 'invalidate_caches'):
        importlib.invalidate_caches()
    import json  # a standard module, first imported now
    json.dumps(None)
    return importlib.import_module(PREFIX + 'after').VALUE


def wait_stopped(pid):
    """Until /proc says ``pid`` is stopped (a loaded machine may let it answer a few calls
    after the signal was sent); at most 10 s"""
    end = time.time() + 10
    while time.time() < end:
        with open('/proc/%d/stat' % pid) as stat:
            if stat.read().rsplit(')', 1)[1].split()[0] == 'T':
                return
        time.sleep(0.001)


def stopped(twin):
    pid = twin.execute(os.getpid)
    twin.execute(size_of, b'connected')
    timeouts = 0
    os.kill(pid, signal.SIGSTOP)
    wait_stopped(pid)
    try:
        for index in range(300):
            try:
                with cpy2py.deadline(0.002):
                    twin.execute(size_of, b'y' * (16000 + index))
            except CallTimeout:
                timeouts += 1
    finally:
        os.kill(pid, signal.SIGCONT)
    print('TIMEOUTS %d' % timeouts)
    with cpy2py.deadline(60):
        print('RESULT %s' % twin.execute(size_of, b'abc'))


def imports(twin, directory):
    twin.execute(prepare, directory)
    timeouts = 0
    for index in range(MODULES):
        try:
            with cpy2py.deadline(0.002 + (index % 7) * 0.001):
                twin.execute(import_then_spin, '%s%d' % (PREFIX, index), 0.5)
        except CallTimeout:
            timeouts += 1
    print('TIMEOUTS %d' % timeouts)
    sys.stdout.flush()
    try:
        with cpy2py.deadline(60):
            print('RESULT %s' % twin.execute(import_another, directory))
    except CallTimeout as err:
        print('RESULT hung: %s' % err)


if __name__ == '__main__':
    case, twin_id = sys.argv[1], sys.argv[2]
    master = TwinMaster(twin_id)
    if case == 'stopped':
        stopped(master)
    else:
        imports(master, sys.argv[3])
