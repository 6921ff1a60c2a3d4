"""Calls that take too long, for the deadline and cancel tests (valid Python 2.7 and 3)"""
import time

from cpy2py import TwinObject

#: key -> 'running', 'finished' or 'interrupted: <exception type>' (in the twin)
STATE = {}


def _spin(end):
    # (a loop of its own: CPython 3.13.0 does not let the except clause of the function whose
    # own loop an asynchronous exception interrupts see it)
    while time.time() < end:
        pass


def busy(key, limit=60.0):
    """Pure Python work until ``limit`` seconds passed, unless interrupted"""
    STATE[key] = 'running'
    try:
        _spin(time.time() + limit)
    except BaseException as error:
        STATE[key] = 'interrupted: %s' % type(error).__name__
        raise
    STATE[key] = 'finished'
    return 'finished'


def state(key):
    return STATE.get(key)


def sleep_then(seconds, value):
    """Blocked in C (time.sleep) for ``seconds``: cannot be interrupted before it returns"""
    time.sleep(seconds)
    return value


def echo(value):
    return value


class Worker(TwinObject):
    __twin_id__ = 'twin'

    def busy(self, key):
        return busy(key)

    def echo(self, value):
        return value
