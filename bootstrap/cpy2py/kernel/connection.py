"""
A connection to one peer, and the per-thread waiter that receives replies

Messages are frames whose payload starts with a fixed 9-byte prefix (kind, request id)
followed by a pickle, so a request whose pickle cannot be loaded can still be answered.

Reading follows the leader/follower idea: whichever thread needs a reply takes the
*reader role* of the connection and reads it itself, so a reply normally reaches the
waiting thread without any hand-off. Frames it reads for other threads are delivered to
their :py:class:`Waiter`. While no caller reads, the kernel's poller watches the socket.
"""
import collections
import errno
import os
import select
import threading

from cpy2py.utility.compat import set_cloexec
from cpy2py.wire.transport import clock as _clock
from cpy2py.kernel.poller import Poller, ARMED as _ARMED, DISARMED as _DISARMED

#: seconds without a request from the peer after which callers park its connection
PEER_QUIET = 0.05
_MARKER = Poller.MARKER


class Waiter(object):
    """
    A thread that waits for replies (one per thread, reused)

    Other threads append replies and requests of this thread's call chain to ``inbox``.
    """

    def __init__(self):
        self.cond = threading.Condition(threading.Lock())
        self.inbox = collections.deque()
        #: set when a connection this thread waits on may have a free reader role
        self.role_hint = False
        #: True while this thread blocks reading a socket and may need waking through
        #: ``_wake_write`` (a callback of its chain can arrive on another connection)
        self.blocking = False
        self._wake_read = self._wake_write = None
        #: whether this is the main thread (the one KeyboardInterrupt arrives in)
        self.is_main = False
        #: socket fd -> (socket, poll object on it and the wake pipe)
        self._polls = None
        #: the connection this (pool) thread reads while it waits for requests, else None
        self.serving = None
        #: the connection whose requests this (pool) thread serves and then stays on
        self.staying_on = None
        #: what limits this thread's calls (a deadline, cancellation), or None: see deadlines
        self.bound = None
        #: how many bounded calls this thread is making now (an interrupt then wakes them
        #: instead of raising into the kernel's code)
        self.calling = 0

    def deliver(self, item):
        with self.cond:
            self.inbox.append(item)
            self.cond.notify()
        self.nudge()  # it may block reading a socket instead

    def wait_readable(self, sock, timeout=None, bound=None):
        """
        Block until ``sock`` is readable, something is delivered to this thread,
        ``timeout`` seconds passed or ``bound`` (see deadlines) was cancelled

        Returns True when the socket is readable.
        """
        inbox = self.inbox
        if bound is None:
            return self._wait(sock, lambda: inbox, until_readable=False, timeout=timeout)
        # a cancel that came before ``blocking`` was set found nobody to wake: see it here
        return self._wait(sock, lambda: inbox or bound.cancelled, until_readable=False, timeout=timeout)

    def nudge(self):
        """Wake this thread if it blocks reading a socket (something was delivered to it, or
        another thread wants the reader role it holds)"""
        if self.blocking:
            try:
                os.write(self._wake_write, b'x')
            except OSError:
                pass

    def wait_request(self, conn):
        """
        A worker waits for the next request on ``conn``

        Returns True when the socket is readable, False when a thread wants the reader role.
        """
        waiters = conn.role_waiters
        return self._wait(conn.channel.sock, lambda: waiters, until_readable=True)

    def _wait(self, sock, give_up, until_readable, timeout=None):
        """Poll ``sock`` and the wake pipe; False as soon as ``give_up()`` is true, True when
        the socket is readable, False after a mere wake-up unless ``until_readable``, or
        after ``timeout`` seconds"""
        try:
            fd = sock.fileno()
            entry = self._polls.get(fd) if self._polls is not None else None
            if entry is None or entry[0] is not sock:
                entry = self._make_poll(sock)
        except (ValueError, OSError, select.error):
            return True  # closed by another thread meanwhile: reading reports it
        poll, wake = entry[1], self._wake_read
        milliseconds = None if timeout is None else int(timeout * 1000) + 1
        while True:
            # blocking is set before looking: a thread that then delivers to us or wants the
            # reader role sees it and writes the pipe
            self.blocking = True
            try:
                if give_up():
                    return False
                try:
                    events = poll.poll(milliseconds)
                except (OSError, select.error) as err:
                    if err.args and err.args[0] == errno.EINTR:
                        continue
                    raise
            finally:
                self.blocking = False
            readable = False
            for fd, _ in events:
                if fd == wake:
                    os.read(wake, 4096)
                else:
                    readable = True
            if readable or not until_readable or (milliseconds is not None and not events):
                return readable

    def _make_poll(self, sock):
        """A poll object watching ``sock`` and our wake pipe (kept: one syscall per wait)"""
        if self._wake_read is None:
            self._wake_read, self._wake_write = os.pipe()
            set_cloexec(self._wake_read)
            set_cloexec(self._wake_write)
            self._polls = {}
        poll = select.poll()
        poll.register(sock.fileno(), select.POLLIN)
        poll.register(self._wake_read, select.POLLIN)
        entry = self._polls[sock.fileno()] = (sock, poll)
        return entry

    def __del__(self, _close=os.close):
        # os.close bound early: Python 2 may collect the last waiters after clearing ``os``
        for fd in (self._wake_read, self._wake_write):
            if fd is not None:
                try:
                    _close(fd)
                except OSError:
                    pass

    def hint_role(self):
        with self.cond:
            self.role_hint = True
            self.cond.notify()

    def wait(self):
        """Block until something was delivered or a reader role may be free"""
        with self.cond:
            while not self.inbox and not self.role_hint:
                self.cond.wait()
            self.role_hint = False

    def wait_for(self, timeout):
        """Like :py:meth:`wait`, for at most ``timeout`` seconds (None: no limit)"""
        with self.cond:
            if not self.inbox and not self.role_hint:
                self.cond.wait(timeout)
            self.role_hint = False


