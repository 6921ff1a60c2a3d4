"""
Kernel flavour 'single': the original served one request at a time

This runtime's kernel is re-entrant and concurrent for every flavour; the classes here
only name the flavour for TwinMaster(..., kernel=<this module>).
"""
from cpy2py.kernel.flavour import KernelClient, KernelServer


class SingleKernelClient(KernelClient):
    """Client side of the 'single' kernel flavour"""
    flavour = 'single'


class SingleKernelServer(KernelServer):
    """Server side of the 'single' kernel flavour"""
    flavour = 'single'


CLIENT = SingleKernelClient
SERVER = SingleKernelServer

__all__ = ['CLIENT', 'SERVER', 'SingleKernelClient', 'SingleKernelServer']
