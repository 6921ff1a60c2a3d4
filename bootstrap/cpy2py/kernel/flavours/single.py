"""Kernel flavour 'single', see :py:mod:`cpy2py.kernel.kernel_single`"""
from cpy2py.kernel.kernel_single import CLIENT, SERVER  # noqa: F401

__all__ = ['CLIENT', 'SERVER']