class Connection(object):
    """
    One authenticated socket to a peer

    :ivar peer_id: twin id of the other end
    :ivar peer_boot: boot id of the other end's process (changes when it restarts)
    """

    def __init__(self, channel, peer, serializer, poller, pool, peers):
        self.channel = channel
        self.peer_id = peer.twin_id
        self.peer_boot = peer.boot_id
        self.serializer = serializer
        self.peer_is_py2 = serializer.peer_is_py2
        self._poller = poller
        self._epoll_modify = poller.epoll.modify
        self._pool = pool
        #: the kernel's peer table (a kernel with one peer parks its sockets)
        self._peers = peers
        #: the socket's file descriptor (for epoll)
        self.fd = channel.fileno()
        self.lock = threading.Lock()
        #: request id -> Waiter of the thread that waits for its reply
        self.pending = {}
        #: the Waiter (or the poller marker) that currently reads the socket, or None
        self.reader = None
        #: waiters that want the reader role
        self.role_waiters = set()
        self.dead = False
        self.death_reason = None
        #: a connection of one calling thread of ours (see Kernel.request), not the peer's
        #: connection for everybody else
        self.private = False
        #: closed on purpose (its thread ended): EOF on it is not the peer's death
        self.closing = False
        #: see "reader role" below; the poller registers new sockets armed
        self.armed = True
        self.parked = False
        #: how often a thread took the reader role, and what the promoter saw last tick
        self.uses = 0
        self._uses_seen = -1
        #: when the peer last sent us a request of a new chain (_clock() time)
        self.requests_at = 0.0

    def fileno(self):
        return self.channel.fileno()

    def send(self, kind, request_id, body, buffers=None):
        self.channel.send_message(kind, request_id, body, buffers)

    # -- reader role ------------------------------------------------------
    # The socket is *armed* when the poller would report it readable, *parked* when nobody
    # reads it and it is not armed either. A caller that just read its reply, or a worker
    # that just read a request, parks the socket instead of arming it: the next call or the
    # same worker takes it again without touching epoll. The promoter thread arms a
    # connection that stayed parked for a tick (see WorkerPool). Only a process with a
    # single peer parks: with several, a callback may come over a connection nobody reads
    # while its thread waits on another one, and it must not wait for that tick. A caller
    # other than the worker staying on the connection parks only while the peer has sent
    # no request of its own lately (PEER_QUIET): then nothing is expected meanwhile.
    def take_role(self, who):
        """Try to become the reader; returns True on success"""
        with self.lock:
            reader = self.reader
            if reader is None and not self.dead:
                self.reader = who
                if who is _MARKER:
                    self.armed = False  # its one-shot event fired
                else:
                    self.uses += 1
                    # a caller reads now: the poller must not wake for its reply
                    self._set_armed(False)
                return True
            if reader is who and who is not _MARKER:
                return True  # a thread that reads for itself, again (a nested call)
            if isinstance(who, Waiter):
                self.role_waiters.add(who)
                if reader is not None and reader is not _MARKER and reader.serving is self:
                    reader.nudge()  # a worker that only waits for requests: make it give way
            return False

    def take_idle(self, worker):
        """A worker that served a request of ours stays to read the next one, if the
        connection is parked and no thread wants it"""
        with self.lock:
            if self.reader is not None or self.armed or self.dead or self.role_waiters:
                return False
            if len(self._peers) > 1:
                return False
            self.reader = worker
            self.uses += 1
            return True

    def release_role(self, who, park=True):
        """Give up the reader role: park the socket (single peer, ``park``) or arm it; one
        waiting thread may take over"""
        with self.lock:
            if self.reader is not who:
                return
            self.reader = None
            self.role_waiters.discard(who)
            successor = self.role_waiters.pop() if self.role_waiters else None
            if self.dead:
                return
            if (park and len(self._peers) <= 1 and self._pool.parking
                    and (who is _MARKER or who.staying_on is self
                         or _clock() - self.requests_at > PEER_QUIET)):
                self.parked = True
            else:
                # arming even when a successor exists: it may find its reply delivered and never read
                self._set_armed(True)
        if self.parked and not self._pool.promoter_awake:
            self._pool.wake_promoter()
        if successor is not None:
            successor.hint_role()

    def arm_if_unused(self, force=False):
        """Promoter, every tick: arm the socket if it stayed parked since the last tick"""
        with self.lock:
            if not self.parked:
                return False
            if self.reader is not None or self.dead:
                self.parked = False  # whoever reads it parks it again when done
                return False
            if self.uses != self._uses_seen and not force:
                self._uses_seen = self.uses
                return True  # still in use: look again next tick
            self.parked = False
            self._set_armed(True)
            return False

    def _set_armed(self, armed):
        """Arm or disarm the socket in the poller (with ``lock`` held)"""
        if self.armed == armed:
            return
        self.armed = armed
        try:
            self._epoll_modify(self.fd, _ARMED if armed else _DISARMED)
        except (IOError, OSError, ValueError):
            pass

    def forget_waiter(self, waiter):
        with self.lock:
            self.role_waiters.discard(waiter)

    def read_frames(self, first=None):
        """Read one frame (unless ``first`` was read already), plus any complete frames
        already buffered; the reader calls this"""
        channel = self.channel
        frames = [first if first is not None else channel.read_frame()]
        while channel._buffer and channel.has_buffered_frame():
            frames.append(channel.read_frame())
        return frames

    def mark_dead(self, reason):
        """Returns the pending waiters if this call killed the connection, else None"""
        with self.lock:
            if self.dead:
                return None
            self.dead = True
            self.death_reason = reason
            pending = list(self.pending.items())
            self.pending.clear()
            waiters = list(self.role_waiters)
            self.role_waiters.clear()
        self._poller.unregister(self)
        self.channel.close()
        for waiter in waiters:
            waiter.hint_role()
        return pending
