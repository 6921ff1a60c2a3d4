"""Stopping or losing a twin while threads wait in calls: every caller gets an exception, promptly"""
from __future__ import print_function

import os
import sys
import threading
import time
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state
from cpy2py.kernel.exceptions import TwinterpreterUnavailable, TwinterpreterTerminated
from cpy2py.utility.exceptions import CPy2PyException

import support
from support import guarded

MAIN_ID = kernel_state.MASTER_ID
#: twins of these tests are stopped and killed; they get their own ids (same interpreter)
DOOMED_ID = 'doomed'
#: seconds a waiting caller may take to notice that its twin went away
PROMPT = 5.0


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
def sleep_and_return(seconds, value):
    time.sleep(seconds)
    return value


def echo(value):
    return value


def die(code):
    os._exit(code)


def callback_that_sleeps(seconds):
    """Runs in the twin: call the main, whose callback sleeps"""
    return TwinMaster(twinterpreter_id=MAIN_ID).execute(sleep_and_return, seconds, 'callback')


def getpid():
    return os.getpid()


class Sleeper(TwinObject):
    __twin_id__ = DOOMED_ID

    def sleep(self, seconds):
        time.sleep(seconds)
        return seconds


class Waiters(object):
    """Threads that each run one call and record how and when it ended"""

    def __init__(self):
        self.threads = []
        self.outcomes = {}
        self.entered = threading.Semaphore(0)

    def start(self, name, func, *args):
        def body():
            self.entered.release()
            try:
                self.outcomes[name] = ('result', func(*args), time.time())
            except BaseException:
                self.outcomes[name] = ('error', sys.exc_info()[1], time.time())
        thread = threading.Thread(target=body, name='waiter-%s' % name)
        thread.daemon = True
        thread.start()
        self.threads.append(thread)

    def join(self, timeout):
        deadline = time.time() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.time()))
        return [thread.name for thread in self.threads if thread.is_alive()]


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.master = TwinMaster(executable=support.TWIN_EXECUTABLE, twinterpreter_id=DOOMED_ID)
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.start)
        self.assertEqual(self.master.execute(echo, 1), 1)

    def tearDown(self):
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.stop)

    def assertAllFailedPromptly(self, waiters, since, names):
        hung = waiters.join(support.HANG_TIMEOUT)
        self.assertEqual(hung, [], 'callers still waiting: %s' % hung)
        for name in names:
            kind, value, ended = waiters.outcomes[name]
            self.assertEqual(kind, 'error', '%s returned %r' % (name, value))
            self.assertIsInstance(value, CPy2PyException, '%s raised %r' % (name, value))
            self.assertIsInstance(value, TwinterpreterUnavailable, '%s raised %r' % (name, value))
            self.assertLess(ended - since, PROMPT, '%s noticed after %.1f s' % (name, ended - since))

    @guarded(60)
    def test_stop_with_calls_in_flight(self):
        """TwinMaster.stop() while four threads wait in long calls: each gets the error at once"""
        waiters = Waiters()
        names = ['execute-%d' % k for k in range(3)] + ['method']
        for name in names[:3]:
            waiters.start(name, self.master.execute, sleep_and_return, 60, name)
        sleeper = Sleeper()
        waiters.start('method', sleeper.sleep, 60)
        for _ in names:
            waiters.entered.acquire()
        time.sleep(0.5)  # the calls are in the twin now
        stopped = time.time()
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.stop)
        self.assertFalse(self.master.is_alive)
        self.assertAllFailedPromptly(waiters, stopped, names)

    @guarded(60)
    def test_calls_after_stop_fail_then_start_again(self):
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.stop)
        self.assertRaises(TwinterpreterTerminated, support.call_with_timeout, 10,
                          self.master.execute, echo, 'x')
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.start)
        self.assertEqual(support.call_with_timeout(10, self.master.execute, echo, 'again'), 'again')

    @guarded(60)
    def test_twin_dies_with_calls_in_flight(self):
        """The twin process exits on its own: waiting callers get the error, no hang"""
        waiters = Waiters()
        names = ['execute-%d' % k for k in range(4)]
        for name in names:
            waiters.start(name, self.master.execute, sleep_and_return, 60, name)
        for _ in names:
            waiters.entered.acquire()
        time.sleep(0.5)
        died = time.time()
        self.assertRaises(TwinterpreterUnavailable, support.call_with_timeout, support.HANG_TIMEOUT,
                          self.master.execute, die, 3)
        self.assertAllFailedPromptly(waiters, died, names)

    @guarded(60)
    def test_twin_killed_with_calls_in_flight(self):
        """SIGKILL of the twin process: waiting callers get the error, no hang"""
        import signal
        pid = self.master.execute(getpid)
        waiters = Waiters()
        names = ['execute-%d' % k for k in range(4)]
        for name in names:
            waiters.start(name, self.master.execute, sleep_and_return, 60, name)
        for _ in names:
            waiters.entered.acquire()
        time.sleep(0.5)
        killed = time.time()
        os.kill(pid, signal.SIGKILL)
        self.assertAllFailedPromptly(waiters, killed, names)

    @guarded(60)
    def test_stop_during_a_callback(self):
        """stop() while the twin waits for a callback running in the main: the caller gets the error"""
        waiters = Waiters()
        waiters.start('chain', self.master.execute, callback_that_sleeps, 2.0)
        waiters.entered.acquire()
        time.sleep(0.5)  # main -> twin -> main: the callback sleeps in the waiting thread
        stopped = time.time()
        support.call_with_timeout(support.HANG_TIMEOUT, self.master.stop)
        hung = waiters.join(support.HANG_TIMEOUT)
        self.assertEqual(hung, [])
        kind, value, ended = waiters.outcomes['chain']
        self.assertEqual(kind, 'error', 'returned %r' % (value,))
        self.assertIsInstance(value, TwinterpreterUnavailable)
        # the callback itself has to end (2 s) before the waiting thread can notice
        self.assertLess(ended - stopped, 2.0 + PROMPT)

    @guarded(60)
    def test_many_callers_and_stop_from_several_threads(self):
        """Twenty waiting callers and three threads calling stop() at once"""
        waiters = Waiters()
        names = ['execute-%d' % k for k in range(20)]
        for name in names:
            waiters.start(name, self.master.execute, sleep_and_return, 60, name)
        for _ in names:
            waiters.entered.acquire()
        time.sleep(0.5)
        stopped = time.time()
        stoppers = [threading.Thread(target=self.master.stop) for _ in range(3)]
        for thread in stoppers:
            thread.daemon = True
            thread.start()
        for thread in stoppers:
            thread.join(support.HANG_TIMEOUT)
        self.assertFalse([t for t in stoppers if t.is_alive()], 'stop() hung')
        self.assertAllFailedPromptly(waiters, stopped, names)


