"""
Finding interpreters: a name on PATH or a pyenv version, resolved to a binary that runs

pyenv shims refuse to run versions that are not selected, so each candidate is asked to
run ``import sys; sys.stdout.write(sys.executable)``: that proves it works (``-c pass``)
and yields the real binary behind a shim. PATH comes first, then
``$PYENV_ROOT/versions/*/bin`` (default ``~/.pyenv``).
"""
import glob
import os
import subprocess

_PROBE = 'import sys; sys.stdout.write(sys.executable)'
_cache = {}


def _real_binary(candidate):
    try:
        out = subprocess.check_output([candidate, '-c', _PROBE], stderr=subprocess.DEVNULL,
                                      timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    path = out.decode('utf-8', 'replace').strip()
    return path if path and os.path.isfile(path) else None


def _candidates(name):
    if os.sep in name:
        return [os.path.abspath(name)]
    root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    directories = [d for d in os.environ.get('PATH', os.defpath).split(os.pathsep) if d]
    directories += sorted(glob.glob(os.path.join(root, 'versions', '*', 'bin')))
    found = []
    for directory in directories:
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK) and path not in found:
            found.append(path)
    return found


def find_interpreter(name):
    """Absolute path of a working interpreter binary for ``name``, or None"""
    if name not in _cache:
        _cache[name] = next(filter(None, map(_real_binary, _candidates(name))), None)
    return _cache[name]


def describe(path):
    """``'CPython 3.11.7'`` / ``'PyPy 3.9.16 (7.3.11)'`` for an interpreter binary"""
    code = ('import platform, sys; v = getattr(sys, "pypy_version_info", None); '
            'sys.stdout.write("%s %s%s" % (platform.python_implementation(), '
            'platform.python_version(), " (%d.%d.%d)" % tuple(v[:3]) if v else ""))')
    try:
        return subprocess.check_output([path, '-c', code], stderr=subprocess.DEVNULL,
                                       timeout=60).decode().strip()
    except (OSError, subprocess.SubprocessError):
        return '?'
