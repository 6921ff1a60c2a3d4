"""
The poller and its worker threads (leader/follower)

One pool thread at a time (the *leader*) waits in ``epoll`` for sockets that no caller is
reading. When a request arrives the leader runs it itself, so no thread hand-off sits
between reading a request and running it. Waking another thread to lead in the meantime
would cost about as much as the whole call, so it is deferred: while requests are being
served, a *promoter* thread looks every millisecond and hands leadership to another
thread only when one execution has been running without a leader for a tick. Between busy
periods the promoter sleeps without a timeout, so an idle process uses no CPU. Sockets are
registered one-shot: a caller that takes a connection's reader role disarms it, and
re-arms it when it gives the role back, so the poller never races a caller for a frame.

The pool grows with concurrent requests and shrinks back after a burst: an idle thread
beyond a small core (:py:data:`IDLE_CORE`) exits when no work came for
:py:data:`IDLE_EXIT` seconds. Idle threads wait each on a condition of its own, most
recently idle first in line, so the threads that stay cold are the ones that time out.
"""
import atexit
import collections
import errno
import select
import threading
import time

from cpy2py.utility.daemon import daemon_target
from cpy2py.utility.thread_limits import THREAD_ERRORS, describe, warn_once


_IN = select.EPOLLIN
#: how often the promoter looks while requests are being served (seconds)
PROMOTER_TICK = 0.001
#: idle ticks after which the promoter goes back to sleep
PROMOTER_IDLE_TICKS = 100
#: stack size of pool threads
WORKER_STACK = 64 * 1024 * 1024

#: idle pool threads kept waiting for work without a time limit
IDLE_CORE = 2
#: seconds an idle pool thread beyond the core waits for work before it exits
IDLE_EXIT = 2.0
_ONESHOT = getattr(select, 'EPOLLONESHOT', 1 << 30)
#: epoll masks of a connection the poller watches / does not watch (a caller reads it)
ARMED = _IN | _ONESHOT
DISARMED = _ONESHOT


class Poller(object):
    #: reader identity used by pool threads when they read a connection
    MARKER = object()

    def __init__(self):
        self.epoll = select.epoll()
        #: fd -> callable(event mask) run by the leader
        self._handlers = {}
        self._lock = threading.Lock()
        #: fd -> Connection, for the promoter to arm parked ones
        self._connections = {}
        #: () -> seconds until ``_on_timer`` is due, or None (see set_timer)
        self._next_timeout = None
        self._on_timer = None

    def set_timer(self, next_timeout, on_timer):
        """The leader waits at most ``next_timeout()`` seconds, then calls ``on_timer()``"""
        self._next_timeout = next_timeout
        self._on_timer = on_timer

    def rearm(self, fd):
        """Watch ``fd`` (registered one-shot) again"""
        try:
            self.epoll.modify(fd, _IN | _ONESHOT)
        except (IOError, OSError, ValueError):
            pass

    def unregister_fd(self, fd):
        """Stop watching ``fd`` (before it is closed or registered anew)"""
        with self._lock:
            self._handlers.pop(fd, None)
        try:
            self.epoll.unregister(fd)
        except (IOError, OSError, ValueError, KeyError):
            pass

    def register(self, fd, handler, oneshot=True):
        with self._lock:
            self._handlers[fd] = handler
        self.epoll.register(fd, _IN | _ONESHOT if oneshot else _IN)

    def register_connection(self, conn, handler):
        with self._lock:
            self._connections[conn.fd] = conn
        self.register(conn.fd, handler)

    def connections(self):
        with self._lock:
            return list(self._connections.values())

    def unregister(self, conn):
        try:
            fd = conn.fileno()
        except (IOError, OSError, ValueError):
            return
        with self._lock:
            self._handlers.pop(fd, None)
            if self._connections.get(fd) is conn:
                del self._connections[fd]
        try:
            self.epoll.unregister(fd)
        except (IOError, OSError, ValueError, KeyError):
            pass

    def wait(self):
        """Block until some registered socket is ready; returns the handlers to run (none
        when the timer was due)"""
        while True:
            timeout = self._next_timeout() if self._next_timeout is not None else None
            try:
                events = self.epoll.poll(-1 if timeout is None else max(timeout, 0.001))
            except (IOError, OSError) as err:
                if err.errno == errno.EINTR:
                    continue
                raise
            if not events:
                self._on_timer()
                return []
            handlers = self._handlers
            return [(handlers[fd], mask) for fd, mask in events if fd in handlers]


