# issue 10, point 2: the twin cannot import what this script imports at top level
import os
import tomllib  # noqa: F401  (line 3: Python 3.11+ only; PyPy 3.9 and 2.7 have none)
import sys

from cpy2py import TwinMaster, TwinObject


class Crunch(TwinObject):
    __twin_id__ = 'twin'

    def run(self):
        return 42


def crunch_function(value):
    return value * 2


if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    if sys.argv[1:] == ['function']:
        print('RESULT', master.execute(crunch_function, 21))
    else:
        print('RESULT', Crunch().run())
