"""Issue 10, point 5: a twin id nobody declared, used without a TwinMaster"""
from __future__ import print_function

import os
import platform

from cpy2py import TwinObject


class Fast(TwinObject):
    __twin_id__ = os.environ.get('APP_TWIN_ID', 'pypy')

    def implementation(self):
        return platform.python_implementation()


if __name__ == '__main__':
    print('RESULT', Fast().implementation())
