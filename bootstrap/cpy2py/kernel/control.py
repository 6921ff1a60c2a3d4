"""
The control channel to the supervisor (see docs/DESIGN.md)

Lines such as ``START pypy`` go to the supervisor, which answers ``UP pypy 1234``,
``ERROR pypy <why>`` or ``DOWN pypy``; it may also send ``SHUTDOWN``. The supervisor is
``cpy2py-run``, or for twins of a standalone master, that master.
"""
import errno
import os
import socket
import threading

from cpy2py.exceptions import TwinterpreterUnavailable
from cpy2py.kernel.exit_notices import ExitNotices
from cpy2py.protocol.handshake import check_twin_id
from cpy2py.utility.compat import PY3, set_cloexec
from cpy2py.wire.transport import CLOSED_UNDER_US


def encode_line(text):
    return (text + '\n').encode('utf-8') if PY3 else (text + '\n')


def unescape(text):
    """Undo the supervisor's one-line escaping of messages (``\\n`` and ``\\\\``)"""
    out, chars = [], iter(text)
    for char in chars:
        if char == '\\':
            following = next(chars, '')
            out.append('\n' if following == 'n' else following)
        else:
            out.append(char)
    return ''.join(out)


class LineReader(object):
    """Reads ``\\n``-terminated text lines from a socket"""

    def __init__(self, sock):
        self.sock = sock
        self._buffer = b''

    def read_line(self):
        """Next line without its newline, or None at EOF"""
        while b'\n' not in self._buffer:
            try:
                chunk = self.sock.recv(4096)
            except (OSError, socket.error) as err:
                if getattr(err, 'errno', None) == 4:  # EINTR on Python 2
                    continue
                return None
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b'\n')
        return line.decode('utf-8', 'replace') if PY3 else line


class SupervisorControl(object):
    """Our end of the control channel"""

    def __init__(self, fd):
        self.sock = socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM)
        os.close(fd)
        set_cloexec(self.sock.fileno())
        self._reader = LineReader(self.sock)
        self._send_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        #: twin id -> (number of answers so far, last answer fields)
        self._answers = {}
        #: the EXITED notices (see Kernel._how_it_ended)
        self._exits = ExitNotices()
        self._closed = False
        #: called (in the reader thread) when the supervisor asks us to stop
        self.on_shutdown = None
        #: called when the supervisor is gone
        self.on_eof = None

    def send(self, line):
        with self._send_lock:
            self.sock.sendall(encode_line(line))

    def report(self, line):
        """Send a last line (STATS) before this process exits; a supervisor gone is fine"""
        try:
            self.send(line)
        except (OSError, socket.error):
            pass

    def ready(self):
        self.send('READY %d' % os.getpid())

    def _ask(self, twin_id, line, expected):
        # an id the supervisor cannot read would never be answered (a space splits it, a
        # newline starts another line): such a line is never sent
        check_twin_id(twin_id)
        with self._cond:
            seen = self._answers.get(twin_id, (0, None))[0]
        try:
            self.send(line)
        except (OSError, socket.error) as err:
            if getattr(err, 'errno', None) == errno.EBADF:  # the supervisor lives on
                raise TwinterpreterUnavailable(twin_id, 'the control channel to cpy2py-run (descriptor %d) '
                                               'is closed (%s); %s' % (self.sock.fileno(), err, CLOSED_UNDER_US))
            raise TwinterpreterUnavailable(twin_id, 'the supervisor is gone (%s)' % err)
        with self._cond:
            while True:
                count, answer = self._answers.get(twin_id, (0, None))
                if count > seen and answer[0] in expected:
                    return answer
                if self._closed:
                    raise TwinterpreterUnavailable(twin_id, 'the supervisor is gone')
                self._cond.wait()

    def start_twin(self, twin_id, executable=None):
        """Make sure twin ``twin_id`` runs; returns once it is ready"""
        if executable and os.sep in executable:
            # a relative path means this process's working directory; a name is resolved
            # by the supervisor, like --twin ID=NAME (interpreter search, pyenv shims skipped)
            executable = os.path.abspath(executable)
        line = 'START %s' % twin_id if not executable else 'START %s %s' % (twin_id, executable)
        answer = self._ask(twin_id, line, ('UP', 'ERROR'))
        if answer[0] == 'ERROR':
            raise TwinterpreterUnavailable(twin_id, unescape(answer[1]))

    def stop_twin(self, twin_id):
        self._ask(twin_id, 'STOP %s' % twin_id, ('DOWN', 'ERROR'))

    def exits_seen(self, twin_id):
        """How many EXITED notices about ``twin_id`` came so far"""
        return self._exits.seen(twin_id)

    def wait_exit(self, twin_id, seen, timeout):
        """How twin ``twin_id`` ended, from an EXITED notice after the first ``seen`` ones
        (see ExitNotices.wait)"""
        return self._exits.wait(twin_id, seen, timeout)

    def serve(self):
        """Read supervisor lines until EOF (run in a thread, or the twin's main thread)"""
        while True:
            line = self._reader.read_line()
            if line is None:
                break
            verb, _, rest = line.partition(' ')
            if verb == 'SHUTDOWN':
                if self.on_shutdown is not None:
                    self.on_shutdown()
                continue
            twin_id, _, detail = rest.partition(' ')
            if verb == 'EXITED':  # a notice, not an answer: it must not hide the UP a START waits for
                self._exits.record(twin_id, detail)
                continue
            with self._cond:
                count = self._answers.get(twin_id, (0, None))[0]
                self._answers[twin_id] = (count + 1, (verb, detail))
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._exits.close()
        if self.on_eof is not None:
            self.on_eof()

    def serve_in_thread(self):
        thread = threading.Thread(target=self.serve, name='cpy2py-control')
        thread.daemon = True
        thread.start()
        return thread
