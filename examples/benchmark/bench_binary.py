"""Finding the cpy2py-run binary: $CPY2PY_RUN_BINARY, the repository's build trees, PATH"""
import glob
import os

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_binary():
    """Path of cpy2py-run, or None"""
    candidates = [os.environ.get('CPY2PY_RUN_BINARY')]
    candidates += [os.path.join(_REPO, d, 'cpy2py-run') for d in ('build', 'build-main')]
    candidates += sorted(glob.glob(os.path.join(_REPO, 'build*', 'cpy2py-run')))
    candidates += [os.path.join(d, 'cpy2py-run') for d in os.environ.get('PATH', '').split(os.pathsep) if d]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def under_supervisor():
    """Whether our parent is cpy2py-run (the supervisor of this application)"""
    try:
        with open('/proc/%d/comm' % os.getppid()) as comm:
            return comm.read().strip() == 'cpy2py-run'
    except (IOError, OSError):
        return False


def run_under_supervisor(script, main_interpreter=None):
    """Started with plain python: run ``script`` again under cpy2py-run (this does not
    return), with ``main_interpreter`` as the main's interpreter if given"""
    import sys
    if under_supervisor():
        return
    binary = find_binary()
    if binary is None:
        sys.exit('%s must run under cpy2py-run, which was not found' % os.path.basename(script))
    options = ['--main-interpreter', main_interpreter] if main_interpreter else []
    os.execv(binary, [binary] + options + [os.path.abspath(script)] + sys.argv[1:])
