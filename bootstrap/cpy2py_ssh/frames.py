"""Multiplexing frames: ``u32 channel, u8 kind, u32 length`` then ``length`` payload bytes

One stream (the ssh connection, or a stand-in's socket to its hub) carries many channels.
"""
import struct

HEADER = struct.Struct('>IBI')

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

MAX_PAYLOAD = 1 << 20


def pack(channel, kind, payload=b''):
    return HEADER.pack(channel, kind, len(payload)) + payload


def split(payload, max_size=MAX_PAYLOAD):
    """``payload`` in pieces of at most ``max_size`` bytes (at least one piece)"""
    if len(payload) <= max_size:
        return [payload]
    return [payload[i:i + max_size] for i in range(0, len(payload), max_size)]


class FrameReader(object):
    """Incremental parser: ``feed(bytes)`` returns the complete frames received so far"""

    def __init__(self):
        self._buffer = bytearray()

    def feed(self, data):
        buf = self._buffer
        buf += data
        frames = []
        start = 0
        size = HEADER.size
        end = len(buf)
        while end - start >= size:
            channel, kind, length = HEADER.unpack_from(bytes(buf[start:start + size]))
            if end - start - size < length:
                break
            frames.append((channel, kind, bytes(buf[start + size:start + size + length])))
            start += size + length
        if start:
            del buf[:start]
        return frames
