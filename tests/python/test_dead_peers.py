"""Dead peers: calls into a twin that was stopped, killed or dies during the call fail fast"""
from __future__ import print_function

import os
import signal
import threading
import time
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state
from cpy2py.kernel.exceptions import CPy2PyException, StaleProxy, TwinterpreterTerminated

import support
from support import TWIN_EXECUTABLE, call_with_timeout

VICTIM_ID = 'victim'
#: seconds within which a dead peer must be noticed
FAST = 5.0


class Sleeper(TwinObject):
    __twin_id__ = VICTIM_ID

    def pid(self):
        return os.getpid()

    def sleep(self, seconds):
        time.sleep(seconds)
        return 'slept'

    def die(self, status=3):
        os._exit(status)


def die_via(proxy):
    """Runs in the twin under test: the victim dies during the twin's call"""
    try:
        proxy.die()
    except TwinterpreterTerminated as error:
        return 'terminated', type(error).__name__, kernel_state.TWIN_ID
    return 'no error', None, kernel_state.TWIN_ID


class DeadPeerTest(unittest.TestCase):
    def setUp(self):
        self.master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=VICTIM_ID)
        self.master.start()
        self.sleeper = Sleeper()
        self.pid = self.sleeper.pid()
        self.assertEqual(self.master.execute(os.getpid), self.pid)

    def tearDown(self):
        self.sleeper = None
        master = TwinMaster(executable=TWIN_EXECUTABLE, twinterpreter_id=VICTIM_ID)
        call_with_timeout(support.HANG_TIMEOUT, master.destroy)
        if support.process_alive(self.pid):  # never leave a victim behind
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def assertFailsFast(self, expected, func, *args):
        """``func(*args)`` raises ``expected`` within FAST seconds (and never hangs)"""
        started = time.time()
        try:
            call_with_timeout(support.HANG_TIMEOUT, func, *args)
        except expected as error:
            elapsed = time.time() - started
            self.assertLess(elapsed, FAST, 'took %.1f s to notice: %s' % (elapsed, error))
            return error
        except support.Hang:
            raise
        except BaseException as error:
            self.fail('expected %s, got %r' % (expected, error))
        self.fail('expected %s, but the call succeeded' % (expected,))

    def kill_victim(self):
        os.kill(self.pid, signal.SIGKILL)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(self.pid)),
                        'victim %d survived SIGKILL' % self.pid)

    def test_call_into_stopped_twin(self):
        self.assertFalse(self.master.stop())
        error = self.assertFailsFast(TwinterpreterTerminated, self.master.execute, os.getpid)
        self.assertEqual(error.twin_id, VICTIM_ID)
        self.assertFailsFast(TwinterpreterTerminated, self.sleeper.pid)
        self.assertFailsFast(TwinterpreterTerminated, Sleeper)

    def test_proxy_of_killed_twin_is_stale(self):
        self.kill_victim()
        self.assertFailsFast(TwinterpreterTerminated, self.sleeper.pid)
        # stays failing, also after the death was noticed
        error = self.assertFailsFast(TwinterpreterTerminated, self.sleeper.sleep, 0)
        self.assertIsInstance(error, CPy2PyException)

    def test_execute_after_kill_fails_or_starts_a_new_process(self):
        self.kill_victim()
        try:
            pid = call_with_timeout(support.HANG_TIMEOUT, self.master.execute, os.getpid)
        except CPy2PyException:
            return
        self.assertNotEqual(pid, self.pid, 'a call reached the killed process')

    def test_twin_dies_during_the_call(self):
        self.assertFailsFast(TwinterpreterTerminated, self.sleeper.die)
        self.assertFalse(support.process_alive(self.pid) and self.master.is_alive)

    def test_twin_exits_in_execute(self):
        self.assertFailsFast(TwinterpreterTerminated, self.master.execute, os._exit, 4)

    def test_killed_during_a_long_call(self):
        outcome = {}

        def long_call():
            started = time.time()
            try:
                outcome['result'] = self.sleeper.sleep(60)
            except BaseException as error:
                outcome['error'] = error
            outcome['elapsed'] = time.time() - started
        thread = threading.Thread(target=long_call)
        thread.daemon = True
        thread.start()
        time.sleep(0.3)
        self.kill_victim()
        thread.join(support.HANG_TIMEOUT)
        self.assertFalse(thread.is_alive(), 'the call into the killed twin hangs')
        self.assertIsInstance(outcome.get('error'), TwinterpreterTerminated, outcome)
        self.assertLess(outcome['elapsed'], 0.3 + FAST)

    def test_stopped_during_a_long_call(self):
        outcome = {}

        def long_call():
            try:
                outcome['result'] = self.sleeper.sleep(60)
            except BaseException as error:
                outcome['error'] = error
        thread = threading.Thread(target=long_call)
        thread.daemon = True
        thread.start()
        time.sleep(0.3)
        started = time.time()
        call_with_timeout(support.HANG_TIMEOUT, self.master.stop)
        thread.join(support.HANG_TIMEOUT)
        self.assertFalse(thread.is_alive(), 'the call into the stopped twin hangs')
        self.assertIsInstance(outcome.get('error'), TwinterpreterTerminated, outcome)
        self.assertLess(time.time() - started, FAST + 4)  # stop() may wait its grace period

    def test_peer_dies_during_a_call_from_another_twin(self):
        twin = support.start_twin()
        result = call_with_timeout(support.HANG_TIMEOUT, twin.execute, die_via, self.sleeper)
        self.assertEqual(result[0], 'terminated')
        self.assertEqual(result[2], support.TWIN_ID)
        # the twin under test survives its peer's death
        self.assertEqual(twin.execute(len, 'ok'), 2)


if __name__ == '__main__':
    unittest.main()
