# issue 10, point 7: a script whose top-level code is not under the __main__ guard
import argparse
import os

from cpy2py import TwinMaster, TwinObject


class Crunch(TwinObject):
    __twin_id__ = 'twin'

    def run(self, count):
        return count * 2


parser = argparse.ArgumentParser()
parser.add_argument('count', type=int)
args = parser.parse_args()  # line 17: in a twin this exits (the twin has no such argument)
TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
print('RESULT', Crunch().run(args.count))
