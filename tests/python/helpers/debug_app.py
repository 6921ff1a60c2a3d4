"""A tiny application for the CPY2PY_DEBUG tests (test_api.py): starts twin 'dbgtwin'
(APP_TWIN, the interpreter under test), calls it once and prints one RESULT line."""
from __future__ import print_function

import json
import logging
import os

from cpy2py import TwinMaster, kernel_state

if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='dbgtwin')
    master.start()
    twin_pid = master.execute(os.getpid)
    logger = logging.getLogger('__cpy2py__')
    print('RESULT ' + json.dumps({
        'main_id': kernel_state.TWIN_ID, 'main_pid': os.getpid(), 'twin_pid': twin_pid,
        'level': logger.level, 'handlers': [type(h).__name__ for h in logger.handlers],
        'propagate': logger.propagate}))
