"""
Shared-memory transfers: large out-of-band buffers cross through an anonymous memfd

Between two processes on one host connected directly (no relay), a frame's large buffers
that the receiver can use where they are (pickle protocol 5 out-of-band buffers: numpy
arrays, ``PickleBuffer``, ``memoryview`` values) are copied once into a new anonymous memfd
(``os.memfd_create``) by the sender, whose descriptor is passed with SCM_RIGHTS over a
*side socket* of the connection; the receiver maps it (zero copy). The sender closes its
descriptor right after passing it and the receiver right after mapping it, so descriptors
never pile up: one is in flight per frame, not one per buffer.

``bytes`` and ``bytearray`` values stay on the socket: the receiver must copy them into an
object that owns its memory anyway, and through the socket that copy runs while the sender
is still writing (measured 1.2-1.3 GB/s against 0.2-0.3 GB/s for a copy into a memfd
followed by a copy out of it, on the same loaded machine).

Why a side socket: descriptors ride on the bytes of the ``sendmsg`` that carries them, and
a plain ``recv`` that reads those bytes silently closes them. The connection's own socket is
read with plain, buffered ``recv`` calls (the hot path of every call), so descriptors travel
on a socketpair of their own, created by the client during the handshake and passed over the
connection once. Both ends write the side socket under the connection's send lock, before
the frame that uses the descriptor, and read it in frame order: the *n*-th frame with shared
buffers takes the *n*-th descriptor.

Reuse: every memfd starts with a header of two generation numbers; a CPython receiver marks
it released when the last view of its mapping is gone, and the sender, which keeps the
descriptors of large ones for a second, writes a released one again instead of making a new
memfd (twice as fast: see :py:mod:`cpy2py.wire.shm_pool`).

Lifetime: the receiver's mapping is never closed explicitly: its memoryviews keep it
alive, and it is unmapped when the last view (a numpy array's base, a memoryview value) is
gone (:py:func:`map_shared`). (CPython's ``mmap.close`` refuses while views live; PyPy's
succeeds and later reads fail: not closing is right for both.) A mapping holds no
descriptor. The sender copied the data, so its later changes
cannot reach the receiver. A receiver killed mid-transfer leaves nothing behind: the memfd
has no name and no file, the kernel frees it with the last descriptor or mapping.
"""
import errno
import os
import socket
import struct
import sys

from cpy2py.wire import shm_pool as _pool

#: buffers at least this large cross through shared memory (smaller ones through the socket)
SHM_MIN = 1 << 20
#: alignment of each buffer in the memfd (numpy and SIMD like 64)
_ALIGN = 64
_INT = struct.Struct('i')
#: MAP_POPULATE (Linux; the mmap module names it from 3.10): fault the pages in with the
#: mmap call, not one fault per page
_MAP_POPULATE = 0x8000 if sys.platform.startswith('linux') else 0
_MFD_CLOEXEC = getattr(os, 'MFD_CLOEXEC', 1)
#: most bytes one read or write may move on Linux
_IO_MAX = 0x7ffff000
#: whether large memfds are kept and filled again (see shm_pool; CPY2PY_SHM_POOL=0 turns it off)
_POOLING = os.environ.get('CPY2PY_SHM_POOL', '1').strip() != '0'


#: the byte a sender puts on the side socket once a frame's memfd holds its data (the
#: receiver maps the memfd meanwhile, and hands out no view before it comes), or instead
#: when it could not write it
READY, FAILED = b'R', b'X'


def supported():
    """Whether this interpreter can take part: memfd, fd passing, pickle protocol 5"""
    if not hasattr(os, 'memfd_create') or not hasattr(socket.socket, 'sendmsg'):
        return False
    if not hasattr(socket, 'SCM_RIGHTS') or not hasattr(os, 'pwrite'):
        return False
    import pickle
    return pickle.HIGHEST_PROTOCOL >= 5


#: whether this process offers shared memory to its peers (CPY2PY_SHM=0 turns it off)
ENABLED = supported() and os.environ.get('CPY2PY_SHM', '1').strip() != '0'


