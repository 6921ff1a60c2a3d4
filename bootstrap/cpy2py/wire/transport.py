"""
Framing: length-prefixed frames over a stream socket

A frame is ``header | buffer lengths | payload | buffers``:

* header: two little-endian uint32, the payload length and the number of out-of-band
  buffers (pickle protocol 5 ``PickleBuffer`` objects, sent without copying them into
  the payload);
* one uint64 length per buffer, its top bits flags: the buffer is a ``bytes`` value, or it
  travels in shared memory (below);
* the payload (a pickle) and then each buffer's raw bytes, except those in shared memory.

On a connection with a *side socket* (both ends on one host, connected directly, and able
to pass descriptors: see :py:mod:`cpy2py.wire.shm`), buffers of SHM_MIN bytes or more are
copied into one memfd per frame, whose descriptor crosses on the side socket just before the
frame; the receiver maps it. ``bytes`` and ``bytearray`` values always use the socket (see
the module's docstring why).

Reading is resumable: bytes already received stay in the channel if the reading thread
is interrupted (e.g. by KeyboardInterrupt), so the stream never loses its framing.
"""
import errno
import os
import signal
import socket
import struct
import sys
import threading
import time

from cpy2py.wire import bounded_send as _bounded
from cpy2py.wire import receive_targets as _targets
from cpy2py.wire import shm as _shm


#: why EBADF on a descriptor of ours: the program closed it under us
CLOSED_UNDER_US = ('this process closed a descriptor that cpy2py opened (os.closerange(3, ...) '
                   'after the first call to a twin, say): close only the descriptors you opened')


def lost_while_sending(err):
    """The ChannelClosed message for ``err``, saying what happened when it is EBADF"""
    if getattr(err, 'errno', None) == errno.EBADF:
        return 'connection lost while sending: %s; %s' % (err, CLOSED_UNDER_US)
    return 'connection lost while sending: %s' % err


_HEADER = struct.Struct('<II')
#: header plus the kernel's message prefix (kind, request id), packed in one go
_MESSAGE_HEADER = struct.Struct('<IIBQ')
_MESSAGE_PREFIX = 9
_BUFLEN = struct.Struct('<Q')
#: flags in a buffer's length: the buffer is a ``bytes`` value; it crosses in the frame's memfd
_AS_BYTES, _IN_SHM = 1 << 63, 1 << 61
_LENGTH = _IN_SHM - 1
_MSG_WAITALL = getattr(socket, 'MSG_WAITALL', 0x100)
_MSG_DONTWAIT = getattr(socket, 'MSG_DONTWAIT', 0x40)
#: errors of a non-blocking receive that mean "nothing yet"
_RETRY = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR)
#: sends up to this size go out in one piece (they fit an AF_UNIX socket buffer)
_SMALL_SEND = 64 * 1024
_RECV_SIZE = 64 * 1024  # below malloc's mmap threshold: a larger recv buffer costs an mmap per call
#: payloads above this size are received straight into a preallocated buffer
_LARGE = 256 * 1024
#: a frame header alone never makes a receiver allocate more than this: a larger payload
#: or buffer grows as its data arrives (at most doubling what arrived)
EAGER_LIMIT = 4 * 1024 * 1024
#: a ``bytes`` buffer up to this size is received in one piece straight into its object;
#: that reserves address space only (memory is used as data arrives), larger ones grow
RESERVE_LIMIT = 1024 * 1024 * 1024
#: most out-of-band buffers one frame may announce (each is 64 KiB at least)
MAX_BUFFERS = 65536
_ZEROS = b'\0' * (1024 * 1024)
_IS_PYPY = hasattr(sys, 'pypy_version_info')


def _grow(target, count):
    """Append ``count`` zero bytes to the bytearray ``target``"""
    if _IS_PYPY:
        target.extend(bytearray(count))  # PyPy copies on every resize: grow in one step
        return
    while count > 0:  # CPython: realloc moves large blocks by remapping, never copies them
        step = min(count, len(_ZEROS))
        target += _ZEROS if step == len(_ZEROS) else _ZEROS[:step]
        count -= step


