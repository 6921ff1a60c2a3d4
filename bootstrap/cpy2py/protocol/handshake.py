"""
Connection handshake: prove the run's secret, agree on ids and a pickle protocol

Nothing is unpickled before the handshake succeeds. Both lines are plain ASCII::

    client: CPY2PY <version> <token> <client id> <client boot id> <max pickle protocol>\\n
    server: OK <server id> <server boot id> <max pickle protocol>\\n   (or NO <reason>\\n)

The connection then uses ``min`` of both pickle protocols.
"""
import errno
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
        self.twin_id = twin_id
        self.boot_id = boot_id
        #: the highest pickle protocol the peer speaks
        self.peer_max_protocol = peer_max_protocol
        #: the protocol this connection uses
        self.pickle_protocol = min(peer_max_protocol, my_max_protocol)


def client_handshake(sock, token, my_id, my_boot, my_protocol):
    """Authenticate to a server; returns ``(PeerInfo, leftover bytes)``"""
    sock.sendall(_encode('CPY2PY %d %s %s %s %d\n' % (PROTOCOL_VERSION, token, my_id, my_boot, my_protocol)))
    line, rest = _read_line(sock)
    fields = line.split(' ')
    if fields[0] != 'OK' or len(fields) != 4:
        raise AuthenticationError('peer refused the connection: %s' % line)
    return PeerInfo(fields[1], fields[2], int(fields[3]), my_protocol), rest


def server_handshake(sock, token, my_id, my_boot, my_protocol):
    """Check a client's proof of the secret; returns ``(PeerInfo, leftover bytes)``"""
    line, rest = _read_line(sock)
    fields = line.split(' ')
    if len(fields) != 6 or fields[0] != 'CPY2PY':
        _refuse(sock, 'malformed handshake')
    if fields[1] != str(PROTOCOL_VERSION):
        _refuse(sock, 'protocol version %s not supported (need %d)' % (fields[1], PROTOCOL_VERSION))
    if not compare_digest(_encode(fields[2]), _encode(token)):
        _refuse(sock, 'wrong secret')
    sock.sendall(_encode('OK %s %s %d\n' % (my_id, my_boot, my_protocol)))
    return PeerInfo(fields[3], fields[4], int(fields[5]), my_protocol), rest


def _refuse(sock, reason):
    try:
        sock.sendall(_encode('NO %s\n' % reason))
    except (OSError, socket.error):
        pass
    raise AuthenticationError(reason)
