"""
Prints, as JSON, what the main and (with argument "twin") twin 'helper' see: implementation,
version, a few environment variables and the first PATH entry.

Used by test_interpreters.py and test_configuration.py; runs on 2.7, 3.6+ and PyPy.
"""
from __future__ import print_function
import json, os, platform, sys
from cpy2py import twinfunction

NAMES = ["EVERYONE", "PER_PROCESS", "CLI", "INHERITED", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "FIXTURE"]


def facts():
    return {"implementation": platform.python_implementation(), "version": platform.python_version(),
            "env": dict((n, os.environ.get(n)) for n in NAMES),
            "path0": os.environ.get("PATH", "").split(":")[0]}


@twinfunction('helper')
def twin_facts():
    return facts()


if __name__ == '__main__':
    report = {"main": facts(), "argv": sys.argv[1:]}
    if "twin" in sys.argv[1:]:
        report["helper"] = twin_facts()
    print(json.dumps(report, sort_keys=True))
