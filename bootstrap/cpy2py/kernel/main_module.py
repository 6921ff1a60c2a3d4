"""
How a twin finds the application's main module

In a twin, the main script (or ``-m`` module) is aliased as ``__cpy2py_main__`` and as
``__main__``, so that classes and functions defined there resolve when they arrive by
reference. It is loaded lazily, on first use, and under the name ``__cpy2py_main__``, so
its ``if __name__ == '__main__':`` block does not run (unless ``run_main`` is set).
For ``-m package`` the package's ``__main__.py`` is that script (run inside the package,
so its relative imports work); other ``-m`` modules are imported as usual. When the load
fails or the script's top-level code exits, the lookup raises one
:py:class:`~cpy2py.exceptions.TwinImportError` naming the twin, the script, the file and
line and what helps (see :py:mod:`cpy2py.kernel.import_errors`); the next lookup tries
again. ``cpy2py-run --check SCRIPT`` runs the same load (:py:func:`check_main_import`).
:py:func:`install_in_twin` reads what to load from the environment that
:py:func:`main_module_env` writes for the twin.

The setting (``TwinMaster(main_module=...)``, :py:class:`MainDef`) is one of

* ``True`` (default): as the main interpreter runs it, by module name where it has one,
  otherwise by file path;
* :py:attr:`MainDef.FETCH_PATH` / :py:attr:`MainDef.FETCH_NAME`: ``__main__``'s absolute
  file path / module name, looked up when the settings are used;
* a file path or a dotted module name;
* ``None``: the twin does not load the main module.

``run_main`` runs it as ``__main__`` in the twin (its ``if __name__ == '__main__':`` block
included); ``restore_argv`` gives the twin the main's ``sys.argv[1:]``. The original
library's modules ``cpy2py.twinterpreter.twin_main`` and ``.main_module`` name this one.
"""
import os
import sys
import threading
import types

from cpy2py.exceptions import CallCancelled, TwinImportError
from cpy2py.kernel import import_errors, runnable_main

ALIAS = '__cpy2py_main__'


class LazyMainModule(types.ModuleType):
    """A module that executes the main script the first time a missing name is looked up"""

    def __init__(self, path=None, module_name=None, run_main=False, twin_id='?'):
        types.ModuleType.__init__(self, '__main__' if run_main else ALIAS)
        object.__setattr__(self, '_cpy2py_spec', (path, module_name, twin_id))
        object.__setattr__(self, '_cpy2py_lock', threading.RLock())
        object.__setattr__(self, '_cpy2py_state', 'lazy')
        if path:
            self.__file__ = path

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        self._cpy2py_load(name)
        try:
            return self.__dict__[name]
        except KeyError:
            pass
        path, module_name, twin_id = self._cpy2py_spec
        if not path and not module_name and self.__name__ == ALIAS:
            # `cpy2py-run -c CODE`, or a main reading its program from stdin
            raise TwinImportError(
                "%s cannot find %s: it was defined by the main program, which has no file (code "
                "given with -c, or read from standard input), so twins cannot import it. What helps: "
                "define the classes and functions twins use in a module, or run the program from a "
                "script file." % (import_errors.describe_twin(twin_id), name))
        raise AttributeError("module %r has no attribute %r" % (ALIAS, name))

    def _cpy2py_load(self, looking_for=None):
        """Execute the main module once; other threads wait until it is done"""
        with self._cpy2py_lock:
            if self._cpy2py_state != 'lazy':
                return  # loaded, or being loaded by this very thread (a recursive lookup)
            object.__setattr__(self, '_cpy2py_state', 'loading')
            path, module_name, twin_id = self._cpy2py_spec
            state = 'lazy'
            # (run_main runs the whole program here: its output is not held back)
            capture = import_errors.CapturedOutput(active=self.__name__ == ALIAS)
            initial = dict(self.__dict__)
            try:
                with capture:
                    self._cpy2py_execute(path, module_name)
                state = 'loaded'
            except BaseException:
                # as Python drops a module whose import failed: no half-executed names stay
                self.__dict__.clear()
                self.__dict__.update(initial)
                if isinstance(sys.exc_info()[1], (KeyboardInterrupt, CallCancelled)):
                    raise
                raise import_errors.import_failure(
                    twin_id, self._cpy2py_what(path, module_name), sys.exc_info(),
                    looking_for=looking_for, output=capture.text(), is_main=True)
            finally:
                object.__setattr__(self, '_cpy2py_state', state)
            capture.release()

    @staticmethod
    def _cpy2py_what(path, module_name):
        if path:
            return 'the main script %s' % path
        return 'the main module %s (cpy2py-run -m %s)' % (module_name, module_name)

    def _cpy2py_execute(self, path, module_name):
        if module_name and not path:
            package = module_name[:-len('.__main__')] if module_name.endswith('.__main__') else module_name
            main_file = import_errors.package_main_file(package)
            if main_file is None:
                import importlib
                module = importlib.import_module(module_name)
                if getattr(module, '__path__', None) is not None and module_name == package:
                    # a package whose __main__.py is on no disk here: served by the main
                    # host to a twin on another host (cpy2py_ssh/importer.py), by name
                    module = importlib.import_module(package + '.__main__')
                for key, value in module.__dict__.items():
                    if not (key.startswith('__') and key.endswith('__')):
                        self.__dict__.setdefault(key, value)
                return
            if not import_errors.is_application_file(main_file):
                return  # e.g. `-m unittest`: nothing of the application lives there
            path = main_file
            self.__dict__['__package__'] = package
            self.__file__ = main_file
        if path:
            if os.path.basename(sys.argv[0] if sys.argv else '') in ('cpy2py_twin.py', 'cpy2py_check.py'):
                sys.argv[0] = path  # what the script's own messages (argparse's usage) name
            # a directory or zipapp runs its __main__.py, as `python PATH` does
            self.__file__ = runnable_main.main_file(path)
            runnable_main.execute(path, self.__dict__)


