"""
cpy2py: several Python interpreters acting as one application

* :py:class:`~cpy2py.twinterpreter.twin_master.TwinMaster` starts and controls a twin
  interpreter and runs callables there.
* :py:class:`~cpy2py.proxy.proxy_object.TwinObject` is the base class of objects that live
  in one twin (``__twin_id__``) and are proxies everywhere else.
* :py:mod:`~cpy2py.kernel.kernel_state` tells where code runs.

This package is the top of the runtime's layers (see docs/DESIGN.md): importing it, which
every import of a ``cpy2py.*`` module does first, wires the layers together -- the logger
tree, the original library's module names (:py:mod:`cpy2py.aliases`), the group state,
and how the kernel loads the proxy layer when a reference arrives.
"""
import os as _os
import sys as _sys

from cpy2py.meta import __version__
from cpy2py.utility import log_setup as _log_setup

# the '__cpy2py__' logger tree: silent unless CPY2PY_DEBUG; set up when logging is imported
_log_setup.setup(lambda: kernel_state.TWIN_ID)

from cpy2py import aliases as _aliases  # noqa: E402,F401  (installs the import hook for old names)
from cpy2py.kernel import kernel_state  # noqa: E402
from cpy2py.kernel import kernel_state as state  # noqa: E402,F401  (name used by later versions of the original)
from cpy2py.twinterpreter.group_state import TwinGroupState  # noqa: E402


def _load_proxy_layer():
    from cpy2py.proxy import proxy_meta  # noqa: F401  (registers its hooks with the kernel)


def _run_cancellable(function):
    from cpy2py.twinterpreter.futures import run_cancellable
    return run_cancellable(function)


kernel_state.proxy_layer_loader = _load_proxy_layer
kernel_state.run_cancellable = _run_cancellable

#: public names and the modules that define them
_PUBLIC = {
    'TwinObject': 'cpy2py.proxy.proxy_object',
    'localmethod': 'cpy2py.proxy.proxy_object',
    'twinfunction': 'cpy2py.proxy.proxy_func',
    'TwinMaster': 'cpy2py.twinterpreter.twin_master',
    'deadline': 'cpy2py.twinterpreter.deadline',
    'CallTimeout': 'cpy2py.exceptions',
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
           'localmethod', 'twinfunction', 'deadline', 'CallTimeout']
