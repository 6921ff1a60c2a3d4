"""cpy2py.utility: compat, thread_tools, proc_tools/twinspect and proxy, as the original offered them"""
from __future__ import print_function

import operator
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from cpy2py.utility import compat
from cpy2py.utility.compat import (
    range, rangex, check_output, stringabc, unicode_str, str_to_bytes, long_int, intern_str,
    BytesFile, inf, NullHandler, PY3, pickle)
from cpy2py.utility.thread_tools import ThreadGuard, FifoQueue, ItemError, UNSET
from cpy2py.utility.exceptions import CPy2PyException
from cpy2py.utility import proc_tools, twinspect
from cpy2py.utility.proxy import clone_function_meta

import support


class CompatNamesTest(unittest.TestCase):
    def test_names_exist(self):
        for name in ('rangex', 'range', 'check_output', 'stringabc', 'unicode_str', 'str_to_bytes',
                     'long_int', 'intern_str', 'BytesFile', 'inf', 'NullHandler', 'PY3', 'pickle'):
            self.assertTrue(hasattr(compat, name), name)
            self.assertIn(name, compat.__all__)

    def test_star_import(self):
        namespace = {}
        exec('from cpy2py.utility.compat import *', namespace)
        for name in ('range', 'rangex', 'check_output', 'str_to_bytes', 'PY3'):
            self.assertIn(name, namespace)

    def test_range(self):
        self.assertIs(range, rangex)
        self.assertEqual(list(range(3)), [0, 1, 2])
        self.assertEqual(list(rangex(1, 7, 3)), [1, 4])

    def test_py3_flag(self):
        self.assertEqual(PY3, sys.version_info[0] >= 3)

    def test_scalars(self):
        self.assertEqual(inf, float('inf'))
        self.assertEqual(long_int(5), 5)
        self.assertIsInstance(long_int(2) ** 70, long_int)
        text = ''.join(['un', 'set'])
        self.assertIs(intern_str(text), intern_str('unset'))

    def test_bytes_file(self):
        stream = BytesFile()
        stream.write(b'abc')
        stream.seek(0)
        self.assertEqual(stream.read(), b'abc')

    def test_pickle(self):
        value = {'a': [1, 2.5, None]}
        self.assertEqual(pickle.loads(pickle.dumps(value, 2)), value)

    def test_null_handler(self):
        import logging
        logger = logging.getLogger('cpy2py.test_compat_utility.null')
        logger.propagate = False
        handler = NullHandler()
        logger.addHandler(handler)
        try:
            logger.error('nothing to see')
        finally:
            logger.removeHandler(handler)


class CheckOutputTest(unittest.TestCase):
    def test_output(self):
        for _ in range(5):
            value = random.random() * random.randint(0, 1000)
            output = check_output([sys.executable, '-c', 'print(%3.1f)' % value])
            self.assertIsInstance(output, bytes)
            self.assertEqual(output.strip().decode(), '%3.1f' % value)

    def test_stdout_not_allowed(self):
        with self.assertRaises(ValueError):
            check_output([sys.executable, '-c', 'print(1)'], stdout=1)

    def test_failure(self):
        with self.assertRaises(subprocess.CalledProcessError) as context:
            check_output([sys.executable, '-c', 'fail<me>now'], stderr=subprocess.STDOUT)
        self.assertNotEqual(context.exception.returncode, 0)
        self.assertIn(b'NameError', context.exception.output)

    def test_keyword_args(self):
        output = check_output(args=[sys.executable, '-c', 'import os; print(os.environ["CPY2PY_X"])'],
                              env=dict(os.environ, CPY2PY_X='42'))
        self.assertEqual(output.strip(), b'42')


class StringsTest(unittest.TestCase):
    def test_stringabc(self):
        for num in range(0, 300):
            self.assertIsInstance('%X' % num, stringabc)
            self.assertIsInstance(u'%X' % num, stringabc)
        self.assertNotIsInstance(1, stringabc)

    def test_str_to_bytes(self):
        for num in range(0, 300):
            for text in ('%X' % num, u'%X' % num):
                converted = str_to_bytes(text)
                self.assertIsInstance(converted, bytes)
                self.assertEqual(converted, ('%X' % num).encode('ascii'))
        self.assertEqual(str_to_bytes(u'\xe4'), b'\xc3\xa4')

    def test_unicode_str(self):
        for num in range(0, 300):
            for text in ('%X' % num, u'%X' % num):
                self.assertIsInstance(unicode_str(text), unicode_str)
                self.assertEqual(unicode_str(text), u'%X' % num)


def _int_ops(names):
    for name in names:
        function = getattr(operator, name, None)
        if function is not None:
            yield name, function


