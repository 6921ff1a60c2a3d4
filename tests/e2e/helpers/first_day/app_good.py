"""Issue 10, point 9: imports cleanly in every twin; its guarded block must not run in a check"""
from __future__ import print_function

import os

from cpy2py import TwinObject


class Good(TwinObject):
    __twin_id__ = 'twin'

    def run(self):
        return 42


if __name__ == '__main__':
    marker = os.environ.get('APP_MARKER')
    if marker:
        open(marker, 'w').close()
    print('RESULT', Good().run())
