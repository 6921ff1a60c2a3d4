"""
Serializer: pickle at the highest protocol both ends speak

Rules for text across Python 2 and 3 (documented in README, "Values across versions"):

* Python 3 ``str`` arrives in Python 2 as ``unicode``, Python 3 ``bytes`` as ``str``.
* Python 2 ``unicode`` arrives in Python 3 as ``str``.
* Python 2 ``str`` arrives in Python 3 as ``str`` when it is pure ASCII (names, keys,
  identifiers), and as ``bytes`` otherwise.

Between Python 3.8+ peers (pickle protocol 5), out-of-band buffers travel outside the
pickle: every ``PickleBuffer`` a value hands the pickler (numpy arrays, at any depth), and
large ``bytes``/``bytearray``/``memoryview`` values: found at the top of a call's
arguments or a reply, in a small container there or in an attribute of an object there at
once, and at any depth when a first pickling came out larger than
NESTED_LARGE (then the message is pickled again, with them out-of-band). They are written to
the socket straight from their memory and received straight into their final buffer, or
cross in shared memory (:py:mod:`cpy2py.wire.shm`).

``memoryview`` values of any size and at any depth (in lists, dicts, attributes) cross
like bytes and arrive as read-only memoryviews; a Python 2 ``str`` view arriving in
Python 3 follows the text rule above and is encoded as Latin-1. Only messages between
processes pickle them: the user's own ``pickle.dumps(memoryview(...))`` still fails as
usual (the kernel tells through :py:func:`register_wire_check`).

TwinObjects and proxies pickle themselves as references (see ``cpy2py.kernel.references``).
"""
import io
import sys

from cpy2py.utility.compat import PY3, pickle

#: bytes-like values at least this large are sent out-of-band (protocol 5)
LARGE_BUFFER = 64 * 1024
#: a pickle at least this large is made again with nested bytes-like values out-of-band
NESTED_LARGE = 1 << 20
#: containers up to this size are looked into for large bytes-like values before pickling
_SCAN_ITEMS = 16

HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _rebuild_bytes(buffer):
    return buffer if type(buffer) is bytes else bytes(buffer)


def _rebuild_bytearray(buffer):
    return buffer if type(buffer) is bytearray else bytearray(buffer)


def _rebuild_memoryview(buffer):
    if not isinstance(buffer, (bytes, bytearray, memoryview)) and hasattr(buffer, 'encode'):
        buffer = buffer.encode('latin-1')  # an ASCII Python 2 str arrives in Python 3 as str
    view = memoryview(buffer)
    # read-only at every size: a large one arrives in a writable buffer (out-of-band)
    return view.toreadonly() if hasattr(view, 'toreadonly') else view


def _on_the_wire():
    return False


def register_wire_check(check):
    """``check()`` tells whether this thread pickles a message for a peer (set by the kernel)"""
    global _on_the_wire
    _on_the_wire = check


def _reduce_memoryview(view):
    if not _on_the_wire():
        raise TypeError("cannot pickle 'memoryview' object")
    return _rebuild_memoryview, (view.tobytes(),)


try:
    import copyreg as _copyreg
except ImportError:  # pragma: no cover - Python 2
    import copy_reg as _copyreg
_copyreg.pickle(memoryview, _reduce_memoryview)


if PY3 and sys.version_info >= (3, 8):
    _PickleBuffer = pickle.PickleBuffer

    _KINDS = {bytes: 0, bytearray: 1}
    _REBUILD = (_rebuild_bytes, _rebuild_bytearray)

    class _OutOfBandUnpickler(pickle.Unpickler):
        def persistent_load(self, pid):
            kind, buffer = pid
            return _REBUILD[kind](buffer)

    class _OutOfBandPickler(pickle.Pickler):
        """
        Sends large bytes-like objects as out-of-band buffers

        :py:attr:`values` maps the ids of the buffers it made for ``bytes`` and
        ``bytearray`` values to those values: the transport sends such a value as itself
        (the receiver copies it into a new object anyway), other buffers as views.
        """

        def __init__(self, *args, **kwargs):
            pickle.Pickler.__init__(self, *args, **kwargs)
            self.values = {}

        def _value_buffer(self, obj):
            buffer = _PickleBuffer(obj)
            self.values[id(buffer)] = (buffer, obj)  # keeps the id unique meanwhile
            return buffer

        def persistent_id(self, obj):
            # the C pickler never asks reducer_override about bytes and bytearray
            kind = _KINDS.get(type(obj))
            if kind is not None and len(obj) >= LARGE_BUFFER:
                return kind, self._value_buffer(obj)
            return None

        def reducer_override(self, obj):
            kind = type(obj)
            if kind is bytes and len(obj) >= LARGE_BUFFER:
                return _rebuild_bytes, (self._value_buffer(obj),)
            if kind is bytearray and len(obj) >= LARGE_BUFFER:
                return _rebuild_bytearray, (self._value_buffer(obj),)
            if kind is memoryview and obj.nbytes >= LARGE_BUFFER and obj.contiguous:
                return _rebuild_memoryview, (_PickleBuffer(obj),)
            return NotImplemented
else:
    _OutOfBandPickler = None


#: types whose values never hold a bytes-like object (not looked into)
ATOMS = frozenset([int, float, complex, bool, type(None), str, type(u'')])


