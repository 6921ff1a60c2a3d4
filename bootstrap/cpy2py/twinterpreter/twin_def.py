"""
TwinDef: which interpreter a twin runs, under which id, with which kernel flavour

``executable`` and ``twinterpreter_id`` complete each other: the id defaults to the base
name of the executable, the executable to the id looked up in :envvar:`PATH`.
"""
import os

from cpy2py.utility.compat import stringabc
from cpy2py.utility.proc_tools import get_executable_path, get_best_pickle_protocol
from cpy2py.kernel.flavour import FLAVOURS, resolve_kernel
from cpy2py.kernel.main_module import resolve_main_args


def lookup_interpreter(lookup, executable):
    """
    ``lookup(executable)``, where a missing ``pypy`` falls back to ``pypy3``

    TwinMaster('pypy') starts ``pypy3`` on hosts that only have that; a TwinDef for the
    same name resolves to the same interpreter.
    """
    try:
        return lookup(executable)
    except OSError as err:
        if executable != 'pypy':
            raise
        missing = err
    try:
        return lookup('pypy3')
    except OSError:
        raise missing  # report the name that was asked for


class TwinDef(object):
    """
    Definition of a twinterpreter

    :param executable: the interpreter: a path, a name in :envvar:`PATH`, or a command as a
                       list (e.g. ``['ssh', 'host', 'python']``), used as given
    :param twinterpreter_id: the id of the twin
    :param kernel: kernel flavour: a name, a module with ``CLIENT`` and ``SERVER``, or a
                   ``(client, server)`` pair
    :raises OSError: if the executable cannot be found
    :raises ValueError: if neither executable nor id is given, or ``kernel`` is invalid
    """
    default_kernels = {
        'single': FLAVOURS['single'],
        'async': FLAVOURS['async'],
        'multi': FLAVOURS['multi'],
    }

    def __init__(self, executable=None, twinterpreter_id=None, kernel=None):
        if isinstance(executable, TwinDef):
            if twinterpreter_id is not None or kernel is not None:
                raise ValueError('cannot clone a TwinDef and set twinterpreter_id or kernel')
            executable, twinterpreter_id, kernel = (
                executable.executable, executable.twinterpreter_id, executable.kernel)
        if executable is None and twinterpreter_id is None:
            raise ValueError("At least one of 'executable' and 'twinterpreter_id' must be set")
        if twinterpreter_id is None:
            name = executable if isinstance(executable, stringabc) else executable[-1]
            twinterpreter_id = os.path.basename(name)
        if executable is None:
            executable = twinterpreter_id
        if isinstance(executable, stringabc):
            executable = self._resolve_executable(executable)
        else:
            executable = list(executable)
        self.executable = executable
        self.twinterpreter_id = twinterpreter_id
        if isinstance(kernel, stringabc):
            kernel = self.default_kernels.get(kernel, kernel)
        self.kernel_client, self.kernel_server = resolve_kernel(kernel)
        self._pickle_protocol = None

    @staticmethod
    def _resolve_executable(executable):
        return lookup_interpreter(get_executable_path, executable)

    @property
    def kernel(self):
        """The ``(client, server)`` pair of the kernel flavour"""
        return self.kernel_client, self.kernel_server

    @property
    def pickle_protocol(self):
        """The highest pickle protocol both this interpreter and the twin's support"""
        if self._pickle_protocol is None:
            self._pickle_protocol = get_best_pickle_protocol(self.executable)
        return self._pickle_protocol

    def _command(self):
        if isinstance(self.executable, stringabc):
            return [self.executable]
        return list(self.executable)

    def spawn(self, cli_args=None, env=None):
        """Start the interpreter with ``cli_args``; returns the :py:class:`subprocess.Popen`"""
        import subprocess  # here only: it is slow to import and twins start often
        return subprocess.Popen(self._command() + list(cli_args or ()), env=env)

    def __eq__(self, other):
        try:
            return (self.executable == other.executable and
                    self.twinterpreter_id == other.twinterpreter_id and
                    self.kernel == other.kernel)
        except AttributeError:
            return NotImplemented

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        executable = self.executable
        if not isinstance(executable, stringabc):
            executable = tuple(executable)
        return hash((executable, self.twinterpreter_id))

    def __repr__(self):
        return '%s(executable=%r, twinterpreter_id=%r, kernel=%r)' % (
            self.__class__.__name__, self.executable, self.twinterpreter_id, self.kernel)


def master_arguments(executable, twinterpreter_id, kernel, main_module, run_main, restore_argv):
    """
    Normalise the arguments of TwinMaster as the original library took them

    ``executable`` may be a :py:class:`TwinDef` (giving executable, id and kernel) and
    ``main_module`` a :py:class:`~cpy2py.kernel.main_module.MainDef` or one of its
    ``FETCH_*`` constants.

    :raises ValueError: if ``kernel`` refers to no client and server
    """
    if isinstance(executable, TwinDef):
        definition = executable
        executable = definition.executable
        twinterpreter_id = twinterpreter_id or definition.twinterpreter_id
        kernel = kernel or definition.kernel
    resolve_kernel(kernel)
    main_module, run_main, restore_argv = resolve_main_args(main_module, run_main, restore_argv)
    return executable, twinterpreter_id, kernel, main_module, run_main, restore_argv


__all__ = ['TwinDef', 'master_arguments', 'lookup_interpreter']
