"""
:py:mod:`cpy2py.kernel.kernel_state` under the name of later versions of the original

Importing this module gives the very same module object as ``kernel_state``, so that
attributes assigned through either name are seen through both.
"""
import sys

from cpy2py.kernel import kernel_state as _kernel_state

sys.modules[__name__] = _kernel_state