def has_large_buffer(values, depth=1):
    """Whether any of ``values`` is a large bytes-like object, or holds one directly in a
    small list, tuple or dict, or in an attribute of an object with few attributes
    (``depth`` levels down); anything deeper is found by the size of a first pickle
    (Serializer.dumps), which costs the sender one in-band copy"""
    for value in values:
        kind = type(value)
        if kind is bytes or kind is bytearray:
            if len(value) >= LARGE_BUFFER:
                return True
        elif kind is memoryview:
            if value.nbytes >= LARGE_BUFFER:
                return True
        elif not depth or kind in ATOMS:
            continue
        elif kind is list or kind is tuple or kind is dict:
            if len(value) <= _SCAN_ITEMS and has_large_buffer(
                    value.values() if kind is dict else value, depth - 1):
                return True
        else:
            attributes = _attributes(value)
            if (attributes is not None and len(attributes) <= _SCAN_ITEMS
                    and has_large_buffer(attributes.values(), depth - 1)):
                return True
    return False


def _attributes(value):
    """The instance dict of ``value``, or None; never runs the object's own attribute hooks
    (``__getattr__`` of a proxy, say)"""
    if isinstance(type(value).__dict__.get('__dict__'), property):
        return None  # a class that computes __dict__: a proxy's is read from its twin
    try:
        attributes = object.__getattribute__(value, '__dict__')
    except Exception:
        return None
    return attributes if type(attributes) is dict else None


def _builtin_constant(name):
    from cpy2py.utility.compat import builtins
    return getattr(builtins, name)


if not PY3:  # pragma: no cover - Python 2 only
    import copy_reg
    import pickle as _pure_pickle

    # Python 2 cannot pickle these singletons (e.g. NotImplemented returned by __eq__)
    copy_reg.pickle(type(NotImplemented), lambda obj: (_builtin_constant, ('NotImplemented',)))
    copy_reg.pickle(type(Ellipsis), lambda obj: (_builtin_constant, ('Ellipsis',)))

    def _refuse_file(obj):
        # protocol 2 "pickles" a file as an empty object of a type Python 3 lacks (protocols
        # 0 and 1 refuse it): refusing makes it cross as a reference, as on Python 3
        raise TypeError("can't pickle file objects")
    copy_reg.pickle(file, _refuse_file)  # noqa: F821 - Python 2's built-in file type
    # the same for the io module's files (io.open): an empty object arrived, and using it
    # raised "I/O operation on uninitialized object"; Python 3 refuses them too. (BytesIO
    # and StringIO pickle their contents and stay values.)
    import _io
    for _kind in (_io.FileIO, _io.BufferedReader, _io.BufferedWriter, _io.BufferedRandom,
                  _io.BufferedRWPair, _io.TextIOWrapper):
        copy_reg.pickle(_kind, _refuse_file)

    class _Py3CompatiblePickler(_pure_pickle.Pickler):
        """Python 2 pickler whose non-ASCII ``str`` values arrive in Python 3 as ``bytes``"""
        dispatch = dict(_pure_pickle.Pickler.dispatch)

        def save_str_for_py3(self, obj, pack=None):
            try:
                obj.decode('ascii')
            except UnicodeDecodeError:
                import _codecs
                self.save_reduce(_codecs.encode, (obj.decode('latin1'), 'latin1'), obj=obj)
            else:
                _pure_pickle.Pickler.save_string(self, obj)
        dispatch[str] = save_str_for_py3


class Serializer(object):
    """Pickles messages for one connection"""

    def __init__(self, protocol, peer_is_py2):
        self.protocol = protocol
        self.peer_is_py2 = peer_is_py2
        self.out_of_band = protocol >= 5 and _OutOfBandPickler is not None
        self.py2_to_py3 = not PY3 and not peer_is_py2
        #: plain pickle.dumps/loads do for messages without large buffers (the kernel's fast path)
        self.direct = not self.py2_to_py3

    def dumps(self, message, large_values=()):
        """Returns ``(payload, buffers)``; ``large_values`` may hold big bytes-like objects"""
        if self.py2_to_py3:
            stream = io.BytesIO()
            _Py3CompatiblePickler(stream, self.protocol).dump(message)
            return stream.getvalue(), None
        if not self.out_of_band:
            return pickle.dumps(message, self.protocol), None
        if not (large_values and has_large_buffer(large_values)):
            buffers = []
            payload = pickle.dumps(message, self.protocol, buffer_callback=buffers.append)
            if len(payload) < NESTED_LARGE:
                return payload, ([buffer.raw() for buffer in buffers] if buffers else None)
            # large bytes-like values somewhere inside: pickle again, them out-of-band
        return self.dumps_out_of_band(message)

    def dumps_out_of_band(self, message):
        """``(payload, buffers)`` with every large bytes-like value and every PickleBuffer
        out-of-band (protocol 5 only)"""
        buffers = []
        stream = io.BytesIO()
        pickler = _OutOfBandPickler(stream, self.protocol, buffer_callback=buffers.append)
        pickler.dump(message)
        values = pickler.values
        return stream.getvalue(), [values[id(buffer)][1] if id(buffer) in values else buffer.raw()
                                   for buffer in buffers]

    def loads(self, payload, buffers=None):
        if buffers:
            return _OutOfBandUnpickler(io.BytesIO(payload), buffers=buffers).load()
        return pickle.loads(payload)
