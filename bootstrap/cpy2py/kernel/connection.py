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
import struct
import threading

from cpy2py.utility.compat import set_cloexec


from cpy2py.kernel.poller import Poller, ARMED as _ARMED, DISARMED as _DISARMED

PREFIX = struct.Struct('<BQ')
_MARKER = Poller.MARKER
REQUEST, REPLY_OK, REPLY_ERROR = 0, 1, 2


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

    def deliver(self, item):
        with self.cond:
            self.inbox.append(item)
            self.cond.notify()
        if self.blocking:
            try:
                os.write(self._wake_write, b'x')
            except OSError:
                pass

    def wait_readable(self, sock):
        """
        Block until ``sock`` is readable or something is delivered to this thread

        Returns True when the socket is readable.
        """
        try:
            fd = sock.fileno()
            entry = self._polls.get(fd) if self._polls is not None else None
            if entry is None or entry[0] is not sock:
                entry = self._make_poll(sock)
        except (ValueError, OSError, select.error):
            return True  # closed by another thread meanwhile: reading reports it
        poll = entry[1]
        self.blocking = True
        try:
            if self.inbox:
                return False
            while True:
                try:
                    events = poll.poll()
                    break
                except (OSError, select.error) as err:
                    if err.args and err.args[0] == errno.EINTR:
                        continue
                    raise
        finally:
            self.blocking = False
        readable = False
        for fd, _ in events:
            if fd == self._wake_read:
                os.read(self._wake_read, 4096)
            else:
                readable = True
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

    def __del__(self):
        for fd in (self._wake_read, self._wake_write):
            if fd is not None:
                try:
                    os.close(fd)
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


class Connection(object):
    """
    One authenticated socket to a peer

    :ivar peer_id: twin id of the other end
    :ivar peer_boot: boot id of the other end's process (changes when it restarts)
    """

    def __init__(self, channel, peer, serializer, poller):
        self.channel = channel
        self.peer_id = peer.twin_id
        self.peer_boot = peer.boot_id
        self.serializer = serializer
        self.peer_is_py2 = serializer.peer_is_py2
        self._poller = poller
        self._epoll_modify = poller.epoll.modify
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

    def fileno(self):
        return self.channel.fileno()

    def send(self, kind, request_id, body, buffers=None):
        self.channel.send_message(kind, request_id, body, buffers)

    # -- reader role ------------------------------------------------------
    def take_role(self, who):
        """Try to become the reader; returns True on success"""
        with self.lock:
            if self.reader is None and not self.dead:
                self.reader = who
                took = True
            elif self.reader is who and who is not _MARKER:
                return True  # a thread that reads for itself, again (a nested call)
            else:
                took = False
                if isinstance(who, Waiter):
                    self.role_waiters.add(who)
        if took and who is not _MARKER:
            try:  # a caller reads now: the poller must not wake for its reply
                self._epoll_modify(self.fd, _DISARMED)
            except (IOError, OSError, ValueError):
                pass
        return took

    def release_role(self, who):
        """Give up the reader role; the poller watches again and one waiting thread may take over"""
        with self.lock:
            if self.reader is not who:
                return
            self.reader = None
            self.role_waiters.discard(who)
            successor = self.role_waiters.pop() if self.role_waiters else None
            if self.dead:
                return
        # arming even when a successor exists: it may find its reply delivered and never read
        try:
            self._epoll_modify(self.fd, _ARMED)
        except (IOError, OSError, ValueError):
            pass
        if successor is not None:
            successor.hint_role()

    def forget_waiter(self, waiter):
        with self.lock:
            self.role_waiters.discard(waiter)

    def read_frames(self, first=None):
        """Read one frame (unless ``first`` was read already), plus any complete frames
        already buffered; the reader calls this"""
        frames = [first if first is not None else self.channel.read_frame()]
        while self.channel.has_buffered_frame():
            frames.append(self.channel.read_frame())
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
