"""The stderr handler used when CPY2PY_DEBUG is set: every line names twin id and pid."""
import logging
import os


class _TwinFormatter(logging.Formatter):
    def format(self, record):
        from cpy2py.kernel import kernel_state
        record.twin_id = kernel_state.TWIN_ID
        record.twin_pid = os.getpid()
        return logging.Formatter.format(self, record)


def make_debug_handler():
    handler = logging.StreamHandler()
    handler.setFormatter(_TwinFormatter(
        '[cpy2py %(twin_id)s pid %(twin_pid)s] %(name)s %(levelname)s: %(message)s'))
    return handler
