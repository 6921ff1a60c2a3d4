"""An application that imports logging only after cpy2py, in the main and in twin
'logtwin' (APP_TWIN): the runtime defers logging to start faster, yet the '__cpy2py__'
logger tree must be set up by the time anybody looks. Prints one RESULT line."""
from __future__ import print_function

import json
import os
import sys

import cpy2py
from cpy2py import TwinMaster


def logging_state():
    """Whether logging was loaded before this call, and the tree as the caller then sees it"""
    loaded_before = 'logging' in sys.modules
    import logging
    logger = logging.getLogger('__cpy2py__')
    return loaded_before, logger.propagate, [type(handler).__name__ for handler in logger.handlers]


if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='logtwin')
    master.start()
    print('RESULT ' + json.dumps({'main': logging_state(), 'twin': master.execute(logging_state),
                                  'version': cpy2py.__version__}))
