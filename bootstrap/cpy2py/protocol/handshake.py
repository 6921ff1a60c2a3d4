"""
Connection handshake: prove the run's secret, agree on ids and a pickle protocol

Nothing is unpickled before the handshake succeeds. Both lines are plain ASCII::

    client: CPY2PY <version> <token> <client id> <client boot id> <max pickle protocol> [shm:<pid>]\\n
    server: OK <server id> <server boot id> <max pickle protocol> [shm:<pid>]\\n   (or NO <reason>\\n)

The connection then uses ``min`` of both pickle protocols.

Shared memory (:py:mod:`cpy2py.wire.shm`) is negotiated per connection: a side that can
pass memfds announces ``shm:<its pid>``; the other end accepts only if the socket's peer
credentials (SO_PEERCRED) name that very pid, i.e. the two processes are connected
directly, not through a relay (SSH) that forwards the bytes. The server answers with its own
``shm:<pid>`` only when it accepts; the client, if it accepts that in turn, sends one byte
``S`` carrying one end of a new socketpair (the side socket for descriptors), else one byte
``N``. The server reads that byte before anything else.
"""
import errno
import os
import socket

from cpy2py.meta import PROTOCOL_VERSION
from cpy2py.utility.compat import compare_digest, PY3
from cpy2py.exceptions import AuthenticationError

_MAX_LINE = 1024


def _encode(text):
    return text.encode('ascii') if PY3 else text


def _decode(data):
    return data.decode('ascii') if PY3 else data


def _read_line(sock):
    """Read one line; returns ``(line, leftover bytes)``"""
    data = b''
    while b'\n' not in data:
        chunk = sock.recv(_MAX_LINE)
        if not chunk:
            # e.g. a process exiting with our connection still in its listen queue
            raise socket.error(errno.ECONNRESET, 'peer closed the connection during the handshake')
        data += chunk
        if len(data) > _MAX_LINE:
            raise AuthenticationError('handshake line too long')
    line, _, rest = data.partition(b'\n')
    return _decode(line), rest


class PeerInfo(object):
    """What the handshake told us about the other end"""

    def __init__(self, twin_id, boot_id, peer_max_protocol, my_max_protocol):
        #: the side socket for memfd descriptors, when shared memory was agreed
        self.side = None
        self.twin_id = twin_id
        self.boot_id = boot_id
        #: the highest pickle protocol the peer speaks
        self.peer_max_protocol = peer_max_protocol
        #: the protocol this connection uses
        self.pickle_protocol = min(peer_max_protocol, my_max_protocol)


def _shm_offer():
    """`` shm:<pid>`` if this process can use shared memory, else ``''``"""
    return ' shm:%d' % os.getpid() if _shm_supported() else ''


def _shm_accepts(sock, fields, index):
    """Whether ``fields[index]`` offers shared memory from the process at the other end of
    ``sock`` itself (not a relay), and we can take part"""
    if len(fields) <= index or not fields[index].startswith('shm:') or not _shm_supported():
        return False
    from cpy2py.wire import shm
    try:
        return shm.peer_pid(sock) == int(fields[index][4:])
    except ValueError:
        return False


def _shm_supported():
    from cpy2py.wire import shm
    return shm.ENABLED


def client_handshake(sock, token, my_id, my_boot, my_protocol):
    """Authenticate to a server; returns ``(PeerInfo, leftover bytes)``"""
    sock.sendall(_encode('CPY2PY %d %s %s %s %d%s\n' % (
        PROTOCOL_VERSION, token, my_id, my_boot, my_protocol, _shm_offer())))
    line, rest = _read_line(sock)
    fields = line.split(' ')
    if fields[0] != 'OK' or len(fields) not in (4, 5):
        raise AuthenticationError('peer refused the connection: %s' % line)
    info = PeerInfo(fields[1], fields[2], int(fields[3]), my_protocol)
    if len(fields) == 5:  # the server offers shared memory and expects our answer byte
        if _shm_accepts(sock, fields, 4):
            from cpy2py.wire import shm
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                shm.send_fd(sock, theirs.fileno(), b'S')
            except BaseException:
                mine.close()
                raise
            finally:
                theirs.close()
            info.side = mine
        else:
            sock.sendall(b'N')
    return info, rest


def server_handshake(sock, token, my_id, my_boot, my_protocol):
    """Check a client's proof of the secret; returns ``(PeerInfo, leftover bytes)``"""
    line, rest = _read_line(sock)
    fields = line.split(' ')
    if len(fields) not in (6, 7) or fields[0] != 'CPY2PY':
        _refuse(sock, 'malformed handshake')
    if fields[1] != str(PROTOCOL_VERSION):
        _refuse(sock, 'protocol version %s not supported (need %d)' % (fields[1], PROTOCOL_VERSION))
    if not compare_digest(_encode(fields[2]), _encode(token)):
        _refuse(sock, 'wrong secret')
    info = PeerInfo(fields[3], fields[4], int(fields[5]), my_protocol)
    offer = _shm_accepts(sock, fields, 6) and not rest
    sock.sendall(_encode('OK %s %s %d%s\n' % (my_id, my_boot, my_protocol, _shm_offer() if offer else '')))
    if offer:
        from cpy2py.wire import shm
        tag, side = shm.recv_fd(sock)
        if tag == b'S' and side is not None:
            info.side = socket.fromfd(side, socket.AF_UNIX, socket.SOCK_STREAM)
            os.close(side)  # fromfd duplicated it
        elif side is not None:
            os.close(side)
    return info, rest


def _refuse(sock, reason):
    try:
        sock.sendall(_encode('NO %s\n' % reason))
    except (OSError, socket.error):
        pass
    raise AuthenticationError(reason)
