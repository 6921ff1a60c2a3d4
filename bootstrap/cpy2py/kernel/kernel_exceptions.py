"""Compatibility name for :py:mod:`cpy2py.kernel.exceptions`."""
from cpy2py.kernel.exceptions import *  # noqa: F401,F403
from cpy2py.kernel.exceptions import (  # noqa: F401
    CPy2PyException, TwinterpreterException, TwinterpreterUnavailable, TwinterpreterTerminated,
    StaleProxy, StopTwinterpreter, RemoteException, RemoteTraceback, AuthenticationError,
    TwinterpeterException, TwinterpeterUnavailable, TwinterpeterTerminated)