class InterruptsDeferred(object):
    """
    Hold back SIGINT while a frame is half on the wire

    A KeyboardInterrupt raised inside ``send``/``recv_into`` loses the count of bytes that
    went through and breaks the framing for every later call. Only the main thread gets
    signals, so only it defers them: SIGINT is blocked (Python 3) or caught and re-sent
    (Python 2) until the frame is complete, then delivered as usual.
    """

    #: how many deferrals the main thread is inside (only it touches this): a nested one (a
    #: large frame sent or read while the caller holds SIGINT back already) must not let
    #: SIGINT through when it ends
    depth = 0

    def __enter__(self):
        self.main = _current_thread() is _main_thread()
        self.active = False
        if not self.main:
            return self
        InterruptsDeferred.depth += 1
        if InterruptsDeferred.depth > 1:
            return self
        try:
            if _pthread_sigmask is not None:
                _pthread_sigmask(_SIG_BLOCK, _SIGINT_ONLY)
            else:  # pragma: no cover - Python 2
                self.caught = []
                self.previous = signal.signal(signal.SIGINT, lambda *args: self.caught.append(args))
        except BaseException:
            InterruptsDeferred.depth -= 1
            raise
        self.active = True
        return self

    def __exit__(self, *exc):
        if not self.main:
            return False
        InterruptsDeferred.depth -= 1
        if not self.active:
            return False
        if _pthread_sigmask is not None:
            _pthread_sigmask(_SIG_UNBLOCK, _SIGINT_ONLY)  # a pending SIGINT fires now
        else:  # pragma: no cover - Python 2
            signal.signal(signal.SIGINT, self.previous)
            if self.caught:
                os.kill(os.getpid(), signal.SIGINT)
        return False


def is_main_thread():
    """Whether this is the thread that Python runs signal handlers in"""
    return threading.current_thread() is _main_thread()


def _main_thread():
    for thread in threading.enumerate():  # pragma: no cover - Python 2
        if isinstance(thread, threading._MainThread):
            return thread
    return None


_pthread_sigmask = getattr(signal, 'pthread_sigmask', None)
_SIG_BLOCK, _SIG_UNBLOCK = getattr(signal, 'SIG_BLOCK', 0), getattr(signal, 'SIG_UNBLOCK', 1)
_SIGINT_ONLY = (signal.SIGINT,)
_current_thread = threading.current_thread
# (Python 3.4+; it follows a fork, where the forking thread becomes the main one)
_main_thread = getattr(threading, 'main_thread', _main_thread)


def _find_sched_yield():
    """os.sched_yield, or libc's through ctypes (Python 2), or None"""
    function = getattr(os, 'sched_yield', None)
    if function is not None:
        return function
    try:
        import ctypes
        return ctypes.CDLL(None).sched_yield
    except (ImportError, OSError, AttributeError):
        return None


def _spin_seconds(default_us=100.0):
    """CPY2PY_SPIN_US (microseconds, 0 turns spinning off), else the default"""
    text = os.environ.get('CPY2PY_SPIN_US', '').strip()
    try:
        value = float(text) if text else default_us
    except ValueError:
        value = default_us  # a typo must not break the application: keep the default
    return max(0.0, min(value, 1e6)) / 1e6


_sched_yield = _find_sched_yield()
#: a monotonic clock where there is one (Python 3), for short intervals
clock = getattr(time, 'perf_counter', time.time)
#: seconds a thread that expects a frame soon polls for it before it goes to sleep
SPIN = _spin_seconds() if _sched_yield is not None else 0.0
#: consecutive spins that found nothing, after which only every SPIN_RETRY-th wait spins
SPIN_MISSES, SPIN_RETRY = 4, 16


class ChannelClosed(EOFError):
    """The peer closed the connection (or it broke)"""


