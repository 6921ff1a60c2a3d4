"""
Where am I? State of the current interpreter within its twin group

:py:data:`TWIN_ID` is the id of this interpreter, :py:data:`MASTER_ID` the id of the
interpreter that runs the application's main script. Under ``cpy2py-run`` both come from
the environment the supervisor sets (``CPY2PY_TWIN_ID``, ``CPY2PY_MAIN_ID``); a twin
spawned by a standalone master gets them the same way. A standalone master, as in the
original library, is named after its executable (e.g. ``python3.11``).

It also holds the kernel of this process (:py:func:`get_kernel`), created on first use
from these ids; the modules of the kernel layer below never import this one.

The original library's later name ``cpy2py.kernel.state`` is this very module object.
"""
import os
import sys
import threading


def _take(*names):
    """First of the environment variables ``names`` that is set; the legacy ones are removed"""
    for name in names:
        value = os.environ.get(name)
        if value:
            if name.startswith('__'):
                del os.environ[name]
            return value
    return None


#: the number of the control socket to the supervisor (CPY2PY_CONTROL_FD), taken out of the
#: environment at once: the program's own subprocesses do not inherit the socket, and must
#: not take a descriptor of theirs for it
CONTROL_FD = os.environ.pop('CPY2PY_CONTROL_FD', None)
#: id of the interpreter running the main script
MASTER_ID = _take('CPY2PY_MAIN_ID', '__CPY2PY_MASTER_ID__')
#: id of this interpreter
TWIN_ID = _take('CPY2PY_TWIN_ID', '__CPY2PY_TWIN_ID__')
if MASTER_ID is None:
    MASTER_ID = TWIN_ID or os.path.basename(sys.executable)
if TWIN_ID is None:
    TWIN_ID = MASTER_ID
#: the group state (initializers/finalizers), set by cpy2py.twinterpreter.group_state;
#: the kernel of the main calls its ``attach(kernel)`` when it is created
TWIN_GROUP_STATE = None
#: () -> None: imports the proxy layer, for a process that receives a reference before it
#: used a proxy (set by cpy2py; handed to cpy2py.kernel.references with the kernel)
proxy_layer_loader = None
#: (function) -> future of function(), run in a thread whose twin calls the future's
#: cancel() interrupts (TwinMaster.submit's; set by cpy2py, used by the proxy layer to
#: await a remote coroutine, see cpy2py.proxy.awaiting)
run_cancellable = None


def is_twinterpreter(kernel_id=None):
    """
    Whether this interpreter is the twinterpreter ``kernel_id``

    Without an id: whether this is a twinterpreter at all (not the main interpreter).
    """
    if kernel_id is None:
        return TWIN_ID != MASTER_ID
    return TWIN_ID == kernel_id


def is_master():
    """Whether this is the main interpreter of the group"""
    return TWIN_ID == MASTER_ID


#: the kernel of this process, once created
_kernel = None
_kernel_lock = threading.Lock()


def get_kernel(kernel_id=None):
    """The kernel of this process, created on first use (``kernel_id`` is ignored)"""
    kernel = _kernel
    if kernel is not None:
        return kernel
    return _create_kernel()


def _create_kernel():
    global _kernel
    with _kernel_lock:
        if _kernel is None:
            from cpy2py.kernel import references
            from cpy2py.kernel.bootstrap import create_kernel
            references.register_kernel_getter(get_kernel)
            if proxy_layer_loader is not None:
                references.register_proxy_layer_loader(proxy_layer_loader)
            kernel = create_kernel(TWIN_ID, MASTER_ID, CONTROL_FD)
            group_state = TWIN_GROUP_STATE
            if group_state is not None and kernel.is_master:
                group_state.attach(kernel)
            _kernel = kernel
    return _kernel


def kernel_if_started():
    """The kernel of this process, or None if it was not created yet"""
    return _kernel
