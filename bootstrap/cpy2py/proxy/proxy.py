"""Later name of :py:mod:`cpy2py.proxy.proxy_twin`: proxies of objects in other twins"""
from cpy2py.proxy.proxy_twin import TwinProxy, ProxyMethod  # noqa: F401

#: the base class of every instance proxy
InstanceProxy = TwinProxy
#: the class-body descriptor of a remote method
UnboundedMethodProxy = ProxyMethod

__all__ = ['InstanceProxy', 'UnboundedMethodProxy', 'TwinProxy', 'ProxyMethod']
