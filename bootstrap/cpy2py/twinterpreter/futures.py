"""Futures for TwinMaster.submit: concurrent.futures on Python 3, a small equivalent on 2.7"""
import sys
import threading

try:
    from concurrent.futures import Future, ThreadPoolExecutor
except ImportError:  # pragma: no cover - Python 2.7 without the backport
    Future = ThreadPoolExecutor = None


class SimpleFuture(object):
    """The part of ``concurrent.futures.Future`` that callers use"""

    def __init__(self):
        self._done = threading.Event()
        self._result = None
        self._exception = None
        self._callbacks = []
        self._lock = threading.Lock()

    def set_result(self, result):
        self._result = result
        self._finish()

    def set_exception(self, exception):
        self._exception = exception
        self._finish()

    def _finish(self):
        with self._lock:
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)

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
        return False

    def cancel(self):
        return False

    def result(self, timeout=None):
        if not self._done.wait(timeout) and not self._done.is_set():
            raise RuntimeError('timed out waiting for a twin result')
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self, timeout=None):
        if not self._done.wait(timeout) and not self._done.is_set():
            raise RuntimeError('timed out waiting for a twin result')
        return self._exception


def run_in_thread(function, *args):
    """Run ``function(*args)`` in a new thread; returns a future of its result"""
    future = Future() if Future is not None else SimpleFuture()
    if Future is not None:
        future.set_running_or_notify_cancel()

    def work():
        try:
            result = function(*args)
        except BaseException:
            future.set_exception(sys.exc_info()[1])
        else:
            future.set_result(result)
    thread = threading.Thread(target=work, name='cpy2py-submit')
    thread.daemon = True
    thread.start()
    return future
