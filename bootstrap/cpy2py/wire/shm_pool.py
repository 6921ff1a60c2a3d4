"""
Reusing the memfds of large transfers once their receiver is done with them

A fresh memfd costs the sender a page fault, a zeroed page and a copy per 4 KiB (2.4-2.6
GB/s for 256 MiB on our VM, against 10-11 GB/s for a copy into memory that is already
there, 4.5-5 GB/s with ``pwrite``). So a CPython sender keeps the descriptor of a large
transfer's memfd (``POOL_MIN`` or more) after passing it, and the next transfer of a similar
size is written into it. The sender keeps no mapping of it.

Reuse waits for the receiver: every memfd starts with a header of two generation numbers,
*sent* (written by the sender before each transfer) and *released* (written by the receiver
when the last view of its mapping is gone, just before it unmaps: see shm.map_shared). A
segment whose released generation is not its sent one is still in use (or its receiver
never got it, or cannot say: PyPy receivers, copies made after a failed mapping) and is not
written. Segments idle for ``IDLE_SECONDS`` are closed by a daemon thread, and the pool
holds at most ``MAX_SEGMENTS`` and ``MAX_BYTES``: it is a cache for a stream of large
transfers, not memory an idle process keeps.
"""
import os
import struct
import threading
import time

#: segments at least this large are kept for reuse
POOL_MIN = 16 << 20
MAX_SEGMENTS = 4
MAX_BYTES = 1 << 30
#: a pooled segment unused this long is closed
IDLE_SECONDS = 1.0
#: the header at the start of every memfd: sent and released generations (little-endian)
HEADER = struct.Struct('<QQ')
HEADER_SIZE = 64  # keeps the buffers after it 64-byte aligned
_GENERATION = struct.Struct('<Q')
_RELEASED_AT = _GENERATION.size  # the released generation follows the sent one


def header(generation):
    """The header of a memfd sent as ``generation``, not released yet"""
    return HEADER.pack(generation, generation - 1)


def mark_released(address):
    """In a receiver's mapping of a memfd at ``address``: the last view is gone, the sender
    may write it again (its released generation becomes the sent one)"""
    import ctypes
    sent = HEADER.unpack(ctypes.string_at(address, HEADER.size))[0]
    ctypes.memmove(address + _RELEASED_AT, _GENERATION.pack(sent), _GENERATION.size)


class Segment(object):
    """A memfd the sender may fill again: its descriptor, size and generation"""

    __slots__ = ('fd', 'capacity', 'generation', 'last_used', 'owner')

    def __init__(self, fd, capacity, generation):
        self.fd = fd
        self.capacity = capacity
        self.generation = generation
        self.last_used = time.time()
        #: what it was last sent over (a connection): when that closes, its receiver will
        #: never release it
        self.owner = None

    def released(self):
        """Whether the receiver of the last generation is done with it"""
        data = os.pread(self.fd, HEADER.size, 0)
        if len(data) < HEADER.size:
            return False
        sent, released = HEADER.unpack(data)
        return sent == self.generation and released == self.generation

    def close(self):
        os.close(self.fd)


class SegmentPool(object):
    """The pooled segments of this process (any peer may receive any of them)"""

    def __init__(self):
        self._lock = threading.Lock()
        self._free = []
        self._reaper = None

    def take(self, total):
        """A released segment that fits ``total`` bytes without wasting more than as much
        again (removed from the pool until given back), or None"""
        with self._lock:
            for index, segment in enumerate(self._free):
                if total <= segment.capacity <= 2 * total:
                    try:
                        ready = segment.released()
                    except OSError:
                        ready = False
                    if ready:
                        return self._free.pop(index)
        return None

    def give_back(self, segment, owner=None):
        """Pool ``segment`` (its transfer was just passed on over ``owner``); the least
        recently used go when the pool is full"""
        segment.last_used = time.time()
        segment.owner = owner
        dropped = []
        with self._lock:
            self._free.append(segment)
            while (len(self._free) > MAX_SEGMENTS
                   or sum(s.capacity for s in self._free) > MAX_BYTES):
                oldest = min(self._free, key=lambda s: s.last_used)
                self._free.remove(oldest)
                dropped.append(oldest)
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap, name='cpy2py-shm-pool')
                self._reaper.daemon = True
                self._reaper.start()
        for segment in dropped:
            segment.close()

    def _reap(self):
        while True:
            time.sleep(IDLE_SECONDS / 2)
            now = time.time()
            self._close_where(lambda segment: now - segment.last_used >= IDLE_SECONDS)

    def forget(self, owner):
        """``owner`` closed: close the segments last sent over it"""
        self._close_where(lambda segment: segment.owner is owner)

    def clear(self):
        """Close every pooled segment (tests)"""
        self._close_where(lambda segment: True)

    def _close_where(self, doomed):
        """Take the segments ``doomed(segment)`` picks out of the pool and close them"""
        with self._lock:
            gone, kept = [], []
            for segment in self._free:
                (gone if doomed(segment) else kept).append(segment)
            self._free = kept
        for segment in gone:
            segment.close()

    def __len__(self):
        with self._lock:
            return len(self._free)


POOL = SegmentPool()
