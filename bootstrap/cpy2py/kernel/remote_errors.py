"""
Exceptions across interpreters

An error reply carries the exception itself when it pickles, its type's import path,
its message and the remote traceback text. The caller re-raises the same type when it
can (with the remote traceback attached: as ``__cause__`` on Python 3, in the printed
traceback on Python 2 through a small excepthook), and a :py:class:`RemoteException`
naming the remote type otherwise.
"""
import os
import sys

from cpy2py.exceptions import RemoteException, RemoteTraceback
from cpy2py.utility.compat import PY3, pickle, qualname


class ErrorPayload(object):
    """What crosses the wire for an exception raised in a twin"""

    def __init__(self, exception, type_module, type_name, message, traceback_text, twin_id, pid):
        self.exception = exception
        self.type_module = type_module
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        self.twin_id = twin_id
        self.pid = pid

    def __reduce__(self):
        return (ErrorPayload, (self.exception, self.type_module, self.type_name, self.message,
                               self.traceback_text, self.twin_id, self.pid))


def _where():
    """This process for a traceback label: its pid, and the host when it is a twin on
    another host (``CPY2PY_REMOTE_HOST``, set by the ssh agent)"""
    host = os.environ.get('CPY2PY_REMOTE_HOST')
    return '%d on host %r' % (os.getpid(), host) if host else os.getpid()


def capture(exc, kernel, local=False):
    """Package ``exc`` (being handled now) for sending back to the caller"""
    import traceback  # only when an error happens: it is slow to import
    kind = type(exc)
    text = ''.join(traceback.format_exception(kind, exc, sys.exc_info()[2]))
    try:
        message = str(exc)
    except Exception:
        message = repr(exc)
    payload_exc = exc
    try:
        pickle.loads(pickle.dumps(exc, 2))
    except Exception:
        payload_exc = None
    return ErrorPayload(payload_exc, kind.__module__, qualname(kind), message, text,
                        kernel.twin_id if kernel is not None else '?', _where())


def minimal(exc, kernel):
    """A payload that surely pickles, for when :py:func:`capture` itself failed"""
    kind = type(exc)
    try:
        message = str(exc)[:2000]
    except Exception:
        message = '<unprintable %s>' % kind.__name__
    return ErrorPayload(None, str(kind.__module__), str(qualname(kind)), message,
                        '(traceback unavailable)\n', kernel.twin_id if kernel is not None else '?',
                        _where())


def to_exception(payload):
    """The exception to raise locally for ``payload`` (an ErrorPayload or an exception)"""
    if isinstance(payload, BaseException):
        return payload
    if not isinstance(payload, ErrorPayload):
        return RemoteException(type(payload).__name__, repr(payload))
    label = 'Traceback in twin %r (pid %s):\n%s' % (payload.twin_id, payload.pid, payload.traceback_text)
    exc = payload.exception
    if exc is None:
        return RemoteException('%s.%s' % (payload.type_module, payload.type_name), payload.message, label)
    exc.__cpy2py_traceback__ = label
    if PY3:
        cause = RemoteTraceback(label)
        exc.__cause__ = cause
    return exc


def _install_py2_excepthook():  # pragma: no cover - Python 2 only
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        remote = getattr(value, '__cpy2py_traceback__', None)
        if remote:
            sys.stderr.write(remote)
            sys.stderr.write('\nThe above remote exception was re-raised here:\n\n')
        previous(kind, value, tb)
    sys.excepthook = excepthook


if not PY3:
    _install_py2_excepthook()
