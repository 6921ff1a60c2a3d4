"""
Accepting peer connections: the server side of the handshake, without a thread per connection

The poller's leader accepts connections and reads their handshake lines as they arrive
(the sockets are non-blocking until then), so a connection that has not authenticated
costs a file descriptor and a few bytes, never a thread. A legitimate peer sends its line
right after connecting: its handshake usually completes within the accept itself. At most
:py:data:`MAX_PENDING` handshakes wait at a time (a new connection drops the oldest), each
for at most :py:data:`HANDSHAKE_TIMEOUT` seconds. Out of file descriptors, the oldest
pending handshake is dropped to make room; with none pending, accepting pauses briefly
instead of spinning on a listener that stays readable.
"""
import collections
import errno
import socket
import threading
import time

from cpy2py.exceptions import AuthenticationError
from cpy2py.protocol import handshake
from cpy2py.utility.compat import set_cloexec

#: handshakes that may wait for their line at once
MAX_PENDING = 128
#: seconds a connection has to send its handshake line
HANDSHAKE_TIMEOUT = 3.0
#: seconds accepting pauses when the process is out of file descriptors
FD_PAUSE = 0.1
#: connections accepted per wake-up of the poller (then other sockets get their turn)
_ACCEPT_BATCH = 64
_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK)
_NO_FDS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)


def _logger():
    import logging
    return logging.getLogger('__cpy2py__.kernel')


class _Pending(object):
    __slots__ = ('sock', 'data', 'deadline', 'registered')

    def __init__(self, sock, deadline):
        self.sock = sock
        self.data = b''
        self.deadline = deadline
        #: whether the socket is registered with the poller
        self.registered = False


