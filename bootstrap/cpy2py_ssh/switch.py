"""Peer connections carried as channels of one frame stream (hub and agent alike)

A Python peer connects to ``<run dir>/<id>.sock``; when ``id`` lives on the other side of
the link, the socket belongs to us: we accept, send OPEN with the id and relay the bytes
as DATA frames; the other side connects to the real socket of ``id`` there. A failed
connect there comes back as CLOSE, and the peer sees EOF during its handshake, which the
runtime treats as "not listening (yet)": it asks the supervisor to start the twin and
tries again. The handshake (token proof) stays end to end between the Python peers.
"""
import errno
import os
import socket

from cpy2py_ssh import frames
from cpy2py_ssh.loop import Stream, set_cloexec


def socket_path(run_dir, twin_id):
    return os.path.join(run_dir, twin_id + '.sock')


class Switch(object):
    def __init__(self, loop, send, run_dir, first_channel):
        self.loop = loop
        self.send = send                 # send(channel, kind, payload)
        self.run_dir = run_dir
        self._next = first_channel       # hub: even numbers, agent: odd ones
        self.channels = {}               # channel -> Stream of a peer connection
        self.listeners = {}              # twin id -> listening socket
        self.handed_over = set()         # ids whose socket is now the ssh client's (forward.py)

    def new_channel(self):
        channel = self._next
        self._next += 2
        return channel

    # -- our sockets for ids on the other side ------------------------------
    def listen(self, twin_id):
        path = socket_path(self.run_dir, twin_id)
        try:
            os.unlink(path)
        except OSError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(sock.fileno())
        sock.bind(path)
        sock.listen(64)
        sock.setblocking(False)
        self.listeners[twin_id] = sock
        self.loop.add_reader(sock.fileno(), lambda: self._accept(twin_id, sock))

    def _accept(self, twin_id, sock):
        try:
            conn, _ = sock.accept()
        except socket.error as err:
            if err.args and err.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                return
            raise
        set_cloexec(conn.fileno())
        channel = self.new_channel()
        self.send(channel, frames.OPEN, twin_id.encode('utf-8'))
        self._attach(channel, conn)

    def hand_over(self, twin_id, target):
        """From now on ``<id>.sock`` is a symbolic link to ``target`` (see forward.py):
        new connections go there; those already queued on our socket are still relayed"""
        sock = self.listeners.get(twin_id)
        if sock is None:
            return
        path = socket_path(self.run_dir, twin_id)
        temporary = path + '.new'
        try:
            os.symlink(target, temporary)
            os.rename(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            return
        self.handed_over.add(twin_id)
        del self.listeners[twin_id]
        self.loop.remove_reader(sock.fileno())
        while True:
            try:
                conn, _ = sock.accept()
            except socket.error:
                break
            set_cloexec(conn.fileno())
            channel = self.new_channel()
            self.send(channel, frames.OPEN, twin_id.encode('utf-8'))
            self._attach(channel, conn)
        sock.close()

    def close_listeners(self):
        for twin_id, sock in list(self.listeners.items()):
            self.loop.remove_reader(sock.fileno())
            try:
                os.unlink(socket_path(self.run_dir, twin_id))
            except OSError:
                pass
            sock.close()
        self.listeners.clear()
        for twin_id in self.handed_over:
            try:
                os.unlink(socket_path(self.run_dir, twin_id))
            except OSError:
                pass
        self.handed_over.clear()

    # -- frames from the other side -----------------------------------------
    def on_frame(self, channel, kind, payload):
        if kind == frames.DATA:
            stream = self.channels.get(channel)
            if stream is not None:
                stream.write(payload)
        elif kind == frames.OPEN:
            self._open(channel, payload.decode('utf-8'))
        elif kind == frames.CLOSE:
            stream = self.channels.pop(channel, None)
            if stream is not None:
                stream.say_goodbye(None)

    def _open(self, channel, twin_id):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(sock.fileno())
        try:
            sock.connect(socket_path(self.run_dir, twin_id))
        except socket.error:
            sock.close()
            self.send(channel, frames.CLOSE, b'')
            return
        self._attach(channel, sock)

    def _attach(self, channel, sock):
        send = self.send
        kind, most = frames.DATA, frames.MAX_PAYLOAD

        def on_data(data):
            if len(data) <= most:   # always, with reads of 256 KiB
                send(channel, kind, data)
                return
            for piece in frames.split(data):
                send(channel, kind, piece)

        def on_close():
            if self.channels.pop(channel, None) is not None:
                send(channel, frames.CLOSE, b'')

        self.channels[channel] = Stream(self.loop, sock.fileno(), on_data, on_close, owner=sock)

    def close_all(self):
        for stream in list(self.channels.values()):
            stream.on_close = None
            stream.close()
        self.channels.clear()
        self.close_listeners()
