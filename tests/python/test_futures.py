"""TwinMaster.submit: calls that return a future (concurrent.futures on Python 3)"""
from __future__ import print_function

import sys
import threading
import time
import unittest

from cpy2py import TwinMaster, TwinObject, kernel_state

import support
from support import TWIN_ID, PEER_ID, guarded

try:
    import concurrent.futures as futures
except ImportError:  # Python 2.7 without the backport: only the twins run this module there
    futures = None


# -- code that runs in the twins (valid Python 2.7) -------------------------------------
class Boom(ValueError):
    pass


def add(a, b, scale=1):
    return (a + b) * scale


def fail(message):
    raise Boom(message)


def sleep_and_return(seconds, value):
    time.sleep(seconds)
    return value


def where():
    return kernel_state.TWIN_ID


def submit_from_here(twin_id, count):
    """Runs in a twin: submit calls to ``twin_id`` and describe the futures it got"""
    master = TwinMaster(twinterpreter_id=twin_id)
    pending = [master.submit(add, k, 1) for k in range(count)]
    failing = master.submit(fail, 'from %s' % kernel_state.TWIN_ID)
    called = []
    callback_ran = threading.Event()

    def on_done(future):
        called.append(future.done())
        callback_ran.set()
    failing.add_done_callback(on_done)
    try:
        failing.result(30)
    except Boom as err:
        error = str(err)
    else:
        error = None
    callback_ran.wait(30)  # callbacks may run just after result() returns
    return {
        'type': type(pending[0]).__module__ + '.' + type(pending[0]).__name__,
        'results': [future.result(30) for future in pending],
        'done': all(future.done() for future in pending),
        'error': error,
        'exception': type(failing.exception(30)).__name__,
        'callback': called,
        'python': sys.version_info[0],
    }


class Accumulator(TwinObject):
    __twin_id__ = TWIN_ID

    def __init__(self):
        self.total = 0
        self._lock = threading.Lock()

    def add(self, value):
        with self._lock:
            self.total += value
            return self.total  # read under the lock: each call sees its own total


def add_to(accumulator, value):
    return accumulator.add(value)


@unittest.skipIf(futures is None, 'the main needs concurrent.futures')
class SubmitTest(support.TwinTestCase):
    @guarded(30)
    def test_returns_a_concurrent_future(self):
        future = self.twin.submit(add, 2, 3)
        self.assertIsInstance(future, futures.Future)
        self.assertEqual(future.result(support.HANG_TIMEOUT), 5)
        self.assertTrue(future.done())
        self.assertFalse(future.cancelled())

    @guarded(30)
    def test_keyword_arguments(self):
        self.assertEqual(self.twin.submit(add, 2, 3, scale=10).result(support.HANG_TIMEOUT), 50)

    @guarded(30)
    def test_runs_in_the_twin(self):
        self.assertEqual(self.twin.submit(where).result(support.HANG_TIMEOUT), TWIN_ID)
        self.assertEqual(self.peer.submit(where).result(support.HANG_TIMEOUT), PEER_ID)

    @guarded(30)
    def test_exception(self):
        future = self.twin.submit(fail, 'bad')
        error = future.exception(support.HANG_TIMEOUT)
        self.assertIsInstance(error, Boom)
        self.assertIn('bad', str(error))
        self.assertRaises(Boom, future.result, support.HANG_TIMEOUT)

    @guarded(30)
    def test_returns_before_the_call_ends(self):
        started = time.time()
        future = self.twin.submit(sleep_and_return, 1.0, 'slow')
        self.assertLess(time.time() - started, 0.5)
        self.assertFalse(future.done())
        self.assertEqual(future.result(support.HANG_TIMEOUT), 'slow')

    @guarded(30)
    def test_futures_run_concurrently(self):
        """Eight 1-second calls submitted at once finish together (about 1 s, not 8)"""
        self.twin.execute(where)
        started = time.time()
        pending = [self.twin.submit(sleep_and_return, 1.0, k) for k in range(8)]
        done, not_done = futures.wait(pending, timeout=support.HANG_TIMEOUT)
        elapsed = time.time() - started
        self.assertEqual(not_done, set())
        self.assertEqual([future.result() for future in pending], list(range(8)))
        self.assertLess(elapsed, 2.5, 'eight 1 s futures took %.2f s' % elapsed)

    @guarded(30)
    def test_as_completed_and_callbacks(self):
        called = []
        event = threading.Event()

        def on_done(future):
            called.append(future.result())
            if len(called) == 3:
                event.set()
        pending = [self.twin.submit(sleep_and_return, delay, delay) for delay in (0.6, 0.0, 0.3)]
        for future in pending:
            future.add_done_callback(on_done)
        order = [future.result() for future in futures.as_completed(pending, timeout=support.HANG_TIMEOUT)]
        self.assertEqual(order, [0.0, 0.3, 0.6])
        self.assertTrue(event.wait(10))
        self.assertEqual(sorted(called), [0.0, 0.3, 0.6])

    @guarded(60)
    def test_many_futures_with_objects(self):
        """Futures passing a TwinObject proxy: every call reaches the same object"""
        accumulator = Accumulator()
        pending = [self.twin.submit(add_to, accumulator, 1) for _ in range(100)]
        results = [future.result(support.HANG_TIMEOUT) for future in pending]
        self.assertEqual(sorted(results), list(range(1, 101)))
        self.assertEqual(accumulator.total, 100)

    @guarded(30)
    def test_future_of_a_terminated_twin(self):
        """A future of a call into a stopped twin carries the cpy2py exception"""
        from cpy2py.kernel.exceptions import TwinterpreterUnavailable
        master = TwinMaster(executable=support.TWIN_EXECUTABLE, twinterpreter_id='futures-stopped')
        master.start()
        try:
            future = master.submit(sleep_and_return, 30, 'never')
            time.sleep(0.3)
            master.stop()
            error = future.exception(10)
        finally:
            master.destroy()
        self.assertIsInstance(error, TwinterpreterUnavailable)


class SubmitInTwinTest(support.TwinTestCase):
    @guarded(60)
    def test_submit_from_the_twin(self):
        """The twin under test submits to the peer: concurrent.futures on 3, an equivalent on 2.7"""
        info = self.twin.execute(submit_from_here, PEER_ID, 5)
        self.assertEqual(info['results'], [1, 2, 3, 4, 5])
        self.assertTrue(info['done'])
        self.assertEqual(info['error'], 'from %s' % TWIN_ID)
        self.assertEqual(info['exception'], 'Boom')
        self.assertEqual(info['callback'], [True])
        if info['python'] >= 3:
            self.assertEqual(info['type'], 'concurrent.futures._base.Future')
        else:  # the futures backport, if installed, or the runtime's own equivalent
            self.assertIn(info['type'], ('concurrent.futures._base.Future',
                                         'cpy2py.twinterpreter.futures.SimpleFuture'))

    @guarded(60)
    def test_submit_from_the_peer_to_the_twin(self):
        info = self.peer.execute(submit_from_here, TWIN_ID, 5)
        self.assertEqual(info['results'], [1, 2, 3, 4, 5])
        self.assertEqual(info['exception'], 'Boom')


if __name__ == '__main__':
    unittest.main()
