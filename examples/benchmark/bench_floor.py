# -*- coding: utf-8 -*-
"""
The floor: the same call with no runtime around it

A child process (forked, or any interpreter started with an inherited socket) reads
length-prefixed pickles ``(function, args, kwargs)`` from an AF_UNIX socketpair, calls
them and sends back the pickled result. The parent pickles the call once at the highest
protocol both ends speak, and per round trip sends it, reads the reply and unpickles it:
the least any Python RPC over a socket can cost. Runs on Python 2.7 too.

The *spinning* floor waits the way the runtime does (docs/DESIGN.md, "Spinning"): before
blocking, each end tries non-blocking receives for up to 100 µs, yielding the CPU
(``sched_yield``) before each try, so neither end pays a cross-CPU wake-up when the answer
comes quickly. Both floors are kept: the blocking one is the classic ping-pong, the
spinning one what a call costs with the runtime's waiting and no runtime around it.
"""
import os
import pickle
import socket
import struct
import subprocess
import sys
import time

_HEADER = struct.Struct('<I')
_RECV = 65536
_DONTWAIT = getattr(socket, 'MSG_DONTWAIT', 0x40)
SPIN_SECONDS = 100e-6
_clock = getattr(time, 'perf_counter', time.time)


def _find_sched_yield():
    function = getattr(os, 'sched_yield', None)
    if function is None:  # Python 2
        import ctypes
        function = ctypes.CDLL(None).sched_yield
    return function


def spinning_recv(sock, size, _yield=None, clock=_clock):
    """``sock.recv(size)``, spinning first: non-blocking tries for SPIN_SECONDS, then block"""
    sched_yield = _yield or _find_sched_yield()
    end = None
    while True:
        sched_yield()
        try:
            return sock.recv(size, _DONTWAIT)
        except (OSError, socket.error):  # EAGAIN
            pass
        if end is None:
            end = clock() + SPIN_SECONDS
        elif clock() > end:
            return sock.recv(size)
_HERE = os.path.dirname(os.path.abspath(__file__))


def serve(sock, spin=False):
    """Child side: announce our highest protocol, then answer calls until EOF"""
    unpack_from, pack = _HEADER.unpack_from, _HEADER.pack
    loads, dumps, sendall = pickle.loads, pickle.dumps, sock.sendall
    recv = sock.recv
    if spin:
        sched_yield = _find_sched_yield()

        def recv(size):
            return spinning_recv(sock, size, sched_yield)
    sendall(bytearray([pickle.HIGHEST_PROTOCOL]))
    protocol = bytearray(recv(1))[0]
    buf = b''
    while True:
        while len(buf) < 4:
            chunk = recv(_RECV)
            if not chunk:
                return
            buf += chunk
        end = 4 + unpack_from(buf)[0]
        while len(buf) < end:
            chunk = recv(_RECV)
            if not chunk:
                return
            buf += chunk
        function, args, kwargs = loads(buf[4:end])
        buf = buf[end:]
        reply = dumps(function(*args, **kwargs), protocol)
        sendall(pack(len(reply)) + reply)


def _serve_fd(fd, spin=False):
    serve(socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM), spin)


class FloorPeer(object):
    """Parent side of one floor child"""

    def __init__(self, sock, child, label, spin=False):
        self.sock = sock
        #: whether both ends spin before blocking (the spinning floor)
        self.spin = spin
        self.child = child  # a pid (forked) or a Popen
        self.label = label
        theirs = bytearray(sock.recv(1))[0]
        self.protocol = min(theirs, pickle.HIGHEST_PROTOCOL)
        sock.sendall(bytearray([self.protocol]))

    @classmethod
    def fork(cls, label='forked child', spin=False):
        """A forked copy of this interpreter (do this before any thread starts)"""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                serve(child, spin)
            finally:
                os._exit(0)
        child.close()
        return cls(parent, pid, label, spin)

    @classmethod
    def spawn(cls, executable, label=None, spin=False, wrapper=()):
        """Another interpreter, started with one end of the socketpair inherited
        (``wrapper``: a command prefix such as valgrind's)"""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        code = ('import sys; sys.path.insert(0, %r); import bench_floor; '
                'bench_floor._serve_fd(int(sys.argv[1]), %r)' % (_HERE, spin))
        process = subprocess.Popen(list(wrapper) + [executable, '-c', code, str(child.fileno())],
                                   pass_fds=(child.fileno(),))
        child.close()
        return cls(parent, process, label or executable, spin)

    def run(self, count, call=(time.time, (), {})):
        """Seconds per round trip of ``call`` over ``count`` round trips"""
        message = pickle.dumps(call, self.protocol)
        frame = _HEADER.pack(len(message)) + message
        sock, loads, unpack_from = self.sock, pickle.loads, _HEADER.unpack_from
        recv = sock.recv
        if self.spin:
            sched_yield = _find_sched_yield()

            def recv(size):
                return spinning_recv(sock, size, sched_yield)
        buf = b''
        start = time.perf_counter()
        for _ in range(count):
            sock.sendall(frame)
            while len(buf) < 4:
                buf += recv(_RECV)
            end = 4 + unpack_from(buf)[0]
            while len(buf) < end:
                buf += recv(_RECV)
            loads(buf[4:end])
            buf = buf[end:]
        return (time.perf_counter() - start) / count

    def close(self):
        self.sock.close()
        if isinstance(self.child, int):
            os.waitpid(self.child, 0)
        else:
            self.child.wait()


if __name__ == '__main__':
    for spinning in (False, True):
        peer = FloorPeer.spawn(sys.argv[1], spin=spinning) if len(sys.argv) > 1 else FloorPeer.fork(spin=spinning)
        peer.run(20000)
        print('%s%s: %.2f µs per call' % (peer.label, ', spinning' if spinning else '',
                                          1e6 * min(peer.run(5000) for _ in range(10))))
        peer.close()
