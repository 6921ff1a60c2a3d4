# issue 10, point 7: top-level code that raises when a twin imports the script
import os
import sys

from cpy2py import TwinMaster, TwinObject


class Crunch(TwinObject):
    __twin_id__ = 'twin'

    def run(self, count):
        return count * 2


CONFIG = open(sys.argv[1]).read()  # line 15: a twin has no sys.argv[1]
TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
print('RESULT', Crunch().run(len(CONFIG)))
