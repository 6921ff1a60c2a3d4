"""Issue 10, point 3: a directory the main adds to sys.path at run time reaches the twin"""
from __future__ import print_function

import os
import sys

from cpy2py import TwinMaster

if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    master.start()  # the twin is up before the directory is added
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'plugins'))
    import plugin_mod
    print('RESULT', plugin_mod.Remote().where(), master.execute(plugin_mod.where_function))
