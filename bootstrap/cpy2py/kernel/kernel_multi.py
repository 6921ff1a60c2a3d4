"""
Kernel flavour 'multi' (also 'threaded'): the original served requests from a worker pool

This runtime's kernel is re-entrant and concurrent for every flavour; the classes here
only name the flavour for TwinMaster(..., kernel=<this module>).
"""
from cpy2py.kernel.flavour import KernelClient, KernelServer


class MultiKernelClient(KernelClient):
    """Client side of the 'multi' kernel flavour"""
    flavour = 'multi'


class MultiKernelServer(KernelServer):
    """Server side of the 'multi' kernel flavour"""
    flavour = 'multi'


CLIENT = MultiKernelClient
SERVER = MultiKernelServer

__all__ = ['CLIENT', 'SERVER', 'MultiKernelClient', 'MultiKernelServer']
