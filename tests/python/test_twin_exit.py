"""
A twin stopped politely (TwinMaster.stop(), or SHUTDOWN at the end of the run) does what an
interpreter exit does: atexit handlers run, objects kept only for proxies are finalized,
and buffered files (held by such objects or by module globals) are flushed. Before, a
TwinObject that wrote 100 lines to a file it never closed left an empty file.
"""
from __future__ import print_function

import os
import shutil
import tempfile

from cpy2py import TwinMaster

import support

EXIT_ID = 'exit-check'
_GLOBAL = []


class Writer(object):
    """Holds an open file: unpicklable, so it stays in the twin and the main gets a proxy"""

    def __init__(self, path):
        self.file = open(path, 'w')

    def write(self, count):
        for index in range(count):
            self.file.write('line %d\n' % index)
        return count


class Finalized(object):
    """Writes a file when it is finalized"""

    def __init__(self, path):
        self.path = path

    def __del__(self):
        with open(self.path, 'w') as marker:
            marker.write('finalized\n')


def make_writer(path):
    return Writer(path)


def make_finalized(path):
    return Finalized(path)


def write_global(path, count):
    handle = open(path, 'w')
    _GLOBAL.append(handle)  # a module global: never torn down before the twin exits
    for index in range(count):
        handle.write('global %d\n' % index)
    return count


def register_atexit(path):
    import atexit

    def ran():
        with open(path, 'w') as marker:
            marker.write('atexit ran\n')
    atexit.register(ran)
    return True


def read_lines(path):
    try:
        with open(path) as handle:
            return handle.read().splitlines()
    except IOError:
        return None


class TwinExitTest(support.TwinTestCase):
    def setUp(self):
        super(TwinExitTest, self).setUp()
        self.dir = tempfile.mkdtemp(prefix='cpy2py-exit-')
        self.addCleanup(shutil.rmtree, self.dir, True)

    def path(self, name):
        return os.path.join(self.dir, name)

    @support.guarded(90)
    def test_stopped_twin_flushes_files_runs_atexit_and_finalizers(self):
        master = TwinMaster(executable=support.TWIN_EXECUTABLE, twinterpreter_id=EXIT_ID)
        master.start()
        pid = master.execute(os.getpid)
        writer = master.execute(make_writer, self.path('writer.log'))
        self.assertEqual(writer.write(100), 100)
        self.assertEqual(master.execute(write_global, self.path('global.log'), 50), 50)
        self.assertTrue(master.execute(register_atexit, self.path('atexit.log')))
        finalized = master.execute(make_finalized, self.path('finalized.log'))
        self.assertIsNotNone(finalized)
        support.call_with_timeout(support.HANG_TIMEOUT, master.destroy)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(pid), 30.0))
        self.assertEqual(read_lines(self.path('writer.log')), ['line %d' % i for i in range(100)])
        self.assertEqual(read_lines(self.path('global.log')), ['global %d' % i for i in range(50)])
        self.assertEqual(read_lines(self.path('atexit.log')), ['atexit ran'])
        self.assertEqual(read_lines(self.path('finalized.log')), ['finalized'])
        del writer, finalized


if __name__ == '__main__':
    import unittest
    unittest.main()
