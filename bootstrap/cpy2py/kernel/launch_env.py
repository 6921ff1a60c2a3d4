"""What a twin process needs to know: its command line and environment"""
import os
import sys

import cpy2py

#: directory holding the cpy2py package and cpy2py_twin.py
BOOTSTRAP_DIR = os.path.dirname(os.path.dirname(os.path.realpath(cpy2py.__file__)))
TWIN_SCRIPT = os.path.join(BOOTSTRAP_DIR, 'cpy2py_twin.py')
#: twin id -> executable named by a TwinMaster, used when the twin is started on demand
EXECUTABLES = {}
#: twin id -> TwinMaster settings (main_module, run_main, restore_argv) for standalone spawns
SETTINGS = {}


def find_executable(name):
    """Absolute path of ``name`` (a path, or a name on PATH); raises OSError if missing"""
    if os.sep in name:
        path = os.path.abspath(name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.realpath(path)
        raise OSError('interpreter %r not found or not executable' % name)
    search = os.environ.get('PATH', os.defpath).split(os.pathsep)
    for directory in search:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.realpath(candidate)
    raise OSError('interpreter %r not found on PATH (searched %s)' % (name, os.pathsep.join(search)))


def resolve_interpreter(name):
    """Like :py:func:`find_executable`, with ``pypy`` meaning ``pypy3`` where only that exists"""
    try:
        return find_executable(name)
    except OSError:
        if name == 'pypy':
            return find_executable('pypy3')
        raise


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


def pythonpath_with_bootstrap():
    current = os.environ.get('PYTHONPATH')
    return BOOTSTRAP_DIR + (os.pathsep + current if current else '')
