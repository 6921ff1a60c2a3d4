"""The root of the cpy2py exception hierarchy"""


class CPy2PyException(Exception):
    """Base of every exception cpy2py raises itself"""


__all__ = ['CPy2PyException']
