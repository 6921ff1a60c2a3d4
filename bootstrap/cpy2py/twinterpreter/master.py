"""Later name of :py:mod:`cpy2py.twinterpreter.twin_master`"""
from cpy2py.twinterpreter.twin_master import TwinMaster  # noqa: F401
from cpy2py.twinterpreter.process import TwinProcess  # noqa: F401

__all__ = ['TwinMaster', 'TwinProcess']
