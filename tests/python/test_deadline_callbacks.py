"""A deadline stops a callback too: a twin thread that waits in a bounded call of its own
and meanwhile runs a request of the same chain (a callback) is interrupted in that request
when its deadline passes (before: the thread counted as waiting, the interrupt was never
raised, and the request ran to its end, seconds past the caller's deadline)"""
from __future__ import print_function

import os
import sys

import cpy2py
from cpy2py import TwinMaster, kernel_state
from cpy2py.exceptions import CallTimeout

import support
from support import TWIN_ID, PEER_ID

sys.path.insert(0, os.path.join(os.path.dirname(support.HERE), 'e2e', 'helpers', 'first_day'))
from deadline_funcs import busy, state  # noqa: E402

MAIN_ID = kernel_state.MASTER_ID


def hop(path, key):
    """Call the next twin of ``path`` with the rest of it; at its end, work until interrupted"""
    if not path:
        return busy(key)
    return TwinMaster(twinterpreter_id=path[0]).execute(hop, path[1:], key)


class DeadlineCallbackTest(support.TwinTestCase):
    def check_interrupted(self, path, key):
        # (skipped where the first_day deadline cases are: the same PyPy caveat)
        from test_first_day import skip_long_requests_on_pypy
        skip_long_requests_on_pypy(self)
        with self.assertRaises(CallTimeout):
            with cpy2py.deadline(0.5):
                TwinMaster(twinterpreter_id=path[0]).execute(hop, path[1:], key)
        where = TwinMaster(twinterpreter_id=path[-1])
        interrupted = support.wait_until(lambda: (where.execute(state, key) or '').startswith('interrupted'), 30.0)
        self.assertTrue(interrupted, where.execute(state, key))
        with cpy2py.deadline(30):
            self.assertEqual(self.twin.execute(len, 'usable'), 6)

    @support.guarded(60)
    def test_the_callback_in_the_waiting_twin_thread(self):
        # main -> twin -> main -> twin: the last request runs in the twin thread that waits
        self.check_interrupted([TWIN_ID, MAIN_ID, TWIN_ID], 'twin-main-twin')

    @support.guarded(60)
    def test_a_callback_two_twins_deep(self):
        # main -> peer -> twin -> main -> peer -> twin
        self.check_interrupted([PEER_ID, TWIN_ID, MAIN_ID, PEER_ID, TWIN_ID], 'deep')
