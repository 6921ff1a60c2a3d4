"""
The application's main module inside twins

A twin aliases the main script (or ``-m`` module) as ``__cpy2py_main__`` and as
``__main__``, so that classes and functions defined there resolve when they arrive by
reference. It is loaded lazily, on first use, and under the name ``__cpy2py_main__``, so
its ``if __name__ == '__main__':`` block does not run (unless ``run_main`` is set).
"""
import os
import sys
import threading
import types

ALIAS = '__cpy2py_main__'


class LazyMainModule(types.ModuleType):
    """A module that executes the main script the first time a missing name is looked up"""

    def __init__(self, path=None, module_name=None, run_main=False):
        types.ModuleType.__init__(self, '__main__' if run_main else ALIAS)
        object.__setattr__(self, '_cpy2py_spec', (path, module_name))
        object.__setattr__(self, '_cpy2py_lock', threading.RLock())
        object.__setattr__(self, '_cpy2py_state', 'lazy')
        if path:
            self.__file__ = path

    def __getattr__(self, name):
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        self._cpy2py_load()
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError("module %r has no attribute %r" % (ALIAS, name))

    def _cpy2py_load(self):
        """Execute the main module once; other threads wait until it is done"""
        with self._cpy2py_lock:
            if self._cpy2py_state != 'lazy':
                return  # loaded, or being loaded by this very thread (a recursive lookup)
            object.__setattr__(self, '_cpy2py_state', 'loading')
            path, module_name = self._cpy2py_spec
            try:
                if path:
                    with open(path, 'rb') as source:
                        code = compile(source.read(), path, 'exec')
                    exec(code, self.__dict__)
                elif module_name:
                    import importlib
                    module = importlib.import_module(module_name)
                    for key, value in module.__dict__.items():
                        if not (key.startswith('__') and key.endswith('__')):
                            self.__dict__.setdefault(key, value)
            finally:
                object.__setattr__(self, '_cpy2py_state', 'loaded')


def install_in_twin():
    """Alias the main module in this twin, from CPY2PY_MAIN_FILE / CPY2PY_MAIN_MODULE"""
    path = os.environ.get('CPY2PY_MAIN_FILE')
    module_name = os.environ.get('CPY2PY_MAIN_MODULE')
    run_main = os.environ.get('CPY2PY_RUN_MAIN') == '1'
    # the main's import path: its script directory, or the working directory for -m/-c
    first = os.path.dirname(path) if path else ''
    if first not in sys.path:
        sys.path.insert(0, first)
    if os.environ.get('CPY2PY_ARGV'):
        import json
        sys.argv[1:] = json.loads(os.environ['CPY2PY_ARGV'])
    sys.modules['__cpy2py_bootstrap__'] = sys.modules.get('__main__')
    if module_name and module_name.endswith('__main__'):
        module_name = None  # e.g. `-m unittest`: nothing of the application lives there
    main = LazyMainModule(path, module_name, run_main)
    sys.modules[ALIAS] = main
    sys.modules['__main__'] = main
    return main


def install_in_master():
    """Let references to ``__cpy2py_main__`` coming from twins resolve to our ``__main__``"""
    main = sys.modules.get('__main__')
    if main is not None and ALIAS not in sys.modules:
        sys.modules[ALIAS] = main
