"""The rest of the API: twinfunction, localmethod, kernel_state, TwinGroupState, logging"""
from __future__ import print_function

import json
import logging
import os
import re
import sys
import unittest

import cpy2py
from cpy2py import TwinMaster, TwinObject, TwinGroupState, kernel_state, localmethod, twinfunction

import support
from support import TWIN_ID, PEER_ID, TWIN_EXECUTABLE


@twinfunction(TWIN_ID)
def in_twin(arg):
    """docstring of in_twin"""
    return kernel_state.TWIN_ID, arg


@twinfunction(PEER_ID)
def in_peer(arg=None):
    """docstring of in_peer"""
    return kernel_state.TWIN_ID, arg


@twinfunction(kernel_state.MASTER_ID)
def in_main():
    return kernel_state.TWIN_ID, os.getpid()


@twinfunction(kernel_state.TWIN_ID)
def native_here(arg):
    """docstring of native_here"""
    return arg


def main_via_twin():
    """Runs in the twin and calls back into the main"""
    return kernel_state.TWIN_ID, in_main()


def peer_via_twin(arg):
    return kernel_state.TWIN_ID, in_peer(arg)


def state_here():
    return {
        'TWIN_ID': kernel_state.TWIN_ID,
        'MASTER_ID': kernel_state.MASTER_ID,
        'is_master': kernel_state.is_master(),
        'is_twinterpreter_self': kernel_state.is_twinterpreter(kernel_id=kernel_state.TWIN_ID),
        'is_twinterpreter_main': kernel_state.is_twinterpreter(kernel_id=kernel_state.MASTER_ID),
        'is_twinterpreter_twin': kernel_state.is_twinterpreter(TWIN_ID),
    }


def logger_setup():
    logger = logging.getLogger('__cpy2py__')
    return logger.propagate, [type(handler).__name__ for handler in logger.handlers]


class WithLocal(TwinObject):
    __twin_id__ = TWIN_ID

    def where(self):
        return kernel_state.TWIN_ID

    @localmethod
    def local_where(self):
        return kernel_state.TWIN_ID, self.where()

    @localmethod
    @staticmethod
    def local_static():
        return kernel_state.TWIN_ID

    @localmethod
    @classmethod
    def local_class(cls):
        return kernel_state.TWIN_ID, cls.__name__


# -- group state ---------------------------------------------------------------------------
#: what initializers/finalizers did in this interpreter: key -> (value, twin id)
GROUP_VALUES = {}
GROUP_ORDER = []


def set_group_value(key, value):
    GROUP_VALUES[key] = (value, kernel_state.TWIN_ID)
    GROUP_ORDER.append(key)


def get_group_value(key):
    return GROUP_VALUES.get(key)


def get_group_order():
    return list(GROUP_ORDER)


def _forget_directives(state):
    """Remove this module's directives again, so later new twins do not run them"""
    for name in ('initializers', 'finalizers'):
        registry = getattr(state, name, None)
        if isinstance(registry, list):
            registry[:] = [entry for entry in registry
                           if not (isinstance(entry, tuple) and entry and entry[0] is set_group_value)]


class TwinFunctionTest(support.TwinTestCase):
    def test_runs_in_its_twin(self):
        for arg in ('some arg', [1, 2, 3], {'a': 'A'}, None):
            self.assertEqual(in_twin(arg), (TWIN_ID, arg))
        self.assertEqual(in_peer(arg=5), (PEER_ID, 5))

    def test_keeps_metadata(self):
        self.assertEqual(in_twin.__name__, 'in_twin')
        self.assertEqual(in_twin.__doc__, 'docstring of in_twin')
        self.assertEqual(in_twin.__module__, __name__)
        self.assertTrue(hasattr(in_twin, '__wrapped__'))
        wrapped = in_twin.__wrapped__
        self.assertEqual(wrapped.__name__, 'in_twin')
        self.assertEqual(wrapped.__doc__, in_twin.__doc__)
        self.assertEqual(getattr(wrapped, '__qualname__', None), getattr(in_twin, '__qualname__', None))
        self.assertEqual(in_peer.__defaults__, (None,))

    def test_native_function_is_returned_unchanged(self):
        self.assertFalse(hasattr(native_here, '__wrapped__'))
        self.assertEqual(native_here.__doc__, 'docstring of native_here')
        self.assertEqual(native_here(3), 3)

    @support.guarded()
    def test_twin_calls_back_into_main(self):
        self.assertEqual(self.twin.execute(main_via_twin),
                         (TWIN_ID, (kernel_state.MASTER_ID, os.getpid())))

    @support.guarded()
    def test_twin_calls_the_peer(self):
        self.assertEqual(self.twin.execute(peer_via_twin, 'x'), (TWIN_ID, (PEER_ID, 'x')))


