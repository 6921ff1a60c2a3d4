"""
Kernel flavours under the names of later versions of the original library

``single`` and ``threaded`` are here; the ``'async'`` flavour is
:py:mod:`cpy2py.kernel.kernel_async` (a module named ``async`` cannot be imported on
Python 3.7 and later).
"""
