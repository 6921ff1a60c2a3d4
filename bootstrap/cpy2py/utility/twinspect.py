"""Inspecting interpreters for use as twins"""
import os

from cpy2py.utility.proc_tools import get_executable_path


def exepath(executable):
    """
    The real path (symlinks resolved) of the executable file ``executable``

    :param executable: a path or a name to look up in :envvar:`PATH`
    :raises OSError: if there is no such executable file
    """
    return os.path.realpath(get_executable_path(executable))


__all__ = ['exepath']
