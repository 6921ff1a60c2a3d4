"""
Tracebacks of uncaught exceptions in the main without the runtime's own frames

A call into a twin passes through half a dozen runtime frames (proxy members, the kernel's
request, call and wait) before the exception of a dead twin, a deadline, Ctrl-C or a
rebuilt remote error is raised. Printed in full, those frames bury the user's line that
made the call. The main's ``sys.excepthook`` (and ``threading.excepthook``) therefore print
such a traceback without the frames of files inside this package. What the user wrote, the
remote traceback (``__cause__``) and the message stay as they are. A twin likewise leaves
the frames of its request handling out of the remote traceback it sends
(:py:func:`from_user_code`).

Frames are left in place when the runtime itself may be at fault (any other exception
raised inside the runtime), and always when ``CPY2PY_DEBUG`` is set. The traceback is
relinked, which needs a writable ``tb_next`` (Python 3.7+); older interpreters print the
full traceback.
"""
import os
import sys
import threading

from cpy2py.exceptions import CallCancelled, CPy2PyException, RemoteTraceback, TwinImportError
from cpy2py.kernel.import_errors import is_runtime_file

#: errors the runtime raises on purpose, to the caller
_OURS = (CPy2PyException, CallCancelled, TwinImportError, KeyboardInterrupt)


def _is_runtime_frame(tb):
    return is_runtime_file(tb.tb_frame.f_code.co_filename)


def _frames(tb):
    found = []
    while tb is not None:
        found.append(tb)
        tb = tb.tb_next
    return found


def trimmed(value, tb):
    """``tb`` without runtime frames, when ``value`` came out of the runtime on purpose (or
    only passed through it); else ``tb`` unchanged"""
    frames = _frames(tb)
    if not frames or not any(_is_runtime_frame(frame) for frame in frames):
        return tb
    raised_inside = _is_runtime_frame(frames[-1])
    remote = getattr(value, '__cause__', None) is not None and isinstance(value.__cause__, RemoteTraceback)
    if raised_inside and not isinstance(value, _OURS) and not remote:
        return tb  # maybe a bug of ours: show where
    if raised_inside and not remote:
        _drop_internal_context(value)
    kept = [frame for frame in frames if not _is_runtime_frame(frame)]
    if not kept:
        return tb
    try:
        for frame, following in zip(kept, kept[1:] + [None]):
            frame.tb_next = following
    except (AttributeError, TypeError):
        return tb  # tb_next is read-only before Python 3.7
    return kept[0]


def _drop_internal_context(value):
    """An error of ours raised while the runtime handled another one (``cannot listen on
    PATH: Address already in use`` out of the OSError of ``bind``) already says what that
    one said: print it without "During handling of the above exception" and the runtime's
    frames it brings along. A context with a frame of the user's stays (their code failed)."""
    context = getattr(value, '__context__', None)
    if context is None or getattr(value, '__cause__', None) is not None:
        return
    frames = _frames(getattr(context, '__traceback__', None))
    if frames and all(_is_runtime_frame(frame) for frame in frames):
        value.__suppress_context__ = True


def from_user_code(tb):
    """``tb`` from its first frame outside the runtime (a request's handler frames say
    nothing to the caller), or whole when every frame is the runtime's or CPY2PY_DEBUG is set"""
    if os.environ.get('CPY2PY_DEBUG'):
        return tb
    first = tb
    while first is not None and _is_runtime_frame(first):
        first = first.tb_next
    return tb if first is None else first


def install():
    """Wrap the main's exception hooks (once); the previous hooks still print"""
    if os.environ.get('CPY2PY_DEBUG') or getattr(sys.excepthook, '_cpy2py_trims', False):
        return
    if sys.version_info < (3, 7):
        return
    previous = sys.excepthook

    def excepthook(kind, value, tb):
        previous(kind, value, trimmed(value, tb))
    excepthook._cpy2py_trims = True
    sys.excepthook = excepthook

    previous_thread_hook = getattr(threading, 'excepthook', None)
    if previous_thread_hook is None:
        return

    def thread_excepthook(args):
        tb = trimmed(args.exc_value, args.exc_traceback)
        if tb is not args.exc_traceback:
            args = _ThreadHookArgs(args, tb)
        previous_thread_hook(args)
    threading.excepthook = thread_excepthook


class _ThreadHookArgs(object):
    """``threading.ExceptHookArgs`` with another traceback (the original is read-only)"""

    def __init__(self, args, tb):
        self.exc_type = args.exc_type
        self.exc_value = args.exc_value
        self.exc_traceback = tb
        self.thread = args.thread