def peer_pid(sock):
    """The pid of the process at the other end of an AF_UNIX socket (SO_PEERCRED), or None"""
    try:
        creds = sock.getsockopt(socket.SOL_SOCKET, getattr(socket, 'SO_PEERCRED', 17),
                                struct.calcsize('3i'))
        return struct.unpack('3i', creds)[0]
    except (OSError, socket.error, AttributeError, struct.error):
        return None


def send_fd(sock, fd, tag=b'F'):
    """Send one byte carrying descriptor ``fd``"""
    import array
    sock.sendmsg([tag], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [fd]))])


def recv_fd(sock):
    """Receive one byte and the descriptor it carries; returns ``(tag, fd or None)``"""
    size = socket.CMSG_SPACE(_INT.size) if hasattr(socket, 'CMSG_SPACE') else 32
    while True:
        try:
            data, ancillary, _, _ = sock.recvmsg(1, size)
            break
        except (OSError, socket.error) as err:  # pragma: no cover - Python 3.5+ retries itself
            if getattr(err, 'errno', None) != errno.EINTR:
                raise
    fd = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            count = len(payload) // _INT.size
            fds = [_INT.unpack_from(payload, i * _INT.size)[0] for i in range(count)]
            if fds:
                fd = fds[0]
                for extra in fds[1:]:  # never expected: do not leak them
                    os.close(extra)
    if not data:
        if fd is not None:
            os.close(fd)
        raise EOFError('side socket closed')
    return data, fd


def layout(lengths):
    """Offsets of buffers of ``lengths`` in one memfd (after its header: see shm_pool), and
    its total size"""
    offsets, end = [], _pool.HEADER_SIZE
    for length in lengths:
        offsets.append(end)
        end += (length + _ALIGN - 1) // _ALIGN * _ALIGN
    return offsets, end


class Prepared(object):
    """A memfd about to carry ``views``: its descriptor exists (sized, so the receiver can map
    it), its data is written by :py:func:`fill`, possibly while the receiver maps it"""

    __slots__ = ('fd', 'segment', 'views', 'offsets', 'total', 'pooled', 'owner')

    def __init__(self, fd, segment, views, offsets, total, pooled, owner):
        self.fd = fd
        self.segment = segment
        self.views = views
        self.offsets = offsets
        self.total = total
        self.pooled = pooled
        self.owner = owner


def prepare(views, owner=None):
    """A memfd for ``views`` at layout() offsets, behind its header, not yet written: a pooled
    one its receiver is done with (shm_pool), else a new one. The caller passes it on (over
    ``owner``), calls fill() and closes the descriptor."""
    offsets, total = layout([view.nbytes for view in views])
    pooled = _POOLING and total >= _pool.POOL_MIN
    segment = _pool.POOL.take(total) if pooled else None
    if segment is not None:
        return Prepared(os.dup(segment.fd), segment, views, offsets, total, pooled, owner)
    fd = os.memfd_create('cpy2py', _MFD_CLOEXEC)
    try:
        os.ftruncate(fd, total)
    except BaseException:
        os.close(fd)
        raise
    return Prepared(fd, None, views, offsets, total, pooled, owner)


def fill(prepared):
    """Write the data and header of ``prepared`` (the one copy); a large memfd is pooled"""
    segment = prepared.segment
    generation = 1 if segment is None else segment.generation + 1
    try:
        _write_views(prepared.fd, prepared.views, prepared.offsets)
        os.pwrite(prepared.fd, _pool.header(generation), 0)
    except BaseException:
        if segment is not None:
            segment.close()  # half written: it must not be reused
        raise
    if segment is not None:
        segment.generation = generation
    elif prepared.pooled:
        segment = _pool.Segment(os.dup(prepared.fd), prepared.total, generation)
    if segment is not None:
        _pool.POOL.give_back(segment, prepared.owner)


def pack(views, owner=None):
    """A written memfd holding ``views`` (prepare() and fill() in one); the caller passes it
    on and closes it"""
    prepared = prepare(views, owner)
    try:
        fill(prepared)
    except BaseException:
        os.close(prepared.fd)
        raise
    return prepared.fd


def _write_views(fd, views, offsets):
    for view, offset in zip(views, offsets):
        done, size = 0, view.nbytes
        while done < size:
            # the view itself when one write can take it: PyPy copies a slice of a cast
            # memoryview byte by byte (a second and half a gigabyte per 8 MiB)
            part = view if done == 0 and size <= _IO_MAX else view[done:done + _IO_MAX]
            done += os.pwrite(fd, part, offset + done)


