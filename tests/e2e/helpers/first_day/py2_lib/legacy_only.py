"""A library that parses only under Python 2 (the main finds it, but cannot import it)"""


class LegacyError(Exception):
    pass


def fail():
    try:
        raise ValueError("inner")
    except ValueError, err:  # Python 2 only syntax
        raise LegacyError("legacy failure")
