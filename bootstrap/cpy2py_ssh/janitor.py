"""What cleans up on the remote host when the agent cannot (it was killed with SIGKILL)

The agent removes its run directory, the forwarding link in /tmp and its twins' process
groups when it ends in any way it sees (EOF, heartbeat, a signal it handles). SIGKILL of the
agent (a user's ``kill -9``, the OOM killer) would leave the directory with the shipped
runtime, and the link, behind for good. So the agent forks a janitor first: its own
session (no signal to the agent's process group reaches it), stdin/stdout/stderr on
/dev/null (the ssh session must not wait for it), and the read end of a pipe whose only
writer is the agent. The agent reports on the pipe what it creates (``pgid N``, ``gone N``,
``link PATH``) and ``done`` once it cleaned up itself; at EOF without ``done`` the janitor
kills the remaining process groups, removes the link and the run directory, and exits.
"""
import os
import shutil
import signal

from cpy2py_ssh.loop import set_cloexec

try:
    _MAXFD = os.sysconf('SC_OPEN_MAX')
except (AttributeError, ValueError, OSError):
    _MAXFD = 1024


class Janitor(object):
    """The agent's end: ``note()`` what to clean, ``done()`` when it cleaned up itself"""

    def __init__(self, run_dir):
        self.fd = None
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:   # no janitor: the agent's own cleanup still runs in every other case
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(write_end)
            _serve(read_end, run_dir)   # never returns
        os.close(read_end)
        set_cloexec(write_end)          # twins must not hold the pipe open
        self.fd = write_end
        try:
            os.waitpid(pid, 0)          # the first child exits at once; the janitor is its child
        except OSError:
            pass

    def note(self, line):
        if self.fd is None:
            return
        try:
            os.write(self.fd, (line + '\n').encode('utf-8'))
        except OSError:   # the janitor is gone (killed): nothing more to tell it
            os.close(self.fd)
            self.fd = None

    def done(self):
        self.note('done')


def _serve(read_end, run_dir):
    """In the forked child: detach, wait for the agent's end, clean up what it did not"""
    try:
        os.setsid()
        if os.fork() != 0:   # not a session leader: it can never get a controlling terminal
            os._exit(0)
        for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_IGN)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        if read_end != 3:
            os.dup2(read_end, 3)
            read_end = 3
        os.closerange(4, _MAXFD)
        groups, links, data, done = set(), [], b'', False
        while True:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            data += chunk
            while b'\n' in data:
                line, data = data.split(b'\n', 1)
                what, _, value = line.decode('utf-8', 'replace').partition(' ')
                if what == 'pgid':
                    groups.add(int(value))
                elif what == 'gone':
                    groups.discard(int(value))
                elif what == 'link':
                    links.append(value)
                elif what == 'done':
                    done = True
        if not done:
            for pgid in groups:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except OSError:
                    pass
            for path in links:
                try:
                    if os.path.islink(path) and os.readlink(path) == run_dir:
                        os.unlink(path)
                except OSError:
                    pass
            shutil.rmtree(run_dir, True)
    finally:
        os._exit(0)
