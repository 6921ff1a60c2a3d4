"""
ProxyProxy: hand out any object of this twin by reference

``ProxyProxy(obj)`` wraps an arbitrary object (one that is no TwinObject and need not be
picklable). The wrapper is a TwinObject native to the twin that creates it, so another
twin that receives it gets a proxy; attribute reads, writes and deletes on that proxy
reach ``obj`` in the creating twin. This mirrors an experimental feature of the
original library.
"""
from cpy2py.kernel import kernel_state
from cpy2py.proxy.proxy_object import TwinObject

_REAL = '_real_object'


class ProxyProxy(TwinObject):
    """A TwinObject that forwards attribute access to ``real_object``"""
    # evaluated at class creation: the class is native in every interpreter
    __twin_id__ = kernel_state.TWIN_ID

    def __init__(self, real_object):
        object.__setattr__(self, _REAL, real_object)

    def __getattr__(self, name):
        if name == _REAL or name.startswith('__cpy2py'):
            raise AttributeError(name)
        return getattr(object.__getattribute__(self, _REAL), name)

    def __setattr__(self, name, value):
        if name.startswith('__cpy2py'):
            object.__setattr__(self, name, value)
        else:
            setattr(object.__getattribute__(self, _REAL), name, value)

    def __delattr__(self, name):
        delattr(object.__getattribute__(self, _REAL), name)

    def __repr__(self):
        return '<%s.%s of %r>' % (self.__class__.__module__, self.__class__.__name__,
                                  object.__getattribute__(self, _REAL))


__all__ = ['ProxyProxy']