class LocalMethodTest(support.TwinTestCase):
    def test_local_method_runs_in_the_caller(self):
        obj = WithLocal()
        self.assertEqual(obj.local_where(), (kernel_state.TWIN_ID, TWIN_ID))

    def test_local_static_and_class_methods(self):
        self.assertEqual(WithLocal.local_static(), kernel_state.TWIN_ID)
        self.assertEqual(WithLocal().local_static(), kernel_state.TWIN_ID)
        self.assertEqual(WithLocal.local_class(), (kernel_state.TWIN_ID, 'WithLocal'))


class KernelStateTest(support.TwinTestCase):
    def test_in_main(self):
        state = state_here()
        self.assertEqual(state['TWIN_ID'], state['MASTER_ID'])
        self.assertTrue(state['is_master'])
        self.assertTrue(state['is_twinterpreter_self'])
        self.assertTrue(state['is_twinterpreter_main'])
        self.assertFalse(state['is_twinterpreter_twin'])
        self.assertIsInstance(kernel_state.TWIN_GROUP_STATE, TwinGroupState)
        if support.SUPERVISED:
            self.assertEqual(kernel_state.MASTER_ID, 'main')
        else:  # a standalone master is named after its executable, as in the original
            self.assertEqual(kernel_state.MASTER_ID, os.path.basename(sys.executable))

    def test_in_twin(self):
        state = self.twin.execute(state_here)
        self.assertEqual(state, {
            'TWIN_ID': TWIN_ID, 'MASTER_ID': kernel_state.MASTER_ID, 'is_master': False,
            'is_twinterpreter_self': True, 'is_twinterpreter_main': False,
            'is_twinterpreter_twin': True})

    def test_in_peer(self):
        state = self.peer.execute(state_here)
        self.assertEqual(state['TWIN_ID'], PEER_ID)
        self.assertEqual(state['MASTER_ID'], kernel_state.MASTER_ID)
        self.assertFalse(state['is_master'])
        self.assertFalse(state['is_twinterpreter_twin'])

    def test_state_alias(self):
        self.assertIs(cpy2py.state, kernel_state)


class GroupStateTest(support.TwinTestCase):
    FRESH_ID = 'group_fresh'

    def setUp(self):
        support.TwinTestCase.setUp(self)
        self.state = kernel_state.TWIN_GROUP_STATE
        self.addCleanup(_forget_directives, self.state)
        self.addCleanup(lambda: TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.FRESH_ID).destroy())

    def fresh_twin(self):
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=self.FRESH_ID)
        master.start()
        return master

    @support.guarded()
    def test_initializer_runs_in_existing_and_new_twins(self):
        self.state.add_initializer(set_group_value, 'init-key', 'copied from main')
        self.assertEqual(self.twin.execute(get_group_value, 'init-key'), ('copied from main', TWIN_ID))
        self.assertEqual(self.peer.execute(get_group_value, 'init-key'), ('copied from main', PEER_ID))
        self.assertEqual(self.fresh_twin().execute(get_group_value, 'init-key'),
                         ('copied from main', self.FRESH_ID))
        self.assertNotIn('init-key', GROUP_VALUES)  # never in the interpreter that adds it

    @support.guarded()
    def test_finalizer_runs_in_existing_and_new_twins(self):
        self.state.add_finalizer(set_group_value, 'fini-key', value=42)
        self.assertEqual(self.twin.execute(get_group_value, 'fini-key'), (42, TWIN_ID))
        self.assertEqual(self.fresh_twin().execute(get_group_value, 'fini-key'), (42, self.FRESH_ID))
        self.assertNotIn('fini-key', GROUP_VALUES)

    @support.guarded()
    def test_init_existing_false_only_affects_new_twins(self):
        self.state.add_initializer(set_group_value, 'later-key', 1, init_existing=False)
        self.assertIsNone(self.twin.execute(get_group_value, 'later-key'))
        self.assertEqual(self.fresh_twin().execute(get_group_value, 'later-key'), (1, self.FRESH_ID))

    @support.guarded()
    def test_initializers_run_before_finalizers_in_new_twins(self):
        self.state.add_finalizer(set_group_value, 'order-fini', 0, init_existing=False)
        self.state.add_initializer(set_group_value, 'order-init', 0, init_existing=False)
        order = [key for key in self.fresh_twin().execute(get_group_order) if key.startswith('order-')]
        self.assertEqual(order, ['order-init', 'order-fini'])

    @support.guarded()
    def test_initializers_run_in_a_restarted_twin(self):
        self.state.add_initializer(set_group_value, 'restart-key', 'again', init_existing=False)
        master = self.fresh_twin()
        first_pid = master.execute(os.getpid)
        master.stop()
        master.start()
        self.assertNotEqual(master.execute(os.getpid), first_pid)
        self.assertEqual(master.execute(get_group_value, 'restart-key'), ('again', self.FRESH_ID))


