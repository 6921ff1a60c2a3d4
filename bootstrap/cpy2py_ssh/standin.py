"""The local stand-in of one remote twin

The supervisor runs ``<local python> <bootstrap>/cpy2py_remote.py`` for a twin declared on
another host, exactly as it runs a local twin: control socket on fd 3, stdout and stderr on
pipes, its own process group. The stand-in finds (or starts) the hub of that host, asks it
to spawn the twin there, relays control lines and output, and ends as the remote twin
ended: same exit code or signal. A link that cannot be set up ends it with status 127 and
the reason on stderr; a link lost later with status 1.
"""
import fcntl
import json
import os
import signal
import socket
import sys

from cpy2py_ssh import errors, frames
from cpy2py_ssh.loop import Loop, Stream, set_cloexec

#: variables of the supervisor's environment that the remote twin needs too
_PASSED = ('CPY2PY_TOKEN', 'CPY2PY_TWIN_ID', 'CPY2PY_MAIN_ID', 'CPY2PY_TWINS', 'CPY2PY_MAIN_FILE',
           'CPY2PY_MAIN_MODULE', 'CPY2PY_DEBUG', 'CPY2PY_SPIN_US', 'CPY2PY_STATS')

try:
    MAXFD = os.sysconf('SC_OPEN_MAX')
except (AttributeError, ValueError, OSError):
    MAXFD = 1024


def hub_path(run_dir, spec):
    return os.path.join(run_dir, '@ssh-%s.sock' % spec['link'])


def connect_hub(run_dir, spec):
    """A socket to the hub of this twin's host, starting the hub when there is none. A
    hub that is ending (its last stand-in just left) closes without HELLO: try again."""
    for _ in range(20):
        sock = _connect_or_start_hub(run_dir, spec)
        sock.settimeout(30)
        hello = b''
        try:
            while len(hello) < frames.HEADER.size:
                chunk = sock.recv(frames.HEADER.size - len(hello))
                if not chunk:
                    break
                hello += chunk
        except socket.error:
            hello = b''
        if len(hello) == frames.HEADER.size and frames.HEADER.unpack(hello)[1] == frames.HELLO:
            sock.settimeout(None)
            return sock
        sock.close()
    raise SystemExit('cpy2py-run: cannot get a working connection to the ssh hub of host %r' % spec['host'])


def _connect_or_start_hub(run_dir, spec):
    path = hub_path(run_dir, spec)
    lock = os.open(path[:-len('.sock')] + '.lock', os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except socket.error:
            sock.close()
        try:
            os.unlink(path)
        except OSError:
            pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(64)
        start_hub(listener, spec, run_dir)
        listener.close()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(path)
        return sock
    finally:
        os.close(lock)


def start_hub(listener, spec, run_dir):
    """Forks the hub into a session of its own (the supervisor's group kills must not
    reach it: it serves every twin of the host); it ends when its stand-ins are gone"""
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        keep = listener.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, MAXFD)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        from cpy2py_ssh.hub import Hub
        Hub(listener, spec, run_dir, os.environ['CPY2PY_BOOTSTRAP']).run()
    finally:
        os._exit(0)


def spawn_request(spec):
    """What the agent needs to start this twin there: interpreter, arguments, environment"""
    env = dict(spec.get('env', {}))
    for name in _PASSED:
        if name in os.environ:
            env[name] = os.environ[name]
    return {
        'id': os.environ.get('CPY2PY_TWIN_ID'),
        'interpreter': spec.get('interpreter'),
        'search': spec.get('search'),
        'venv': spec.get('venv'),
        'args': spec.get('args', []),
        'env': env,
        'cwd': os.getcwd(),
    }


class StandIn(object):
    def __init__(self, spec, run_dir):
        self.spec = spec
        self.loop = Loop()
        self.reader = frames.FrameReader()
        control_fd = int(os.environ.get('CPY2PY_CONTROL_FD', '3'))
        set_cloexec(control_fd)
        sock = connect_hub(run_dir, spec)
        set_cloexec(sock.fileno())
        self.hub = Stream(self.loop, sock.fileno(), self.on_hub, self.on_hub_lost, owner=sock)
        self.control = Stream(self.loop, control_fd, self.on_control, self.on_control_lost)
        self.out = Stream(self.loop, None, write_fd=1)
        self.err = Stream(self.loop, None, write_fd=2)
        self._signals = []
        # Until the remote twin says anything, the link may still be connecting (seconds,
        # or until ready_timeout for a host that does not answer): nothing there could act on
        # a SHUTDOWN or a signal, so the stand-in ends at once instead of holding up the end
        # of the run by the shutdown grace twice; the hub kills the twin should it appear.
        self.heard = False
        self.loop.on_signals(self.relay_signals)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def run(self):
        request = spawn_request(self.spec)
        self.hub.write(frames.pack(0, frames.SPAWN, json.dumps(request).encode('utf-8')))
        self.loop.run()

    def _on_signal(self, sig, frame):
        self._signals.append(sig)

    def relay_signals(self):
        while self._signals:
            sig = self._signals.pop(0)
            if not self.heard:
                self.end(None, sig)
            self.hub.write(frames.pack(0, frames.SIGNAL, str(sig).encode('ascii')))

    def on_control(self, data):
        if not self.heard and b'SHUTDOWN' in data:
            self.end(0, None)
        self.hub.write(frames.pack(0, frames.CTRL, data))

    def on_control_lost(self):
        self.end(1, None)   # the supervisor is gone: the hub kills the twin when we leave

    def on_hub(self, data):
        for _, kind, payload in self.reader.feed(data):
            if kind in (frames.CTRL, frames.OUT, frames.ERR):
                self.heard = True
            if kind == frames.CTRL:
                self.control.write(payload)
            elif kind == frames.OUT:
                self.out.write(payload)
            elif kind == frames.ERR:
                self.err.write(payload)
            elif kind == frames.EXIT:
                what, _, value = payload.decode('utf-8', 'replace').partition(' ')
                if what == 'code':
                    self.end(int(value), None)
                elif what == 'signal':
                    self.end(None, int(value))
                else:
                    self.end(errors.NOT_FOUND, None, 'cpy2py-run: ' + value)
            elif kind == frames.FAIL:
                status, _, message = payload.decode('utf-8', 'replace').partition(' ')
                self.end(int(status), None, 'cpy2py-run: ' + message)

    def on_hub_lost(self):
        self.end(errors.LOST, None, 'cpy2py-run: lost the connection to the ssh hub of host %r' % self.spec['host'])

    def end(self, code, sig, message=None):
        if message:
            self.err.write((message + '\n').encode('utf-8'))
        for stream in (self.out, self.err, self.control, self.hub):
            stream.on_close = None
        for stream in (self.out, self.err, self.control):
            stream.flush_blocking()
        if sig is not None:
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, RuntimeError, ValueError):
                pass   # SIGKILL (the remote OOM killer, kill -9): its action cannot be set, nor needs to be
            os.kill(os.getpid(), sig)
            code = 128 + sig
        os._exit(code)


