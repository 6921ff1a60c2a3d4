"""
Named-pipe channel of the original library (compatibility name)

``TwinMaster(..., ipyc=ipyc_fifo.DuplexFifoIPyC)`` is accepted; the twin still talks
over this runtime's own transport.
"""
from cpy2py.ipyc._selector import ChannelSelector


class DuplexFifoIPyC(ChannelSelector):
    """Two named pipes between master and twin (accepted as ``ipyc=``, not used)"""


__all__ = ['DuplexFifoIPyC']
