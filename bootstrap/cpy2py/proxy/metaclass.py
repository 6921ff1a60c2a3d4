"""Later name of :py:mod:`cpy2py.proxy.proxy_meta`: the TwinMeta metaclass"""
from cpy2py.proxy.proxy_meta import TwinMeta  # noqa: F401

__all__ = ['TwinMeta']
