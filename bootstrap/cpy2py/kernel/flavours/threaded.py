"""Kernel flavour 'threaded' (the original's 'multi'), see :py:mod:`cpy2py.kernel.kernel_multi`"""
from cpy2py.kernel.kernel_multi import CLIENT, SERVER  # noqa: F401

__all__ = ['CLIENT', 'SERVER']