def forget(owner):
    """Connection ``owner`` closed: the segments last sent over it will not come back"""
    if _POOLING and len(_pool.POOL):
        _pool.POOL.forget(owner)


def map_shared(fd, size):
    """A writable byte memoryview of ``size`` bytes of memfd ``fd``, unmapped once no view of
    it is left; the mapping holds no descriptor (``fd`` may be closed at once)

    ``mmap.mmap`` duplicates the descriptor and keeps it as long as the mapping lives: a
    process holding many received arrays would run out of descriptors. So: libc's mmap
    through ctypes, with a finalizer that marks the memfd released (its sender may fill it
    again: shm_pool) and unmaps when the last view is gone. PyPy maps with ``mmap`` (see
    below); it unmaps when the garbage collector finds the last view gone.
    """
    import mmap
    flags = mmap.MAP_SHARED | _MAP_POPULATE
    prot = mmap.PROT_READ | mmap.PROT_WRITE
    if hasattr(sys, 'pypy_version_info'):
        # PyPy's memoryview of a ctypes array does not keep the array alive: map with mmap,
        # whose views do keep it (and which keeps no duplicate descriptor on PyPy); it
        # cannot say when it is unmapped, so its sender never reuses the memfd
        return memoryview(mmap.mmap(fd, size, flags=flags, prot=prot))
    try:
        libc = _libc()
    except (ImportError, OSError, AttributeError):
        if sys.version_info >= (3, 13):
            return memoryview(mmap.mmap(fd, size, flags=flags, prot=prot, trackfd=False))
        return memoryview(mmap.mmap(fd, size, flags=flags, prot=prot))
    import ctypes
    import weakref
    address = libc.mmap(None, size, prot, flags, fd, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        raise OSError(ctypes.get_errno(), 'cannot map shared memory: %s' % os.strerror(ctypes.get_errno()))
    area = (ctypes.c_ubyte * size).from_address(address)
    weakref.finalize(area, _release_and_unmap, libc, address, size)
    return memoryview(area).cast('B')


def _release_and_unmap(libc, address, size):
    """The last view of a mapping is gone: tell the sender (its released generation becomes
    the sent one: it may fill the memfd again, see shm_pool), then unmap"""
    try:
        _pool.mark_released(address)
    except Exception:  # e.g. at interpreter exit: the sender just never reuses it
        pass
    libc.munmap(address, size)


_libc_functions = []


def _libc():
    """libc with mmap/munmap typed for ctypes (loaded once)"""
    if not _libc_functions:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                              ctypes.c_int, ctypes.c_long]
        libc.munmap.restype = ctypes.c_int
        libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        _libc_functions.append(libc)
    return _libc_functions[0]


class Unpacked(object):
    """The receiving side of one memfd: its buffers as zero-copy views"""

    def __init__(self, fd, lengths):
        self.fd = fd
        self.offsets, self.total = layout(lengths)
        self._map = None

    def map_now(self):
        """Map (and fault in) the memfd now, while its sender may still be writing it: the
        two halves of a transfer then run on two CPUs (a failure here is retried, or the
        buffers copied, in view())"""
        if self._map is None:
            try:
                self._map = map_shared(self.fd, self.total)
            except (OSError, ValueError, EnvironmentError):
                self._map = None

    def view(self, index, length):
        """A writable memoryview of buffer ``index`` in the mapping (zero copy); the mapping
        lives as long as any view of it"""
        offset = self.offsets[index]
        if self._map is None:
            try:
                self._map = map_shared(self.fd, self.total)
            except (OSError, ValueError, EnvironmentError):
                # e.g. out of descriptors (PyPy's mmap keeps one per mapping): copy instead
                return memoryview(self._copy(offset, length))
        return self._map[offset:offset + length]

    def _copy(self, offset, length):
        target = bytearray()
        while len(target) < length:
            part = os.pread(self.fd, min(length - len(target), _IO_MAX), offset + len(target))
            if not part:
                raise EOFError('shared buffer shorter than announced')
            target += part
        return target

    def close(self):
        """Close the descriptor (the mapping, if any, stays until its views are gone)"""
        self._map = None  # our reference only: the views keep the mmap object
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
