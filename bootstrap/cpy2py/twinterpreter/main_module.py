"""Later name of :py:mod:`cpy2py.twinterpreter.twin_main`"""
from cpy2py.twinterpreter.twin_main import (  # noqa: F401
    MainDef, DEFAULT_DEF, FETCH_PATH, FETCH_NAME, resolve_main_module)

#: the later name of :py:class:`~cpy2py.twinterpreter.twin_main.MainDef`
TwinMainModule = MainDef

__all__ = ['TwinMainModule', 'MainDef', 'DEFAULT_DEF', 'FETCH_PATH', 'FETCH_NAME']
