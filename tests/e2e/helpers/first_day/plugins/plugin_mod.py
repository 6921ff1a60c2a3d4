"""Found only through a directory the main puts on sys.path at run time"""
import os

from cpy2py import TwinObject, kernel_state


class Remote(TwinObject):
    __twin_id__ = 'twin'

    def where(self):
        return '%s:%s' % (kernel_state.TWIN_ID, os.path.basename(__file__).replace('.pyc', '.py'))


def where_function():
    return '%s:%s' % (kernel_state.TWIN_ID, os.path.basename(__file__).replace('.pyc', '.py'))
