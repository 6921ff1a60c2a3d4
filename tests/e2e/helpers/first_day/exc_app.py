"""Exceptions from a twin (issue 10, point 1)

    exc_app.py CASE [ARG]

Calls the twin 'twin' (APP_TWIN) and prints one line ``RESULT <json>`` describing what the
call raised here: class name, its module, str(), the remote traceback (__cause__) and the
public attributes.
"""
from __future__ import print_function

import json
import os
import sys

from cpy2py import TwinMaster

import exc_funcs


def describe(error):
    cause = getattr(error, "__cause__", None)
    attributes = {}
    for name, value in sorted(vars(error).items()):
        if not name.startswith("_") and name not in ("remote_traceback",):
            attributes[name] = repr(value)
    return {"class": type(error).__name__, "module": type(error).__module__, "str": str(error),
            "cause": str(cause) if cause is not None else "",
            "bases": [klass.__name__ for klass in type(error).__mro__], "attributes": attributes}


def main():
    case = sys.argv[1]
    master = TwinMaster(executable=os.environ["APP_TWIN"], twinterpreter_id="twin")
    if case == "legacy" and sys.argv[2] == "py2_lib":
        exc_funcs.use("py2_lib")  # the main finds the module, but cannot parse it
    calls = {
        "legacy": lambda: master.execute(exc_funcs.raise_legacy, sys.argv[2]),
        "coded": lambda: master.execute(exc_funcs.raise_coded),
        "keyword": lambda: master.execute(exc_funcs.raise_keyword),
        "unpicklable_attribute": lambda: master.execute(exc_funcs.raise_unpicklable_attribute),
        "undecodable_attribute": lambda: master.execute(exc_funcs.raise_with_undecodable_attribute),
        "undecodable_argument": lambda: master.execute(exc_funcs.raise_with_undecodable_argument),
        "undecodable_result": lambda: master.execute(exc_funcs.return_undecodable),
    }
    try:
        value = calls[case]()
    except Exception as error:
        result = describe(error)
    else:
        result = {"class": None, "value": repr(value)}
    # the twin stays usable after it
    result["after"] = master.execute(len, [1, 2, 3])
    print("RESULT " + json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