class ThreadGuardTest(unittest.TestCase):
    binary = ('__add__', '__sub__', '__mul__', '__div__', '__truediv__', '__floordiv__', '__pow__',
              '__mod__', '__eq__', '__ne__', '__lt__', '__gt__', '__le__', '__ge__', '__and__',
              '__or__', '__xor__', '__lshift__', '__rshift__')
    inplace = ('__iadd__', '__isub__', '__imul__', '__idiv__', '__itruediv__', '__ifloordiv__',
               '__ipow__', '__imod__', '__iand__', '__ior__', '__ixor__', '__ilshift__', '__irshift__')

    def test_literal_start(self):
        self.assertEqual(ThreadGuard('100').__wrapped__, 100)
        self.assertEqual(ThreadGuard('[1, 2]').__wrapped__, [1, 2])
        self.assertEqual(ThreadGuard('not a literal').__wrapped__, 'not a literal')
        self.assertEqual(ThreadGuard().__wrapped__, 0.0)
        self.assertEqual(ThreadGuard(3).__wrapped__, 3)

    def test_binary_and_reflected(self):
        counter = 100
        guard = ThreadGuard(str(counter))
        for name, function in _int_ops(self.binary):
            for value in (random.randint(-100, 100) for _ in range(5)):
                value = value or 1
                if name in ('__lshift__', '__rshift__'):
                    value = abs(value)
                self.assertEqual(function(counter, value), function(guard, value), (name, value))
                self.assertEqual(function(value, counter), function(value, guard), ('r' + name, value))

    def test_inplace(self):
        for name, function in _int_ops(self.inplace):
            counter = 100
            guard = ThreadGuard(str(counter))
            for value in (random.randint(-100, 100) for _ in range(5)):
                value = value or 1
                if name in ('__ilshift__', '__irshift__', '__ipow__'):
                    value = random.randint(0, 5)
                counter = function(counter, value)
                result = function(guard, value)
                self.assertIs(result, guard)
                self.assertEqual(counter, guard, (name, value))

    def test_unary(self):
        for name, function in _int_ops(('__neg__', '__pos__', '__abs__', '__invert__', '__index__')):
            for value in (random.randint(-100, 100) for _ in range(5)):
                self.assertEqual(function(value), function(ThreadGuard(value)), (name, value))
        self.assertEqual([10, 11, 12][ThreadGuard(2)], 12)

    def test_conversions(self):
        counter = 100
        guard = ThreadGuard(str(counter))
        for conversion in (float, int, complex, bool, round, str, hash, unicode_str, long_int):
            self.assertEqual(conversion(counter), conversion(guard), conversion)
        self.assertFalse(ThreadGuard(0))
        self.assertEqual(divmod(ThreadGuard(17), 5), (3, 2))
        self.assertEqual(divmod(17, ThreadGuard(5)), (3, 2))
        self.assertEqual(pow(ThreadGuard(3), 4, 5), 1)

    def test_guard_operands(self):
        self.assertEqual(ThreadGuard(3) + ThreadGuard(4), 7)
        self.assertTrue(ThreadGuard(3) < ThreadGuard(4))

    def test_repr(self):
        self.assertEqual(repr(ThreadGuard(5)), 'ThreadGuard<5>')
        self.assertEqual(repr(ThreadGuard('"x"')), "ThreadGuard<'x'>")

    def test_call(self):
        self.assertEqual(ThreadGuard(len)([1, 2, 3]), 3)
        self.assertEqual(ThreadGuard(dict)(a=1), {'a': 1})

    def test_context_manager_holds_lock(self):
        guard = ThreadGuard(0)
        seen = []
        with guard:
            worker = threading.Thread(target=lambda: seen.append(guard + 1))
            worker.start()
            time.sleep(0.05)
            self.assertEqual(seen, [])  # blocked on the lock
        worker.join(5)
        self.assertEqual(seen, [1])

    def test_context_manager_enters_value(self):
        class Resource(object):
            entered = exited = False

            def __enter__(self):
                self.entered = True
                return 'resource'

            def __exit__(self, *exc):
                self.exited = True
                return False
        resource = Resource()
        with ThreadGuard(resource) as value:
            self.assertEqual(value, 'resource')
        self.assertTrue(resource.entered and resource.exited)

    def test_atomic_increments(self):
        guard = ThreadGuard(0)

        def work():
            for _ in range(1000):
                guard.__iadd__(1)
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(guard, 4000)

    def test_unset(self):
        self.assertIs(UNSET, intern_str('<unset_sentinel>'))


