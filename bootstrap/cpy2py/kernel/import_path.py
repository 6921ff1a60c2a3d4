"""
The main's import path, for twins

A twin imports the application's classes and functions by module name. Directories the
main puts on ``sys.path`` while it runs (pytest's rootdir, a ``sys.path.insert`` before
objects are created) are not on the twin's path. So when a twin cannot import what it was
sent, it asks the main for its path (op ``sys_path``), appends the directories that exist
here and are not there yet, and tries once more; only then the import error is reported,
explained by :py:mod:`cpy2py.kernel.import_errors`. Nothing of this runs while imports
succeed.

The main leaves out its interpreter's own directories (standard library,
``site-packages``): a twin of another Python version must not import those.
"""
import os
import sys
import threading
import time

from cpy2py.exceptions import TwinImportError
from cpy2py.kernel import import_errors
from cpy2py.utility.compat import resolve_qualname

_lock = threading.Lock()
#: how references name the main module
MAIN_NAMES = ('__main__', '__cpy2py_main__')


def _interpreter_directory(path):
    """Whether ``path`` belongs to this interpreter (standard library, site-packages)"""
    if path.endswith('.zip') or not import_errors.is_application_file(os.path.join(path, 'x.py')):
        return True
    name = os.path.basename(path)
    return name in ('site-packages', 'dist-packages', 'lib-dynload')


def shareable_path():
    """The main's ``sys.path`` as absolute directories, without its interpreter's own"""
    paths = []
    for entry in list(sys.path):
        if not isinstance(entry, str):
            continue
        path = os.path.abspath(entry or os.curdir)
        if path not in paths and not _interpreter_directory(path):
            paths.append(path)
    return paths


def adopt_main_path(kernel):
    """Add the main's application directories that exist here to ``sys.path``; True when
    anything was added (so importing again may now work)"""
    if kernel is None or kernel.is_master:
        return False
    try:
        paths = kernel.request(kernel.master_id, 'sys_path', None)
    except Exception:
        return False
    added = False
    with _lock:
        present = set(os.path.abspath(entry or os.curdir) for entry in sys.path if isinstance(entry, str))
        for path in paths:
            if path not in present and os.path.isdir(path):
                sys.path.append(path)
                present.add(path)
                added = True
    if added:
        try:
            import importlib
            importlib.invalidate_caches()
        except (ImportError, AttributeError):
            pass
    return added


def _import_class(ref):
    module_name, name = ref
    module = sys.modules.get(module_name)
    if module is None:
        __import__(module_name)
        module = sys.modules[module_name]
    return resolve_qualname(module, name)


def class_not_found(kernel, ref):
    """
    The class ``ref`` (``(module, qualified name)``) that a first import did not find:
    imported once more after adopting the main's path, else a TwinImportError that explains
    """
    adopt_main_path(kernel)
    try:
        return _import_class(ref)
    except TwinImportError:
        raise
    except Exception:
        raise import_errors.import_failure(
            kernel.twin_id if kernel is not None else '?', 'module %s' % ref[0], sys.exc_info(),
            looking_for=ref[1], is_main=ref[0] in MAIN_NAMES)


#: seconds a request waits for another thread's import of a module it needs to finish
IMPORT_WAIT = 30.0


def wait_while_imported(module_name, timeout=IMPORT_WAIT):
    """
    Wait until no thread executes the import of ``module_name`` any more

    A pickle may meet a module that another thread is still executing: Python waits for that
    import, except when waiting could deadlock (two threads importing modules that import
    each other, e.g. through a class statement), where it hands out the half-executed module
    and the pickle finds no function or class further down it. By the time the request is
    decoded again this thread holds no import lock, so waiting for the other import is safe.
    Python 2 imports under one global lock, where this cannot happen: nothing to wait for.
    """
    module = sys.modules.get(module_name)
    spec = getattr(module, '__spec__', None)
    end = time.time() + timeout
    while spec is not None and getattr(spec, '_initializing', False) and time.time() < end:
        time.sleep(0.002)


def decode_again(kernel, decode, body):
    """
    A request whose pickle ``body`` failed to load here: ``decode()`` once more after
    adopting the main's path (and waiting for an import of the module it names that another
    thread is still executing); else a TwinImportError naming what could not be imported
    """
    adopt_main_path(kernel)
    culprit = import_errors.failing_global(body)
    if culprit:
        wait_while_imported(culprit[0])
    try:
        return decode()
    except TwinImportError:
        raise
    except Exception:
        exc_info = sys.exc_info()
        culprit = import_errors.failing_global(body)
        if culprit is None and not isinstance(exc_info[1], (ImportError, AttributeError, SyntaxError)):
            raise  # not an import problem: the caller gets the error itself
        what = 'module %s' % culprit[0] if culprit else 'what it was sent'
        raise import_errors.import_failure(
            kernel.twin_id, what, exc_info, looking_for=culprit[1] if culprit else None,
            is_main=bool(culprit) and culprit[0] in MAIN_NAMES)
