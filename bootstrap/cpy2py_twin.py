"""Entry point of a twin interpreter: ``<interpreter> cpy2py_twin.py`` (see docs/DESIGN.md)"""
import os
import sys

if __name__ == '__main__':
    _bootstrap_dir = os.path.dirname(os.path.abspath(__file__))
    if _bootstrap_dir not in sys.path:
        sys.path.insert(0, _bootstrap_dir)
    from cpy2py.kernel.twin_main import main
    main()
