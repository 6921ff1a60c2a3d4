"""
MainDef: how a twin finds the application's main module

``main_module`` is one of

* ``True`` (default): as the main interpreter runs it, by module name where it has one,
  otherwise by file path;
* :py:attr:`MainDef.FETCH_PATH` / :py:attr:`MainDef.FETCH_NAME`: ``__main__``'s absolute
  file path / module name, looked up when the settings are used;
* a file path or a dotted module name;
* ``None``: the twin does not load the main module.

``run_main`` runs it as ``__main__`` in the twin (its ``if __name__ == '__main__':`` block
included); ``restore_argv`` gives the twin the main's ``sys.argv[1:]``.
"""
import os
import sys

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
        from cpy2py.kernel.launch_env import main_module_env
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

__all__ = ['MainDef', 'DEFAULT_DEF', 'FETCH_PATH', 'FETCH_NAME', 'resolve_main_module']
