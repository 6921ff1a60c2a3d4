"""
Where am I? State of the current interpreter within its twin group

:py:data:`TWIN_ID` is the id of this interpreter, :py:data:`MASTER_ID` the id of the
interpreter that runs the application's main script. Under ``cpy2py-run`` both come from
the environment the supervisor sets (``CPY2PY_TWIN_ID``, ``CPY2PY_MAIN_ID``); a twin
spawned by a standalone master gets them the same way. A standalone master, as in the
original library, is named after its executable (e.g. ``python3.11``).
"""
import os
import sys


def _take(*names):
    """First of the environment variables ``names`` that is set; the legacy ones are removed"""
    for name in names:
        value = os.environ.get(name)
        if value:
            if name.startswith('__'):
                del os.environ[name]
            return value
    return None


#: id of the interpreter running the main script
MASTER_ID = _take('CPY2PY_MAIN_ID', '__CPY2PY_MASTER_ID__')
#: id of this interpreter
TWIN_ID = _take('CPY2PY_TWIN_ID', '__CPY2PY_TWIN_ID__')
if MASTER_ID is None:
    MASTER_ID = TWIN_ID or os.path.basename(sys.executable)
if TWIN_ID is None:
    TWIN_ID = MASTER_ID
#: the group state (initializers/finalizers), set by cpy2py.twinterpreter.group_state
TWIN_GROUP_STATE = None


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


def get_kernel(kernel_id=None):
    """The kernel of this process (started on first use)."""
    from cpy2py.kernel.kernel import get_kernel as _get_kernel
    return _get_kernel()
