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
import time

from cpy2py.exceptions import CallCancelled, CallTimeout
from cpy2py.kernel import import_locks
from cpy2py.wire.transport import clock
from cpy2py.utility.compat import thread_ident

#: how many interrupts for requests that have not started yet are remembered
_EARLY_LIMIT = 256
#: seconds before an interrupt held back while its thread imports is tried again
_IMPORT_RETRY = 0.002
_IS_PYPY = hasattr(sys, 'pypy_version_info')
#: [the function that raises in another thread, or None], once looked up
_raiser = []


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
    if bound.cancelled:
        raise CallCancelled('the call to twin %r was cancelled' % (peer_id,))
    if bound.deadline is not None and clock() >= bound.deadline:
        raise timed_out(bound, peer_id)


def timed_out(bound, peer_id, sent=True):
    """The CallTimeout of a call under ``bound``; ``sent``: its request went (or is going) out"""
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


class _Running(object):
    """A bounded request running in a thread of this process"""

    __slots__ = ('ident', 'waiter', 'token', 'issued', 'raised', 'outer', 'calling')

    def __init__(self, ident, waiter):
        self.ident = ident
        self.waiter = waiter
        #: whoever pops it first decides: the interrupter (it raises CallCancelled in the
        #: thread) or the thread, done with the request (nothing is raised any more);
        #: ``list.pop`` is atomic, and the thread takes no lock while an exception may be
        #: pending for it (landing right after an acquire, it would leave the lock held)
        self.token = [True]
        #: tokens issued, and raises that returned (the thread drops a pending exception
        #: only once each taken token was raised: see end)
        self.issued = 1
        self.raised = 0
        #: the bounded request this thread ran when it began this one (a callback), if any
        self.outer = None
        #: the bounded calls of its own this thread waited in when it began this one (a
        #: callback of their chain): ``waiter.calling`` again once it ends
        self.calling = 0


class Interrupts(object):
    """The bounded requests running in this process, so that their callers can interrupt them"""

    def __init__(self):
        self._lock = threading.Lock()
        #: (connection, request id) -> _Running
        self._running = {}
        #: interrupts that arrived before their request started
        self._early = collections.OrderedDict()
        #: interrupts held back while their thread imports, and whether a thread retries them
        self._postponed = []
        self._retrying = False
        #: thread ident -> the innermost bounded request it runs (see _eaten)
        self._by_thread = {}
        self._hooked = False

    def begin(self, key, waiter):
        """Register the request ``key`` run by this thread: its _Running, or None if it was
        interrupted already"""
        with self._lock:
            if self._early.pop(key, None) is not None:
                return None
            running = self._running[key] = _Running(thread_ident(), waiter)
            running.outer = self._by_thread.get(running.ident)
            self._by_thread[running.ident] = running
            # the thread runs its own code now, even when it waits in calls of its own (it
            # runs a callback of their chain): an interrupt must be raised in it, not only
            # wake those calls (see _deliver); before, such a callback ran on to its end
            # past its caller's deadline
            running.calling, waiter.calling = waiter.calling, 0
            return running

    def end(self, key, running):
        """Unregister ``key`` (``running``, from begin), in the thread that ran it; True if an
        interrupt was raised in it (it was taken or dropped here)"""
        interrupted = False
        try:
            # back to waiting in its own calls (before the token goes: from then on an
            # interrupt of an outer request only wakes them)
            running.waiter.calling = running.calling
            try:
                running.token.pop()  # from now on nothing is raised here
            except IndexError:
                interrupted = True
                # the interrupter took it: wait until its raise returned, then drop the
                # exception if it is still pending
                while running.raised < running.issued:
                    time.sleep(0)
                _drop_pending(running.ident)
        except CallCancelled:
            interrupted = True  # it took effect here: nothing is pending any more
        self._running.pop(key, None)
        if running.outer is None:
            self._by_thread.pop(running.ident, None)
        else:
            self._by_thread[running.ident] = running.outer
        return interrupted

    def interrupt(self, key):
        if not self._hooked:
            self._hooked = True
            _hook_unraisable(self)
        with self._lock:
            running = self._running.get(key)
            if running is None:
                self._early[key] = True
                while len(self._early) > _EARLY_LIMIT:
                    self._early.popitem(last=False)
                return
            bound = running.waiter.bound
            if bound is not None:
                bound.cancel()  # wakes a call it makes itself, which then ends cleanly
        self._deliver(running)

    def _deliver(self, running):
        """Raise CallCancelled in the thread of ``running`` if it runs its own code (not a
        call of its own, which the bound's cancel woke) and not import machinery (then
        tried again shortly: see cpy2py.kernel.import_locks)"""
        if running.waiter.calling or not running.token:
            return
        if import_locks.thread_in_import(running.ident):
            self._retry_later(running)
            return
        try:
            running.token.pop()
        except IndexError:
            return  # the request ended
        try:
            raise_in_thread(running.ident, CallCancelled)
        finally:
            running.raised += 1

    def eaten(self, ident):
        """The CallCancelled raised in thread ``ident`` (the current one) landed in a
        garbage-collector callback or a ``__del__``, which only reported it: raise it again
        shortly; False if it was none of ours"""
        running = self._by_thread.get(ident)
        if running is None or running.token:
            return False
        running.issued += 1
        running.token.append(True)
        self._retry_later(running)
        return True

    def _retry_later(self, running):
        # no lock: this may run in the interrupted thread itself (see eaten)
        self._postponed.append(running)
        if self._retrying:
            return
        self._retrying = True
        thread = threading.Thread(target=self._retry_loop, name='cpy2py-interrupts')
        thread.daemon = True
        thread.start()

    def _retry_loop(self):
        postponed = self._postponed
        while True:
            time.sleep(_IMPORT_RETRY)
            batch = []
            while postponed:
                try:
                    batch.append(postponed.pop())
                except IndexError:
                    break
            if not batch:
                self._retrying = False
                if not postponed:
                    return
                self._retrying = True  # one came in just now
            for running in batch:
                self._deliver(running)


