"""
Inter-python communication (compatibility names)

The transport of this runtime lives in :py:mod:`cpy2py.ipc`; this package keeps the
names of the original library's ``ipyc`` package that user code may import.
"""
