"""Entry point of a twin on another host (run by the agent instead of ``cpy2py_twin.py``)

Installs the module importer (``importer.py``) and then runs ``cpy2py_twin.py`` as the
``__main__`` script, exactly as a local twin starts.
"""
import os
import sys


def _prepare():
    bootstrap = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[0] = bootstrap   # instead of this file's directory
    from cpy2py_ssh import importer
    importer.install()
    return os.path.join(bootstrap, 'cpy2py_twin.py')


if __name__ == '__main__':
    __file__ = _prepare()
    with open(__file__) as _f:
        _code = compile(_f.read(), __file__, 'exec')
    del _f
    exec(_code)
