"""
Differences between Python 2.7 and 3.x, in one place

Everything else in the runtime imports these names instead of checking versions itself.
"""
import io
import sys

PY3 = sys.version_info[0] >= 3
PY2 = not PY3
IS_PYPY = hasattr(sys, 'pypy_version_info')

if PY3:
    import builtins
    import pickle
    import queue
    stringabc = str
    unicode_str = str
    bytes_str = bytes
    intern_str = sys.intern
    range = range
    long_int = int
    inf = float('inf')
    from _thread import get_ident as thread_ident
else:  # pragma: no cover - exercised under 2.7
    import __builtin__ as builtins
    import cPickle as pickle
    import Queue as queue
    stringabc = basestring  # noqa: F821
    unicode_str = unicode  # noqa: F821
    bytes_str = str
    intern_str = intern  # noqa: F821
    range = xrange  # noqa: F821
    long_int = long  # noqa: F821
    inf = float('inf')
    from thread import get_ident as thread_ident

#: the name of older versions of the original library for ``range``
rangex = range
#: in-memory binary file
BytesFile = io.BytesIO


def str_to_bytes(text):
    """``text`` (str or unicode) as bytes, encoded as UTF-8"""
    if isinstance(text, bytes_str):
        return text
    return text.encode('utf-8')


def check_output(*popenargs, **kwargs):
    """
    Run a command and return its standard output (as bytes)

    Same as :py:func:`subprocess.check_output`: ``stdout`` cannot be passed
    (:py:exc:`ValueError`) and a non-zero exit status raises
    :py:exc:`subprocess.CalledProcessError`.
    """
    import subprocess  # only here: it is slow to import and rarely needed
    if 'stdout' in kwargs:
        raise ValueError('stdout argument not allowed, it will be overridden.')
    process = subprocess.Popen(stdout=subprocess.PIPE, *popenargs, **kwargs)
    output, _ = process.communicate()
    status = process.poll()
    if status:
        command = kwargs.get('args', popenargs[0] if popenargs else None)
        error = subprocess.CalledProcessError(status, command)
        error.output = output
        raise error
    return output


if sys.version_info >= (3, 7):
    def __getattr__(name):
        # logging costs milliseconds at start-up: import it when someone asks for this
        if name == 'NullHandler':
            from logging import NullHandler
            return NullHandler
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
else:
    from logging import NullHandler

def compare_digest(a, b):
    """Constant-time comparison of two byte strings (hmac's, imported only when used)"""
    try:  # the C function hmac uses; importing hmac costs PyPy ~30 ms (it loads OpenSSL)
        from _operator import _compare_digest as _compare
    except ImportError:
        try:
            from operator import _compare_digest as _compare
        except ImportError:  # pragma: no cover - very old 2.7
            _compare = None
    if _compare is not None:
        return _compare(a, b)
    if len(a) != len(b):
        return False
    result = 0
    for x, y in zip(bytearray(a), bytearray(b)):
        result |= x ^ y
    return result == 0


def set_cloexec(fd):
    """Keep ``fd`` out of child processes (Python 2 inherits by default)."""
    import fcntl
    flags = fcntl.fcntl(fd, fcntl.F_GETFD)
    fcntl.fcntl(fd, fcntl.F_SETFD, flags | fcntl.FD_CLOEXEC)


def set_inheritable(fd):
    """Let ``fd`` survive exec into a child process."""
    import fcntl
    flags = fcntl.fcntl(fd, fcntl.F_GETFD)
    fcntl.fcntl(fd, fcntl.F_SETFD, flags & ~fcntl.FD_CLOEXEC)


def qualname(obj):
    """Dotted name of a class or function inside its module."""
    return getattr(obj, '__qualname__', obj.__name__)


def resolve_qualname(module, name):
    """Look up a dotted ``name`` inside ``module``."""
    obj = module
    for part in name.split('.'):
        obj = getattr(obj, part)
    return obj


__all__ = [
    'PY3', 'PY2', 'IS_PYPY', 'builtins', 'pickle', 'queue', 'stringabc', 'unicode_str', 'bytes_str',
    'intern_str', 'range', 'rangex', 'long_int', 'inf', 'thread_ident', 'NullHandler',
    'compare_digest', 'set_cloexec', 'set_inheritable', 'qualname', 'resolve_qualname',
    'BytesFile', 'str_to_bytes', 'check_output',
]
