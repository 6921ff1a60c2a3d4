"""Only twins put this directory on sys.path: the main cannot import this module"""


class LegacyError(Exception):
    pass


class Thing(object):
    def __init__(self, number):
        self.number = number


def fail():
    raise LegacyError("legacy failure")
