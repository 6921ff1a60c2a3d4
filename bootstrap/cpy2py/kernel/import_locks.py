"""
The import machinery's locks, and the asynchronous exceptions that interrupt requests

An interrupted request stops at whatever bytecode its thread runs next (see
cpy2py.kernel.deadlines), and importlib is Python code: ``_get_module_lock`` and the
weakref callback that drops a dead module lock call ``_imp.acquire_lock()`` one step
before the ``try`` that releases it, and ``_ModuleLockManager.__enter__`` takes a module
lock before the ``with`` statement that gives it back is set up. An exception landing in
between leaves the lock held by a thread that has moved on, and every later import in the
twin waits for it forever (seen with PyPy twins whose requests import modules and are
cancelled).

So a twin (1) holds an interrupt back while the target thread runs import machinery,
retrying shortly after, and (2) once an interrupted request has ended, releases the
import locks its thread still holds: nothing of the request is on that thread's stack any
more, so whatever it holds was leaked (unless the request was itself served inside an
import the thread was making: then the thread's locks are its own and are left alone).
"""
import sys

try:
    import _imp as _import_lock  # Python 3 (and PyPy 3)
except ImportError:  # pragma: no cover - Python 2
    import imp as _import_lock

#: how many levels of a reentrant lock are given back at most (a guard against a lock whose
#: release does not behave as expected)
_MAX_LEVELS = 64


def _is_import_code(code):
    name = code.co_filename
    # CPython: "<frozen importlib._bootstrap>", PyPy: "<builtin>/frozen importlib._bootstrap_external"
    return 'importlib._bootstrap' in name or 'importlib/_bootstrap' in name


def frames_in_import(frame):
    """Whether ``frame`` or one of its callers runs import machinery"""
    while frame is not None:
        if _is_import_code(frame.f_code):
            return True
        frame = frame.f_back
    return False


def thread_in_import(ident):
    """Whether thread ``ident`` runs import machinery now (False when it cannot be told)"""
    current_frames = getattr(sys, '_current_frames', None)
    if current_frames is None:
        return False
    try:
        frame = current_frames().get(ident)
    except Exception:
        return False
    return frames_in_import(frame)


def release_leaked(ident):
    """Give back the import locks thread ``ident`` (the current one) holds: the global import
    lock and importlib's per-module locks; call only when the thread holds none of its own"""
    for _ in range(_MAX_LEVELS):
        try:
            _import_lock.release_lock()
        except RuntimeError:  # not held by this thread (any more)
            break
    bootstrap = sys.modules.get('importlib._bootstrap')
    locks = getattr(bootstrap, '_module_locks', None)
    if not locks:
        return
    try:
        entries = list(locks.values())
    except Exception:
        return
    for entry in entries:
        lock = entry() if callable(entry) else entry
        if lock is None or getattr(lock, 'owner', None) != ident:
            continue
        for _ in range(_MAX_LEVELS):
            try:
                lock.release()
            except Exception:
                break
            if getattr(lock, 'owner', None) != ident:
                break
