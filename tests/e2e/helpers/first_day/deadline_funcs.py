"""Calls that take too long, for the deadline and cancel tests (valid Python 2.7 and 3)"""
import time

from cpy2py import TwinObject

#: key -> 'running', 'finished' or 'interrupted: <exception type>' (in the twin)
STATE = {}


def busy(key, limit=60.0):
    """Pure Python work until ``limit`` seconds passed, unless interrupted"""
    STATE[key] = 'running'
    end = time.time() + limit
    try:
        while time.time() < end:
            pass
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
