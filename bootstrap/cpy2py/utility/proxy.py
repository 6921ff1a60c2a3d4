"""Helpers for objects that stand in for others"""


def clone_function_meta(real_func, wrap_func):
    """Copy the metadata of ``real_func`` to ``wrap_func`` and set ``__wrapped__``"""
    try:
        wrap_func.__name__ = real_func.__name__
        wrap_func.__module__ = real_func.__module__
    except (AttributeError, TypeError):
        raise TypeError('cannot clone metadata of %r' % (real_func,))
    for attribute in ('__doc__', '__twin_id__', '__signature__', '__defaults__', '__kwdefaults__',
                      '__qualname__', '__annotations__'):
        try:
            value = getattr(real_func, attribute)
        except AttributeError:
            continue
        try:
            setattr(wrap_func, attribute, value)
        except (AttributeError, TypeError):
            pass
    wrap_func.__wrapped__ = real_func
    return wrap_func
