"""Arguments that cannot be pickled (a lambda, a closure, a lock) cross as references, like
such results: the twin gets a proxy and its calls come back here (before: a PicklingError
from the runtime's internals)"""
from __future__ import print_function

import pickle
import threading
import unittest

import cpy2py
from cpy2py import TwinObject, kernel_state
from cpy2py.exceptions import UnpicklableCall

import support
from support import TWIN_ID, guarded

MAIN_ID = kernel_state.MASTER_ID


class Worker(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self, callback=None):
        self.callback = callback

    def apply(self, function, *args):
        return function(*args), kernel_state.TWIN_ID

    def apply_keyword(self, function=None, value=None):
        return function(value)

    def guarded_by(self, lock):
        with lock:
            return lock.locked()

    def call_stored(self, value):
        return self.callback(value)

    def kinds(self, *args, **kwargs):
        return [type(arg).__name__ for arg in args], sorted(kwargs)

    @classmethod
    def apply_in_class(cls, function, value):
        return function(value)


def apply_in_twin(function, value):
    return function(value)


def where_it_runs(value):
    return value, kernel_state.TWIN_ID


class UnpicklableArgumentTest(support.TwinTestCase):
    @guarded()
    def test_a_lambda_argument_is_called_back_here(self):
        worker = Worker()
        result, where = worker.apply(lambda value: (value + 1, kernel_state.TWIN_ID), 1)
        self.assertEqual((tuple(result), where), ((2, MAIN_ID), TWIN_ID))

    @guarded()
    def test_a_closure_as_a_keyword_argument(self):
        seen = []

        def remember(value):
            seen.append(value)
            return len(seen)
        self.assertEqual(Worker().apply_keyword(function=remember, value='x'), 1)
        self.assertEqual(seen, ['x'])

    @guarded()
    def test_a_lock_is_used_as_a_context_manager_in_the_twin(self):
        lock = threading.Lock()
        self.assertTrue(Worker().guarded_by(lock))
        self.assertFalse(lock.locked())

    @guarded()
    def test_only_the_arguments_that_do_not_pickle_are_references(self):
        kinds, keys = Worker().kinds(1, 2.5, lambda: None, key=threading.Lock())
        self.assertEqual(kinds[:2], ['int', 'float'])
        self.assertEqual(kinds[2], 'RemoteObject')
        self.assertEqual(keys, ['key'])

    @guarded()
    def test_constructor_argument_and_attribute(self):
        worker = Worker(lambda value: value * 2)
        self.assertEqual(worker.call_stored(21), 42)
        worker.callback = lambda value: value * 3
        self.assertEqual(worker.call_stored(2), 6)

    @guarded()
    def test_classmethod_and_execute_arguments(self):
        self.assertEqual(Worker.apply_in_class(lambda value: value - 1, 1), 0)
        self.assertEqual(tuple(self.twin.execute(apply_in_twin, lambda value: where_it_runs(value), 5)),
                         (5, MAIN_ID))

    @guarded()
    def test_within_a_deadline(self):
        with cpy2py.deadline(support.HANG_TIMEOUT):
            self.assertEqual(Worker().apply(lambda: 'late')[0], 'late')

    @guarded()
    def test_what_execute_runs_is_never_a_reference(self):
        # it must run in the twin: an unpicklable function is an error that says what helps
        with self.assertRaises(UnpicklableCall) as caught:
            self.twin.execute(lambda: kernel_state.TWIN_ID)
        self.assertIsInstance(caught.exception, pickle.PicklingError)
        self.assertIn("in twin '%s'" % TWIN_ID, str(caught.exception))
        self.assertIn('module level', str(caught.exception))
        with self.assertRaises(UnpicklableCall):
            with cpy2py.deadline(support.HANG_TIMEOUT):
                self.twin.execute(lambda: None)

    @guarded()
    def test_a_container_holding_a_lambda_is_a_reference_as_a_whole(self):
        callbacks = [lambda: None]
        kinds, _ = Worker().kinds(callbacks)
        self.assertEqual(kinds, ['RemoteObject'])
        self.assertEqual(Worker().apply(len, callbacks)[0], 1)


if __name__ == '__main__':
    unittest.main()
