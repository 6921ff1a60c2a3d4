"""The stderr handler used when CPY2PY_DEBUG is set: every line names twin id and pid."""
import logging
import os


class _TwinFormatter(logging.Formatter):
    def __init__(self, fmt, twin_id):
        logging.Formatter.__init__(self, fmt)
        self._twin_id = twin_id

    def format(self, record):
        record.twin_id = self._twin_id()
        record.twin_pid = os.getpid()
        return logging.Formatter.format(self, record)


def make_debug_handler(twin_id):
    """``twin_id()`` gives the id of this process (a higher layer knows it)"""
    handler = logging.StreamHandler()
    handler.setFormatter(_TwinFormatter(
        '[cpy2py %(twin_id)s pid %(twin_pid)s] %(name)s %(levelname)s: %(message)s', twin_id))
    return handler
