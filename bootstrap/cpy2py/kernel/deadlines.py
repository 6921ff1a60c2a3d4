"""
Deadlines and cancellation of calls

Each thread may have a *bound* (``waiter.bound``): the earliest deadline of the
``with deadline(seconds):`` blocks it is in, and whether the future it runs a
``submit()`` call for was cancelled. Without a bound a call takes the usual path and
pays nothing for this. With one, the request travels as ``bounded`` (its request id and
the time left), the caller waits in slices, and when the bound expires or is cancelled
it sends ``interrupt`` and raises :py:class:`CallTimeout` (or :py:class:`CallCancelled`);
the reply that may still come is dropped (its request id is no longer pending).

The twin runs a bounded request registered in :py:class:`Interrupts`; ``interrupt``
raises :py:class:`CallCancelled` in the thread running it (an asynchronous exception:
``PyThreadState_SetAsyncExc`` on CPython, ``__pypy__.thread._raise_in_thread`` on PyPy).
It takes effect at the next Python bytecode: a call blocked in C (``time.sleep``, a
blocking read) ends first. Calls the running request makes itself inherit the time left
and are woken and cancelled directly.
"""
import collections
import sys
import threading

from cpy2py.wire.transport import clock
from cpy2py.utility.compat import thread_ident

#: how many interrupts for requests that have not started yet are remembered
_EARLY_LIMIT = 256


class Bound(object):
    """What limits the calls of one thread: a deadline (``clock()`` time) and cancellation"""

    __slots__ = ('parent', 'deadline', 'seconds', 'waiter', '_cancelled')

    def __init__(self, waiter, parent=None, seconds=None):
        self.parent = parent
        self.waiter = waiter
        self._cancelled = False
        deadline = None if seconds is None else clock() + seconds
        if parent is not None and parent.deadline is not None and (deadline is None or parent.deadline <= deadline):
            deadline, seconds = parent.deadline, parent.seconds  # nested: the earliest wins
        self.deadline = deadline
        self.seconds = seconds

    @property
    def cancelled(self):
        bound = self
        while bound is not None:
            if bound._cancelled:
                return True
            bound = bound.parent
        return False

    def remaining(self):
        """Seconds left (None: no deadline)"""
        return None if self.deadline is None else self.deadline - clock()

    def cancel(self):
        """Cancel the calls bounded by this; a thread waiting for one wakes up at once"""
        self._cancelled = True
        waiter = self.waiter
        if waiter is not None:
            waiter.hint_role()
            waiter.nudge()


def check(bound, peer_id):
    """Raise if the calls under ``bound`` must stop now"""
    from cpy2py.exceptions import CallCancelled
    if bound.cancelled:
        raise CallCancelled('the call to twin %r was cancelled' % (peer_id,))
    if bound.deadline is not None and clock() >= bound.deadline:
        raise timed_out(bound, peer_id)


def timed_out(bound, peer_id, sent=True):
    """The CallTimeout of a call under ``bound``; ``sent``: its request went (or is going) out"""
    from cpy2py.exceptions import CallTimeout
    if not sent:
        return CallTimeout('the call to twin %r did not finish within its deadline of %.3g s: its request '
                           'could not even be sent (the twin did not answer a new connection, or the '
                           'connection was busy with another large request)' % (peer_id, bound.seconds))
    return CallTimeout('the call to twin %r did not finish within its deadline of %.3g s; the twin was '
                       'asked to interrupt it' % (peer_id, bound.seconds))


def wait_time(bound):
    """How long a bounded wait may block (None: until woken)"""
    remaining = bound.remaining()
    return None if remaining is None else max(remaining, 0.0)


class Interrupts(object):
    """The bounded requests running in this process, so that their callers can interrupt them"""

    def __init__(self):
        self._lock = threading.Lock()
        #: (connection, request id) -> [thread ident, Waiter, interrupted]
        self._running = {}
        #: interrupts that arrived before their request started
        self._early = collections.OrderedDict()

    def begin(self, key, waiter):
        """Register the request ``key`` run by this thread; False if it was interrupted already"""
        with self._lock:
            if self._early.pop(key, None) is not None:
                return False
            self._running[key] = [thread_ident(), waiter, False]
            return True

    def end(self, key):
        """Unregister ``key``; True if an interrupt was sent to its thread meanwhile"""
        with self._lock:
            entry = self._running.pop(key, None)
        return entry is not None and entry[2]

    def interrupt(self, key):
        from cpy2py.exceptions import CallCancelled
        with self._lock:
            entry = self._running.get(key)
            if entry is None:
                self._early[key] = True
                while len(self._early) > _EARLY_LIMIT:
                    self._early.popitem(last=False)
                return
            entry[2] = True
            ident, waiter = entry[0], entry[1]
            bound = waiter.bound
            if bound is not None:
                bound.cancel()  # wakes a call it makes itself, which then ends cleanly
            if not waiter.calling:
                # running its own code: stop it at the next bytecode
                raise_in_thread(ident, CallCancelled)


def raise_in_thread(ident, exception_type):
    """Raise ``exception_type`` asynchronously in thread ``ident``; False where impossible"""
    try:
        import __pypy__.thread as pypy_thread
    except ImportError:
        pypy_thread = None
    if pypy_thread is not None:
        try:
            pypy_thread._raise_in_thread(ident, exception_type)
            return True
        except Exception:
            return False
    try:
        import ctypes
        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return False
    kind = ctypes.c_ulong if sys.version_info >= (3, 7) else ctypes.c_long
    return set_async_exc(kind(ident), ctypes.py_object(exception_type)) == 1


def discard_pending(ident):
    """Drop an asynchronous exception sent to thread ``ident`` (the current one) that has not
    been raised yet: its request finished before it took effect"""
    from cpy2py.exceptions import CallCancelled
    try:
        import ctypes
        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        set_async_exc = None
    if set_async_exc is not None:
        kind = ctypes.c_ulong if sys.version_info >= (3, 7) else ctypes.c_long
        set_async_exc(kind(ident), None)
        return
    # PyPy raises it at its next periodic check: give it the chance to arrive here
    try:
        end = clock() + 0.005
        while clock() < end:
            pass
    except CallCancelled:
        pass


def over(bound):
    """Whether the calls under ``bound`` must stop now (expired or cancelled)"""
    return bound.cancelled or (bound.deadline is not None and clock() >= bound.deadline)
