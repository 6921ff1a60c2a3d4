"""Later name of :py:mod:`cpy2py.proxy.proxy_object`: the TwinObject base class"""
from cpy2py.proxy.proxy_object import TwinObject, TwinMeta, localmethod  # noqa: F401

__all__ = ['TwinObject', 'localmethod']
