"""
Sending a frame within a call's deadline

A call under ``with deadline(s):`` must end by its deadline even while its frame cannot be
sent: a large argument to a twin that reads nothing (stopped with SIGSTOP, or busy in C with
the GIL held) fills the socket buffer and a plain ``sendall`` blocks until the twin reads.
A frame cannot be taken back half-sent without breaking the stream for every later call,
so when the deadline passes mid-frame the rest is *detached*: a thread finishes it (holding
the connection's send lock, as the caller did), then sends the small frames that were
queued meanwhile (the caller's ``interrupt`` among them), then releases the lock. The
caller raises CallTimeout at its deadline; the twin receives the request whole when it
reads again, and the interrupt right after it.

Sends do not touch the socket's blocking mode (other threads read it): each ``send``
passes MSG_DONTWAIT, and waits for room with ``poll`` bounded by the time left.
"""
import errno
import select
import socket
import sys
import threading
import time

_MSG_DONTWAIT = getattr(socket, 'MSG_DONTWAIT', 0x40)
_RETRY = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR)
#: the most one non-blocking send is offered (an AF_UNIX socket buffer holds about as much)
_CHUNK = 256 * 1024
#: Python 3's Lock.acquire takes a timeout; Python 2's does not
_LOCK_TIMEOUT = sys.version_info[0] >= 3
_IS_PYPY = hasattr(sys, 'pypy_version_info')


class SendTimeout(Exception):
    """The deadline passed before the frame could begin: another frame held the connection"""


class DetachedSend(object):
    """Per connection: whether a detached thread finishes a frame, and the small frames
    queued behind it (sent by that thread, in order, before it releases the send lock)"""

    def __init__(self):
        self.lock = threading.Lock()
        self.active = False
        self.queued = []

    def queue(self, data):
        """Queue ``data`` behind the detached frame; False if none is being finished"""
        with self.lock:
            if not self.active:
                return False
            self.queued.append(data)
            return True


def acquire_until(lock, deadline, clock):
    """Take ``lock`` unless ``deadline`` (a ``clock()`` time) passes first"""
    if lock.acquire(False):
        return True
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            return False
        if _LOCK_TIMEOUT:
            if lock.acquire(True, remaining):
                return True
        else:  # pragma: no cover - Python 2
            time.sleep(min(remaining, 0.001))
            if lock.acquire(False):
                return True


def send_until(sock, parts, deadline, clock):
    """Send the memoryviews ``parts`` in order without blocking past ``deadline``; returns
    what is left unsent (empty: all of it went)"""
    parts = [_sendable(part) for part in parts] if _IS_PYPY else list(parts)
    poller = None
    while parts:
        view = parts[0]
        try:
            # at most a socket buffer's worth at a time: PyPy copies the slice it is given
            sent = sock.send(view[:_CHUNK] if len(view) > _CHUNK else view, _MSG_DONTWAIT)
        except (OSError, socket.error) as err:
            if getattr(err, 'errno', None) not in _RETRY:
                raise
            sent = 0
        if sent >= len(view):
            parts.pop(0)
            continue
        if sent:
            parts[0] = view[sent:]
        remaining = deadline - clock()
        if remaining <= 0:
            return parts
        if poller is None:
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLOUT)
        try:
            poller.poll(remaining * 1000.0 + 1)
        except (OSError, select.error) as err:  # pragma: no cover - Python 2 does not retry EINTR
            if err.args[0] != errno.EINTR:
                raise
    return parts


def _sendable(view):
    """PyPy: a view whose slices ``send`` takes without copying all of it each time (that of
    a cast memoryview costs a copy of the whole buffer per call: 22 ms per 64 MiB)"""
    base = getattr(view, 'obj', None)
    if type(base) in (bytes, bytearray) and len(base) == view.nbytes:
        return memoryview(base)
    return memoryview(view.tobytes())  # one copy, on this rare path only


def detach(sock, parts, state, send_lock, on_error):
    """Finish sending ``parts`` in a thread that owns ``send_lock`` from now on; it sends what
    ``state`` queued meanwhile, then releases the lock. ``on_error`` runs if the socket fails"""
    with state.lock:
        state.active = True
    thread = threading.Thread(target=_finish, args=(sock, parts, state, send_lock, on_error),
                              name='cpy2py-detached-send')
    thread.daemon = True
    thread.start()


def _finish(sock, parts, state, send_lock, on_error):
    try:
        try:
            for part in parts:
                sock.sendall(part)
            while True:
                with state.lock:
                    queued, state.queued = state.queued, []
                    if not queued:
                        state.active = False
                        break
                for data in queued:
                    sock.sendall(data)
        except (OSError, socket.error):
            on_error()  # the peer is gone: its reader meets the end of the stream
    finally:
        with state.lock:
            state.active = False
            state.queued = []
        send_lock.release()
