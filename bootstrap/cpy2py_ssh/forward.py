"""The fast path for calls into remote twins: OpenSSH's own Unix-socket forwarding

Relaying a peer connection through the hub and the agent costs four Python wake-ups per
call on top of the ssh client and sshd. Instead, the ssh client is started with one
``-L <run dir>/@fwd-<id>.sock:<remote>/<id>.sock`` per twin of the host: it listens
locally, and for each connection sshd connects to the twin's own socket, so the bytes go
main -> ssh -> sshd -> twin exactly as a plain ping-pong over ssh does, over the same
connection. The remote directory must be named before ssh starts, so the hub picks
``/tmp/cpy2py-fwd-<random>`` and the agent makes it a symbolic link to its private run
directory. Once a probe through the forwarding (the agent's ``@probe.sock`` answers
``!``) shows it works, the hub replaces its listener ``<run dir>/<id>.sock`` by a
symbolic link to the ssh client's socket; until then, or when the server refuses
forwarding (``AllowStreamLocalForwarding no``, ``ClearAllForwardings``...), connections
stay relayed as channels. A failed connect at the far end closes the connection, as the
relay's CLOSE does: the peer takes it as "not listening yet".
"""
import binascii
import os
import socket

from cpy2py_ssh.loop import Stream, set_cloexec

PROBE = '@probe.sock'
ANSWER = b'!'
_UNSAFE = (':', '[', ']', ' ', '\n')


def usable(ssh_argv, run_dir):
    """Only the OpenSSH client takes -L, and its syntax has no quoting"""
    return (os.path.basename(ssh_argv[0]) == 'ssh'
            and not any(c in run_dir for c in _UNSAFE))


#: the longest AF_UNIX socket path, in bytes (Linux: 108 with the terminating NUL)
_MAX_SOCKET_PATH = 107


def fits(*paths):
    """Whether ssh can bind (here) and connect (there) these socket paths: a longer one makes
    ssh refuse its whole command line ("Bad local forwarding specification")"""
    return all(len(path.encode('utf-8')) <= _MAX_SOCKET_PATH for path in paths)


def plain(name):
    """A name that -L takes as it is"""
    return not any(c in name for c in _UNSAFE + ('/',))


def remote_dir():
    return '/tmp/cpy2py-fwd-' + binascii.hexlify(os.urandom(16)).decode('ascii')


def local_socket(run_dir, link, name):
    return os.path.join(run_dir, '@fwd-%s-%s' % (link, name))


def options(pairs):
    argv = []
    for local, remote in pairs:
        argv += ['-L', '%s:%s' % (local, remote)]
    return argv


def probe(loop, path, on_result, patience=10.0):
    """Connects to ``path`` (the forwarded probe socket); ``on_result(True)`` once ANSWER
    comes through, ``on_result(False)`` at EOF, error or after ``patience`` seconds"""
    done = []

    def result(ok):
        if not done:
            done.append(ok)
            timer.cancel()
            on_result(ok)

    def give_up():
        result(False)
        if stream is not None:
            stream.close()

    stream = None
    timer = loop.call_later(patience, give_up)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    set_cloexec(sock.fileno())
    try:
        sock.connect(path)
    except socket.error:
        sock.close()
        loop.call_later(0, lambda: result(False))
        return

    def on_data(data):
        if ANSWER in data:
            result(True)
            stream.close()

    stream = Stream(loop, sock.fileno(), on_data, lambda: result(False), owner=sock)


class ProbeServer(object):
    """The agent's side: answers every connection to ``<run dir>/@probe.sock``"""

    def __init__(self, loop, run_dir):
        self.loop = loop
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(self.sock.fileno())
        self.sock.bind(os.path.join(run_dir, PROBE))
        self.sock.listen(8)
        self.sock.setblocking(False)
        loop.add_reader(self.sock.fileno(), self._accept)

    def _accept(self):
        try:
            conn, _ = self.sock.accept()
        except socket.error:
            return
        try:
            conn.setblocking(True)
            conn.sendall(ANSWER)
            conn.shutdown(socket.SHUT_WR)
        except socket.error:
            pass
        conn.close()


def link_run_dir(settings, run_dir):
    """The agent's side: ``settings['forward_dir']`` -> our run directory; the path made,
    or None"""
    path = settings.get('forward_dir')
    if not path:
        return None
    try:
        os.symlink(run_dir, path)
    except OSError:
        return None
    return path
