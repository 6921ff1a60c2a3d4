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
    """Absolute path of ``name`` (a path, or a name on PATH); raises OSError if missing

    Symbolic links are not followed: a virtualenv's bin/python must stay the virtualenv's.
    A pyenv shim (a file in a directory named ``shims``) is the last resort: it runs
    whichever version pyenv selects, which may lack ``name`` (python2.7 under a 3.x global
    version fails), so a pyenv version that has ``name`` comes first, as in cpy2py-run.
    """
    if os.sep in name:
        path = os.path.abspath(name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise OSError('interpreter %r not found or not executable' % name)
    search = os.environ.get('PATH', os.defpath).split(os.pathsep)
    shims = []
    for directory in search:
        candidate = os.path.join(directory or os.curdir, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            if os.path.basename(os.path.normpath(directory)) == 'shims':
                shims.append(os.path.abspath(candidate))
            else:
                return os.path.abspath(candidate)
    found = _in_pyenv_versions(name) if shims else None
    if found or shims:
        return found or shims[0]
    raise OSError('interpreter %r not found on PATH (searched %s)' % (name, os.pathsep.join(search)))


def _in_pyenv_versions(name):
    """``name`` in the highest pyenv version that has it, or None"""
    root = os.environ.get('PYENV_ROOT') or os.path.join(os.path.expanduser('~'), '.pyenv')
    versions = os.path.join(root, 'versions')
    try:
        installed = os.listdir(versions)
    except OSError:
        return None

    def order(version):
        return [(0, int(part)) if part.isdigit() else (1, part) for part in version.replace('-', '.').split('.')]
    for version in sorted(installed, key=order, reverse=True):
        candidate = os.path.join(versions, version, 'bin', name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


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
