"""Imports in progress: creating an object of a class whose module another thread of the
twin is still importing waits for that import instead of failing (issue 13, F2)"""
from __future__ import print_function

import os
import shutil
import sys
import tempfile
import threading
import time
import unittest

import support
from support import TWIN_ID, guarded

#: seconds the generated module sleeps at import, in the twin only
SLOW_IMPORT = 3.0

# A module that is slow to import in the twin: ``Late`` is defined after the sleep, so a
# thread that peeks at the half-imported module in sys.modules finds no ``Late`` in it.
MODULE_SOURCE = '''
import time
from cpy2py import TwinObject, kernel_state

TWIN = %(twin)r


def early():
    return 'early'


if kernel_state.TWIN_ID == TWIN:
    time.sleep(%(sleep)r)


class Late(TwinObject):
    __twin_id__ = TWIN

    def where(self):
        return kernel_state.TWIN_ID

    @classmethod
    def kind(cls):
        return cls.__name__
'''


# -- code that runs in the twin (valid Python 2.7) --------------------------------------
def add_path(directory):
    if directory not in sys.path:
        sys.path.insert(0, directory)


def import_module(name):
    """Import ``name`` in this process (slow in the twin); returns when it is done"""
    __import__(name)
    return name in sys.modules


def half_executed_module(name, seconds):
    """Put module ``name`` into sys.modules as Python hands out a module whose import another
    thread is still executing when waiting for it could deadlock (``__spec__._initializing``
    set, no import lock held); ``late()`` appears, and the import ends, after ``seconds``"""
    import types
    try:
        from importlib.machinery import ModuleSpec
    except ImportError:  # Python 2: one global import lock, no half-executed modules to meet
        return False
    module = types.ModuleType(name)
    module.__spec__ = ModuleSpec(name, None)
    module.__spec__._initializing = True
    sys.modules[name] = module

    def finish():
        time.sleep(seconds)
        exec('def late():\n    return "late"\n', module.__dict__)
        module.late.__module__ = name
        module.__spec__._initializing = False
    thread = threading.Thread(target=finish)
    thread.daemon = True
    thread.start()
    return True


class HalfExecutedModuleTest(support.TwinTestCase):
    @guarded(60)
    def test_request_waits_for_the_other_import(self):
        """A call whose function lives in a module another thread of the twin is still
        executing runs once that import is done, instead of failing with "Can't get
        attribute" (seen in CI with 3.6 and PyPy twins: two imports that import each other)"""
        import types
        name = 'cpy2py_half_module_%d' % os.getpid()
        if not self.twin.execute(half_executed_module, name, 1.0):
            self.skipTest('Python 2 twin: imports run under one global lock')
        here = types.ModuleType(name)  # the same function, pickled by reference from here
        exec('def late():\n    return "late"\n', here.__dict__)
        here.late.__module__ = name
        sys.modules[name] = here
        try:
            self.assertEqual(self.twin.execute(here.late), 'late')
        finally:
            del sys.modules[name]


class ImportRaceTest(support.TwinTestCase):
    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.directory = tempfile.mkdtemp(prefix='cpy2py-import-race-')
        self.addCleanup(shutil.rmtree, self.directory, True)
        add_path(self.directory)
        self.twin.execute(add_path, self.directory)

    def write_module(self, name):
        with open(os.path.join(self.directory, name + '.py'), 'w') as module_file:
            module_file.write(MODULE_SOURCE % {'twin': TWIN_ID, 'sleep': SLOW_IMPORT})

    def race(self, name, use):
        """Start importing ``name`` in the twin, then ``use(module)`` while it is in progress"""
        self.write_module(name)
        module = __import__(name)  # quick here: it sleeps only in the twin
        twin = self.twin
        done = []
        importer = threading.Thread(target=lambda: done.append(twin.execute(import_module, name)))
        importer.daemon = True
        importer.start()
        # give the twin's import time to begin (asking the twin could itself wait for the
        # import lock on Python 2); it then sleeps for SLOW_IMPORT seconds
        time.sleep(0.5)
        self.assertFalse(done, 'the import finished before the race could happen')
        result = use(module)
        importer.join(support.HANG_TIMEOUT)
        self.assertEqual(done, [True])
        return result

    @guarded(90)
    def test_new_object_waits_for_the_import(self):
        for round_no in range(3):
            name = 'cpy2py_slow_import_new_%d_%d' % (os.getpid(), round_no)
            self.assertEqual(self.race(name, lambda module: module.Late().where()), TWIN_ID)

    @guarded(60)
    def test_classmethod_waits_for_the_import(self):
        name = 'cpy2py_slow_import_cls_%d' % os.getpid()
        self.assertEqual(self.race(name, lambda module: module.Late.kind()), 'Late')

    @guarded(60)
    def test_concurrent_creators_all_wait(self):
        """Several threads create objects while the import runs: every one succeeds"""
        name = 'cpy2py_slow_import_many_%d' % os.getpid()

        def create_many(module):
            results, errors = [], []

            def create():
                try:
                    results.append(module.Late().where())
                except Exception as err:
                    errors.append(err)
            threads = [threading.Thread(target=create) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(support.HANG_TIMEOUT)
            return results, errors
        results, errors = self.race(name, create_many)
        self.assertEqual(errors, [])
        self.assertEqual(results, [TWIN_ID] * 8)


if __name__ == '__main__':
    unittest.main()
