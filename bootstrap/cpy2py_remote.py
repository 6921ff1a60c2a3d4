"""Entry point of the local stand-in of a twin on another host (see cpy2py_ssh.standin)"""
import os
import sys

if __name__ == '__main__':
    _bootstrap_dir = os.path.dirname(os.path.abspath(__file__))
    if _bootstrap_dir not in sys.path:
        sys.path.insert(0, _bootstrap_dir)
    from cpy2py_ssh.standin import main
    sys.exit(main(sys.argv[1:]))
