"""
Interpreter: a Python executable and what it can do

Its metadata (implementation, version, pickle protocol) is asked from the executable on
first use, with this cpy2py importable by it.
"""
import json
import os
import pickle
import subprocess

from cpy2py.utility.compat import check_output
from cpy2py.utility.twinspect import exepath
from cpy2py.exceptions import RemoteCpy2PyNotFound
from cpy2py.kernel.launch_env import BOOTSTRAP_DIR

_PROBE = (
    "import json, pickle, platform, sys\n"
    "try:\n"
    "    import cpy2py\n"
    "except ImportError:\n"
    "    print('null')\n"
    "else:\n"
    "    print(json.dumps({'python_implementation': platform.python_implementation(),\n"
    "                      'python_version_info': list(sys.version_info),\n"
    "                      'pickle_protocol': pickle.HIGHEST_PROTOCOL}))\n"
)


class Interpreter(object):
    """
    A Python interpreter that can run a twin

    :param executable: path of the interpreter or a name to look up in :envvar:`PATH`
    :raises OSError: if there is no such executable
    """

    def __init__(self, executable):
        self.executable = exepath(executable)
        self._metadata = None

    def _get_metadata(self):
        if self._metadata is None:
            env = dict(os.environ)
            path = env.get('PYTHONPATH')
            env['PYTHONPATH'] = BOOTSTRAP_DIR + (os.pathsep + path if path else '')
            output = check_output([self.executable, '-c', _PROBE], env=env)
            metadata = json.loads(output.decode('utf-8'))
            if metadata is None:
                raise RemoteCpy2PyNotFound(self.executable)
            self._metadata = metadata
        return self._metadata

    @property
    def python_version_info(self):
        """``sys.version_info`` of the interpreter, as a tuple"""
        return tuple(self._get_metadata()['python_version_info'])

    @property
    def python_implementation(self):
        """The implementation, such as ``'CPython'`` or ``'PyPy'``"""
        return self._get_metadata()['python_implementation']

    @property
    def pickle_protocol(self):
        """The highest pickle protocol both this and the interpreter support"""
        return min(pickle.HIGHEST_PROTOCOL, self._get_metadata()['pickle_protocol'])

    def spawn(self, arguments=None, environment=None):
        """Start the interpreter with ``arguments``; returns the :py:class:`subprocess.Popen`"""
        return subprocess.Popen([self.executable] + list(arguments or ()), env=environment)

    def __eq__(self, other):
        if not isinstance(other, Interpreter):
            return NotImplemented
        return self.executable == other.executable

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self.executable)

    def __repr__(self):
        return '%s(%r)' % (self.__class__.__name__, self.executable)


__all__ = ['Interpreter']