class Acceptor(object):
    """
    Accepts connections on ``listener`` and completes their handshakes from the poller

    :param answer: ``answer(line, sock, bytes after the line) -> (peer info, reply bytes)``, raising
                   :py:exc:`AuthenticationError` for a line to refuse
    :param accepted: ``accepted(sock, peer info, bytes after the line)`` for each
                     authenticated connection (its socket blocking again)
    """

    def __init__(self, listener, poller, answer, accepted):
        self._listener = listener
        self._poller = poller
        self._answer = answer
        self._accepted = accepted
        #: held while a pending handshake is looked at, so no two threads touch one
        self._lock = threading.Lock()
        #: fd -> _Pending, oldest first (deadlines grow in this order)
        self._pending = collections.OrderedDict()
        #: time until which accepting pauses (out of file descriptors), or None
        self._paused_until = None
        listener.setblocking(False)
        poller.set_timer(self.next_timeout, self.expire)
        poller.register(listener.fileno(), self._on_listener)

    def pending(self):
        """Number of handshakes in progress"""
        return len(self._pending)

    # -- accepting -------------------------------------------------------------------
    def _on_listener(self, mask):
        """Poller handler: accept what is queued (one batch), then watch the listener again

        The listener is one-shot: whatever happens to one connection, it is armed again
        (only a pause for file descriptors leaves that to expire()), or the process would
        never accept another connection."""
        rearm = True
        try:
            for _ in range(_ACCEPT_BATCH):
                try:
                    sock, _ = self._listener.accept()
                except (OSError, socket.error) as err:
                    code = getattr(err, 'errno', None)
                    if code == errno.EINTR:
                        continue
                    if code in _NO_FDS:
                        if self._drop_oldest('out of file descriptors'):
                            continue
                        self._paused_until = time.time() + FD_PAUSE  # expire() re-arms it
                        rearm = False
                        return None
                    if code in _AGAIN:
                        break
                    continue  # e.g. ECONNABORTED: that one is gone, take the next
                self._begin(sock)
        finally:
            if rearm:
                self._poller.rearm(self._listener.fileno())
        return None

    def _begin(self, sock):
        set_cloexec(sock.fileno())
        sock.setblocking(False)
        fd = sock.fileno()
        dropped = []
        with self._lock:
            now = time.time()
            dropped.extend(self._take_expired(now))
            while len(self._pending) >= MAX_PENDING:
                dropped.append(self._pending.popitem(last=False)[1])
            self._pending[fd] = _Pending(sock, now + HANDSHAKE_TIMEOUT)
        self._close_all(dropped, 'too many handshakes pending, or too slow')
        self._on_data(fd)  # a legitimate peer's line is usually there already

    # -- reading the line ------------------------------------------------------------
    def _on_data(self, fd, mask=None):
        """Read what arrived of the line of ``fd``; finish the handshake once it is whole"""
        with self._lock:
            entry = self._pending.get(fd)
            if entry is None:
                return None  # dropped meanwhile
            outcome = self._read(entry)
            if outcome is None:  # the line is not complete: wait for more
                if entry.registered:
                    self._poller.rearm(fd)
                else:
                    entry.registered = True
                    self._poller.register(fd, lambda mask, fd=fd: self._on_data(fd, mask))
                return None
            del self._pending[fd]
            if entry.registered:
                self._poller.unregister_fd(fd)
        if outcome is False:
            self._close(entry.sock)
            return None
        self._finish(entry.sock, outcome)
        return None

    @staticmethod
    def _read(entry):
        """Receive what is there: None (incomplete), False (closed or broken), or the data"""
        while True:
            try:
                chunk = entry.sock.recv(handshake.MAX_LINE)
            except (OSError, socket.error) as err:
                code = getattr(err, 'errno', None)
                if code == errno.EINTR:
                    continue
                return None if code in _AGAIN else False
            if not chunk:
                return False
            entry.data += chunk
            if b'\n' in entry.data or len(entry.data) > handshake.MAX_LINE:
                return entry.data

    def _finish(self, sock, data):
        line, newline, rest = data.partition(b'\n')
        try:
            if not newline:
                raise AuthenticationError('handshake line too long')
            info, reply = self._answer(line, sock, rest)
        except Exception as err:  # AuthenticationError, or a line that breaks its parsing
            _logger().warning('refused a connection: %s', err)
            try:
                sock.send(handshake.refusal(str(err)))
            except (OSError, socket.error):
                pass
            self._close(sock)
            return
        try:
            # bounded: this runs on the thread that accepts every connection, and a client
            # may stall (or die) between our OK and its answer to the shared-memory offer
            sock.settimeout(HANDSHAKE_TIMEOUT)
            sock.sendall(reply)
            handshake.finish_server(sock, info)
            sock.settimeout(None)
        except Exception as err:  # OSError, a timeout, EOFError from a peer gone meanwhile
            _logger().info('dropped a connection during its handshake: %s', err)
            side = getattr(info, 'side', None)
            if side is not None:
                self._close(side)
            self._close(sock)
            return
        self._accepted(sock, info, rest)

    # -- time limits -----------------------------------------------------------------
    def next_timeout(self):
        """Seconds until a handshake times out or accepting resumes, or None"""
        deadline = self._paused_until
        pending = self._pending
        if pending:
            try:
                first = pending[next(iter(pending))].deadline
            except (KeyError, StopIteration, RuntimeError):
                first = time.time()  # changed meanwhile: look again at once
            deadline = first if deadline is None else min(deadline, first)
        return None if deadline is None else max(0.0, deadline - time.time())

    def expire(self):
        """Drop handshakes past their deadline; resume accepting after a pause"""
        now = time.time()
        with self._lock:
            expired = self._take_expired(now)
        self._close_all(expired, 'handshake timed out')
        if self._paused_until is not None and now >= self._paused_until:
            self._paused_until = None
            self._poller.rearm(self._listener.fileno())

    def _take_expired(self, now):
        expired = []
        while self._pending:
            fd = next(iter(self._pending))
            if self._pending[fd].deadline > now:
                break
            expired.append(self._pending.pop(fd))
        return expired

    def _drop_oldest(self, reason):
        with self._lock:
            if not self._pending:
                return False
            entry = self._pending.popitem(last=False)[1]
        self._close_all([entry], reason)
        return True

    def _close_all(self, entries, reason):
        for entry in entries:
            if entry.registered:
                self._poller.unregister_fd(entry.sock.fileno())
            self._close(entry.sock)
        if entries:
            _logger().debug('dropped %d unauthenticated connection(s): %s', len(entries), reason)

    @staticmethod
    def _close(sock):
        try:
            sock.close()
        except (OSError, socket.error):
            pass
