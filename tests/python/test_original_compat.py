"""
Regressions found by running the original library's test suite against this runtime

Each test covers one name or behaviour the original tests rely on that was missing here.
Twins import this module, so it stays valid Python 2.7.
"""
from __future__ import print_function

import os
import sys
import unittest

from cpy2py import TwinMaster, kernel_state

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


if __name__ == '__main__':
    unittest.main()
