"""
Twin side of bulk.py: large bytes-like values to receive and to hand out

``prepare`` builds a value in the twin ahead of time, so that timing ``take`` measures only
the transfer of the result; ``size_of`` receives an argument and returns its length.
"""
_prepared = {}


def make(kind, size):
    """A ``kind`` ('bytes', 'bytearray', 'memoryview') of ``size`` bytes"""
    data = bytearray(size)
    data[::4096] = b'x' * len(data[::4096])  # touch every page
    if kind == 'bytes':
        return bytes(data)
    if kind == 'memoryview':
        return memoryview(data)
    return data


def prepare(kind, size):
    _prepared[kind] = make(kind, size)
    return size


def take(kind):
    return _prepared[kind]


def size_of(value):
    return memoryview(value).nbytes


def echo(value):
    return value


def release():
    _prepared.clear()
