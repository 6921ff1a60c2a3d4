"""
Futures for TwinMaster.submit: concurrent.futures on Python 3, a small equivalent on 2.7

The call runs in its own thread under a cancellable bound (see the kernel's deadlines).
The future stays *pending* until the call ends, so ``cancel()`` works while the call runs:
it marks the future cancelled at once and has the twin interrupt the call (an asyncio task
awaiting ``asyncio.wrap_future(future)`` cancels it the same way).
"""
import sys
import threading

try:
    from concurrent.futures import Future, CancelledError
except ImportError:  # pragma: no cover - Python 2.7 without the backport
    Future = None

    class CancelledError(Exception):
        """The future was cancelled"""

try:
    from concurrent.futures import InvalidStateError
except ImportError:  # before 3.8 (and 2.7): setting a cancelled future's result is not refused
    InvalidStateError = RuntimeError


class SimpleFuture(object):
    """The part of ``concurrent.futures.Future`` that callers use"""

    def __init__(self):
        self._done = threading.Event()
        self._result = None
        self._exception = None
        self._cancelled = False
        self._callbacks = []
        self._lock = threading.Lock()

    def set_result(self, result):
        self._result = result
        self._finish()

    def set_exception(self, exception):
        self._exception = exception
        self._finish()

    def _finish(self, cancel=False):
        with self._lock:
            if self._done.is_set():
                return False
            self._cancelled = cancel
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)
        return True

    def add_done_callback(self, callback):
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self)

    def done(self):
        return self._done.is_set()

    def running(self):
        return not self.done()

    def cancelled(self):
        return self._cancelled

    def cancel(self):
        return self._finish(cancel=True) or self._cancelled

    def _wait(self, timeout):
        if not self._done.wait(timeout) and not self._done.is_set():
            raise RuntimeError('timed out waiting for a twin result')
        if self._cancelled:
            raise CancelledError()

    def result(self, timeout=None):
        self._wait(timeout)
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self, timeout=None):
        self._wait(timeout)
        return self._exception


def _settle(future, setter, value):
    """Set the outcome unless the future was cancelled meanwhile"""
    if future.cancelled():
        return
    try:
        setter(value)
    except InvalidStateError:
        pass  # cancelled just now


def run_cancellable(function):
    """Run ``function()`` in a new thread whose twin calls ``future.cancel()`` interrupts;
    returns the future of its result"""
    from cpy2py.twinterpreter.deadline import cancellable
    future = Future() if Future is not None else SimpleFuture()

    def work():
        if future.cancelled():
            return
        try:
            with cancellable() as bound:
                future.add_done_callback(lambda done: done.cancelled() and bound.cancel())
                result = function()
        except BaseException:
            _settle(future, future.set_exception, sys.exc_info()[1])
        else:
            _settle(future, future.set_result, result)
    thread = threading.Thread(target=work, name='cpy2py-submit')
    thread.daemon = True
    thread.start()
    return future
