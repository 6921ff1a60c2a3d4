"""
A main for test_remote_endings.py: twin 'far' runs on the test sshd ("another host").

    remote_endings_app.py die SIGNUM   the remote twin kills itself with SIGNUM during a call
    remote_endings_app.py hold FILE    writes the twin's pid, its parent's (the agent) and its
                                       run dir to FILE, then waits in a call to the twin

Prints one JSON line "RESULT {...}" that the test reads.
"""
from __future__ import print_function
import json
import os
import sys

from cpy2py import twinfunction
from cpy2py.exceptions import TwinterpreterTerminated


@twinfunction('far')
def where():
    return {'pid': os.getpid(), 'agent': os.getppid(), 'run_dir': os.environ.get('CPY2PY_RUN_DIR')}


@twinfunction('far')
def nap(seconds):
    import time
    time.sleep(seconds)


@twinfunction('far')
def die(signum):
    os.kill(os.getpid(), signum)


def result(**values):
    print('RESULT ' + json.dumps(values))
    sys.stdout.flush()


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'die':
        info = where()
        try:
            die(int(sys.argv[2]))
            error = None
        except TwinterpreterTerminated as err:
            error = str(err)
        result(info=info, error=error)
    elif mode == 'hold':
        info = where()
        with open(sys.argv[2] + '.tmp', 'w') as f:
            json.dump(info, f)
        os.rename(sys.argv[2] + '.tmp', sys.argv[2])
        try:
            nap(600)
        except TwinterpreterTerminated as err:
            result(error=str(err))
