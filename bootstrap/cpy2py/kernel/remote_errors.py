"""
Exceptions across interpreters

An error reply is an :py:class:`ErrorPayload`: the exception's type path, message and
remote traceback as plain text, plus the exception itself in separately pickled pieces,
so that whatever the caller cannot decode costs only that piece:

1. the whole exception, pickled as usual;
2. its ``args``, and each attribute of its ``__dict__`` on its own (attributes that do
   not pickle are left out).

The caller rebuilds the exception from (1); if that fails (a class whose ``__init__``
takes other arguments than its ``args``, a value it cannot import), it imports the type
and rebuilds it from (2) with ``cls.__new__(cls)`` (attributes it cannot decode are left
out); if the type cannot be imported or its arguments cannot be decoded, it raises a
:py:class:`RemoteException` naming the remote type and message. The remote traceback,
labelled with the twin id and pid, is the ``__cause__`` (printed on Python 2 too).

A reply value that cannot be decoded here never turns into a bare local error either:
:py:func:`undecodable` names the class that could not be loaded and why.
"""
import os
import sys

from cpy2py.exceptions import RemoteException, RemoteTraceback, UndecodableValue
from cpy2py.kernel import import_errors
from cpy2py.kernel.references import current_destination
from cpy2py.kernel import user_tracebacks
from cpy2py.utility.compat import PY3, pickle, qualname, resolve_qualname

#: Python 2 and 3 keep the built-in exceptions in differently named modules
_BUILTIN_MODULES = ('builtins', 'exceptions', '__builtin__')


def _dumps(value):
    """``value`` pickled for the connection being written to (or plainly), or None"""
    conn = current_destination()
    try:
        if conn is not None:
            payload, buffers = conn.serializer.dumps(value)
            if buffers:
                # large bytes or arrays went out-of-band, but a piece is one blob: pickle
                # them in-band (before, such an exception arrived as RemoteException)
                payload = pickle.dumps(value, conn.serializer.protocol)
            return payload
        return pickle.dumps(value, 2)
    except Exception:
        return None


def _loads(blob):
    return pickle.loads(blob) if PY3 else pickle.loads(bytes(blob))


class ErrorPayload(object):
    """What crosses the wire for an exception raised in a twin"""

    def __init__(self, exception, type_module, type_name, message, traceback_text, twin_id, pid, pieces=None):
        self.exception = exception
        self.type_module = type_module
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        self.twin_id = twin_id
        self.pid = pid
        #: on the receiving side: (whole, args, {name: attribute}) as pickled blobs
        self.pieces = pieces

    def __reduce__(self):
        exc = self.exception
        pieces = None
        if exc is not None:
            state = {}
            for name, value in getattr(exc, '__dict__', {}).items():
                if name.startswith('__cpy2py'):
                    continue
                blob = _dumps(value)
                if blob is not None:
                    state[name] = blob
            pieces = (_dumps(exc), _dumps(tuple(exc.args)), state)
        return (ErrorPayload, (None, self.type_module, self.type_name, self.message, self.traceback_text,
                               self.twin_id, self.pid, pieces))


def _where():
    """This process for a traceback label: its pid, and the host when it is a twin on
    another host (``CPY2PY_REMOTE_HOST``, set by the ssh agent)"""
    host = os.environ.get('CPY2PY_REMOTE_HOST')
    return '%d on host %r' % (os.getpid(), host) if host else os.getpid()


