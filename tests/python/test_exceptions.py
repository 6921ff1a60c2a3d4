"""Exceptions raised in a twin: same type and message here, with the remote traceback"""
from __future__ import print_function

import sys
import traceback
import unittest

from cpy2py import TwinObject, kernel_state
from cpy2py.kernel.exceptions import CPy2PyException, RemoteException

import support
from support import TWIN_ID, PEER_ID

PY3 = sys.version_info[0] >= 3


class CustomError(Exception):
    """Importable on both sides"""


class DetailedError(ValueError):
    def __init__(self, message, code):
        ValueError.__init__(self, message, code)
        self.code = code


BUILTIN_ERRORS = {
    'ValueError': ValueError, 'KeyError': KeyError, 'TypeError': TypeError,
    'AttributeError': AttributeError, 'ZeroDivisionError': ZeroDivisionError,
    'IndexError': IndexError, 'RuntimeError': RuntimeError, 'NotImplementedError': NotImplementedError,
}


def raise_builtin(name, message):
    raise BUILTIN_ERRORS[name](message)


def raise_custom(message):
    raise CustomError(message)


def raise_detailed(message, code):
    raise DetailedError(message, code)


def deep_function_name_for_traceback(message):
    raise ValueError(message)


def raise_unknown_type(message):
    """An exception type the caller cannot import: defined inside this function"""
    class TwinOnlyError(Exception):
        pass
    raise TwinOnlyError(message)


def raise_with_unpicklable_argument():
    import threading
    raise ValueError(threading.Lock())


def raise_large(size):
    """A 2 MiB argument and attribute: they would travel out-of-band as values"""
    # (not ASCII: a Python 2 twin's str then arrives as bytes)
    error = DetailedError(b'\xff' * size, 7)
    error.blob = bytearray(b'\xfe' * size)
    raise error


def raise_in_peer(message):
    """Runs in the twin, calls the peer which raises"""
    return support.start_twin(PEER_ID).execute(raise_custom, message)


def catch_from_main(message):
    """Runs in the twin: the main raises in a callback, the twin catches it by type"""
    try:
        main_raises(message)
    except CustomError as error:
        return 'caught %s in %s' % (error.args[0], kernel_state.TWIN_ID)
    return 'not raised'


def main_raises(message):
    from cpy2py.kernel.kernel_state import get_kernel
    if kernel_state.is_master():
        raise CustomError(message)
    return get_kernel().request(kernel_state.MASTER_ID, 'call', (main_raises, (message,), {}))


class Faulty(TwinObject):
    __twin_id__ = TWIN_ID

    def fail(self, message):
        raise CustomError(message)

    @property
    def broken(self):
        raise KeyError('no such thing')


class ExceptionTypeTest(support.TwinTestCase):
    def test_builtin_types_and_messages(self):
        for name, kind in sorted(BUILTIN_ERRORS.items()):
            with self.assertRaises(kind) as context:
                self.twin.execute(raise_builtin, name, 'message of ' + name)
            self.assertIs(type(context.exception), kind)
            self.assertEqual(context.exception.args, ('message of ' + name,))

    def test_custom_exception_type(self):
        with self.assertRaises(CustomError) as context:
            self.twin.execute(raise_custom, 'custom message')
        self.assertEqual(str(context.exception), 'custom message')

    def test_exception_attributes(self):
        with self.assertRaises(DetailedError) as context:
            self.twin.execute(raise_detailed, 'detailed', 42)
        self.assertEqual(context.exception.code, 42)
        self.assertIsInstance(context.exception, ValueError)

    def test_large_arguments_and_attributes_keep_the_type(self):
        # pieces of an error payload pickled out-of-band were dropped: the exception
        # arrived as RemoteException ("its arguments could not be pickled in the twin")
        size = 2 << 20
        with self.assertRaises(DetailedError) as context:
            self.twin.execute(raise_large, size)
        self.assertTrue(context.exception.args == (b'\xff' * size, 7))
        self.assertTrue(context.exception.blob == bytearray(b'\xfe' * size))

    def test_from_methods_and_properties(self):
        faulty = Faulty()
        with self.assertRaises(CustomError):
            faulty.fail('in a method')
        with self.assertRaises(KeyError):
            faulty.broken

    def test_unknown_type_becomes_remote_exception(self):
        with self.assertRaises(RemoteException) as context:
            self.twin.execute(raise_unknown_type, 'only the twin knows')
        error = context.exception
        self.assertIsInstance(error, CPy2PyException)
        self.assertIn('TwinOnlyError', str(error))
        self.assertIn('only the twin knows', str(error))
        self.assertIn('TwinOnlyError', error.remote_type)
        self.assertIn(TWIN_ID, error.remote_traceback)
        self.assertIn('raise_unknown_type', error.remote_traceback)

    def test_unpicklable_exception_becomes_remote_exception(self):
        with self.assertRaises(RemoteException) as context:
            self.twin.execute(raise_with_unpicklable_argument)
        self.assertIn('ValueError', context.exception.remote_type)
        self.assertIn('lock', str(context.exception))

    def test_unpicklable_call_fails_here_and_the_twin_stays_usable(self):
        import threading
        from cpy2py.exceptions import UnpicklableCall
        # an argument that does not pickle crosses as a reference (test_unpicklable_arguments)
        self.assertEqual(self.twin.execute(len, [threading.Lock()]), 1)
        # what execute() runs must be pickled
        with self.assertRaises(UnpicklableCall):
            self.twin.execute(lambda: None)
        self.assertEqual(self.twin.execute(len, [1, 2]), 2)

    @support.guarded()
    def test_through_a_chain_of_twins(self):
        with self.assertRaises(CustomError) as context:
            self.twin.execute(raise_in_peer, 'from the peer')
        self.assertEqual(str(context.exception), 'from the peer')

    @support.guarded()
    def test_raised_in_main_during_a_callback(self):
        self.assertEqual(self.twin.execute(catch_from_main, 'boom'), 'caught boom in %s' % TWIN_ID)

    def test_twin_is_usable_after_errors(self):
        for _ in range(3):
            with self.assertRaises(ValueError):
                self.twin.execute(raise_builtin, 'ValueError', 'again')
        self.assertEqual(self.twin.execute(len, [1]), 1)


class RemoteTracebackTest(support.TwinTestCase):
    def raised(self, func, *args):
        try:
            self.twin.execute(func, *args)
        except Exception:
            return sys.exc_info()[1]
        self.fail('%s did not raise' % func.__name__)

    def test_cause_holds_the_remote_traceback(self):
        if not PY3:
            self.skipTest('__cause__ needs Python 3 in the main')
        error = self.raised(deep_function_name_for_traceback, 'with traceback')
        self.assertIsInstance(error, ValueError)
        cause = error.__cause__
        self.assertIsNotNone(cause, 'no remote traceback attached')
        text = str(cause)
        self.assertIn(TWIN_ID, text)
        self.assertIn('deep_function_name_for_traceback', text)
        self.assertIn('with traceback', text)

    def test_printed_traceback_shows_both_sides(self):
        error = self.raised(deep_function_name_for_traceback, 'printed')
        printed = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
        self.assertIn('deep_function_name_for_traceback', printed)  # the twin's frame
        self.assertIn(TWIN_ID, printed)
        self.assertIn('test_exceptions.py', printed)

    def test_traceback_of_method_names_the_twin(self):
        try:
            Faulty().fail('from a method')
        except CustomError as error:
            self.assertIn(TWIN_ID, str(error.__cause__))
            self.assertIn('fail', str(error.__cause__))
        else:
            self.fail('no exception')


if __name__ == '__main__':
    unittest.main()
