"""Issue 10, point 2: the class's own module cannot be imported in the twin"""
from __future__ import print_function

import os

from cpy2py import TwinMaster

from crunch_lib import LibCrunch

if __name__ == '__main__':
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    print('RESULT', LibCrunch().run())
