"""
Receive targets for large values: new ``bytes``/``bytearray`` objects whose memory is
faulted in as huge pages while the socket fills it

Receiving a large value means writing into memory the process never touched, and the
page faults of that fresh memory, not the copy, bound the transfer: on the VMs we measure
on, a copy into fresh 4 KiB pages runs at 1.2-1.8 GB/s, the same copy into memory already
faulted in at 6-12 GB/s. Transparent huge pages cut the faults 512-fold, but Linux gives
them to ordinary allocations only after ``madvise(MADV_HUGEPAGE)`` (the usual
``transparent_hugepage/enabled = madvise``), which Python's allocator never asks for
(numpy does, for its own arrays).

So, where the interpreter lets us (CPython 3 through ``ctypes.pythonapi``), a large
target is made as the C API makes one before it fills it: an object of the final size
whose memory is left untouched (``PyBytes_FromStringAndSize(NULL, n)``), advised to use
huge pages, and received into through a writable view of that memory. The object is
handed out only once full, as CPython's own ``recv`` does with the ``bytes`` it returns.
A ``bytes`` value then needs no further copy either (before, it was received into a
``bytearray`` and copied once more into ``bytes``). Untouched memory is address space
only: a header that announces more than the peer sends costs no memory.

Elsewhere (PyPy, Python 2, no ``ctypes``, not Linux) :py:func:`new_target` returns None and
the caller receives into an ordinary ``bytearray``.
"""
import sys

#: values at least this large are received into advised memory (smaller ones are not worth
#: an madvise call: at most a few huge pages)
MIN_SIZE = 4 * 1024 * 1024
#: larger targets are not advised (they are still the final object): a VM whose balloon
#: hands free memory back to the host (free page reporting) gives huge pages from blocks the
#: host must fault in again, and for 1 GiB targets that cost more than it saved (measured:
#: 0.45-0.68 GB/s advised against 0.63-1.18 GB/s not, while 256 MiB ones went from
#: 1.5-1.8 to 2.6-3.4 GB/s)
ADVISE_MAX = 256 * 1024 * 1024
_HUGE_PAGE = 2 * 1024 * 1024
_MADV_HUGEPAGE = 14  # Linux
_api = []


def _load():
    """``([(maker, address) for bytes, for bytearray], madvise, ctypes)``, or None here

    Private library handles (``PyDLL(None)`` is what ``ctypes.pythonapi`` is on Linux), so
    the types set on these functions never change the ones the application may use."""
    if (not sys.platform.startswith('linux') or sys.version_info[0] < 3
            or hasattr(sys, 'pypy_version_info')):
        return None
    try:
        import ctypes
        api = ctypes.PyDLL(None)
        functions = []
        for maker, address in (('PyBytes_FromStringAndSize', 'PyBytes_AsString'),
                               ('PyByteArray_FromStringAndSize', 'PyByteArray_AsString')):
            make = getattr(api, maker)
            make.restype, make.argtypes = ctypes.py_object, [ctypes.c_void_p, ctypes.c_ssize_t]
            where = getattr(api, address)
            where.restype, where.argtypes = ctypes.c_void_p, [ctypes.py_object]
            functions.append((make, where))
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.restype, madvise.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    except (ImportError, OSError, AttributeError):
        return None
    return functions, madvise, ctypes


def _functions():
    if not _api:
        _api.append(_load())
    return _api[0]


def usable(size):
    """Whether :py:func:`new_target` makes targets of ``size`` bytes in this interpreter"""
    return size >= MIN_SIZE and _functions() is not None


def new_target(size, as_bytes):
    """
    ``(obj, view)``: a new ``bytes`` (``as_bytes``) or ``bytearray`` of ``size`` bytes,
    contents undefined, and a writable byte memoryview of its memory; or None where this
    interpreter cannot make one (then receive into a plain bytearray)

    The caller fills all of ``view`` before it lets ``obj`` out (a partly received object
    is dropped), and drops ``view`` first.
    """
    loaded = _functions()
    if loaded is None or size < MIN_SIZE:
        return None
    functions, madvise, ctypes = loaded
    make, where = functions[0 if as_bytes else 1]
    try:
        obj = make(None, size)
        address = where(obj)
    except Exception:  # e.g. MemoryError under strict overcommit: the plain way grows the
        return None    # target as data arrives, so it may still fit
    if not address:
        return None
    # the part of the block that covers whole huge pages (the block itself is page aligned
    # plus the object's header)
    start = (address + _HUGE_PAGE - 1) // _HUGE_PAGE * _HUGE_PAGE
    end = (address + size) // _HUGE_PAGE * _HUGE_PAGE
    if end > start and size <= ADVISE_MAX:
        madvise(start, end - start, _MADV_HUGEPAGE)  # advice only: a refusal changes nothing
    view = memoryview((ctypes.c_ubyte * size).from_address(address)).cast('B')
    return obj, view
