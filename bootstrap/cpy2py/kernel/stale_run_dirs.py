"""
Run directories that standalone mains left behind

A standalone main's run directory is removed by the main when it ends, or by its twins when
they find it gone (killed with SIGKILL, say). A main killed before any twin of its was
running (between making its kernel and starting its first twin, or after every start
failed) leaves it behind with nothing to notice. So a standalone main, as it makes its own,
removes such directories of earlier ones: ours, named as :py:func:`make_run_dir` names them
(cpy2py-run's own are named otherwise and have a watchdog), a while old, holding nothing
but sockets, on every one of which nobody listens.
"""
import os
import re
import shutil
import time

from cpy2py.kernel.peer_liveness import still_listening

#: what tempfile.mkdtemp(prefix='cpy2py-') makes (cpy2py-run's own: 6 characters, mixed case)
_NAME = re.compile(r'^cpy2py-[a-z0-9_]{8}$')
#: younger ones may belong to a main that is still starting
MIN_AGE = 60.0


def _is_stale(path, now):
    info = os.lstat(path)
    if info.st_uid != os.getuid() or now - info.st_mtime < MIN_AGE:
        return False
    entries = os.listdir(path)
    return all(name.endswith('.sock') and not still_listening(os.path.join(path, name)) for name in entries)


def sweep(base):
    """Remove the stale run directories of standalone mains in ``base``; never raises"""
    try:
        names = [name for name in os.listdir(base) if _NAME.match(name)]
    except (OSError, IOError):
        return
    now = time.time()
    for name in names:
        path = os.path.join(base, name)
        try:
            if _is_stale(path, now):
                shutil.rmtree(path, True)
        except (OSError, IOError):
            pass
