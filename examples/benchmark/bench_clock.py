"""
TwinObject classes made at import time, one per twin id, for the proxy benchmark

A class's ``__twin_id__`` is fixed when the class is created, and a proxy crosses as a
reference to ``(module, class name)``. So the main calls :py:func:`clock_class` for each
twin it measures, and every twin, when it first imports this module (to resolve such a
reference), makes the class for its own id: the real class there, a proxy class here.
Runs on Python 2.7 and 3.x.
"""
import time

from cpy2py import TwinObject, kernel_state


def _name(twin_id):
    return 'Clock_' + ''.join(c if c.isalnum() else '_' for c in twin_id)


def _now(self):
    """The twin's clock: the method the benchmark calls"""
    return time.time()


def clock_class(twin_id):
    """The ``Clock`` class whose instances live in ``twin_id``"""
    name = _name(twin_id)
    cls = globals().get(name)
    if cls is None:
        cls = type(TwinObject)(str(name), (TwinObject,), {
            '__twin_id__': twin_id, '__module__': __name__, 'now': _now})
        globals()[name] = cls
    return cls


if kernel_state.is_twinterpreter():
    clock_class(kernel_state.TWIN_ID)
