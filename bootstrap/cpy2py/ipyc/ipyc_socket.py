"""
Socket channel of the original library (compatibility name)

``TwinMaster(..., ipyc=ipyc_socket.DuplexSocketIPyC)`` is accepted; the twin still talks
over this runtime's own transport.
"""
from cpy2py.ipyc._selector import ChannelSelector


class DuplexSocketIPyC(ChannelSelector):
    """A socket pair between master and twin (accepted as ``ipyc=``, not used)"""


__all__ = ['DuplexSocketIPyC']
