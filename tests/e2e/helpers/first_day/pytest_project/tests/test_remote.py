"""Run by `cpy2py-run -m pytest`: pytest puts tests/ on the main's sys.path, not the twin's"""
import os

from cpy2py import TwinMaster, TwinObject, kernel_state


class Remote(TwinObject):
    __twin_id__ = 'twin'

    def where(self):
        return kernel_state.TWIN_ID


def test_remote_object_lives_in_the_twin():
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    assert Remote().where() == 'twin'
