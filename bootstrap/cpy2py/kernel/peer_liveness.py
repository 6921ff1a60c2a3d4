"""
Whether the process at the other end of a connection that ended still lives

A connection may end while both processes live: a read of shared memory that failed for
lack of file descriptors ends it at one side, a thread of the peer whose goodbye never got
out ends one of its own, and on the receiving side nothing tells which of the peer's
connections (its shared one or a thread's own) it was. Taking such an end for the peer's
death would mark every proxy of it stale for good (its new objects too: they carry the
same boot id) and close every other connection of it, which the peer in turn takes for our
death.

A process that is gone no longer listens: its listening socket was closed with it, so a
connection attempt is refused at once (or finds no file). One that listens still lives,
unless a new process took its twin id (a restart), which its supervisor's EXITED notice
says; a twin on another host is listened for by its host's hub, so there the notice decides.
"""
import errno
import socket

#: what a connection attempt to a socket nobody listens on fails with
_GONE = (errno.ECONNREFUSED, errno.ENOENT, errno.ENOTDIR, errno.ECONNRESET)


def still_listening(path):
    """Whether a process listens on the AF_UNIX socket ``path`` (never blocks: a listener
    whose backlog is full counts as listening); any other failure counts as listening too,
    since only a refusal proves the process gone (out of descriptors, say: then connections
    end for that very reason, and their peers are as alive as we are)"""
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except (OSError, socket.error):
        return True
    try:
        sock.setblocking(False)
        try:
            sock.connect(path)
        except (OSError, socket.error) as err:
            return getattr(err, 'errno', None) not in _GONE
        return True  # the peer's acceptor sees EOF instead of a handshake and drops it
    finally:
        sock.close()
