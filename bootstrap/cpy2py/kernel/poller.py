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
"""
import atexit
import collections
import errno
import select
import threading
import time

from cpy2py.utility.daemon import daemon_target


_IN = select.EPOLLIN
#: how often the promoter looks while requests are being served (seconds)
PROMOTER_TICK = 0.001
#: idle ticks after which the promoter goes back to sleep
PROMOTER_IDLE_TICKS = 100
#: stack size of pool threads
WORKER_STACK = 64 * 1024 * 1024
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
        """Block until some registered socket is ready; returns the handlers to run"""
        while True:
            try:
                events = self.epoll.poll()
            except (IOError, OSError) as err:
                if err.errno == errno.EINTR:
                    continue
                raise
            handlers = self._handlers
            return [(handlers[fd], mask) for fd, mask in events if fd in handlers]


class WorkerPool(object):
    """Threads that take turns leading the poller and run requests of new call chains"""

    def __init__(self, poller, run_task):
        self._poller = poller
        self._run_task = run_task
        self._cond_lock = threading.Lock()  # `with` on it: no Python-level Condition.__enter__/__exit__
        self._cond = threading.Condition(self._cond_lock)
        self._tasks = collections.deque()
        self._idle = 0
        self._leading = False
        self.threads = 0
        #: token of the request a former leader runs while no thread leads, else None
        self._inline = None
        #: whether the promoter is in a busy period (looking every tick)
        self.promoter_awake = False
        self._promoter_cond = threading.Condition(threading.Lock())
        self._promoter = None
        #: False once the process exits: the promoter stops, connections are armed, not parked
        self.parking = True

    def start(self):
        self._spawn()

    def submit(self, task):
        with self._cond_lock:
            self._tasks.append(task)
            if self._idle:
                # the woken thread counts as busy at once: a second submit (or a promotion)
                # before it runs must wake another thread, not notify the same one again
                self._idle -= 1
                self._cond.notify()
                return
        self._spawn()

    def _spawn(self):
        with self._cond_lock:
            self.threads += 1
        thread = threading.Thread(target=daemon_target(self._work), name='cpy2py-worker')
        thread.daemon = True
        # callbacks bounce A -> B -> A hundreds of levels deep on these threads
        previous = threading.stack_size(WORKER_STACK)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)

    def _promote(self):
        """Make sure some thread leads the poller"""
        with self._cond_lock:
            if self._leading:
                return
            if self._idle:
                self._idle -= 1
                self._cond.notify()
                return
        self._spawn()

    def _begin_inline(self):
        """This thread is about to run a request while no thread leads: returns a token"""
        token = object()
        with self._cond_lock:
            self._inline = token
        if not self.promoter_awake:
            self.wake_promoter()
        return token

    def wake_promoter(self):
        """Start a busy period of the promoter (a request runs inline, a socket is parked)"""
        with self._promoter_cond:
            self.promoter_awake = True
            if self._promoter is None:
                if not self.parking:
                    return
                self._promoter = threading.Thread(target=daemon_target(self._promote_loop), name='cpy2py-promoter')
                self._promoter.daemon = True
                self._promoter.start()
                atexit.register(self.stop_promoter)
            else:
                self._promoter_cond.notify()

    def _end_inline(self, token):
        with self._cond_lock:
            if self._inline is token:
                self._inline = None

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
            last, idle_ticks = None, 0
            while idle_ticks < PROMOTER_IDLE_TICKS and self.parking:
                time.sleep(PROMOTER_TICK)
                with self._cond_lock:
                    token = self._inline
                    stuck = token is not None and token is last and not self._leading
                    if stuck:
                        self._inline = None
                if stuck:
                    self._promote()
                parked = self._arm_unused()
                idle_ticks = idle_ticks + 1 if token is None and not parked else 0
                last = token
            with self._promoter_cond:
                self.promoter_awake = False
            with self._cond_lock:
                # a request may have begun, or a socket been parked, just before we said we
                # sleep: that thread saw us awake
                late = self._inline is not None
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

    def _work(self):
        cond = self._cond
        cond_lock = self._cond_lock
        while True:
            # an idle thread must not keep its last request (and its arguments) alive
            task = tasks = found = ready = None
            with cond_lock:
                while True:
                    if self._tasks:
                        task = self._tasks.popleft()
                        break
                    if not self._leading:
                        self._leading = True
                        task = None
                        break
                    self._idle += 1
                    cond.wait()  # whoever notifies takes us off the idle count
            if task is not None:
                # handed over in a list the runner empties: a worker that stays on the
                # connection afterwards must not keep this request's arguments alive
                holder, task = [task], None
                self._run_task(holder)
                continue
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
            holder, task, tasks, found = [tasks[0]], None, None, None
            token = self._begin_inline()
            try:
                self._run_task(holder)
            finally:
                self._end_inline(token)
