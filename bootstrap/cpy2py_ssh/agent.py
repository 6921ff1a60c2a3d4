"""The host agent: runs on the remote host, at the far end of the ssh connection

Started by the loader (``shipping.LOADER``) once the runtime is unpacked into the private
run directory. Reads frames on stdin and writes frames on stdout; spawns the twins the hub
asks for, each in its own process group with a control socketpair and output pipes
relayed as frames; relays peer connections (``switch``). Exits, killing its twins and
removing the run directory, at stdin EOF or when no frame came for ``heartbeat`` seconds.
"""
import json
import os
import shutil
import signal
import socket
import struct
import sys
import time

from cpy2py_ssh import forward, frames, heartbeat, interpreters
from cpy2py_ssh.janitor import Janitor
from cpy2py_ssh.loop import Loop, Stream, set_cloexec
from cpy2py_ssh.switch import Switch

_DATA = frames.DATA

try:
    MAXFD = os.sysconf('SC_OPEN_MAX')
except (AttributeError, ValueError, OSError):
    MAXFD = 1024


def native(text):
    """Environment and argv entries as this Python's ``str`` (bytes on Python 2)"""
    if sys.version_info[0] < 3 and not isinstance(text, str):
        return text.encode('utf-8')
    return text


def native_tree(value):
    """``native`` applied to every string of a JSON value"""
    if isinstance(value, dict):
        return dict((native(k), native_tree(v)) for k, v in value.items())
    if isinstance(value, list):
        return [native_tree(v) for v in value]
    return native(value) if isinstance(value, type(u'')) else value


