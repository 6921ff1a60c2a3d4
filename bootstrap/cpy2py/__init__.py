"""
cpy2py: several Python interpreters acting as one application

* :py:class:`~cpy2py.twinterpreter.twin_master.TwinMaster` starts and controls a twin
  interpreter and runs callables there.
* :py:class:`~cpy2py.proxy.proxy_object.TwinObject` is the base class of objects that live
  in one twin (``__twin_id__``) and are proxies everywhere else.
* :py:mod:`~cpy2py.kernel.kernel_state` tells where code runs.
"""
import logging as _logging
import os as _os
import sys as _sys

from cpy2py.meta import __version__
from cpy2py.utility.compat import NullHandler as _NullHandler

_base_logger = _logging.getLogger('__cpy2py__')
_base_logger.propagate = False
if not _base_logger.handlers:
    if _os.environ.get('CPY2PY_DEBUG'):
        from cpy2py.utility.debug_log import make_debug_handler as _make_debug_handler
        _base_logger.addHandler(_make_debug_handler())
        _level = _os.environ['CPY2PY_DEBUG'].upper()
        _base_logger.setLevel(getattr(_logging, _level) if isinstance(getattr(_logging, _level, None), int)
                              else _logging.DEBUG)
    else:
        _base_logger.addHandler(_NullHandler())

from cpy2py.kernel import kernel_state  # noqa: E402
from cpy2py.kernel import kernel_state as state  # noqa: E402,F401  (name used by later versions of the original)
from cpy2py.twinterpreter.group_state import TwinGroupState  # noqa: E402

#: public names and the modules that define them
_PUBLIC = {
    'TwinObject': 'cpy2py.proxy.proxy_object',
    'localmethod': 'cpy2py.proxy.proxy_object',
    'twinfunction': 'cpy2py.proxy.proxy_func',
    'TwinMaster': 'cpy2py.twinterpreter.twin_master',
}


def _load_public(name):
    import importlib
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


if _sys.version_info >= (3, 7) and not _os.environ.get('CPY2PY_EAGER'):
    # load the rest on first use (PEP 562): a twin imports us at start and is ready sooner
    def __getattr__(name):
        if name in _PUBLIC:
            return _load_public(name)
        raise AttributeError("module 'cpy2py' has no attribute %r" % name)
else:
    for _name in _PUBLIC:
        _load_public(_name)

__all__ = ['TwinObject', 'TwinMaster', 'TwinGroupState', 'kernel_state', '__version__',
           'localmethod', 'twinfunction']
