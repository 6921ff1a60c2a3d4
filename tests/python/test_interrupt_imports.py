"""
Interrupting requests that import modules leaves the twin able to import

An interrupt (a deadline that passed) raises CallCancelled in the thread running the
request at its next bytecode. Landing inside importlib (``_get_module_lock``, or the
weakref callback that drops a dead module lock, which the garbage collector runs in the
middle of anything) it left the global import lock held by a thread that had moved on:
every later import in the twin, and every request that needed one, waited forever (seen
with CPython and PyPy twins). See cpy2py.kernel.import_locks.

The hang itself is reproduced by tests/e2e/test_deadline_load.py (calls from a main's main
thread, python3 and PyPy twins); this suite's calls come from a guarded thread, and with
the runtime before the fix they did not hang here. What this module adds is the same
pattern with every twin interpreter the suites run (2.7, 3.6 and 3.13 too): the import
handling (held-back interrupts, locks given back) must work, or at least do no harm, in
each. Its twin-side functions repeat the e2e app's: the two trees do not import each other.
"""
from __future__ import print_function

import importlib
import os
import shutil
import sys
import tempfile
import time

import cpy2py
from cpy2py.exceptions import CallTimeout

import support

MODULES = 300
PREFIX = 'cpy2py_interrupted_import_'


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
def write_modules(directory, count, prefix):
    for index in range(count):
        with open(os.path.join(directory, '%s%d.py' % (prefix, index)), 'w') as module:
            module.write('VALUE = %d\n' % index)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    if hasattr(importlib, 'invalidate_caches'):
        importlib.invalidate_caches()


def import_then_spin(name, seconds):
    """Import a module not imported yet, then keep allocating (garbage collections run)"""
    importlib.import_module(name)
    end = time.time() + seconds
    while time.time() < end:
        [object() for _ in range(50)]
    return name


def import_another(directory, name):
    with open(os.path.join(directory, name + '.py'), 'w') as module:
        module.write('VALUE = 42\n')
    if hasattr(importlib, 'invalidate_caches'):
        importlib.invalidate_caches()
    return importlib.import_module(name).VALUE


def forget_modules(directory, prefix):
    for name in list(sys.modules):
        if name.startswith(prefix):
            del sys.modules[name]
    if directory in sys.path:
        sys.path.remove(directory)


class InterruptedImportTest(support.TwinTestCase):
    def setUp(self):
        super(InterruptedImportTest, self).setUp()
        self.directory = tempfile.mkdtemp(prefix='cpy2py-imports-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.twin.execute(write_modules, self.directory, MODULES, PREFIX)
        self.addCleanup(self.twin.execute, forget_modules, self.directory, PREFIX)

    @support.guarded(300)
    def test_twin_still_imports_after_interrupted_imports(self):
        timeouts = 0
        for index in range(MODULES):
            try:
                with cpy2py.deadline(0.002 + (index % 7) * 0.001):
                    self.twin.execute(import_then_spin, '%s%d' % (PREFIX, index), 0.5)
            except CallTimeout:
                timeouts += 1
        self.assertGreater(timeouts, 0)
        # a twin whose import lock was left held never answers this
        with cpy2py.deadline(60):
            self.assertEqual(self.twin.execute(import_another, self.directory, PREFIX + 'after'), 42)
