# issue 10, point 2: a Python 3 script whose class lives in a 2.7 twin
import os

GREETING = f"hello from {os.getpid()}"  # line 4: an f-string, a SyntaxError for Python 2.7

from cpy2py import TwinMaster, TwinObject  # noqa: E402


class Legacy(TwinObject):
    __twin_id__ = 'twin'

    def run(self):
        return 42


if __name__ == '__main__':
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')
    print('RESULT', Legacy().run())
