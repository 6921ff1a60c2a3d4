"""Functions the exception tests run in a twin (valid Python 2.7 and 3)"""
import os
import sys
import threading

import errors_lib

HERE = os.path.dirname(os.path.abspath(__file__))


def use(dirname):
    """Put helpers/first_day/<dirname> on sys.path (in the process this runs in)"""
    path = os.path.join(HERE, dirname)
    if path not in sys.path:
        sys.path.insert(0, path)


def raise_legacy(dirname):
    use(dirname)
    import legacy_only
    legacy_only.fail()


def raise_coded():
    raise errors_lib.CodedError(7, "disk full")


def raise_keyword():
    raise errors_lib.KeywordError(reason="no route", where="gateway")


def raise_unpicklable_attribute():
    error = errors_lib.AttrError("lock failure")
    error.count = 3
    error.lock = threading.Lock()
    raise error


def raise_with_undecodable_attribute():
    use("twin_only")
    import legacy_only
    error = errors_lib.AttrError("attr failure")
    error.count = 3
    error.thing = legacy_only.Thing(1)
    raise error


def raise_with_undecodable_argument():
    use("twin_only")
    import legacy_only
    raise ValueError("bad value", legacy_only.Thing(2))


def return_undecodable():
    use("twin_only")
    import legacy_only
    return [1, {"key": legacy_only.Thing(3)}]
