"""
Regressions found by running the original library's test suite against this runtime

Each test covers one name or behaviour the original tests rely on that was missing here.
Twins import this module, so it stays valid Python 2.7.
"""
from __future__ import print_function

import os
import shutil
import sys
import tempfile
import unittest

from cpy2py import TwinMaster, kernel_state

import support

TWIN = 'twin'
EXECUTABLE = os.environ.get('CPY2PY_TEST_TWIN', sys.executable)


def twin_id_here():
    return kernel_state.TWIN_ID


class TestChannelNames(unittest.TestCase):
    """``ipyc=`` channel classes of the original are importable and accepted by TwinMaster"""

    def _check(self, channel):
        master = TwinMaster(executable=EXECUTABLE, twinterpreter_id=TWIN, ipyc=channel)
        master.start()
        self.assertEqual(master.execute(twin_id_here), TWIN)
        # names only: they do not work as channels of their own
        self.assertRaises(NotImplementedError, channel)

    def test_fifo(self):
        from cpy2py.ipyc.ipyc_fifo import DuplexFifoIPyC
        self._check(DuplexFifoIPyC)

    def test_socket(self):
        from cpy2py.ipyc.ipyc_socket import DuplexSocketIPyC
        self._check(DuplexSocketIPyC)

    def test_later_module_names(self):
        # the first line of the original's test_ipyc.py
        from cpy2py.ipyc import fifo_pipe, duplex_socket
        from cpy2py.ipyc import ipyc_fifo, ipyc_socket
        self.assertIs(fifo_pipe.DuplexFifoIPyC, ipyc_fifo.DuplexFifoIPyC)
        self.assertIs(duplex_socket.DuplexSocketIPyC, ipyc_socket.DuplexSocketIPyC)
        self._check(fifo_pipe.DuplexFifoIPyC)


class TestPyPyDefinition(unittest.TestCase):
    """A TwinDef/TwinProcess for 'pypy' finds 'pypy3' where only that exists, as TwinMaster does"""

    def setUp(self):
        self.bindir = tempfile.mkdtemp()
        support.keep_path(self)
        self.fake = os.path.join(self.bindir, 'pypy3')
        os.symlink(sys.executable, self.fake)
        os.environ['PATH'] = self.bindir

    def tearDown(self):
        shutil.rmtree(self.bindir)

    def test_twin_def(self):
        from cpy2py.twinterpreter.twin_def import TwinDef
        definition = TwinDef('pypy')
        self.assertEqual(definition.twinterpreter_id, 'pypy')
        self.assertEqual(definition.executable, self.fake)

    def test_twin_process(self):
        from cpy2py.twinterpreter.process import TwinProcess
        definition = TwinProcess(executable='pypy', twinterpreter_id='pypy_venv')
        self.assertEqual(definition.twinterpreter_id, 'pypy_venv')
        self.assertEqual(definition.executable, os.path.realpath(sys.executable))

    def test_neither_exists(self):
        from cpy2py.twinterpreter.twin_def import TwinDef
        os.remove(self.fake)
        self.assertRaises(OSError, TwinDef, 'pypy')
        # other names never fall back
        os.symlink(sys.executable, os.path.join(self.bindir, 'python9'))
        self.assertRaises(OSError, TwinDef, 'python')


if __name__ == '__main__':
    unittest.main()
