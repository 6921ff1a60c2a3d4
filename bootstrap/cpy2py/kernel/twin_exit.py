"""
A twin's polite exit does what an interpreter's own exit would

A twin stops (SHUTDOWN from the supervisor, once the main has ended) with ``os._exit``: a
regular interpreter exit would wait for every non-daemon thread and tear down modules while
the kernel's daemon threads still run, which can hang or abort. But ``os._exit`` alone
skips what users rely on in one process: ``atexit`` handlers, and buffered files flushed
when their objects go (a TwinObject that wrote to a file it never closed lost every line).
So before it: the ``atexit`` handlers run, the objects only peers kept alive are let go
(their ``__del__`` and their files' closing run), and every open buffered file is flushed.
"""
import atexit
import gc
import sys


def finish(kernel):
    """Run what an interpreter exit runs (errors are printed, as Python does, never raised)"""
    _run_atexit()
    try:
        kernel.exports.clear()
    except Exception:  # pragma: no cover - exiting anyway
        pass
    gc.collect()
    _flush_open_files()


def _run_atexit():
    run = getattr(atexit, '_run_exitfuncs', None)
    if run is None:  # pragma: no cover - every supported interpreter has it
        return
    try:
        run()
    except BaseException:  # Python 2 re-raises the last handler's error after printing it
        pass


def _flush_open_files():
    """Flush every open buffered file object (module globals included: they are never
    torn down before os._exit)"""
    try:
        import io
        kinds = (io.BufferedIOBase, io.TextIOBase)
        if sys.version_info[0] < 3:
            kinds += (file,)  # noqa: F821 - Python 2's built-in file type
    except Exception:  # pragma: no cover
        return
    try:
        candidates = gc.get_objects()
    except Exception:  # pragma: no cover - an implementation without it
        return
    if sys.version_info[0] < 3:
        # Python 2's file objects are not tracked by the collector: look one step into
        # everything that is (module dicts, lists, instances' dicts)
        found = {}
        for obj in candidates:
            try:
                for referent in gc.get_referents(obj):
                    if isinstance(referent, kinds):
                        found[id(referent)] = referent
            except Exception:
                pass
        candidates = list(found.values())
    for obj in candidates:
        try:
            if isinstance(obj, kinds) and not obj.closed:
                obj.flush()
        except Exception:
            pass