class FifoQueueTest(unittest.TestCase):
    def test_order_and_size(self):
        queue = FifoQueue()
        for item in range(5):
            queue.put(item)
        self.assertEqual(len(queue), 5)
        self.assertEqual(queue.qsize(), 5)
        self.assertEqual([queue.get() for _ in range(5)], [0, 1, 2, 3, 4])
        self.assertEqual(len(queue), 0)

    def test_nonblocking_empty(self):
        with self.assertRaises(ItemError):
            FifoQueue().get(block=False)

    def test_timeout(self):
        started = time.time()
        with self.assertRaises(ItemError):
            FifoQueue().get(timeout=0.1)
        self.assertGreaterEqual(time.time() - started, 0.09)

    def test_blocking_get(self):
        queue = FifoQueue()
        timer = threading.Timer(0.05, queue.put, ('late',))
        timer.start()
        self.assertEqual(queue.get(), 'late')
        timer = threading.Timer(0.05, queue.put, ('later',))
        timer.start()
        self.assertEqual(queue.get(timeout=5), 'later')

    def test_item_error(self):
        self.assertTrue(issubclass(ItemError, CPy2PyException))


class ExecutablePathTest(unittest.TestCase):
    def setUp(self):
        self.directory = os.path.realpath(tempfile.mkdtemp())
        self.executable = os.path.join(self.directory, 'executable.py')
        with open(self.executable, 'w') as stream:
            stream.write('#!/bin/sh\nexit 0\n')
        os.chmod(self.executable, stat.S_IRWXU)
        self.dummy = os.path.join(self.directory, 'dummy.txt')
        with open(self.dummy, 'w') as stream:
            stream.write('not executable\n')
        support.keep_path(self)

    def tearDown(self):
        shutil.rmtree(self.directory)

    def lookups(self):
        return proc_tools.get_executable_path, twinspect.exepath

    def test_missing(self):
        for lookup in self.lookups():
            with self.assertRaises(OSError):
                lookup('/no/such/path/exists')

    def test_executable(self):
        for lookup in self.lookups():
            self.assertEqual(lookup(self.executable), self.executable)

    def test_not_executable(self):
        for lookup in self.lookups():
            with self.assertRaises(OSError):
                lookup(self.dummy)

    def test_path_search(self):
        for lookup in self.lookups():
            for path in (self.directory,
                         '/no/such/path/exists' + os.pathsep + self.directory,
                         self.directory + os.pathsep + '/no/such/path/exists'):
                os.environ['PATH'] = path
                self.assertEqual(lookup('executable.py'), self.executable)
            for path in ('/no/such/path/exists/here' + os.pathsep + '/no/such/path/either', ''):
                os.environ['PATH'] = path
                with self.assertRaises(OSError):
                    lookup('executable.py')
            os.environ['PATH'] = self.directory
            with self.assertRaises(OSError):
                lookup('dummy.txt')

    def test_realpath(self):
        link = os.path.join(self.directory, 'link-to-executable')
        os.symlink(self.executable, link)
        self.assertEqual(proc_tools.get_executable_path(link), link)
        self.assertEqual(twinspect.exepath(link), self.executable)
        os.environ['PATH'] = self.directory
        self.assertEqual(twinspect.exepath('link-to-executable'), self.executable)

    def test_best_pickle_protocol(self):
        self.assertEqual(proc_tools.get_best_pickle_protocol(sys.executable), pickle.HIGHEST_PROTOCOL)


def public_function(arg, default=3):
    """public docstring"""
    return arg, default


class CloneFunctionMetaTest(unittest.TestCase):
    def test_clone(self):
        def wrapper(*args, **kwargs):
            return public_function(*args, **kwargs)
        public_function.__twin_id__ = 'some twin'
        try:
            result = clone_function_meta(public_function, wrapper)
        finally:
            del public_function.__twin_id__
        self.assertIs(result, wrapper)
        for name in ('__doc__', '__module__', '__name__', '__defaults__', '__qualname__',
                     '__annotations__'):
            if hasattr(public_function, name):
                self.assertEqual(getattr(wrapper, name), getattr(public_function, name), name)
        self.assertEqual(wrapper.__twin_id__, 'some twin')
        self.assertIs(wrapper.__wrapped__, public_function)
        self.assertEqual(wrapper(1), (1, 3))

    @unittest.skipIf(sys.version_info < (3, 3), 'inspect.signature needs Python 3.3')
    def test_signature(self):
        import inspect

        def wrapper(*args, **kwargs):
            pass
        clone_function_meta(public_function, wrapper)
        self.assertEqual(inspect.signature(wrapper), inspect.signature(public_function))

    def test_uncloneable(self):
        with self.assertRaises(TypeError):
            clone_function_meta(public_function, object())


if __name__ == '__main__':
    unittest.main()