def install_in_twin(twin_id=None):
    """Alias the main module in this twin, from CPY2PY_MAIN_FILE / CPY2PY_MAIN_MODULE"""
    if twin_id is None:
        twin_id = os.environ.get('CPY2PY_TWIN_ID', '?')
    path = os.environ.get('CPY2PY_MAIN_FILE')
    module_name = os.environ.get('CPY2PY_MAIN_MODULE')
    run_main = os.environ.get('CPY2PY_RUN_MAIN') == '1'
    # the main's import path: its script directory, or the working directory for -m/-c
    first = runnable_main.import_path_entry(path) if path else ''
    if first not in sys.path:
        sys.path.insert(0, first)
    if os.environ.get('CPY2PY_ARGV'):
        import json
        sys.argv[1:] = json.loads(os.environ['CPY2PY_ARGV'])
    sys.modules['__cpy2py_bootstrap__'] = sys.modules.get('__main__')
    main = LazyMainModule(path, module_name, run_main, twin_id)
    sys.modules[ALIAS] = main
    sys.modules['__main__'] = main
    return main


def install_in_master():
    """Let references to ``__cpy2py_main__`` coming from twins resolve to our ``__main__``"""
    main = sys.modules.get('__main__')
    if main is not None and ALIAS not in sys.modules:
        sys.modules[ALIAS] = main


def check_main_import(twin_id):
    """Load the main module as twin ``twin_id`` would (``cpy2py-run --check``); returns None
    when that works, else the message of the failure"""
    main = install_in_twin(twin_id)
    try:
        main._cpy2py_load()
    except TwinImportError as error:
        return str(error)
    return None


def main_module_env(main_module=True, run_main=False, restore_argv=False):
    """Environment that tells a twin how to find the application's main module"""
    env = {}
    main = sys.modules.get('__main__')
    if main_module is True:
        spec = getattr(main, '__spec__', None)
        name = getattr(spec, 'name', None)
        if not name and getattr(main, '__package__', None) and getattr(main, '__file__', None):
            # Python 2 `-m`: no __spec__, but runpy sets __package__
            name = main.__package__ + '.' + os.path.splitext(os.path.basename(main.__file__))[0]
        if name and name.endswith('.__main__'):
            name = name[:-len('.__main__')]  # `-m package`: the twin runs its __main__.py
        if name and not name.endswith('__main__'):
            env['CPY2PY_MAIN_MODULE'] = name
        elif getattr(main, '__file__', None) and not name:
            env['CPY2PY_MAIN_FILE'] = os.path.abspath(main.__file__)
    elif main_module:
        if os.sep in main_module or main_module.endswith('.py'):
            env['CPY2PY_MAIN_FILE'] = os.path.abspath(main_module)
        else:
            env['CPY2PY_MAIN_MODULE'] = main_module
    if run_main:
        env['CPY2PY_RUN_MAIN'] = '1'
    if restore_argv:
        import json
        env['CPY2PY_ARGV'] = json.dumps(sys.argv[1:])
    return env


