"""Multiplexing frames: ``u32 channel, u8 kind, u32 length`` then ``length`` payload bytes

One stream (the ssh connection, or a stand-in's socket to its hub) carries many channels.
"""
import struct

HEADER = struct.Struct('>IBI')
_SIZE = HEADER.size

#: kinds; the direction each travels is in docs/DESIGN.md
SPAWN = 1     # hub -> agent: start a twin (JSON payload) on this channel
CTRL = 2      # both ways: control-channel bytes of the twin on this channel
OUT = 3       # agent -> hub: the twin's stdout bytes
ERR = 4       # agent -> hub: the twin's stderr bytes
EXIT = 5      # agent -> hub: the twin ended; payload "code <n>", "signal <n>" or "error <message>"
SIGNAL = 6    # hub -> agent: send signal <n> to the twin's process group
OPEN = 7      # both ways: a peer connection to twin <id> (payload) was accepted; connect it
DATA = 8      # both ways: bytes of a peer connection
CLOSE = 9     # both ways: that peer connection is closed
PING = 10     # both ways: heartbeat request
PONG = 11     # both ways: heartbeat answer
FAIL = 12     # hub -> stand-in: the link failed; payload "<exit status> <message>"
HELLO = 14    # hub -> stand-in: first frame on a new connection (the hub is not ending)
MODULE = 13   # agent -> hub: source of module <name>, please (channel: request number);
              # hub -> agent: the answer on the same channel (importer.py's JSON)
RESOLVE = 15  # link -> agent (--check): which interpreter would a twin's search find (JSON, as
              # SPAWN)? agent -> link: the answer on the same channel (JSON; "error" when none)

MAX_PAYLOAD = 1 << 20


def pack(channel, kind, payload=b''):
    return HEADER.pack(channel, kind, len(payload)) + payload


def split(payload, max_size=MAX_PAYLOAD):
    """``payload`` in pieces of at most ``max_size`` bytes (at least one piece)"""
    if len(payload) <= max_size:
        return [payload]
    return [payload[i:i + max_size] for i in range(0, len(payload), max_size)]


class FrameReader(object):
    """Incremental parser: ``feed(bytes)`` returns the complete frames received so far

    Every relayed byte passes here, so the common case (nothing buffered, whole frames
    in ``data``) parses ``data`` in place; a partial frame is kept, with the size it
    needs, so that a large frame arriving in many reads is parsed once."""

    def __init__(self):
        self._buffer = None   # bytearray of an incomplete frame, or None
        self._need = 0        # bytes `_buffer` must hold before a frame can complete

    def feed(self, data):
        buf = self._buffer
        if buf is not None:
            buf += data
            if len(buf) < self._need:
                return []
            data = bytes(buf)
            self._buffer = None
        frames = []
        start = 0
        size = _SIZE
        end = len(data)
        unpack = HEADER.unpack_from
        append = frames.append
        while end - start >= size:
            channel, kind, length = unpack(data, start)
            stop = start + size + length
            if stop > end:
                break
            append((channel, kind, data[start + size:stop]))
            start = stop
        if start < end:
            self._buffer = bytearray(data[start:])
            self._need = size + unpack(data, start)[2] if end - start >= size else size
        return frames
