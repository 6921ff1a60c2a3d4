"""Finding interpreters and asking them about themselves"""
import errno
import os
import pickle

from cpy2py.utility.compat import check_output


def _is_executable_file(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def get_executable_path(executable):
    """
    The path of the executable file ``executable``

    :param executable: a path (anything containing a path separator) or a name to look up
                       in the directories of :envvar:`PATH`, in order
    :raises OSError: if there is no such executable file
    """
    if os.sep in executable or (os.altsep and os.altsep in executable):
        path = executable if os.path.isabs(executable) else os.path.abspath(executable)
        if not os.path.exists(path):
            raise OSError(errno.ENOENT, 'no such executable', executable)
        if not _is_executable_file(path):
            raise OSError(errno.EACCES, 'not an executable file', executable)
        return path
    for directory in os.environ.get('PATH', os.defpath).split(os.pathsep):
        if not directory:
            continue
        candidate = os.path.join(directory, executable)
        if _is_executable_file(candidate):
            return candidate
    raise OSError(errno.ENOENT, 'executable not found in PATH', executable)


def get_best_pickle_protocol(executable):
    """The highest pickle protocol that both this interpreter and ``executable`` support"""
    command = [executable] if not isinstance(executable, (list, tuple)) else list(executable)
    output = check_output(command + ['-c', 'import pickle; print(pickle.HIGHEST_PROTOCOL)'])
    return min(pickle.HIGHEST_PROTOCOL, int(output.strip()))


__all__ = ['get_executable_path', 'get_best_pickle_protocol']
