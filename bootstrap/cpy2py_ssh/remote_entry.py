"""Entry point of a twin on another host (run by the agent instead of ``cpy2py_twin.py``)

Installs the module importer (``importer.py``) and then runs ``cpy2py_twin.py`` as the
``__main__`` script, exactly as a local twin starts; or, for ``cpy2py-run --check SCRIPT``
(``CPY2PY_SSH_ENTRY=cpy2py_check.py``), the import checker, as for a local twin.
"""
import os
import sys

_ENTRIES = ('cpy2py_twin.py', 'cpy2py_check.py')


def _prepare():
    bootstrap = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[0] = bootstrap   # instead of this file's directory
    from cpy2py_ssh import importer
    importer.install()
    entry = os.environ.pop('CPY2PY_SSH_ENTRY', None)
    return os.path.join(bootstrap, entry if entry in _ENTRIES else 'cpy2py_twin.py')


if __name__ == '__main__':
    __file__ = _prepare()
    with open(__file__) as _f:
        _code = compile(_f.read(), __file__, 'exec')
    del _f
    exec(_code)
