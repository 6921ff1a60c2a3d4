"""Later name of :py:mod:`cpy2py.proxy.proxy_func`: the twinfunction decorator"""
from cpy2py.proxy.proxy_func import twinfunction  # noqa: F401

__all__ = ['twinfunction']
