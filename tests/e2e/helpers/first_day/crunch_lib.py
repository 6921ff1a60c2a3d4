# imported by app_lib_dep.py: its top level imports what the twin lacks
import os  # noqa: F401
import tomllib  # noqa: F401  (line 3: Python 3.11+ only)

from cpy2py import TwinObject


class LibCrunch(TwinObject):
    __twin_id__ = 'twin'

    def run(self):
        return 43
