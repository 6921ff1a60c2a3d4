"""The child application of test_stats_trace.py: APP_CALLS calls into twin 'twin'
(APP_TWIN), one call that raises there, and one whose function calls back into the main
APP_CALLBACKS times; prints one RESULT line with what it did."""
from __future__ import print_function

import json
import os
import sys

from cpy2py import TwinMaster, kernel_state


def plus_one(value):
    return value + 1


def call_back(count):
    """Runs in the twin: ``count`` calls into the main"""
    master = TwinMaster(twinterpreter_id=kernel_state.MASTER_ID)
    return [master.execute(plus_one, i) for i in range(count)]


if __name__ == '__main__':
    calls = int(os.environ.get('APP_CALLS', '20'))
    callbacks = int(os.environ.get('APP_CALLBACKS', '3'))
    twin = TwinMaster(executable=os.environ.get('APP_TWIN') or sys.executable, twinterpreter_id='twin')
    for i in range(calls):
        twin.execute(len, 'x' * i)
    try:
        twin.execute(int, 'not a number')
    except ValueError:
        pass
    twin.execute(call_back, callbacks)
    print('RESULT ' + json.dumps({'main': kernel_state.TWIN_ID, 'to_twin': calls + 2,
                                  'errors': 1, 'to_main': callbacks}))
    sys.stdout.flush()