class _Sleeper(object):
    """An idle pool thread: its condition, and whether a waker handed it work"""
    __slots__ = ('cond', 'taken')

    def __init__(self, lock):
        self.cond = threading.Condition(lock)
        self.taken = False


class WorkerPool(object):
    """Threads that take turns leading the poller and run requests of new call chains"""

    def __init__(self, poller, run_task):
        self._poller = poller
        self._run_task = run_task
        self._cond_lock = threading.Lock()  # `with` on it: no Python-level Condition.__enter__/__exit__
        self._tasks = collections.deque()
        #: idle threads, the most recently idle last (woken first)
        self._sleepers = []
        self._leading = False
        #: pool threads alive
        self.threads = 0
        #: tokens of executions that began while no thread led the poller (see begin_unled)
        self._unled = set()
        #: whether the promoter is in a busy period (looking every tick)
        self.promoter_awake = False
        self._promoter_cond = threading.Condition(threading.Lock())
        self._promoter = None
        #: False once the process exits: the promoter stops, connections are armed, not parked
        self.parking = True

    def start(self):
        """Start the first pool thread; raises ThreadsRefused when the system refuses it"""
        self._spawn(first=True)

    def submit(self, task):
        with self._cond_lock:
            self._tasks.append(task)
            if self._sleepers:
                self._wake_one()
                return
        self._spawn()

    def _wake_one(self):
        """Hand work to the most recently idle thread (with ``_cond_lock`` held); it counts
        as busy at once, so a second submit (or a promotion) wakes another one"""
        sleeper = self._sleepers.pop()
        sleeper.taken = True
        sleeper.cond.notify()

    def _spawn(self, first=False):
        """Start a pool thread; returns whether one started (the ``first`` one must)

        A process at a limit (``ulimit -v`` counts every thread's stack, ``ulimit -u``
        every thread) cannot start one: the pool then goes on with the threads it has,
        which take queued tasks as they finish theirs, instead of the thread that tried
        dying with the request it was handed (the caller would wait for ever).
        """
        with self._cond_lock:
            self.threads += 1
        try:
            # callbacks bounce A -> B -> A hundreds of levels deep on these threads; a
            # smaller stack is better than no thread when the address space is limited
            for stack in (WORKER_STACK, 0):
                try:
                    self._start_thread(stack)
                    return True
                except THREAD_ERRORS as err:
                    failure = err
            if first:
                raise ThreadsRefused(describe(failure, 'a thread to serve calls'))
            _warn_no_thread(failure, self.threads - 1)
        except BaseException:
            with self._cond_lock:
                self.threads -= 1
            raise
        with self._cond_lock:
            self.threads -= 1
        return False

    def _start_thread(self, stack):
        thread = threading.Thread(target=daemon_target(self._work), name='cpy2py-worker')
        thread.daemon = True
        previous = threading.stack_size(stack)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)

    def _promote(self):
        """Make sure some thread leads the poller"""
        with self._cond_lock:
            if self._leading:
                return
            if self._sleepers:
                self._wake_one()
                return
        self._spawn()

    def begin_unled(self):
        """
        This thread is about to run something that may take long (a request, the rest of a
        frame) while the poller may have no leader: returns a token for :py:meth:`end_unled`

        If it is still running after a tick and no thread leads, the promoter makes one lead.
        """
        token = object()
        with self._cond_lock:
            self._unled.add(token)
        if not self.promoter_awake:
            self.wake_promoter()
        return token

    def end_unled(self, token):
        with self._cond_lock:
            self._unled.discard(token)

    def wake_promoter(self):
        """Start a busy period of the promoter (a request runs unled, a socket is parked)"""
        with self._promoter_cond:
            self.promoter_awake = True
            if self._promoter is not None:
                self._promoter_cond.notify()
                return
            if not self.parking:
                return
            promoter = threading.Thread(
                target=daemon_target(self._promote_loop), name='cpy2py-promoter')
            promoter.daemon = True
            try:
                promoter.start()
                self._promoter = promoter
                atexit.register(self.stop_promoter)
                return
            except THREAD_ERRORS as err:
                refused = err
        # The system refuses the thread (`ulimit -u`). Nobody would arm a parked socket,
        # and a request on it would wait for ever: park no more, arm what is parked. (What
        # runs long while no thread leads now holds up the other connections until done.)
        self.parking = False
        _warn_no_thread(refused, self.threads)
        for conn in self._poller.connections():
            conn.arm_if_unused(force=True)

    def stop_promoter(self):
        """At exit: end the promoter before Python tears modules down, arm every socket"""
        with self._promoter_cond:
            self.parking = False
            self.promoter_awake = True
            self._promoter_cond.notify()
        if self._promoter is not None:
            self._promoter.join(1.0)
        for conn in self._poller.connections():
            conn.arm_if_unused(force=True)

    def _promote_loop(self):
        while self.parking:
            with self._promoter_cond:
                while not self.promoter_awake:
                    self._promoter_cond.wait()
            last, idle_ticks = frozenset(), 0
            while idle_ticks < PROMOTER_IDLE_TICKS and self.parking:
                time.sleep(PROMOTER_TICK)
                with self._cond_lock:
                    running = frozenset(self._unled)
                    # what ran for a whole tick needs a leader beside it: the one there is or
                    # one promoted now; either covers it from now on (a leader that leaves
                    # its post to run something takes a token of its own)
                    seen = running & last
                    stuck = bool(seen) and not self._leading
                    if seen:
                        self._unled -= seen
                        running = running - seen
                if stuck:
                    self._promote()
                parked = self._arm_unused()
                idle_ticks = idle_ticks + 1 if not running and not parked else 0
                last = running
            with self._promoter_cond:
                self.promoter_awake = False
            with self._cond_lock:
                # something may have begun, or a socket been parked, just before we said we
                # sleep: that thread saw us awake
                late = bool(self._unled)
            late = late or any(conn.parked for conn in self._poller.connections())
            if late:
                with self._promoter_cond:
                    self.promoter_awake = True

    def _arm_unused(self):
        """Arm the sockets that stayed parked for a tick; returns whether some are still parked"""
        parked = False
        for conn in self._poller.connections():
            if conn.parked and conn.arm_if_unused():
                parked = True
        return parked

    def _next_task(self, me):
        """Wait (with ``_cond_lock`` held) for a task, or for leadership (returns None);
        raises _Retire when this idle thread beyond the core should exit"""
        sleepers = self._sleepers
        while True:
            if self._tasks:
                return self._tasks.popleft()
            if not self._leading:
                self._leading = True
                return None
            me.taken = False
            sleepers.append(me)
            if len(sleepers) > IDLE_CORE:
                me.cond.wait(IDLE_EXIT)
            else:
                me.cond.wait()
            if not me.taken:  # nobody handed us work: timed out
                sleepers.remove(me)
                if len(sleepers) >= IDLE_CORE and not self._tasks:
                    self.threads -= 1
                    raise _Retire()

    def _work(self):
        cond_lock = self._cond_lock
        me = _Sleeper(cond_lock)
        while True:
            # an idle thread must not keep its last request (and its arguments) alive
            task = tasks = found = ready = token = None
            with cond_lock:
                try:
                    task = self._next_task(me)
                except _Retire:
                    return
            if task is None:
                try:
                    ready = self._poller.wait()
                finally:
                    with cond_lock:
                        self._leading = False
                tasks = []
                for handler, mask in ready:
                    try:
                        found = handler(mask)
                    except Exception:  # a handler must never kill the pool
                        found = None
                    if found:
                        tasks.extend(found)
                if not tasks:
                    continue
                for task in tasks[1:]:
                    self.submit(task)
                task, tasks, found = tasks[0], None, None
            # handed over in a list the runner empties: a worker that stays on the
            # connection afterwards must not keep this request's arguments alive
            holder, task = [task], None
            # the request (and the requests this thread reads afterwards, staying on its
            # connection) may run long while no thread leads: the promoter watches the token
            token = self.begin_unled()
            try:
                self._run_task(holder)
            finally:
                self.end_unled(token)


class ThreadsRefused(RuntimeError):
    """The system refused the pool its first thread: the process cannot serve calls"""


def _warn_no_thread(err, threads):
    """Say once per process that the pool cannot grow, and what helps"""
    import sys
    warn_once('pool', '%s (%s); its %d thread(s) serve the requests in turn, and calls that wait '
                      'for each other may hang' % (describe(err, 'another thread to serve calls'),
                                                   sys.executable, threads))


class _Retire(Exception):
    """An idle pool thread beyond the core timed out: it exits"""
