"""Exception classes importable on both sides (valid Python 2.7 and 3)"""


class CodedError(Exception):
    """Its __init__ takes other arguments than its args"""

    def __init__(self, code, detail):
        Exception.__init__(self, "error %d: %s" % (code, detail))
        self.code = code
        self.detail = detail


class KeywordError(Exception):
    """Built with keywords only; refuses positional arguments"""

    def __init__(self, reason=None, where=None):
        if reason is None or where is None:
            raise TypeError("KeywordError needs reason= and where=")
        Exception.__init__(self, "%s at %s" % (reason, where))
        self.reason = reason
        self.where = where


class AttrError(Exception):
    """Carries attributes set after construction"""