def _hook_unraisable(interrupts):
    """Have ``interrupts`` raise again a CallCancelled that landed where exceptions are only
    reported (a weakref callback or ``__del__`` run by the garbage collector in the middle
    of the request); Python 3.8+ (elsewhere such an interrupt is lost, as before)"""
    previous = getattr(sys, 'unraisablehook', None)
    if previous is None:
        return

    def unraisable(report):
        kind = getattr(report, 'exc_type', None)
        if kind is not None and issubclass(kind, CallCancelled) and interrupts.eaten(thread_ident()):
            return
        previous(report)
    sys.unraisablehook = unraisable


def _async_raiser():
    """``raise_in(ident, exception_type or None) -> bool``, or None where impossible;
    looked up once, by the thread that interrupts (never by the interrupted one, whose
    imports the pending exception could break: see cpy2py.kernel.import_locks)"""
    if _raiser:
        return _raiser[0]
    raiser = None
    try:
        import __pypy__.thread as pypy_thread
    except ImportError:
        pypy_thread = None
    if pypy_thread is not None:
        def raiser(ident, exception_type):
            pypy_thread._raise_in_thread(ident, exception_type)
            return True
    else:
        try:
            import ctypes
            set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
        except (ImportError, AttributeError):
            set_async_exc = None
        if set_async_exc is not None:
            kind = ctypes.c_ulong if sys.version_info >= (3, 7) else ctypes.c_long

            def raiser(ident, exception_type):
                exception = None if exception_type is None else ctypes.py_object(exception_type)
                return set_async_exc(kind(ident), exception) == 1
    _raiser.append(raiser)
    return raiser


def raise_in_thread(ident, exception_type):
    """Raise ``exception_type`` asynchronously in thread ``ident``; False where impossible"""
    raiser = _async_raiser()
    if raiser is None:
        return False
    try:
        return raiser(ident, exception_type)
    except Exception:
        return False


def _drop_pending(ident):
    """Drop an asynchronous exception raised in thread ``ident`` (the current one) that has
    not taken effect yet: its request finished first (the caller catches it if it does)"""
    if not _IS_PYPY and _raiser and _raiser[0] is not None:
        _raiser[0](ident, None)
        return
    # PyPy raises it at its next periodic check: give it the chance to arrive here
    end = clock() + 0.005
    while clock() < end:
        pass


def after_interrupt():
    """In the thread of a request that was interrupted, once it ended: give back the import
    locks the exception may have left held (see cpy2py.kernel.import_locks), unless this
    thread serves the request from inside an import of its own"""
    if not import_locks.frames_in_import(sys._getframe()):
        import_locks.release_leaked(thread_ident())


def over(bound):
    """Whether the calls under ``bound`` must stop now (expired or cancelled)"""
    return bound.cancelled or (bound.deadline is not None and clock() >= bound.deadline)
