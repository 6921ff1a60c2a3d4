"""One-line notices to the user on stderr, without the logging machinery"""
import sys


def warn(message):
    """Write ``cpy2py: warning: <message>``; a closed or broken stderr is ignored"""
    try:
        sys.stderr.write('cpy2py: warning: %s\n' % message)
        sys.stderr.flush()
    except Exception:
        pass
