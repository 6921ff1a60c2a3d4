"""Dies with an uncaught error from a twin, as a user's script would: ``terminated`` (the
twin exits with status 3 during a call), ``killed`` (SIGKILL during a call) or ``remote``
(the twin raises ValueError)"""
import os
import sys

from cpy2py import TwinMaster, TwinObject

if os.environ.get('APP_TWIN'):  # standalone: the main starts its twin itself
    TwinMaster(executable=os.environ['APP_TWIN'], twinterpreter_id='twin')


class Box(TwinObject):
    __twin_id__ = 'twin'

    def die(self):
        os._exit(3)

    def killed(self):
        os.kill(os.getpid(), 9)

    def fail(self):
        raise ValueError('bad value from the twin')


def make_the_call(case):
    box = Box()
    if case == 'terminated':
        box.die()
    elif case == 'killed':
        box.killed()
    else:
        box.fail()


def die_in_a_thread():
    """The call is made by a thread (over its own connection): print what it got"""
    import threading
    box, seen = Box(), []

    def call():
        try:
            box.die()
        except Exception as error:
            seen.append('%s: %s' % (type(error).__name__, error))
    thread = threading.Thread(target=call)
    thread.start()
    thread.join()
    print('THREAD GOT ' + seen[0])


if __name__ == '__main__':
    if sys.argv[1] == 'thread':
        die_in_a_thread()
    else:
        make_the_call(sys.argv[1])