def capture(exc, kernel):
    """Package ``exc`` (being handled now) for sending back to the caller"""
    import traceback  # only when an error happens: it is slow to import
    kind = type(exc)
    text = ''.join(traceback.format_exception(kind, exc, user_tracebacks.from_user_code(sys.exc_info()[2])))
    try:
        message = str(exc)
    except Exception:
        message = repr(exc)
    return ErrorPayload(exc, kind.__module__, qualname(kind), message, text,
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


def _type_path(payload):
    if payload.type_module in _BUILTIN_MODULES:
        return payload.type_name
    return '%s.%s' % (payload.type_module, payload.type_name)


def _import_type(payload):
    module = payload.type_module
    if module in _BUILTIN_MODULES:
        module = 'builtins' if PY3 else 'exceptions'
    __import__(module)
    return resolve_qualname(sys.modules[module], payload.type_name)


def _rebuild(payload):
    """The exception itself, or (None, why it cannot be rebuilt here)"""
    whole, args, state = payload.pieces
    if whole is not None:
        try:
            exc = _loads(whole)
        except Exception:
            pass
        else:
            if isinstance(exc, BaseException):
                _load_rest(args, state)  # receive any references in them (object lifetime)
                return exc, None
    try:
        cls = _import_type(payload)
    except BaseException as error:
        return None, 'its type cannot be imported here (%s)' % describe_error(error)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return None, '%s is not an exception class here' % _type_path(payload)
    if args is None:
        return None, 'its arguments could not be pickled in the twin'
    try:
        exc_args = _loads(args)
    except BaseException as error:
        return None, 'its arguments cannot be decoded here (%s)' % describe_error(error)
    try:
        exc = cls.__new__(cls)
        exc.args = exc_args
    except BaseException as error:
        return None, 'it cannot be rebuilt here (%s)' % describe_error(error)
    for name, blob in state.items():
        try:
            setattr(exc, name, _loads(blob))
        except BaseException:
            pass  # an attribute we cannot decode (or set) is left out
    return exc, None


def _load_rest(args, state):
    for blob in [args] + list(state.values()):
        try:
            if blob is not None:
                _loads(blob)
        except BaseException:
            pass


def to_exception(payload):
    """The exception to raise locally for ``payload`` (an ErrorPayload or an exception)"""
    if isinstance(payload, BaseException):
        return payload
    if not isinstance(payload, ErrorPayload):
        return RemoteException(type(payload).__name__, repr(payload))
    # (str: a Python 2 main gets the id of a Python 3 twin as unicode, which %r shows as u'...')
    label = 'Traceback in twin %r (pid %s):\n%s' % (str(payload.twin_id), payload.pid, payload.traceback_text)
    exc, why = payload.exception, None
    if exc is None and payload.pieces is not None:
        exc, why = _rebuild(payload)
    if exc is None:
        if why:
            label += '\n(raised here as RemoteException: %s)\n' % why
        exc = RemoteException(_type_path(payload), payload.message, label)
    if getattr(exc, '__cpy2py_quiet__', False):
        return exc  # its message says everything (e.g. a twin's failed import): no internals
    exc.__cpy2py_traceback__ = label
    if PY3:
        exc.__cause__ = RemoteTraceback(label)
    return exc


#: characters of another error's message that a message built from it keeps
REASON_LIMIT = 2000
#: undecodable values nested in each other (a value whose decoding asked for another
#: value, and so on) that a message spells out; deeper ones name only the innermost error
NESTING_LIMIT = 3


def describe_error(error, limit=REASON_LIMIT):
    """``Type: message`` of ``error``, cut after ``limit`` characters (saying so)"""
    try:
        text = '%s: %s' % (type(error).__name__, error)
    except BaseException:
        text = '%s (its message cannot be shown)' % type(error).__name__
    if len(text) > limit:
        text = '%s... [%d characters cut]' % (text[:limit], len(text) - limit)
    return text


def undecodable(error, peer_id, body, kind=None):
    """The exception for a reply from ``peer_id`` whose pickle ``body`` failed to load with
    ``error``: it says which class or function could not be loaded, and why

    Its message stays short when ``error`` is itself an undecodable value (and so on, up to
    a RecursionError): past :py:data:`NESTING_LIMIT` levels it names only the innermost
    error and how many levels were cut."""
    what = 'error' if kind == 2 else 'result'
    nesting, innermost = 0, None
    if isinstance(error, UndecodableValue):
        nesting = getattr(error, 'nesting', 0) + 1
        innermost = getattr(error, 'innermost', None)
    if innermost is None:
        innermost = describe_error(error, REASON_LIMIT // 2)
    if nesting >= NESTING_LIMIT:
        reason = ('%d undecodable values nested in it, cut; the innermost error: %s'
                  % (nesting, innermost))
    else:
        reason = describe_error(error)
    culprit = import_errors.failing_global(body)
    if culprit:
        message = ('the %s from twin %r could not be decoded here: it contains %s.%s, which cannot be '
                   'imported in this interpreter (%s)' % (what, peer_id, culprit[0], culprit[1], reason))
    else:
        message = 'the %s from twin %r could not be decoded here (%s)' % (what, peer_id, reason)
    value = UndecodableValue(message)
    value.nesting, value.innermost = nesting, innermost
    return value


def _install_py2_excepthook():  # pragma: no cover - Python 2 only
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        remote = getattr(value, '__cpy2py_traceback__', None)
        if remote:
            if not isinstance(remote, str):
                # unicode from a Python 3 twin: a pipe's ascii codec fails on any other character
                encoding = getattr(sys.stderr, 'encoding', None) or 'utf-8'
                remote = remote.encode(encoding, 'backslashreplace')
            sys.stderr.write(remote)
            sys.stderr.write('\nThe above remote exception was re-raised here:\n\n')
        previous(kind, value, tb)
    sys.excepthook = excepthook


if not PY3:
    _install_py2_excepthook()
