"""Compatibility name for :py:mod:`cpy2py.twinterpreter.exceptions`."""
from cpy2py.twinterpreter.exceptions import (  # noqa: F401
    TwinterpreterException, TwinterpreterProcessError, RemoteCpy2PyNotFound)

__all__ = ['TwinterpreterException', 'TwinterpreterProcessError', 'RemoteCpy2PyNotFound']
