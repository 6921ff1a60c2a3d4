"""Issue 10 for every twin interpreter: memoryviews, rebuilt exceptions, undecodable
replies, deadlines and cancelled futures (the end-to-end versions with PyPy and 2.7 twins
are tests/e2e/test_first_day_*.py)"""
from __future__ import print_function

import os
import sys
import threading

import cpy2py
from cpy2py.exceptions import CallTimeout, RemoteException, UndecodableValue

import support

# the twin functions that take too long, shared with the end-to-end tests (twins import
# this module too, and so find them the same way)
sys.path.insert(0, os.path.join(os.path.dirname(support.HERE), 'e2e', 'helpers', 'first_day'))
from deadline_funcs import Worker, busy, state  # noqa: E402


class InitError(Exception):
    """Its __init__ takes other arguments than its args"""

    def __init__(self, code, detail):
        Exception.__init__(self, 'error %d: %s' % (code, detail))
        self.code = code
        self.detail = detail


def raise_init_error():
    error = InitError(7, 'disk full')
    error.lock = threading.Lock()  # cannot be pickled: left out
    raise error


def twin_only_class():
    """An object whose class exists only in the twin (defined in this function)"""
    class TwinOnly(object):
        pass
    TwinOnly.__module__ = 'twin_only_module'
    TwinOnly.__qualname__ = 'TwinOnly'
    import types
    module = types.ModuleType('twin_only_module')
    module.TwinOnly = TwinOnly
    sys.modules['twin_only_module'] = module
    return [1, TwinOnly()]


def raise_twin_only_type():
    class TwinOnlyError(Exception):
        pass
    TwinOnlyError.__module__ = 'twin_only_module'
    TwinOnlyError.__qualname__ = TwinOnlyError.__name__ = 'TwinOnlyError'
    import types
    module = types.ModuleType('twin_only_module')
    module.TwinOnlyError = TwinOnlyError
    sys.modules['twin_only_module'] = module
    raise TwinOnlyError('only here')


def describe_views(value):
    """``[(type name, bytes)]`` of the memoryviews in ``value`` (lists and dicts)"""
    if isinstance(value, memoryview):
        return [('memoryview', value.tobytes())]
    if isinstance(value, dict):
        value = [value[key] for key in sorted(value)]
    found = []
    for item in value:
        found.extend(describe_views(item))
    return found


def make_views():
    return [memoryview(b'small'), {'deep': [memoryview(b'x' * 70000)]}]


#: known bug (also in tests/e2e/test_first_day_deadlines.py), found in session 4: PyPy 3.9
#: aborts the twin ("Fatal Python error: Aborted") when the asynchronous CallCancelled that
#: interrupts a request reaches the thread while it runs a garbage-collector callback
#: (importlib's module-lock weakref callback, right after the request's module was imported);
#: seen under full-suite load only. The deadline and cancel cases below run with PyPy twins
#: only when CPY2PY_TEST_PYPY_DEADLINES=1.
PYPY_KNOWN_BUG = ('known PyPy bug: the interrupt of a running request can abort a PyPy twin when it lands '
                  'in a garbage-collector callback (rare, under load); set CPY2PY_TEST_PYPY_DEADLINES=1 to run it')


def skip_long_requests_on_pypy(test):
    if os.environ.get('CPY2PY_TEST_PYPY_DEADLINES') != '1' and test.twin.execute(support.implementation) == 'pypy':
        test.skipTest(PYPY_KNOWN_BUG)


class FirstDayTest(support.TwinTestCase):
    def wait_state(self, key, prefix):
        return support.wait_until(lambda: (self.twin.execute(state, key) or '').startswith(prefix), 30.0)

    @support.guarded()
    def test_memoryviews_at_any_depth(self):
        views = make_views()
        seen = self.twin.execute(describe_views, views)
        # (a Python 2 twin's bytes are str: pure ASCII arrives here as str)
        seen = [(kind, data if isinstance(data, bytes) else data.encode('latin-1')) for kind, data in seen]
        self.assertEqual(seen,
                         [('memoryview', b'small'), ('memoryview', b'x' * 70000)])
        back = self.twin.execute(make_views)
        self.assertEqual(describe_views(back), describe_views(make_views()))

    @support.guarded()
    def test_custom_init_arrives_as_its_own_type(self):
        with self.assertRaises(InitError) as context:
            self.twin.execute(raise_init_error)
        self.assertEqual((context.exception.code, context.exception.detail), (7, 'disk full'))
        self.assertEqual(str(context.exception), 'error 7: disk full')
        self.assertFalse(hasattr(context.exception, 'lock'))

    @support.guarded()
    def test_unimportable_type_becomes_remote_exception(self):
        with self.assertRaises(RemoteException) as context:
            self.twin.execute(raise_twin_only_type)
        self.assertIn('twin_only_module.TwinOnlyError: only here', str(context.exception))

    @support.guarded()
    def test_undecodable_result_names_the_class(self):
        with self.assertRaises(UndecodableValue) as context:
            self.twin.execute(twin_only_class)
        self.assertIn('twin_only_module.TwinOnly', str(context.exception))
        self.assertEqual(self.twin.execute(len, 'usable'), 6)

    @support.guarded(60)
    def test_deadline_interrupts_the_twin(self):
        skip_long_requests_on_pypy(self)
        with self.assertRaises(CallTimeout):
            with cpy2py.deadline(0.3):
                self.twin.execute(busy, 'deadline')
        self.assertTrue(self.wait_state('deadline', 'interrupted'), self.twin.execute(state, 'deadline'))
        with self.assertRaises(CallTimeout):
            with cpy2py.deadline(0.3):
                Worker().busy('proxy')
        self.assertTrue(self.wait_state('proxy', 'interrupted'))
        with cpy2py.deadline(30):
            self.assertEqual(self.twin.execute(len, 'abc'), 3)

    @support.guarded(60)
    def test_cancel_a_running_future(self):
        skip_long_requests_on_pypy(self)
        future = self.twin.submit(busy, 'future')
        self.assertTrue(self.wait_state('future', 'running'))
        self.assertTrue(future.cancel())
        self.assertTrue(future.cancelled())
        self.assertTrue(self.wait_state('future', 'interrupted'))
        self.assertEqual(self.twin.execute(len, 'usable'), 6)