class LoggingTest(support.TwinTestCase):
    def setUp(self):
        support.TwinTestCase.setUp(self)
        if os.environ.get('CPY2PY_DEBUG'):
            self.skipTest('CPY2PY_DEBUG is set in this environment')

    def test_logger_has_no_handlers_and_does_not_propagate(self):
        propagate, handlers = logger_setup()
        self.assertFalse(propagate)
        self.assertTrue(all(name == 'NullHandler' for name in handlers), handlers)

    def test_same_in_twins(self):
        for master in (self.twin, self.peer):
            propagate, handlers = master.execute(logger_setup)
            self.assertFalse(propagate)
            self.assertTrue(all(name == 'NullHandler' for name in handlers), handlers)

    def test_child_loggers_are_silent(self):
        logger = logging.getLogger('__cpy2py__.kernel')
        self.assertFalse(logger.isEnabledFor(logging.DEBUG))


class LateLoggingTest(unittest.TestCase):
    """The runtime imports logging lazily; the tree is set up when the application imports it"""

    def test_tree_is_set_up_when_logging_comes_later(self):
        if os.environ.get('CPY2PY_DEBUG'):
            self.skipTest('CPY2PY_DEBUG is set in this environment')
        code, out, err = support.run_app(
            ['late_logging_app.py'], twins={'logtwin': TWIN_EXECUTABLE},
            env={'APP_TWIN': TWIN_EXECUTABLE})
        self.assertEqual(code, 0, 'exit status %s\nstdout:\n%s\nstderr:\n%s' % (code, out, err))
        lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
        self.assertEqual(len(lines), 1, out)
        result = json.loads(lines[0][len('RESULT '):])
        for where in ('main', 'twin'):
            _, propagate, handlers = result[where]
            self.assertFalse(propagate, where)
            self.assertEqual(handlers, ['NullHandler'], where)


class DebugEnvironmentTest(unittest.TestCase):
    """CPY2PY_DEBUG: log lines on stderr naming the twin id and pid; a level name sets the level"""

    def run_debug_app(self, value):
        code, out, err = support.run_app(
            ['debug_app.py'], twins={'dbgtwin': TWIN_EXECUTABLE},
            env={'CPY2PY_DEBUG': value, 'APP_TWIN': TWIN_EXECUTABLE})
        self.assertEqual(code, 0, 'exit status %s\nstdout:\n%s\nstderr:\n%s' % (code, out, err))
        lines = [line for line in out.splitlines() if line.startswith('RESULT ')]
        self.assertEqual(len(lines), 1, out)
        return json.loads(lines[0][len('RESULT '):]), err

    @staticmethod
    def lines_naming(err, twin_id, pid):
        pid_pattern = re.compile(r'\b%d\b' % pid)
        return [line for line in err.splitlines() if twin_id in line and pid_pattern.search(line)]

    def test_debug_lines_name_twin_and_pid(self):
        result, err = self.run_debug_app('1')
        self.assertEqual(result['level'], logging.DEBUG)
        self.assertFalse(result['propagate'])
        twin_lines = self.lines_naming(err, 'dbgtwin', result['twin_pid'])
        self.assertTrue([line for line in twin_lines if 'debug line from-the-twin' in line],
                        'no debug line of the twin names the twin and its pid:\n' + err)
        self.assertTrue(self.lines_naming(err, result['main_id'], result['main_pid']),
                        'no stderr line names the main and its pid:\n' + err)

    def test_level_name_sets_the_level(self):
        result, err = self.run_debug_app('warning')
        self.assertEqual(result['level'], logging.WARNING)
        twin_lines = self.lines_naming(err, 'dbgtwin', result['twin_pid'])
        self.assertEqual([line for line in twin_lines if 'DEBUG' in line or 'debug line' in line], [])
        self.assertTrue([line for line in twin_lines if 'warning line from-the-twin' in line],
                        'the twin\'s warning line is missing:\n' + err)

    def test_unset_means_silent(self):
        code, out, err = support.run_app(['debug_app.py'], twins={'dbgtwin': TWIN_EXECUTABLE},
                                         env={'APP_TWIN': TWIN_EXECUTABLE})
        self.assertEqual(code, 0, err)
        result = json.loads([line for line in out.splitlines() if line.startswith('RESULT ')][0][7:])
        self.assertEqual(result['handlers'], ['NullHandler'])
        self.assertEqual(self.lines_naming(err, 'dbgtwin', result['twin_pid']), [])
        self.assertNotIn('from-the-twin', err)


if __name__ == '__main__':
    unittest.main()
