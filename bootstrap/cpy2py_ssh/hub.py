"""The hub: one per remote host and run, owning that host's ssh connection

Started (forked, in a session of its own) by the first stand-in that needs the host; it
listens on ``<run dir>/@ssh-<link>.sock`` for stand-ins and on ``<run dir>/<id>.sock`` for
every twin of its host, so local peers connect to a remote twin exactly as to a local one.
It ends when its last stand-in is gone, or when the link fails (every stand-in is told).
"""
import errno
import os
import socket

from cpy2py_ssh import forward, frames, modules
from cpy2py_ssh.link import Link
from cpy2py_ssh.loop import Loop, Stream, set_cloexec
from cpy2py_ssh.switch import Switch


class Hub(object):
    def __init__(self, listener, spec, run_dir, bootstrap_dir):
        self.loop = Loop()
        self.spec = spec
        self.run_dir = run_dir
        self.listener = listener
        self.standins = {}     # channel -> Stream to that stand-in
        self.leaving = []      # streams to stand-ins that were sent their last frame
        self.ending = False    # the hub is ending once `leaving` is empty
        self.seen_standin = False
        self.link = Link(self.loop, spec, bootstrap_dir, self.on_ready, self.on_link_frame, self.on_fail)
        self.switch = Switch(self.loop, self.link.send, run_dir, 2)
        self.module_roots = modules.import_roots(os.environ, bootstrap_dir)
        listener.setblocking(False)
        self.loop.add_reader(listener.fileno(), self.on_accept)

    def run(self):
        settings = {
            'host': self.spec['host'],
            'heartbeat': self.spec.get('heartbeat', 10.0),
            'elsewhere': self.spec.get('elsewhere', []),
            'here': self.spec.get('here', []),
        }
        here = self.spec.get('here', [])
        self.forwards = {}   # twin id -> the ssh client's forwarding socket for it
        ssh_options = []
        far = forward.remote_dir()
        link = self.spec['link']
        probe = (forward.local_socket(self.run_dir, link, forward.PROBE), far + '/' + forward.PROBE)
        if here and forward.usable(self.spec['ssh'], self.run_dir) and forward.fits(*probe):
            settings['forward_dir'] = far
            pairs = [probe]
            for twin_id in filter(forward.plain, here):
                pair = (forward.local_socket(self.run_dir, link, twin_id + '.sock'), '%s/%s.sock' % (far, twin_id))
                if forward.fits(*pair):   # else that twin's connections stay relayed
                    self.forwards[twin_id] = pair[0]
                    pairs.append(pair)
            ssh_options = forward.options(pairs)
            self.probe_path = pairs[0][0]
            self.link.on_pong = self.on_first_pong
        self.link.start(settings, ssh_options)
        for twin_id in here:
            self.switch.listen(twin_id)
        try:
            self.loop.run()
        finally:
            self.flush()
            self.switch.close_all()
            self.link.close()
            self._remove_forward_sockets()

    def on_ready(self, info):
        if self.forwards:
            self.link.send(0, frames.PING)   # its PONG: the agent's loop (and probe) runs

    def on_first_pong(self):
        self.link.on_pong = None
        forward.probe(self.loop, self.probe_path, self.on_probed)

    def on_probed(self, works):
        if not works or self.listener is None:
            return
        for twin_id, path in self.forwards.items():
            if os.path.exists(path):   # ssh could bind it (a path too long for AF_UNIX: no)
                self.switch.hand_over(twin_id, path)

    def _remove_forward_sockets(self):
        for path in list(getattr(self, 'forwards', {}).values()) + [getattr(self, 'probe_path', None)]:
            if path:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    # -- stand-ins --------------------------------------------------------------
    def on_accept(self):
        try:
            conn, _ = self.listener.accept()
        except socket.error as err:
            if err.args and err.args[0] in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                return
            raise
        set_cloexec(conn.fileno())
        channel = self.switch.new_channel()
        reader = frames.FrameReader()
        link = self.link

        def on_data(data):
            for _, kind, payload in reader.feed(data):
                link.send(channel, kind, payload)

        def on_close():
            if self.standins.pop(channel, None) is not None:
                link.send(channel, frames.SIGNAL, b'9')
            if not self.standins:
                self.shutdown()

        self.standins[channel] = Stream(self.loop, conn.fileno(), on_data, on_close, owner=conn)
        self.standins[channel].write(frames.pack(0, frames.HELLO))
        self.seen_standin = True

    # -- the link -----------------------------------------------------------------
    def on_link_frame(self, channel, kind, payload):
        if kind == frames.DATA:   # the hot path first: bytes of a peer connection
            stream = self.switch.channels.get(channel)
            if stream is not None:
                stream.write(payload)
        elif kind in (frames.CTRL, frames.OUT, frames.ERR, frames.EXIT):
            standin = self.standins.get(channel)
            if standin is not None:
                standin.write(frames.pack(0, kind, payload))
                if kind == frames.EXIT:
                    del self.standins[channel]
                    self._last_words(standin)
                    if not self.standins:
                        self.shutdown()
        elif kind == frames.MODULE:
            name = payload.decode('utf-8', 'replace')
            self.link.send(channel, frames.MODULE,
                           modules.answer(name, self.module_roots, os.environ.get('CPY2PY_MAIN_FILE')))
        else:
            self.switch.on_frame(channel, kind, payload)

    def on_fail(self, status, message):
        self.failure = (status, message)
        self.switch.close_all()
        self._close_listener()
        note = frames.pack(0, frames.FAIL, ('%d %s' % (status, message)).encode('utf-8'))
        for standin in list(self.standins.values()):
            standin.write(note)
            self._last_words(standin)
        self.standins.clear()
        self._end()

    def _last_words(self, standin):
        """Close once the last frame is written and the stand-in has closed its end"""
        self.leaving.append(standin)

        def gone():
            self.leaving.remove(standin)
            self._maybe_stop()

        standin.say_goodbye(gone)

    def _maybe_stop(self):
        if self.ending and not self.leaving:
            self.loop.stop()

    def _end(self):
        """Stop the loop once every stand-in has had our last frame (at most 5 s)"""
        self.ending = True
        self.loop.call_later(5.0, self.loop.stop)
        self._maybe_stop()

    def flush(self):
        """After the loop: what is still queued for stand-ins, written blocking"""
        for stream in list(self.leaving):
            stream.flush_blocking()

    def _close_listener(self):
        if self.listener is not None:
            self.loop.remove_reader(self.listener.fileno())
            try:
                os.unlink(self.listener.getsockname())
            except (OSError, socket.error, TypeError):
                pass
            self.listener.close()
            self.listener = None

    def shutdown(self):
        self._close_listener()
        self.switch.close_all()
        self.link.close(patience=2.0)
        self._end()
