"""A tiny application for the CPY2PY_DEBUG tests (test_api.py): starts twin 'dbgtwin'
(APP_TWIN, the interpreter under test), lets it log a debug and a warning line through
the ``__cpy2py__`` logger and prints one RESULT line."""
from __future__ import print_function

import json
import logging
import os

from cpy2py import TwinMaster, kernel_state


def emit_log_lines(text):
    """Runs in the twin: one debug and one warning line through the runtime's logger tree"""
    logger = logging.getLogger('__cpy2py__.debug_app')
    logger.debug('debug line %s', text)
    logger.warning('warning line %s', text)


if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='dbgtwin')
    master.start()
    twin_pid = master.execute(os.getpid)
    master.execute(emit_log_lines, 'from-the-twin')
    logger = logging.getLogger('__cpy2py__')
    print('RESULT ' + json.dumps({
        'main_id': kernel_state.TWIN_ID, 'main_pid': os.getpid(), 'twin_pid': twin_pid,
        'level': logger.level, 'handlers': [type(h).__name__ for h in logger.handlers],
        'propagate': logger.propagate}))
