"""
How a twin imports the application's code, and what it says when that fails

A twin imports the main script (or ``-m`` module) under another name, so the block under
``if __name__ == '__main__':`` does not run there; everything else at top level does. When
that import, or the import of a class's own module, fails or exits, the user gets one
message that names the twin, the module, the file and line, the original exception and
what helps (:py:func:`import_failure`). ``cpy2py-run --check SCRIPT`` runs the same code
(``bootstrap/cpy2py_check.py``).
"""
import os
import platform
import sys
import threading

from cpy2py.exceptions import TwinImportError
from cpy2py.utility.compat import resolve_qualname, stringabc

#: the directory of the cpy2py package, whose frames are left out of tracebacks users see
_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: and its neighbour for twins on other hosts (the module finder that raises "No module
#: named 'x' in twin ... on host ...")
_SSH_DIR = os.path.join(os.path.dirname(_RUNTIME_DIR), 'cpy2py_ssh')
#: how many characters of what the failed import printed go into the message
_OUTPUT_TAIL = 1500

GUARD = "if __name__ == '__main__':"


def describe_twin(twin_id):
    """``twin 'pypy' (PyPy 3.9.16, /usr/bin/pypy3)``"""
    return "twin %r (%s %s, %s)" % (str(twin_id), platform.python_implementation(),
                                    platform.python_version(), sys.executable)


def package_main_file(module_name):
    """The ``__main__.py`` of package ``module_name`` (imported), or None for a module"""
    import importlib
    module = importlib.import_module(module_name)
    for directory in getattr(module, '__path__', None) or ():
        candidate = os.path.join(directory, '__main__.py')
        if os.path.isfile(candidate):
            return candidate
    return None


def is_runtime_file(path):
    """Whether ``path`` (a code object's file name) is a module of this runtime"""
    path = os.path.abspath(path)
    return path.startswith(_RUNTIME_DIR + os.sep) or path.startswith(_SSH_DIR + os.sep)


def is_application_file(path):
    """False for files of the interpreter's standard library (e.g. unittest/__main__.py)"""
    stdlib = os.path.dirname(os.path.abspath(os.__file__))
    path = os.path.abspath(path)
    if not path.startswith(stdlib + os.sep):
        return True
    return 'site-packages' in path or 'dist-packages' in path


class CapturedOutput(object):
    """
    Holds back what the current thread prints while importing the application's code

    On success it is printed after all (:py:meth:`release`); on failure its tail goes into
    the error message instead of appearing without context in the twin's output. Writes of
    other threads pass straight through.
    """

    def __init__(self, active=True):
        self.active = active
        self.thread = threading.current_thread()
        self.chunks = []
        self.saved = None

    def __enter__(self):
        if not self.active:
            return self
        self.saved = (sys.stdout, sys.stderr)
        sys.stdout = _ThreadFilter(self, sys.stdout)
        sys.stderr = _ThreadFilter(self, sys.stderr)
        return self

    def __exit__(self, *exc_info):
        if not self.active:
            return False
        # restore only what we installed: user code may have replaced the streams itself
        if isinstance(sys.stdout, _ThreadFilter) and sys.stdout.capture is self:
            sys.stdout = self.saved[0]
        if isinstance(sys.stderr, _ThreadFilter) and sys.stderr.capture is self:
            sys.stderr = self.saved[1]
        return False

    def text(self):
        return ''.join(chunk for _, chunk in self.chunks)

    def release(self):
        """Print what was held back (the import succeeded)"""
        for stream, chunk in self.chunks:
            try:
                stream.write(chunk)
            except Exception:
                pass


class _ThreadFilter(object):
    """A stream that keeps the capturing thread's writes and passes on everybody else's"""

    def __init__(self, capture, stream):
        self.capture = capture
        self.stream = stream

    def write(self, text):
        if threading.current_thread() is self.capture.thread:
            self.capture.chunks.append((self.stream, text))
            return len(text)
        return self.stream.write(text)

    def flush(self):
        if threading.current_thread() is not self.capture.thread:
            self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _user_frames(tb):
    """The traceback entries of the application: none of this runtime or importlib's
    machinery, and none of the standard library's after the application's last one"""
    import traceback
    entries = []
    for entry in traceback.extract_tb(tb):
        filename = entry[0]
        if filename.startswith('<frozen ') or is_runtime_file(filename):
            continue
        if os.sep + 'importlib' + os.sep in filename:
            continue
        entries.append(entry)
    while len(entries) > 1 and not is_application_file(entries[-1][0]):
        entries.pop()
    return entries


def format_failure(exc_info):
    """The original exception with its traceback in the user's code, as Python prints it"""
    import traceback
    kind, value, tb = exc_info
    lines = ['Traceback (most recent call last):\n'] if _user_frames(tb) else []
    lines += traceback.format_list(_user_frames(tb))
    lines += traceback.format_exception_only(kind, value)
    return ''.join(lines).rstrip('\n')


def import_failure(twin_id, what, exc_info, looking_for=None, output='', is_main=False):
    """
    The :py:class:`TwinImportError` for a failed import in a twin

    :param what: ``the main script /x/app.py``, ``module crunch_lib``, ...
    :param looking_for: ``Crunch``: the name the twin was sent
    :param output: what the import printed before it failed
    """
    kind, value = exc_info[0], exc_info[1]
    exited = issubclass(kind, SystemExit)
    target = ' (to find %s)' % looking_for if looking_for else ''
    if exited:
        head = '%s imported %s%s, and its top-level code exited (SystemExit: %s):' % (
            describe_twin(twin_id), what, target, value.code if hasattr(value, 'code') else value)
    else:
        head = '%s cannot import %s%s:' % (describe_twin(twin_id), what, target)
    parts = [head, format_failure(exc_info)]
    output = output.strip()
    if output:
        if len(output) > _OUTPUT_TAIL:
            output = '...' + output[-_OUTPUT_TAIL:]
        parts.append('It printed:\n' + output)
    if exited:
        parts.append(
            "A twin imports the main script under another name to find the classes and functions it is "
            "sent: the code under `%s` does not run there, everything else at top level does. What helps: "
            "keep the script's top-level code under `%s`, or move the classes and functions twins use into "
            "their own module." % (GUARD, GUARD))
    elif is_main:
        parts.append(
            "A twin imports the main script under another name to find the classes and functions it is "
            "sent: the code under `%s` does not run there, everything else at top level does. What helps: "
            "keep the script's top-level code under `%s` (and the classes and functions twins use outside "
            "it), move those classes and functions into their own module, or make what is missing importable "
            "in twin %r." % (GUARD, GUARD, str(twin_id)))
    else:
        parts.append(
            "What helps: make the module and what it imports importable in twin %r (install it for that "
            "interpreter, or put its directory on that interpreter's path), or move the classes and functions "
            "twins use into a module that imports only what every twin has." % str(twin_id))
    return TwinImportError('\n'.join(parts))


def failing_global(body):
    """``(module, name)`` of the first class or function in pickle ``body`` that cannot be
    imported here, or None"""
    try:
        for module, name in _globals(body):
            try:
                __import__(module)
                resolve_qualname(sys.modules[module], name)
            except BaseException:
                return module, name
    except Exception:
        pass
    return None


_STRING_OPS = frozenset(('SHORT_BINUNICODE', 'BINUNICODE', 'UNICODE', 'BINUNICODE8', 'SHORT_BINSTRING',
                         'BINSTRING', 'STRING'))


def _globals(body):
    """The (module, name) pairs a pickle imports, in order (GLOBAL and STACK_GLOBAL)"""
    import pickletools
    top, recent, memo = None, [], {}
    for opcode, arg, _ in pickletools.genops(bytes(body)):
        name = opcode.name
        if name == 'GLOBAL':
            module, _, attr = arg.partition(' ')
            yield module, attr
            top = None
        elif name in _STRING_OPS:
            top = arg
            recent.append(arg)
        elif name == 'MEMOIZE':
            memo[len(memo)] = top
        elif name in ('BINPUT', 'LONG_BINPUT', 'PUT'):
            memo[arg] = top
        elif name in ('BINGET', 'LONG_BINGET', 'GET'):
            top = memo.get(arg)
            if isinstance(top, stringabc):
                recent.append(top)
        elif name == 'STACK_GLOBAL':
            if len(recent) >= 2:
                yield recent[-2], recent[-1]
            top = None
        else:
            top = None
