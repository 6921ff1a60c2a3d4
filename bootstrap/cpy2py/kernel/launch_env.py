"""What a twin process needs to know: its command line and environment"""
import os

#: directory holding the cpy2py package and cpy2py_twin.py (this file is cpy2py/kernel/launch_env.py)
BOOTSTRAP_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
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


def pythonpath_with_bootstrap():
    current = os.environ.get('PYTHONPATH')
    return BOOTSTRAP_DIR + (os.pathsep + current if current else '')
