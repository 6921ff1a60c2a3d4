# issue 10, point 7: `sys.exit(main())` without the __main__ guard
import os
import sys

from cpy2py import TwinMaster, TwinObject


class Crunch(TwinObject):
    __twin_id__ = 'twin'

    def run(self, count):
        return count * 2


def main():
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    print('RESULT', Crunch().run(21))
    return 0


sys.exit(main())  # line 21
