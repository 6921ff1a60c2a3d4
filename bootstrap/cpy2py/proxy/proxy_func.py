"""twinfunction: run a module-level function in a given twinterpreter"""
from cpy2py.kernel import kernel_state
from cpy2py.utility.proxy import clone_function_meta


def twinfunction(twinterpreter_id):
    """
    Decorator: calls of the function run in twinterpreter ``twinterpreter_id``

    In that twin the function itself is returned; everywhere else a wrapper that keeps the
    function's metadata (``__name__``, ``__doc__``, ``__wrapped__``, ...).
    """
    def decorator(function):
        function.__twin_id__ = twinterpreter_id
        if kernel_state.is_twinterpreter(kernel_id=twinterpreter_id):
            return function

        def function_dispatch_proxy(*args, **kwargs):
            return kernel_state.get_kernel().request(
                twinterpreter_id, 'call', (function_dispatch_proxy, args, kwargs), args)
        clone_function_meta(function, function_dispatch_proxy)
        return function_dispatch_proxy
    return decorator
