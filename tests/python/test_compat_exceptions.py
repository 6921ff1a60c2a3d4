"""Exception names and hierarchy of the original library, both spellings"""
from __future__ import print_function

import pickle
import unittest

from cpy2py.utility.exceptions import CPy2PyException
from cpy2py.kernel import exceptions, kernel_exceptions
from cpy2py.twinterpreter import exceptions as twin_exceptions_b
from cpy2py.twinterpreter import twin_exceptions
from cpy2py.ipyc.ipyc_exceptions import IPyCTerminated
from cpy2py.utility.thread_tools import ItemError


class BaseClassTest(unittest.TestCase):
    def test_one_base(self):
        self.assertIs(exceptions.CPy2PyException, CPy2PyException)
        self.assertIs(kernel_exceptions.CPy2PyException, CPy2PyException)
        self.assertTrue(issubclass(CPy2PyException, Exception))

    def test_everything_derives_from_base(self):
        for cls in (exceptions.TwinterpeterException, exceptions.TwinterpeterUnavailable,
                    exceptions.TwinterpeterTerminated, exceptions.StopTwinterpreter,
                    twin_exceptions.TwinterpreterException, twin_exceptions.TwinterpreterProcessError,
                    twin_exceptions.RemoteCpy2PyNotFound, IPyCTerminated, ItemError,
                    exceptions.StaleProxy, exceptions.RemoteException):
            self.assertTrue(issubclass(cls, CPy2PyException), cls)


class SpellingTest(unittest.TestCase):
    names = ('TwinterpeterException', 'TwinterpeterUnavailable', 'TwinterpeterTerminated',
             'TwinterpreterException', 'TwinterpreterUnavailable', 'TwinterpreterTerminated',
             'StopTwinterpreter', 'CPy2PyException')

    def test_both_modules(self):
        for name in self.names:
            self.assertIs(getattr(kernel_exceptions, name), getattr(exceptions, name), name)

    def test_same_classes(self):
        self.assertIs(exceptions.TwinterpeterException, exceptions.TwinterpreterException)
        self.assertIs(exceptions.TwinterpeterUnavailable, exceptions.TwinterpreterUnavailable)
        self.assertIs(exceptions.TwinterpeterTerminated, exceptions.TwinterpreterTerminated)

    def test_catch_by_either_name(self):
        try:
            raise exceptions.TwinterpreterTerminated('twin')
        except exceptions.TwinterpeterUnavailable as err:
            self.assertEqual(err.twin_id, 'twin')
        try:
            raise exceptions.TwinterpeterTerminated('twin')
        except exceptions.TwinterpreterUnavailable as err:
            self.assertEqual(err.twin_id, 'twin')


class HierarchyTest(unittest.TestCase):
    def test_unavailable(self):
        cls = exceptions.TwinterpeterUnavailable
        self.assertTrue(issubclass(cls, exceptions.TwinterpeterException))
        self.assertTrue(issubclass(cls, RuntimeError))
        err = cls('pypy')
        self.assertEqual(err.twin_id, 'pypy')
        self.assertIn('pypy', str(err))
        self.assertEqual(str(err), "Twinterpeter 'pypy' not available")
        err = cls('pypy', reason='no such file')
        self.assertIn('no such file', str(err))
        err = cls(twin_id='pypy')
        self.assertEqual(err.twin_id, 'pypy')

    def test_terminated(self):
        cls = exceptions.TwinterpeterTerminated
        self.assertTrue(issubclass(cls, exceptions.TwinterpeterUnavailable))
        self.assertTrue(issubclass(cls, RuntimeError))
        err = cls('pypy')
        self.assertEqual(err.twin_id, 'pypy')
        self.assertIn('pypy', str(err))
        self.assertTrue(issubclass(exceptions.StaleProxy, cls))

    def test_stop(self):
        err = exceptions.StopTwinterpreter()
        self.assertEqual(err.exit_code, 1)
        self.assertEqual(str(err), 'Twinterpreter Shutdown')
        err = exceptions.StopTwinterpreter('bye', exit_code=0)
        self.assertEqual((str(err), err.exit_code), ('bye', 0))
        self.assertFalse(issubclass(exceptions.StopTwinterpreter, exceptions.TwinterpeterException))

    def test_twinterpreter_module(self):
        self.assertIs(twin_exceptions.TwinterpreterException, twin_exceptions_b.TwinterpreterException)
        self.assertIs(twin_exceptions.TwinterpreterProcessError, twin_exceptions_b.TwinterpreterProcessError)
        self.assertIs(twin_exceptions.RemoteCpy2PyNotFound, twin_exceptions_b.RemoteCpy2PyNotFound)
        self.assertTrue(issubclass(twin_exceptions.TwinterpreterProcessError,
                                   twin_exceptions.TwinterpreterException))

    def test_remote_cpy2py_not_found(self):
        err = twin_exceptions.RemoteCpy2PyNotFound('/usr/bin/python9')
        self.assertIsInstance(err, ImportError)
        self.assertEqual(err.name, 'cpy2py')
        self.assertEqual(err.interpreter, '/usr/bin/python9')
        self.assertIn('/usr/bin/python9', str(err))

    def test_pickle(self):
        for err in (exceptions.TwinterpeterUnavailable('a'), exceptions.TwinterpeterUnavailable('a', 'why'),
                    exceptions.TwinterpeterTerminated('b'), exceptions.StopTwinterpreter('x', 3),
                    twin_exceptions.RemoteCpy2PyNotFound('py'), IPyCTerminated('gone'), ItemError()):
            for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
                clone = pickle.loads(pickle.dumps(err, protocol))
                self.assertIs(type(clone), type(err))
                self.assertEqual(str(clone), str(err))
                for attribute in ('twin_id', 'reason', 'interpreter', 'name'):
                    if hasattr(err, attribute):
                        self.assertEqual(getattr(clone, attribute), getattr(err, attribute))


if __name__ == '__main__':
    unittest.main()
