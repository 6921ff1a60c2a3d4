"""Twin ids a program asks for follow the README's rule (1-64 of A-Z a-z 0-9 _ . + -): an
invalid one is a ValueError at once, naming the id and the rule, in both modes; it never
reaches the supervisor (a space or a newline would change the control line). A main that
closed its control descriptor is told so, instead of going on standalone."""
from __future__ import print_function

import os
import sys
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state

import support
from support import PEER_ID, guarded

RULE = '1-64 characters from A-Z a-z 0-9 _ . + -'
BAD_IDS = ['a b', '', u'\xe9', 'x' * 65, 'x\nSTOP ' + PEER_ID, 'pypy3 x', '../x']


class BadlyNamed(TwinObject):
    __twin_id__ = 'my twin'

    def pid(self):
        return os.getpid()


class InvalidIdTest(support.TwinTestCase):
    def assert_refused(self, twin_id, call, *args, **kwargs):
        with self.assertRaises(ValueError) as caught:
            call(*args, **kwargs)
        self.assertIn(repr(twin_id), str(caught.exception))
        self.assertIn(RULE, str(caught.exception))

    @guarded()
    def test_a_master_with_an_invalid_id_fails_at_once(self):
        peer_pid = self.peer.execute(support.getpid)
        for twin_id in BAD_IDS:
            self.assert_refused(twin_id, TwinMaster, executable=support.PEER_EXECUTABLE,
                                twinterpreter_id=twin_id)
        self.assertEqual(self.peer.execute(support.getpid), peer_pid)  # 'x\nSTOP peer' stopped nothing

    @guarded()
    def test_an_id_from_the_executable_says_how_to_name_the_twin(self):
        self.assert_refused('my python', TwinMaster, '/opt/my python')
        with self.assertRaises(ValueError) as caught:
            TwinMaster('/opt/my python')
        self.assertIn('twinterpreter_id=', str(caught.exception))
        self.assert_refused('a b', TwinMaster, 'a b')

    @guarded()
    def test_a_class_with_an_invalid_twin_id(self):
        self.assert_refused('my twin', BadlyNamed)

    @guarded()
    def test_kernel_and_supervisor_refuse_an_invalid_id(self):
        peer_pid = self.peer.execute(support.getpid)
        kernel = kernel_state.get_kernel()
        for twin_id in BAD_IDS:
            self.assert_refused(twin_id, kernel.connection, twin_id)
            self.assert_refused(twin_id, kernel.supervisor.start_twin, twin_id)
        self.assertEqual(self.peer.execute(support.getpid), peer_pid)

    @guarded()
    def test_a_twin_asking_for_an_invalid_id(self):
        with self.assertRaises(Exception) as caught:
            self.twin.execute(BadlyNamed)
        self.assertIn("invalid twin id 'my twin'", str(caught.exception))


class ClosedControlTest(unittest.TestCase):
    @guarded(120)
    def test_a_main_that_closed_its_control_descriptor_is_told(self):
        if not support.SUPERVISED:
            self.skipTest('only a main under cpy2py-run has a control descriptor')
        code, out, err = support.run_app(['closed_control_app.py'], twins={'cctwin': sys.executable},
                                         env={'APP_TWIN': sys.executable})
        lines = [line for line in out.splitlines() if line.startswith('RESULT')]
        self.assertEqual(lines[0], 'RESULT child-sees-fd False', out + err)
        self.assertIn('RESULT call ControlChannelLost the control channel to cpy2py-run was lost: '
                      'descriptor 3 (CPY2PY_CONTROL_FD) is closed', lines[1])
        self.assertIn('keep descriptor 3 open', lines[1])
        self.assertEqual(code, 0, err)


if __name__ == '__main__':
    unittest.main()
