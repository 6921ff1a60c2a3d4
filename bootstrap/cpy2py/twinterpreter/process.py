"""
TwinProcess: the later name of :py:class:`~cpy2py.twinterpreter.twin_def.TwinDef`

It resolves the executable to its real path (symlinks resolved) and offers the
:py:class:`~cpy2py.twinterpreter.interpreter.Interpreter` behind it.
"""
from cpy2py.utility.twinspect import exepath
from cpy2py.twinterpreter.twin_def import TwinDef, lookup_interpreter
from cpy2py.twinterpreter.interpreter import Interpreter


class TwinProcess(TwinDef):
    """Definition of a twinterpreter process; see :py:class:`~.TwinDef` for the arguments"""

    @staticmethod
    def _resolve_executable(executable):
        return lookup_interpreter(exepath, executable)

    @property
    def interpreter(self):
        """The :py:class:`~.Interpreter` running this twin"""
        interpreter = self.__dict__.get('_interpreter')
        if interpreter is None:
            interpreter = self.__dict__['_interpreter'] = Interpreter(self.executable)
        return interpreter


__all__ = ['TwinProcess']
