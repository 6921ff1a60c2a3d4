"""Version of the cpy2py runtime shipped with cpy2py-run."""
__version__ = '0.1.0'
#: version of the peer protocol; both ends of a connection must speak the same one
PROTOCOL_VERSION = 1
