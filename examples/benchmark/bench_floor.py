# -*- coding: utf-8 -*-
"""
The floor: the same call with no runtime around it

A child process (forked, or any interpreter started with an inherited socket) reads
length-prefixed pickles ``(function, args, kwargs)`` from an AF_UNIX socketpair, calls
them and sends back the pickled result. The parent pickles the call once at the highest
protocol both ends speak, and per round trip sends it, reads the reply and unpickles it:
the least any Python RPC over a socket can cost. Runs on Python 2.7 too.
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
_HERE = os.path.dirname(os.path.abspath(__file__))


def serve(sock):
    """Child side: announce our highest protocol, then answer calls until EOF"""
    unpack_from, pack = _HEADER.unpack_from, _HEADER.pack
    loads, dumps, recv, sendall = pickle.loads, pickle.dumps, sock.recv, sock.sendall
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


def _serve_fd(fd):
    serve(socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM))


class FloorPeer(object):
    """Parent side of one floor child"""

    def __init__(self, sock, child, label):
        self.sock = sock
        self.child = child  # a pid (forked) or a Popen
        self.label = label
        theirs = bytearray(sock.recv(1))[0]
        self.protocol = min(theirs, pickle.HIGHEST_PROTOCOL)
        sock.sendall(bytearray([self.protocol]))

    @classmethod
    def fork(cls, label='forked child'):
        """A forked copy of this interpreter (do this before any thread starts)"""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            try:
                parent.close()
                serve(child)
            finally:
                os._exit(0)
        child.close()
        return cls(parent, pid, label)

    @classmethod
    def spawn(cls, executable, label=None):
        """Another interpreter, started with one end of the socketpair inherited"""
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        code = ('import sys; sys.path.insert(0, %r); import bench_floor; '
                'bench_floor._serve_fd(int(sys.argv[1]))' % _HERE)
        process = subprocess.Popen([executable, '-c', code, str(child.fileno())],
                                   pass_fds=(child.fileno(),))
        child.close()
        return cls(parent, process, label or executable)

    def run(self, count, call=(time.time, (), {})):
        """Seconds per round trip of ``call`` over ``count`` round trips"""
        message = pickle.dumps(call, self.protocol)
        frame = _HEADER.pack(len(message)) + message
        sock, loads, unpack_from = self.sock, pickle.loads, _HEADER.unpack_from
        buf = b''
        start = time.perf_counter()
        for _ in range(count):
            sock.sendall(frame)
            while len(buf) < 4:
                buf += sock.recv(_RECV)
            end = 4 + unpack_from(buf)[0]
            while len(buf) < end:
                buf += sock.recv(_RECV)
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
    peer = FloorPeer.spawn(sys.argv[1]) if len(sys.argv) > 1 else FloorPeer.fork()
    peer.run(20000)
    print('%s: %.2f µs per call' % (peer.label, 1e6 * min(peer.run(5000) for _ in range(10))))
    peer.close()
