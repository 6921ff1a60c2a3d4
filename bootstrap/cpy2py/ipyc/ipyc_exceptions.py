"""Exceptions of the inter-python communication layer"""
from cpy2py.utility.exceptions import CPy2PyException


class IPyCTerminated(CPy2PyException):
    """The communication channel to a twinterpreter was closed"""


__all__ = ['IPyCTerminated']