def find_program(name, path_env):
    """``name`` as execvp would find it, or None"""
    name = os.path.expanduser(name)
    if '/' in name:
        return os.path.abspath(name) if os.access(name, os.X_OK) and not os.path.isdir(name) else None
    for entry in (path_env or os.defpath).split(os.pathsep):
        candidate = os.path.join(entry or '.', name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


class RemoteTwin(object):
    def __init__(self, channel, pid, control, out, err):
        self.channel = channel
        self.pid = pid
        self.control = control
        self.out = out
        self.err = err


class Agent(object):
    def __init__(self, settings, run_dir, bootstrap):
        self.settings = settings
        self.run_dir = run_dir
        self.bootstrap = bootstrap
        self.host = settings.get('host', '?')
        self.loop = Loop()
        self.reader = frames.FrameReader()
        self.twins = {}      # channel -> RemoteTwin
        self.by_pid = {}     # pid -> RemoteTwin
        self.heartbeat = float(settings.get('heartbeat', 10.0))
        self.forward_dir = None
        self.janitor = Janitor(run_dir)   # cleans up if this process is killed with SIGKILL
        self.last_frame = time.time()
        self._last_keepalive = 0.0
        self.output = Stream(self.loop, None, write_fd=1, on_close=lambda: self.die('stdout closed'))
        self.input = Stream(self.loop, 0, self.on_input, lambda: self.die('end of input'))
        self.switch = Switch(self.loop, self.send, run_dir, 1)
        self.loop.on_signals(self.reap)
        signal.signal(signal.SIGCHLD, lambda *args: None)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, lambda *args: self.die('signal'))
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        for twin_id in settings.get('elsewhere', []):
            self.switch.listen(twin_id)
        self.forward_dir = forward.link_run_dir(settings, run_dir)
        if self.forward_dir:
            self.janitor.note('link ' + self.forward_dir)
            self.probe = forward.ProbeServer(self.loop, run_dir)
        # a search probes interpreters while the loop waits: the hub must still hear from us
        self.finder = interpreters.Finder(self.keepalive)
        self.module_requests = {}   # request number -> Stream of the asking twin
        self._next_request = 1
        self.modules_path = os.path.join(run_dir, '@modules.sock')
        modules = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        set_cloexec(modules.fileno())
        modules.bind(self.modules_path)
        modules.listen(64)
        modules.setblocking(False)
        self._modules = modules
        self.loop.add_reader(modules.fileno(), self.on_module_client)
        self.loop.call_later(self.heartbeat / 3.0, self.tick)

    def send(self, channel, kind, payload=b''):
        self.output.write(frames.pack(channel, kind, payload))

    def run(self):
        try:
            self.loop.run()
        finally:
            self.die('the agent ended')

    # -- heartbeat and the end ----------------------------------------------
    def keepalive(self):
        now = time.time()
        if now - self._last_keepalive >= 1.0:
            self._last_keepalive = now
            self.send(0, frames.PING)

    def tick(self):
        silent = time.time() - self.last_frame
        if heartbeat.expired(self.heartbeat, silent):
            self.die('no frame from the hub for %.1f s' % silent)
            return
        self.send(0, frames.PING)
        self.loop.call_later(heartbeat.next_check(self.heartbeat, silent), self.tick)

    def die(self, reason):
        for twin in list(self.twins.values()):
            try:
                os.killpg(twin.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.switch.close_all()
        except Exception:
            pass
        if self.forward_dir:
            try:
                os.unlink(self.forward_dir)
            except OSError:
                pass
        shutil.rmtree(self.run_dir, True)
        self.janitor.done()
        os._exit(0)

    # -- frames from the hub --------------------------------------------------
    def on_input(self, data):
        self.last_frame = time.time()
        peers = self.switch.channels
        for channel, kind, payload in self.reader.feed(data):
            if kind == _DATA:   # the hot path first: bytes of a peer connection
                stream = peers.get(channel)
                if stream is not None:
                    stream.write(payload)
            elif kind == frames.PING:
                self.send(0, frames.PONG)
            elif kind == frames.PONG:
                pass
            elif kind == frames.CTRL:
                twin = self.twins.get(channel)
                if twin is not None:
                    twin.control.write(payload)
            elif kind == frames.SPAWN:
                self.spawn(channel, json.loads(payload.decode('utf-8')))
            elif kind == frames.RESOLVE:
                self.resolve(channel, json.loads(payload.decode('utf-8')))
            elif kind == frames.MODULE:
                stream = self.module_requests.pop(channel, None)
                if stream is not None:
                    stream.write(struct.pack('>I', len(payload)) + payload)
            elif kind == frames.SIGNAL:
                twin = self.twins.get(channel)
                if twin is not None:
                    try:
                        os.killpg(twin.pid, int(payload))
                    except OSError:
                        pass
            else:
                self.switch.on_frame(channel, kind, payload)

    # -- module requests of twins (importer.py) ---------------------------------
    def on_module_client(self):
        try:
            conn, _ = self._modules.accept()
        except socket.error:
            return
        set_cloexec(conn.fileno())
        pending = [b'']
        holder = []

        def on_data(data):
            pending[0] += data
            while b'\n' in pending[0]:
                line, pending[0] = pending[0].split(b'\n', 1)
                number = self._next_request
                self._next_request += 1
                self.module_requests[number] = holder[0]
                self.send(number, frames.MODULE, line)

        holder.append(Stream(self.loop, conn.fileno(), on_data, owner=conn))

    # -- twins ----------------------------------------------------------------
    def search(self, spec, env):
        """The interpreter a search spec finds here, with conda's activation applied to
        ``env``; raises interpreters.NotFound with the whole message"""
        search = spec['search']
        try:
            found = self.finder.find(search, env)
        except interpreters.NotFound as err:
            self.last_frame = time.time()   # the hub's frames wait unread: we were busy, not it silent
            raise interpreters.NotFound(
                "interpreter '%s' of twin '%s' not found on host '%s': %s; install one there, or name it by "
                "its path on that host" % (search['text'], spec.get('id') or '?', self.host, err))
        self.last_frame = time.time()
        if found['conda_prefix']:
            env.update(interpreters.conda_activation(found['conda_name'], found['conda_prefix'], env.get('PATH')))
        return found

    def resolve(self, channel, spec):
        """--check: what a search spec finds here, without starting anything"""
        spec = native_tree(spec)
        env = dict(os.environ)
        env.update(spec.get('env', {}))
        try:
            answer = self.search(spec, env)
        except interpreters.NotFound as err:
            answer = {'error': str(err)}
        self.send(channel, frames.RESOLVE, json.dumps(answer).encode('utf-8'))

    def spawn(self, channel, spec):
        spec = native_tree(spec)
        env = dict(os.environ)
        env.update(spec.get('env', {}))
        if spec.get('search'):
            try:
                program = self.search(spec, env)['path']
            except interpreters.NotFound as err:
                return self.refuse(channel, str(err))
            return self.start(channel, spec, program, env)
        interpreter = spec.get('interpreter') or 'python3'
        venv = spec.get('venv')
        if venv:
            venv = os.path.abspath(os.path.expanduser(venv))
            if not os.path.isdir(venv):
                return self.refuse(channel, 'virtualenv %s not found on %s' % (venv, self.host))
            interpreter = os.path.join(venv, 'bin', interpreter)
            env['VIRTUAL_ENV'] = venv
            env['PATH'] = os.path.join(venv, 'bin') + os.pathsep + env.get('PATH', os.defpath)
        program = find_program(interpreter, env.get('PATH'))
        if program is None:
            where = 'PATH=%s' % env.get('PATH', '') if '/' not in interpreter else 'that path'
            return self.refuse(channel, 'interpreter %s not found on %s (looked in %s)'
                               % (interpreter, self.host, where))
        self.start(channel, spec, program, env)

    def start(self, channel, spec, program, env):
        env.update({
            'CPY2PY_RUN_DIR': self.run_dir,
            'CPY2PY_BOOTSTRAP': self.bootstrap,
            'CPY2PY_CONTROL_FD': '3',
            'CPY2PY_REMOTE_HOST': native(self.host),
            'CPY2PY_SSH_MODULES': self.modules_path,
        })
        env['PYTHONPATH'] = self.bootstrap + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        if spec.get('entry') == 'check':   # cpy2py-run --check SCRIPT: import it, as this twin would
            env['CPY2PY_SSH_ENTRY'] = 'cpy2py_check.py'
        argv = [program] + spec.get('args', []) + [os.path.join(self.bootstrap, 'cpy2py_ssh', 'remote_entry.py')]
        cwd = spec.get('cwd')
        if not cwd or not os.path.isdir(cwd):
            cwd = os.path.expanduser('~')
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            self._exec_child(argv, env, cwd, out_w, err_w, theirs.fileno())
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        self.janitor.note('pgid %d' % pid)
        theirs.close()
        os.close(out_w)
        os.close(err_w)
        for fd in (ours.fileno(), out_r, err_r):
            set_cloexec(fd)
        send = self.send

        def relay(kind):
            def on_data(data):
                for piece in frames.split(data):
                    send(channel, kind, piece)
            return on_data

        control = Stream(self.loop, ours.fileno(), relay(frames.CTRL), owner=ours)
        out = Stream(self.loop, out_r, relay(frames.OUT))
        err = Stream(self.loop, err_r, relay(frames.ERR))
        twin = RemoteTwin(channel, pid, control, out, err)
        self.twins[channel] = twin
        self.by_pid[pid] = twin

    @staticmethod
    def _exec_child(argv, env, cwd, out_w, err_w, control_fd):
        try:
            os.setpgid(0, 0)
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGPIPE, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.dup2(control_fd, 3)
            os.closerange(4, MAXFD)
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        except BaseException as err:
            try:
                os.write(2, ('cannot run %s: %s\n' % (argv[0], err)).encode('utf-8', 'replace'))
            finally:
                os._exit(127)

    def refuse(self, channel, message):
        self.send(channel, frames.EXIT, ('error ' + message).encode('utf-8'))

    def reap(self):
        while self.by_pid:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except OSError:
                return
            if pid == 0:
                return
            twin = self.by_pid.pop(pid, None)
            if twin is not None:
                self.ended(twin, status)
                self.janitor.note('gone %d' % pid)

    def ended(self, twin, status):
        # what it wrote before exiting travels before its EXIT frame
        for stream in (twin.out, twin.err, twin.control):
            stream.drain()
        try:
            os.killpg(twin.pid, signal.SIGKILL)   # anything it left in its group
        except OSError:
            pass
        for stream in (twin.out, twin.err, twin.control):
            stream.close()
        self.twins.pop(twin.channel, None)
        if os.WIFSIGNALED(status):
            text = 'signal %d' % os.WTERMSIG(status)
        else:
            text = 'code %d' % os.WEXITSTATUS(status)
        self.send(twin.channel, frames.EXIT, text.encode('ascii'))


def main(settings, run_dir, bootstrap):
    Agent(settings, run_dir, bootstrap).run()
