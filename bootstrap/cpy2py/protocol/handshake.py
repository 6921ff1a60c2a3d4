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
The server answers OK only after it checked every field (:py:func:`answer`); it reads
the line without blocking a thread (see :py:mod:`cpy2py.kernel.acceptor`).
"""
import errno
import os
import socket
import string

from cpy2py.meta import PROTOCOL_VERSION
from cpy2py.utility.compat import compare_digest, stringabc, PY3
from cpy2py.exceptions import AuthenticationError

#: longest handshake line (bytes)
MAX_LINE = 1024
#: longest twin id in a handshake (ids under cpy2py-run are 1-64 of [A-Za-z0-9_.+-])
MAX_ID = 128
#: a boot id is this many lowercase hex digits (6 random bytes)
BOOT_ID_LENGTH = 12
#: the lowest pickle protocol a peer may offer (Python 2 speaks 2)
MIN_PICKLE_PROTOCOL = 2
_HEX = frozenset('0123456789abcdef')
#: what a twin id a program asks for may hold (the README's rule, which cpy2py-run checks too)
_TWIN_ID_CHARS = frozenset(string.ascii_letters + string.digits + '_.+-')
#: that rule, as messages say it
TWIN_ID_RULE = 'a twin id is 1-64 characters from A-Z a-z 0-9 _ . + -'


def _encode(text):
    return text.encode('ascii') if PY3 else text


def _decode(data):
    return data.decode('ascii') if PY3 else data


def _read_line(sock):
    """Read one line; returns ``(line, leftover bytes)``"""
    data = b''
    while b'\n' not in data:
        chunk = sock.recv(MAX_LINE)
        if not chunk:
            # e.g. a process exiting with our connection still in its listen queue
            raise socket.error(errno.ECONNRESET, 'peer closed the connection during the handshake')
        data += chunk
        if len(data) > MAX_LINE:
            raise AuthenticationError('handshake line too long')
    line, _, rest = data.partition(b'\n')
    return _decode(line), rest


class PeerInfo(object):
    """What the handshake told us about the other end"""

    def __init__(self, twin_id, boot_id, peer_max_protocol, my_max_protocol):
        #: the side socket for memfd descriptors, when shared memory was agreed
        self.side = None
        #: whether the server offered shared memory back (it then expects the answer byte)
        self.shm_offered = False
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


def answer(line, token, my_id, my_boot, my_protocol, sock=None, rest=b''):
    """
    Check a client's line (bytes, without its newline) field by field

    Returns ``(PeerInfo, the OK line to send)``; raises :py:exc:`AuthenticationError`
    with the reason for a line to refuse. ``sock`` (the client's socket) and ``rest`` (what
    arrived after the line) decide whether shared memory is offered back; after sending the
    OK line, :py:func:`finish_server` completes that part. The secret is checked first, so a client
    without it learns nothing about the other fields.
    """
    try:
        fields = _decode(line).split(' ')
    except UnicodeError:
        raise AuthenticationError('malformed handshake')
    if len(fields) not in (6, 7) or fields[0] != 'CPY2PY':
        raise AuthenticationError('malformed handshake')
    if len(fields) == 7 and not fields[6].startswith('shm:'):
        raise AuthenticationError('malformed handshake')
    if not compare_digest(_encode(fields[2]), _encode(token)):
        raise AuthenticationError('wrong secret')
    version, peer_id, boot, protocol = fields[1], fields[3], fields[4], fields[5]
    if version != str(PROTOCOL_VERSION):
        raise AuthenticationError('protocol version %s not supported (need %d)'
                                  % (version[:20], PROTOCOL_VERSION))
    if not valid_id(peer_id):
        raise AuthenticationError('malformed twin id (1-%d printable ASCII characters, no space or slash)'
                                  % MAX_ID)
    if len(boot) != BOOT_ID_LENGTH or not all(c in _HEX for c in boot):
        raise AuthenticationError('malformed boot id (%d lowercase hex digits)' % BOOT_ID_LENGTH)
    if not (protocol.isdigit() and len(protocol) <= 2 and MIN_PICKLE_PROTOCOL <= int(protocol)):
        raise AuthenticationError('pickle protocol %s out of range (%d-99)'
                                  % (protocol[:20], MIN_PICKLE_PROTOCOL))
    info = PeerInfo(peer_id, boot, int(protocol), my_protocol)
    info.shm_offered = sock is not None and not rest and _shm_accepts(sock, fields, 6)
    return info, _encode('OK %s %s %d%s\n' % (
        my_id, my_boot, my_protocol, _shm_offer() if info.shm_offered else ''))


def finish_server(sock, info):
    """After the OK line: take the client's answer to a shared-memory offer (one byte,
    ``S`` with the side socket for descriptors, or ``N``)"""
    if not info.shm_offered:
        return
    from cpy2py.wire import shm
    tag, side = shm.recv_fd(sock)
    if tag == b'S' and side is not None:
        # the socket takes the descriptor itself (shared memory needs Python 3.8+): fromfd
        # would duplicate it, which a process one descriptor short of its limit cannot do,
        # and its acceptor dropped the connection after the OK (the client's first call failed)
        info.side = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0, side)
    elif side is not None:
        os.close(side)


def refusal(reason):
    """The line that refuses a client"""
    return _encode('NO %s\n' % reason)


def valid_twin_id(twin_id):
    """Whether a program may ask for twin ``twin_id`` (:py:func:`valid_id` is the looser
    check of ids in a handshake: a standalone main is named after its executable)"""
    return (isinstance(twin_id, stringabc) and 0 < len(twin_id) <= 64
            and all(c in _TWIN_ID_CHARS for c in twin_id))


def check_twin_id(twin_id):
    """Raise ValueError naming ``twin_id`` and the rule unless :py:func:`valid_twin_id`"""
    if not valid_twin_id(twin_id):
        raise ValueError('invalid twin id %r: %s' % (twin_id, TWIN_ID_RULE))


def valid_id(twin_id):
    """Whether ``twin_id`` can travel in a handshake line"""
    return 0 < len(twin_id) <= MAX_ID and all('!' <= c <= '~' and c != '/' for c in twin_id)
