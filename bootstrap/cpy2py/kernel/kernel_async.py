"""
Kernel flavour 'async': the original served each request in its own thread

This runtime's kernel is re-entrant and concurrent for every flavour; the classes here
only name the flavour for TwinMaster(..., kernel=<this module>).
"""
from cpy2py.kernel.flavour import KernelClient, KernelServer


class AsyncKernelClient(KernelClient):
    """Client side of the 'async' kernel flavour"""
    flavour = 'async'


class AsyncKernelServer(KernelServer):
    """Server side of the 'async' kernel flavour"""
    flavour = 'async'


CLIENT = AsyncKernelClient
SERVER = AsyncKernelServer

__all__ = ['CLIENT', 'SERVER', 'AsyncKernelClient', 'AsyncKernelServer']