class MainExitTest(unittest.TestCase):
    """The main ends while its threads wait in long calls: the application ends promptly"""

    def run_exit_app(self, how):
        started = time.time()
        code, out, err = support.run_app(
            ['exit_in_flight_app.py'], twins={'exittwin': support.TWIN_EXECUTABLE},
            env={'APP_TWIN': support.TWIN_EXECUTABLE, 'APP_EXIT': how}, timeout=40)
        elapsed = time.time() - started
        lines = [line for line in out.splitlines() if line.startswith('TWIN_PID ')]
        self.assertEqual(len(lines), 1, 'exit status %s\nstdout:\n%s\nstderr:\n%s' % (code, out, err))
        twin_pid = int(lines[0].split()[1])
        self.assertLess(elapsed, 20, 'the application took %.1f s to end' % elapsed)
        self.assertTrue(support.wait_until(lambda: not support.process_alive(twin_pid), 10),
                        'the twin outlived the application')
        return code, err

    def test_exit_status_kept(self):
        code, err = self.run_exit_app('3')
        self.assertEqual(code, 3, err)

    def test_uncaught_exception(self):
        code, err = self.run_exit_app('raise')
        self.assertEqual(code, 1, err)
        self.assertIn('main ends with calls in flight', err)


if __name__ == '__main__':
    unittest.main()
