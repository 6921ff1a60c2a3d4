from __future__ import print_function

import os

from cpy2py import TwinMaster, TwinObject, kernel_state

from .shared import FACTOR


class PackageObject(TwinObject):
    __twin_id__ = 'twin'

    def where(self):
        return kernel_state.TWIN_ID


def twin_function(value):
    return '%s:%d' % (kernel_state.TWIN_ID, value * FACTOR)


if __name__ == '__main__':
    master = TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    print('RESULT', PackageObject().where(), master.execute(twin_function, 21))