class FrameChannel(object):
    """
    A socket carrying frames in both directions

    Writers serialise on :py:attr:`send_lock`; a single thread reads at a time (the kernel
    hands the reader role around).
    """

    def __init__(self, sock, pending=b'', side=None):
        self.sock = sock
        #: the socketpair end that passes memfd descriptors to and from the peer, or None
        #: (no shared memory on this connection: see cpy2py.wire.shm)
        self.side = side
        #: bytes received but not yet consumed as a frame
        self._buffer = pending
        self.send_lock = threading.Lock()
        #: a frame whose deadline passed mid-send, being finished by a thread (see
        #: cpy2py.wire.bounded_send); None until the first one
        self._detached = None
        self.closed = False
        #: spins in a row that found nothing, and waits skipped since (see spin)
        self._spin_misses = self._spin_skips = 0
        self._spin_poll = None

    def fileno(self):
        return self.sock.fileno()

    def receive_available(self):
        """Buffer what the socket holds, without blocking; False when it holds nothing"""
        while True:
            try:
                chunk = self.sock.recv(_RECV_SIZE, _MSG_DONTWAIT)
            except (OSError, socket.error) as err:
                code = getattr(err, 'errno', None)
                if code == errno.EINTR:
                    continue
                # nothing yet; or broken, which the blocking read reports
                return code not in (errno.EAGAIN, errno.EWOULDBLOCK)
            if chunk:
                self._buffer = self._buffer + chunk if self._buffer else chunk
            return True  # data, or EOF: the read reports that

    def spin(self, consume=True, inbox=None, seconds=SPIN):
        """
        Wait for data for up to ``seconds`` without sleeping; True when data (or EOF) came

        Waking a sleeping thread on another CPU costs more than a whole call on these
        machines, and a reply or the next request usually comes within microseconds. Each
        try yields first, so a peer waiting for this CPU answers at once. Stops early (False)
        once ``inbox`` (a container other threads fill) is not empty.

        With ``consume``, each try is a non-blocking receive and what arrives stays in the
        buffer for :py:meth:`read_frame`. Without it, each try only polls readiness: for the
        main thread, where a signal handler (KeyboardInterrupt) may raise right after any C
        call returns, so data a spinning ``recv`` just returned could be lost with it.

        Adaptive: after SPIN_MISSES waits in a row that outlasted the spin (slow calls, or a
        peer that pauses between calls), spinning would only burn CPU, so only every
        SPIN_RETRY-th wait spins, until one succeeds again.
        """
        if self._spin_misses >= SPIN_MISSES:
            self._spin_skips += 1
            if self._spin_skips < SPIN_RETRY:
                return False
            self._spin_skips = 0
        if consume:
            arrived = self._spin_receive(seconds, inbox)
        else:
            arrived = self._spin_readable(seconds, inbox)
        if arrived:
            self._spin_misses = 0
        else:
            self._spin_misses += 1
        return arrived

    def _spin_receive(self, seconds, inbox):
        recv = self.sock.recv
        end = None
        while True:
            _sched_yield()
            try:
                chunk = recv(_RECV_SIZE, _MSG_DONTWAIT)
            except (OSError, socket.error) as err:
                if getattr(err, 'errno', None) not in _RETRY:
                    return True  # a broken socket: the blocking read reports it
                if end is None:
                    end = clock() + seconds
                elif clock() > end or inbox:
                    return False
                continue
            if chunk:
                self._buffer = self._buffer + chunk if self._buffer else chunk
            return True  # an empty chunk is EOF: the blocking read reports it too

    def _spin_readable(self, seconds, inbox):
        poll = self._spin_poll
        if poll is None:
            import select
            poll = self._spin_poll = select.poll()
            poll.register(self.sock.fileno(), select.POLLIN)
        end = None
        while True:
            _sched_yield()
            if poll.poll(0):
                return True
            if end is None:
                end = clock() + seconds
            elif clock() > end or inbox:
                return False

    # -- writing -----------------------------------------------------------
    def send_message(self, kind, request_id, body, buffers=None, deadline=None):
        """Send a frame whose payload is the 9-byte message prefix followed by ``body``;
        with a ``deadline`` (a ``clock()`` time) a large frame does not block past it (see
        cpy2py.wire.bounded_send: SendTimeout if it could not begin)"""
        if buffers:
            self.send_frame(struct.pack('<BQ', kind, request_id) + body, buffers, deadline)
            return
        data = _MESSAGE_HEADER.pack(len(body) + _MESSAGE_PREFIX, 0, kind, request_id) + body
        detached = self._detached
        if detached is not None and detached.active and len(data) <= _SMALL_SEND and detached.queue(data):
            return  # goes out right after the frame being finished (an interrupt, say)
        if deadline is not None or len(data) > _SMALL_SEND:
            # (a small frame blocks too once the peer stopped reading and the buffer is full)
            self._send_unit(data, deadline=deadline)
            return
        try:  # fits the socket buffer: nothing can split it (see _sendall)
            with self.send_lock:
                self.sock.sendall(data)
        except (OSError, socket.error) as err:
            self.closed = True
            raise ChannelClosed(lost_while_sending(err))

    def send_frame(self, payload, buffers=None, deadline=None):
        """Send one frame; ``buffers`` are objects supporting the buffer protocol; see
        send_message for ``deadline``"""
        if not buffers:
            self._send_unit(_HEADER.pack(len(payload), 0) + payload, deadline=deadline)
            return
        views, lengths, shared = [], [], []
        side = self.side
        for buf in buffers:
            view = memoryview(buf)
            # a bytes value is received straight into a new bytes object (no extra copy)
            flag = _AS_BYTES if type(view.obj) is bytes else 0
            if hasattr(view, 'cast'):
                view = view.cast('B')
            # bytes and bytearray values (the serializer passes them as themselves) are copied
            # by the receiver anyway: they stay on the socket (see cpy2py.wire.shm); views
            # (numpy arrays, PickleBuffers, memoryview values) are mapped
            kind = type(buf)
            if (side is not None and kind is not bytes and kind is not bytearray
                    and view.nbytes >= _shm.SHM_MIN):
                shared.append(view)
                flag |= _IN_SHM
            else:
                views.append(view)
            lengths.append(view.nbytes | flag)
        table = b''.join(_BUFLEN.pack(length) for length in lengths)
        # pad the payload so that the receiver's first read (_RECV_SIZE) cannot reach into
        # the buffers: then they land in their final objects without a copy
        padding = _RECV_SIZE - (_HEADER.size + len(table) + len(payload))
        if padding > 0:
            payload += b'\0' * padding  # after the pickle's STOP: never read by the unpickler
        head = _HEADER.pack(len(payload), len(lengths)) + table
        if not shared:
            self._send_unit(head + payload, views, deadline=deadline)
            return
        if deadline is not None:
            # written before taking the lock: the rest of the frame may be detached
            memfd = _shm.pack(shared, self)
            try:
                self._send_unit(head + payload, views, memfd, deadline)
            finally:
                os.close(memfd)
            return
        # the descriptor goes first, the data is written after the frame, while the receiver
        # maps it (the copy and the mapping on two CPUs); READY follows on the side socket
        prepared = _shm.prepare(shared, self)
        try:
            with self.send_lock:
                self._sendall(head + payload, views, prepared)
        finally:
            os.close(prepared.fd)

    def _send_unit(self, data, more=(), memfd=None, deadline=None):
        """Send a frame under the send lock; with a ``deadline``, within it (the rest of a
        frame it interrupts is detached: see cpy2py.wire.bounded_send)"""
        if deadline is None:
            with self.send_lock:
                self._sendall(data, more, memfd)
            return
        lock = self.send_lock
        if not _bounded.acquire_until(lock, deadline, clock):
            raise _bounded.SendTimeout('the connection stayed busy with another frame')
        owned = True
        try:
            with InterruptsDeferred():
                if memfd is not None:
                    self._pass_memfd(memfd)
                rest = _bounded.send_until(self.sock, [memoryview(data)] + list(more), deadline, clock)
            if rest:
                if self._detached is None:
                    self._detached = _bounded.DetachedSend()
                _bounded.detach(self.sock, rest, self._detached, lock, self._mark_closed)
                owned = False
        except (OSError, socket.error) as err:
            self.closed = True
            raise ChannelClosed(lost_while_sending(err))
        finally:
            if owned:
                lock.release()

    def _pass_memfd(self, memfd):
        """Pass a frame's memfd on the side socket: a written one (a descriptor) is READY at
        once, a Prepared one after the frame (see _sendall)"""
        if isinstance(memfd, _shm.Prepared):
            _shm.send_fd(self.side, memfd.fd)
            return
        _shm.send_fd(self.side, memfd)
        self.side.sendall(_shm.READY)

    def _mark_closed(self):
        self.closed = True

    def _sendall(self, data, more=(), memfd=None):
        """Send all of ``data`` (then each buffer of ``more``) as one uninterruptible unit,
        after ``memfd`` on the side socket if given"""
        sock = self.sock
        try:
            if not more and memfd is None and len(data) <= _SMALL_SEND:
                sock.sendall(data)  # fits the socket buffer: nothing can split it
                return
            with InterruptsDeferred():
                if memfd is not None:
                    self._pass_memfd(memfd)
                sock.sendall(data)
                if isinstance(memfd, _shm.Prepared):
                    # before the buffers that go on the socket: a receiver waiting for READY
                    # reads none of them, and one reading them waits for them, not for us
                    try:
                        _shm.fill(memfd)
                    except BaseException:
                        self.side.sendall(_shm.FAILED)
                        raise
                    self.side.sendall(_shm.READY)
                for part in more:
                    sock.sendall(part)
        except (OSError, socket.error) as err:
            self.closed = True
            raise ChannelClosed(lost_while_sending(err))

    # -- reading -----------------------------------------------------------
    def has_buffered_frame(self):
        """Whether a complete frame is already buffered (no I/O needed to read it)"""
        buf = self._buffer
        if len(buf) < _HEADER.size:
            return False
        size, count = _HEADER.unpack_from(buf, 0)
        return len(buf) >= _HEADER.size + count * _BUFLEN.size + size and count == 0

    def read_frame(self):
        """
        Read one frame, blocking

        :returns: ``(payload, buffers)`` with ``buffers`` a list of bytearrays
        :raises ChannelClosed: on EOF or a broken connection
        """
        buf = self._buffer
        head = _HEADER.size
        while len(buf) < head:
            buf = self._fill(buf)
        size, count = _HEADER.unpack_from(buf, 0)
        if count == 0:
            end = head + size
            if len(buf) >= end:
                # the common case: a small frame already complete in the buffer
                self._buffer = buf[end:]
                return buf[head:end], None
            if size > _LARGE:
                payload = self._read_exact_large(buf[head:], size)
                return payload, None
            while len(buf) < end:
                buf = self._fill(buf)
            self._buffer = buf[end:]
            return buf[head:end], None
        if count > MAX_BUFFERS:
            self.closed = True
            raise ChannelClosed('a frame announced %d buffers, more than %d' % (count, MAX_BUFFERS))
        table_end = head + count * _BUFLEN.size
        while len(buf) < table_end:
            buf = self._fill(buf)
        lengths = [_BUFLEN.unpack_from(buf, head + i * _BUFLEN.size)[0] for i in range(count)]
        self._buffer = buf[table_end:]
        payload = self._read_exact_large(self._buffer, size)
        shared = None
        if any(length & _IN_SHM for length in lengths):
            shared = self._receive_memfd([length & _LENGTH for length in lengths if length & _IN_SHM])
        buffers = []
        try:
            for length in lengths:
                if length & _IN_SHM:
                    buffers.append(shared.take(length))
                elif length & _AS_BYTES:
                    buffers.append(self._read_bytes(length & _LENGTH))
                else:
                    buffers.append(self._read_exact_large(self._buffer, length & _LENGTH, as_bytes=False))
        finally:
            if shared is not None:
                shared.close()
        return payload, buffers

    def _receive_memfd(self, lengths):
        """The memfd of the frame being read (it crossed on the side socket before the frame)"""
        if self.side is None:
            self.closed = True
            raise ChannelClosed('peer sent shared memory on a connection without a side socket')
        try:
            with InterruptsDeferred():
                tag, memfd = _shm.recv_fd(self.side)
        except (OSError, socket.error, EOFError) as err:
            self.closed = True
            raise ChannelClosed('connection lost while receiving shared memory: %s' % err)
        if memfd is None:
            self.closed = True
            raise ChannelClosed('side socket carried no descriptor')
        unpacked = _shm.Unpacked(memfd, lengths)
        unpacked.map_now()  # while the sender writes the data
        try:
            with InterruptsDeferred():
                tag, stray = _shm.recv_fd(self.side)
        except (OSError, socket.error, EOFError) as err:
            unpacked.close()
            self.closed = True
            raise ChannelClosed('connection lost while receiving shared memory: %s' % err)
        if stray is not None:
            os.close(stray)
        if tag != _shm.READY:
            unpacked.close()
            self.closed = True
            raise ChannelClosed('the sender could not write the shared memory of a frame' if tag == _shm.FAILED
                                else 'side socket out of order')
        return _SharedBuffers(unpacked)

    def _read_bytes(self, size):
        """Read ``size`` bytes into a new bytes object, straight from the socket if possible"""
        if self._buffer or size > RESERVE_LIMIT or _targets.usable(size):
            return self._read_exact_large(self._buffer, size)
        parts = []

        def receive(have):
            part = self.sock.recv(size - have, _MSG_WAITALL)
            parts.append(part)
            return len(part)
        self._receive_all(size, 0, receive)
        return parts[0] if len(parts) == 1 else b''.join(parts)

    def _receive_all(self, size, have, receive):
        """
        Call ``receive(have)`` (which returns how many bytes arrived) until ``size`` bytes
        are in, with SIGINT held back: the rest of the frame is on its way, finish it
        """
        try:
            with InterruptsDeferred():
                while have < size:
                    try:
                        got = receive(have)
                    except (OSError, socket.error) as err:
                        if getattr(err, 'errno', None) == errno.EINTR:
                            continue
                        raise ChannelClosed('connection lost while receiving: %s' % err)
                    if not got:
                        raise ChannelClosed('connection closed by peer')
                    have += got
        except ChannelClosed:
            self.closed = True
            raise

    def _fill(self, buf):
        """Receive more data onto ``buf``; keeps it in the channel before returning"""
        while True:
            try:
                chunk = self.sock.recv(_RECV_SIZE)
            except (OSError, socket.error) as err:
                if getattr(err, 'errno', None) == errno.EINTR:
                    continue
                self.closed = True
                raise ChannelClosed('connection lost while receiving: %s' % err)
            break
        if not chunk:
            self.closed = True
            raise ChannelClosed('connection closed by peer')
        buf = buf + chunk if buf else chunk
        self._buffer = buf
        return buf

    def _read_exact_large(self, already, size, as_bytes=True):
        """
        Read ``size`` bytes of which ``already`` (a prefix of the buffer) are present

        The target buffer is allocated up to EAGER_LIMIT at once; beyond, it grows as the
        data arrives, each step at most doubling it, so a header announcing gigabytes costs
        no more memory than what the peer really sent. Where the interpreter allows (see
        :py:mod:`cpy2py.wire.receive_targets`), a target up to RESERVE_LIMIT is the final
        object at once instead, in memory untouched until data arrives (address space only)
        and faulted in as huge pages.
        """
        if len(already) >= size:
            self._buffer = already[size:]
            data = already[:size]
            return data if as_bytes else bytearray(data)
        have = len(already)
        made = _targets.new_target(size, as_bytes) if size <= RESERVE_LIMIT else None
        if made is not None:
            target, view = made
            view[:have] = already
            self._buffer = b''
            self._receive_all(size, have, lambda have: self.sock.recv_into(view[have:], size - have))
            view.release()
            return target
        target = bytearray(min(size, max(EAGER_LIMIT, have)))
        target[:have] = already
        self._buffer = b''
        while True:
            view = memoryview(target)
            end = len(target)
            self._receive_all(end, have, lambda have: self.sock.recv_into(view[have:], end - have))
            view = None  # a bytearray with an exported view cannot grow
            have = end
            if have == size:
                break
            _grow(target, min(have, size - have))
        return bytes(target) if as_bytes else target

    def close(self):
        self.closed = True
        if self.side is not None:
            _shm.forget(self)  # memfds pooled after a transfer over this connection
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, socket.error):
            pass
        for sock in (self.sock, self.side):
            try:
                if sock is not None:
                    sock.close()
            except (OSError, socket.error):
                pass


class _SharedBuffers(object):
    """The buffers of one frame's memfd, taken in order (their lengths carry the flags)"""

    def __init__(self, unpacked):
        self.unpacked = unpacked
        self.index = 0

    def take(self, length):
        index, self.index = self.index, self.index + 1
        return self.unpacked.view(index, length & _LENGTH)

    def close(self):
        self.unpacked.close()