def check(spec, bootstrap_dir):
    """``--check``: connect, ship the runtime, report what answered (or, for a searched
    interpreter, what the agent's search found there), disconnect"""
    from cpy2py_ssh.link import Link
    loop = Loop()
    result = {}
    search = spec.get('search')

    def ready(info):
        result['info'] = info
        if not search:
            loop.stop()
            return
        request = {'id': spec.get('id'), 'search': search, 'env': spec.get('env', {})}
        link.send(1, frames.RESOLVE, json.dumps(request).encode('utf-8'))

    def on_frame(channel, kind, payload):
        if kind == frames.RESOLVE:
            result['found'] = json.loads(payload.decode('utf-8'))
            loop.stop()

    link = Link(loop, spec, bootstrap_dir, ready, on_frame, _failure_into(result, loop))
    _run_alone(link, loop, spec)
    if 'fail' in result:
        return _check_failed(*result['fail'])
    if search:
        found = result['found']
        if 'error' in found:
            return _check_failed(errors.NOT_FOUND, found['error'])
        where = found['source'] + (' ' + found['label'] if found['label'] else '')
        sys.stdout.write('location: %s:%s\nfound: %s\nreason: %s\n%s %s %d\n' % (
            spec['host'], found['path'], where, found['reason'], found['implementation'], found['version'],
            found['protocol']))
        return 0
    pid, implementation, version, protocol, executable = result['info']
    sys.stdout.write('location: %s:%s\n%s %s %d\n' % (spec['host'], executable, implementation, version, protocol))
    return 0


def _failure_into(result, loop):
    """A link's failure handler for a one-off link: ``(status, message)`` into ``result['fail']``"""
    def fail(status, message):
        result['fail'] = (status, message)
        loop.stop()
    return fail


def _run_alone(link, loop, spec):
    """Run a one-off ``link`` (no other twin shares it) until a handler stops ``loop``"""
    link.start({'host': spec['host'], 'heartbeat': spec.get('heartbeat', 10.0), 'elsewhere': [],
                'here': [spec.get('id') or '']})
    loop.run()
    link.close(patience=2.0)


def check_import(spec, bootstrap_dir):
    """``--check SCRIPT``: the import checker (``cpy2py_check.py``) runs on that host, in
    the twin's interpreter and environment, with the main host's modules served as at run
    time; its output becomes ours and its exit status our status"""
    from cpy2py_ssh import modules
    from cpy2py_ssh.link import Link
    loop = Loop()
    result = {}
    roots = modules.import_roots(os.environ, bootstrap_dir)

    def ready(info):
        request = spawn_request(spec)
        request['entry'] = 'check'
        link.send(1, frames.SPAWN, json.dumps(request).encode('utf-8'))

    def on_frame(channel, kind, payload):
        if kind == frames.OUT:
            os.write(1, payload)
        elif kind == frames.ERR:
            os.write(2, payload)
        elif kind == frames.MODULE:
            name = payload.decode('utf-8', 'replace')
            link.send(channel, frames.MODULE, modules.answer(name, roots, os.environ.get('CPY2PY_MAIN_FILE')))
        elif kind == frames.EXIT:
            result['exit'] = payload.decode('utf-8', 'replace')
            loop.stop()

    link = Link(loop, spec, bootstrap_dir, ready, on_frame, _failure_into(result, loop))
    _run_alone(link, loop, spec)
    if 'fail' in result:
        sys.stderr.write(result['fail'][1] + '\n')
        return result['fail'][0]
    what, _, value = result['exit'].partition(' ')
    if what == 'code':
        return int(value)
    if what == 'signal':
        return 128 + int(value)
    sys.stderr.write('cpy2py-run: %s\n' % value)
    return errors.NOT_FOUND


def _check_failed(status, message):
    """The reason on stderr and, whole, on an "error: " line that --check reads"""
    sys.stderr.write(message + '\n')
    sys.stdout.write('error: %s\n' % message.replace('\n', ' '))
    return status


def main(argv):
    spec = json.loads(os.environ['CPY2PY_SSH_TWIN'])
    bootstrap_dir = os.environ.get('CPY2PY_BOOTSTRAP') or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if '--check-import' in argv:
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        return check_import(spec, bootstrap_dir)
    if '--check' in argv:
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        return check(spec, bootstrap_dir)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    StandIn(spec, os.environ['CPY2PY_RUN_DIR']).run()
    return 1
