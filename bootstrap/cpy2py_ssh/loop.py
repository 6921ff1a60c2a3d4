"""A single-threaded poll loop over non-blocking file descriptors, with write buffers

Hub, agent and stand-in each run one. Nothing here blocks: a slow reader only makes our
buffer for it grow.
"""
import errno
import fcntl
import heapq
import os
import select
import socket
import time

_READ_SIZE = 256 * 1024
_AGAIN = (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR)


def set_nonblocking(fd):
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)


def set_cloexec(fd):
    flags = fcntl.fcntl(fd, fcntl.F_GETFD)
    fcntl.fcntl(fd, fcntl.F_SETFD, flags | fcntl.FD_CLOEXEC)


class Stream(object):
    """One fd: ``on_data(bytes)`` for what arrives, ``on_close()`` once at EOF or error;
    ``write()`` queues. ``owner`` keeps a socket object alive (and closes it) with us."""

    def __init__(self, loop, fd, on_data=None, on_close=None, owner=None, write_fd=None):
        self.loop = loop
        self.fd = fd   # None: write-only
        self.write_fd = fd if write_fd is None else write_fd
        self.on_data = on_data
        self.on_close = on_close
        self.owner = owner
        self.closed = False
        self._out = []
        self._pending = 0
        self.close_when_flushed = False
        if fd is not None:
            set_nonblocking(fd)
        if self.write_fd is not None and self.write_fd != fd:
            set_nonblocking(self.write_fd)
        loop._add(self)

    # -- writing -------------------------------------------------------------
    def write(self, data):
        if self.closed or not data:
            return
        if not self._out:
            try:
                sent = os.write(self.write_fd, data)
            except OSError as err:
                if err.errno not in _AGAIN:
                    self.close()
                    return
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
            self._out.append(data)
            self._pending += len(data)
            self.loop._want_write(self, True)
        else:
            self._out.append(data)
            self._pending += len(data)

    def _flush(self):
        while self._out:
            data = self._out[0]
            try:
                sent = os.write(self.write_fd, data)
            except OSError as err:
                if err.errno in _AGAIN:
                    return
                self.close()
                return
            self._pending -= sent
            if sent < len(data):
                self._out[0] = data[sent:]
                return
            self._out.pop(0)
        self.loop._want_write(self, False)
        if self.close_when_flushed == 'linger':
            self._shut_write()
        elif self.close_when_flushed:
            self.close()

    def flush_blocking(self):
        """Writes what is queued, waiting as needed (the loop has ended), then closes"""
        if self.closed:
            return
        flags = fcntl.fcntl(self.write_fd, fcntl.F_GETFL)
        fcntl.fcntl(self.write_fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        try:
            for data in self._out:
                while data:
                    data = data[os.write(self.write_fd, data):]
        except OSError:
            pass
        self._out = []
        self.close()

    def pending(self):
        return self._pending

    def finish(self):
        """Close once everything queued is written"""
        if not self._out:
            self.close()
        else:
            self.close_when_flushed = True

    def say_goodbye(self, on_close):
        """For a socket: write what is queued, then shut our side down and read (and drop)
        until the peer closes, then close and call ``on_close()``. Closing an AF_UNIX socket
        that still holds unread data resets the connection: the peer would get ECONNRESET
        instead of what we wrote last."""
        self.on_data = None
        self.on_close = on_close
        self.close_when_flushed = 'linger'
        if not self._out:
            self._shut_write()

    def _shut_write(self):
        try:
            self.owner.shutdown(socket.SHUT_WR)
        except (socket.error, OSError):
            self.close()

    # -- reading -------------------------------------------------------------
    def _read_once(self):
        """Reads and delivers one chunk; False when nothing more is to be had now"""
        try:
            data = os.read(self.fd, _READ_SIZE)
        except OSError as err:
            if err.errno in _AGAIN:
                return False
            data = b''
        if not data:
            self.close()
            return False
        if self.on_data is not None:
            self.on_data(data)
        return True

    def _readable(self):
        self._read_once()

    def drain(self):
        """Read whatever is there right now (used when a process has exited)"""
        while not self.closed and self._read_once():
            pass

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.loop._remove(self)
        for fd in set((self.fd, self.write_fd)):
            if fd is None:
                continue
            if self.owner is not None and fd == self.owner.fileno():
                continue
            try:
                os.close(fd)
            except OSError:
                pass
        if self.owner is not None:
            try:
                self.owner.close()
            except Exception:
                pass
        if self.on_close is not None:
            callback, self.on_close = self.on_close, None
            callback()


class Timer(object):
    def __init__(self, when, callback):
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True

    def __lt__(self, other):
        return self.when < other.when


_IN = select.POLLIN | select.POLLHUP | select.POLLERR | select.POLLNVAL
_OUT = select.POLLOUT | select.POLLHUP | select.POLLERR | select.POLLNVAL


class Loop(object):
    """Each relayed frame costs one pass of ``run``: registrations stay in the poll object
    and change only when a stream starts or stops having queued output; an event goes
    straight to the bound method that handles it."""

    def __init__(self):
        self._poll = select.poll()
        self._by_fd = {}
        self._readers = {}   # fd -> callback() for plain readable fds (listeners, wake pipes)
        self._on_read = {}   # fd -> what to call when it is readable (or at EOF / error)
        self._on_write = {}  # fd -> Stream._flush while that stream has output queued
        self._masks = {}     # fd -> the mask registered with the poll object
        self._timers = []
        self.running = True

    def _update(self, fd):
        mask = 0
        stream = self._by_fd.get(fd)
        if fd in self._readers:
            mask |= select.POLLIN
            self._on_read[fd] = self._readers[fd]
        elif stream is not None and stream.fd == fd:
            mask |= select.POLLIN
            self._on_read[fd] = stream._readable
        else:
            self._on_read.pop(fd, None)
        if stream is not None and stream.write_fd == fd and stream._out:
            mask |= select.POLLOUT
            self._on_write[fd] = stream._flush
        else:
            self._on_write.pop(fd, None)
        if self._masks.get(fd, 0) == mask:
            return
        if mask:
            if fd in self._masks:
                self._poll.modify(fd, mask)
            else:
                self._poll.register(fd, mask)
            self._masks[fd] = mask
        else:
            del self._masks[fd]
            try:
                self._poll.unregister(fd)
            except (KeyError, ValueError):
                pass

    def _add(self, stream):
        for fd in (stream.fd, stream.write_fd):
            if fd is not None:
                self._by_fd[fd] = stream
                self._update(fd)

    def _remove(self, stream):
        for fd in (stream.fd, stream.write_fd):
            if fd is not None and self._by_fd.get(fd) is stream:
                del self._by_fd[fd]
                self._update(fd)

    def _want_write(self, stream, want):
        self._update(stream.write_fd)

    def add_reader(self, fd, callback):
        self._readers[fd] = callback
        self._update(fd)

    def remove_reader(self, fd):
        self._readers.pop(fd, None)
        self._update(fd)

    def on_signals(self, callback):
        """Calls ``callback()`` in the loop after any signal whose handler is installed
        (``signal.set_wakeup_fd``: the handler only has to note what happened)"""
        import signal
        wake_r, wake_w = os.pipe()
        for fd in (wake_r, wake_w):
            set_nonblocking(fd)
            set_cloexec(fd)
        signal.set_wakeup_fd(wake_w)

        def woken():
            try:
                while os.read(wake_r, 4096):
                    pass
            except OSError:
                pass
            callback()

        self.add_reader(wake_r, woken)

    def call_later(self, delay, callback):
        timer = Timer(time.time() + delay, callback)
        heapq.heappush(self._timers, timer)
        return timer

    def stop(self):
        self.running = False

    def run(self):
        while self.running:
            timeout = None
            now = time.time()
            while self._timers and (self._timers[0].cancelled or self._timers[0].when <= now):
                timer = heapq.heappop(self._timers)
                if not timer.cancelled:
                    timer.callback()
                    if not self.running:
                        return
                now = time.time()
            if self._timers:
                timeout = max(0, int((self._timers[0].when - now) * 1000) + 1)
            try:
                events = self._poll.poll(timeout)
            except (OSError, select.error) as err:
                if err.args and err.args[0] == errno.EINTR:
                    continue
                raise
            on_read, on_write = self._on_read, self._on_write
            for fd, flags in events:
                if flags & _OUT:
                    handler = on_write.get(fd)
                    if handler is not None:
                        handler()
                if flags & _IN:
                    handler = on_read.get(fd)
                    if handler is not None:
                        handler()
                if not self.running:
                    return