FETCH_PATH = 'Use __main__ via absolute path'
FETCH_NAME = 'Use __main__ via module name'


def _main_file(main):
    path = getattr(main, '__file__', None)
    return os.path.abspath(path) if path else None


def main_module_name(main=None):
    """The importable module name of ``main`` (default: ``__main__``), or None"""
    if main is None:
        main = sys.modules.get('__main__')
    spec = getattr(main, '__spec__', None)
    name = getattr(spec, 'name', None)
    if name:
        if name.endswith('.__main__'):
            name = name[:-len('.__main__')]
        return name
    path = _main_file(main)
    if not path:
        return None
    base = os.path.splitext(os.path.basename(path))[0]
    package = getattr(main, '__package__', None)
    if package:
        return package + '.' + base
    if sys.path and sys.path[0] and os.path.abspath(sys.path[0]) == os.path.dirname(path):
        return base
    return None


def resolve_main_module(main_module):
    """
    The ``main_module`` setting as the runtime takes it: ``True``, ``None``, a path or a name

    :raises ValueError: for :py:data:`FETCH_NAME` if ``__main__`` has no module name,
                        or :py:data:`FETCH_PATH` if it has no file
    """
    if isinstance(main_module, MainDef):
        main_module = main_module.main_module
    if main_module == FETCH_PATH:
        path = _main_file(sys.modules.get('__main__'))
        if path is None:
            raise ValueError('__main__ has no file to fetch')
        return path
    if main_module == FETCH_NAME:
        name = main_module_name()
        if name is None:
            raise ValueError('cannot derive a module name for __main__')
        return name
    return main_module


def resolve_main_args(main_module, run_main, restore_argv):
    """``(main_module, run_main, restore_argv)`` for TwinMaster, taking a MainDef apart"""
    if isinstance(main_module, MainDef):
        definition = main_module
        main_module = definition.main_module
        run_main = definition.run_main if run_main is None else run_main
        restore_argv = restore_argv or definition.restore_argv
    return resolve_main_module(main_module), run_main, restore_argv


class MainDef(object):
    """
    Definition of how a twin handles the main module

    :param main_module: see the module documentation
    :param run_main: run the main module as ``__main__`` in the twin
    :param restore_argv: copy the main's ``sys.argv[1:]`` into the twin
    """
    FETCH_PATH = FETCH_PATH
    FETCH_NAME = FETCH_NAME

    def __init__(self, main_module=True, run_main=False, restore_argv=False):
        self.main_module = main_module
        self.run_main = run_main
        self.restore_argv = restore_argv

    def resolved(self):
        """The ``main_module`` setting with FETCH_PATH / FETCH_NAME looked up now"""
        return resolve_main_module(self.main_module)

    def environment(self):
        """The environment variables that tell a twin what to load"""
        return main_module_env(self.resolved(), self.run_main, self.restore_argv)

    def _key(self):
        try:
            return self.resolved(), self.run_main
        except ValueError:
            return self.main_module, self.run_main

    def __getstate__(self):
        return {'main_module': self.resolved(), 'run_main': self.run_main,
                'restore_argv': self.restore_argv}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __eq__(self, other):
        if not isinstance(other, MainDef):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return '%s(main_module=%r, run_main=%r, restore_argv=%r)' % (
            self.__class__.__name__, self.main_module, self.run_main, self.restore_argv)


#: the default settings
DEFAULT_DEF = MainDef()

#: the name of later versions of the original library
TwinMainModule = MainDef

__all__ = ['MainDef', 'TwinMainModule', 'DEFAULT_DEF', 'FETCH_PATH', 'FETCH_NAME',
           'resolve_main_module']
