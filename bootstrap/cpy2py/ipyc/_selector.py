"""Shared base of the original library's channel classes, kept as names only"""


class ChannelSelector(object):
    """
    Names a channel type of the original library, for ``TwinMaster(ipyc=...)``

    This runtime has a single transport (:py:mod:`cpy2py.ipc`), so ``TwinMaster`` accepts
    these classes and ignores them. They cannot be opened as channels themselves.
    """

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            '%s is only accepted as TwinMaster(ipyc=...); this runtime always uses its own '
            'transport (cpy2py.ipc)' % self.__class__.__name__)
