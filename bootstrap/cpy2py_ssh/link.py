"""The local end of one ssh connection: the ssh client, the shipped payload, the ready
line, frames and the heartbeat"""
import os
import signal
import subprocess
import time

from cpy2py_ssh import errors, frames, heartbeat, shipping
from cpy2py_ssh.loop import Stream, set_cloexec

_STDERR_KEEP = 16384
#: what the ssh client says when sshd could not connect a forwarded connection
_FORWARD_NOTE = b': open failed: '


def connect_timeout(spec):
    """How long the ssh client may take to bring up the agent: a little less than the
    supervisor's ready_timeout (``connect_timeout`` here), which started before this link and
    would otherwise kill the stand-in first with a message that names no host (an ssh command
    without ConnectTimeout, a host that drops packets)"""
    timeout = float(spec.get('connect_timeout', 30.0))
    return timeout - min(2.0, timeout / 5.0)


class Link(object):
    """``on_ready(info)``, ``on_frame(channel, kind, payload)`` and, once,
    ``on_fail(status, message)``"""

    def __init__(self, loop, spec, bootstrap_dir, on_ready, on_frame, on_fail):
        self.loop = loop
        self.spec = spec
        self.host = spec['host']
        self.bootstrap_dir = bootstrap_dir
        self.on_ready = on_ready
        self.on_frame = on_frame
        self.on_fail = on_fail
        self.heartbeat = float(spec.get('heartbeat', 10.0))
        self.ready = False
        self.failed = False
        self.info = None
        self.proc = None
        self._head = b''
        self._stderr = b''
        self._reader = frames.FrameReader()
        self._last_frame = time.time()
        self._timer = None
        self.on_pong = None

    def program(self):
        """What the remote shell was to run, for messages"""
        search = self.spec.get('search')
        if search:
            return "%s (to run the agent that finds '%s')" % (
                ' or '.join(shipping.AGENT_PYTHONS), search.get('text', '?'))
        interpreter = self.spec.get('interpreter') or 'python3'
        venv = self.spec.get('venv')
        return venv.rstrip('/') + '/bin/' + interpreter if venv else interpreter

    def start(self, settings, ssh_options=()):
        """``ssh_options`` go before the destination (the last word of the ssh command)"""
        argv = list(self.spec['ssh'])
        argv[-1:-1] = list(ssh_options)
        argv.append(shipping.remote_command(self.spec.get('interpreter'), self.spec.get('venv'),
                                            self.spec.get('search')))
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, close_fds=True)
        except OSError as err:
            self.fail(errors.NOT_FOUND, "cannot run the ssh client %s: %s" % (argv[0], err))
            return
        fds = []
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            fd = os.dup(f.fileno())
            set_cloexec(fd)
            f.close()
            fds.append(fd)
        self.input = Stream(self.loop, None, write_fd=fds[0])
        self.output = Stream(self.loop, fds[1], self._on_stdout, self._on_eof)
        self.errors = Stream(self.loop, fds[2], self._on_stderr)
        self.input.write(shipping.payload(self.bootstrap_dir, settings))
        timeout = connect_timeout(self.spec)
        self._timer = self.loop.call_later(timeout, lambda: self._connect_timeout(timeout))

    def send(self, channel, kind, payload=b''):
        if not self.failed and self.proc is not None:
            self.input.write(frames.pack(channel, kind, payload))

    # -- the ssh client's output -------------------------------------------------
    def _on_stderr(self, data):
        if _FORWARD_NOTE in data:   # a forwarded connection to a twin not listening (yet)
            data = b''.join(line for line in data.splitlines(True) if _FORWARD_NOTE not in line)
        self._stderr = (self._stderr + data)[-_STDERR_KEEP:]

    def _on_stdout(self, data):
        self._last_frame = time.time()
        if self.ready:
            on_frame = self.on_frame
            for channel, kind, payload in self._reader.feed(data):
                if kind == frames.PING:
                    self.send(0, frames.PONG)
                elif kind != frames.PONG:
                    on_frame(channel, kind, payload)
                elif self.on_pong is not None:
                    self.on_pong()
            return
        # before the ready line: a login script may print things; skip them
        self._head += data
        start = self._head.find(shipping.READY)
        if start < 0:
            self._head = self._head[-4096:]
            return
        end = self._head.find(b'\n', start)
        if end < 0:
            return
        line, rest = self._head[start:end + 1], self._head[end + 1:]
        self._head = b''
        self.ready = True
        self._timer.cancel()
        self.info = shipping.parse_ready(line)
        self._timer = self.loop.call_later(self.heartbeat / 3.0, self._tick)
        self.on_ready(self.info)
        if rest:
            self._on_stdout(rest)

    def _on_eof(self):
        self.errors.drain()
        status = self._wait(2.0)
        if self.ready:
            tail = errors._lines(self._stderr)
            self.fail(errors.LOST, "lost the link to host '%s': the ssh client ended (%s)%s" % (
                self.host, self._describe(status), ': ' + tail[-1] if tail else ''))
        else:
            self.fail(*errors.describe_failure(self.host, self.program(), self._code(status), self._stderr))

    def _connect_timeout(self, timeout):
        if self.ready or self.failed:
            return
        self.errors.drain()
        tail = errors._lines(self._stderr)
        self.fail(errors.NOT_FOUND, "cannot reach host '%s': no answer within %g s%s; check that the host is up "
                  "and reachable from here (ready_timeout in [supervisor] bounds this wait)" % (
                      self.host, timeout, ' (ssh: %s)' % tail[-1] if tail else ''))

    def _tick(self):
        if self.failed:
            return
        silent = time.time() - self._last_frame
        if heartbeat.expired(self.heartbeat, silent):
            self.fail(errors.LOST, "lost the link to host '%s': no heartbeat for %.1f s (heartbeat_timeout %g s)"
                      % (self.host, silent, self.heartbeat))
            return
        self.send(0, frames.PING)
        self._timer = self.loop.call_later(heartbeat.next_check(self.heartbeat, silent), self._tick)

    # -- the end -------------------------------------------------------------------
    def _wait(self, patience):
        deadline = time.time() + patience
        while True:
            status = self.proc.poll()
            if status is not None or time.time() > deadline:
                return status
            time.sleep(0.01)

    @staticmethod
    def _code(status):
        if status is None:
            return None
        return 128 - status if status < 0 else status

    @staticmethod
    def _describe(status):
        if status is None:
            return 'still running'
        if status < 0:
            return 'killed by signal %d' % -status
        return 'exit status %d' % status

    def fail(self, status, message):
        if self.failed:
            return
        self.close()
        self.failed = True
        self.on_fail(status, message)

    def close(self, patience=0.0):
        """Ends the ssh client: EOF on its stdin first (the agent cleans up and exits), then
        SIGTERM and SIGKILL"""
        if self._timer is not None:
            self._timer.cancel()
        if self.proc is None or self.failed:
            return
        self.failed = True
        self.input.close()
        if self.proc.poll() is None and patience > 0:
            self._wait(patience)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                break
            try:
                self.proc.send_signal(sig)
            except OSError:
                pass
            self._wait(0.5)
        for stream in (self.output, self.errors):
            stream.on_close = None
            stream.close()
