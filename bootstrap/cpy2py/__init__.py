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
from cpy2py.proxy.proxy_object import TwinObject, localmethod  # noqa: E402
from cpy2py.proxy.proxy_func import twinfunction  # noqa: E402
from cpy2py.twinterpreter.twin_master import TwinMaster  # noqa: E402
from cpy2py.twinterpreter.group_state import TwinGroupState  # noqa: E402

__all__ = ['TwinObject', 'TwinMaster', 'TwinGroupState', 'kernel_state', '__version__',
           'localmethod', 'twinfunction']
