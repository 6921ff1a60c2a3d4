"""TwinObject and localmethod: the public face of the proxy machinery"""
from cpy2py.proxy.proxy_meta import TwinMeta, TwinObject


def localmethod(method):
    """
    Mark a method of a TwinObject class to run where it is called

    On a proxy, a local method runs in the calling interpreter with ``self`` being the
    proxy; other methods it calls on ``self`` run remotely as usual.
    """
    target = getattr(method, '__func__', method)
    target.__local_member__ = True
    return method


__all__ = ['TwinObject', 'TwinMeta', 'localmethod']
