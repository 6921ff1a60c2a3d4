"""
Exceptions about twinterpreter processes

:py:class:`TwinterpreterException` is the same class as
:py:class:`cpy2py.kernel.exceptions.TwinterpreterException`.
"""
from cpy2py.utility.exceptions import CPy2PyException
from cpy2py.kernel.exceptions import TwinterpreterException


class TwinterpreterProcessError(TwinterpreterException):
    """The process of a twinterpreter failed, e.g. it exited right after being started"""


class RemoteCpy2PyNotFound(ImportError, CPy2PyException):
    """The interpreter of a twin cannot import cpy2py"""

    def __init__(self, interpreter):
        ImportError.__init__(self, 'cpy2py cannot be imported by interpreter %r' % (interpreter,))
        self.name = 'cpy2py'
        self.interpreter = interpreter

    def __reduce__(self):
        return (self.__class__, (self.interpreter,))


__all__ = ['TwinterpreterException', 'TwinterpreterProcessError', 'RemoteCpy2PyNotFound']
