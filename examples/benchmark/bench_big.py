"""
Twin side of bigdata.py: large values to receive and to hand out, and peak memory

``prepare`` builds a value ahead of time, so that timing ``take`` measures only the
transfer of the result. Peak memory is read from /proc/self/status (VmHWM, reset by
writing 5 to /proc/self/clear_refs: Linux 4.0+); where that is missing, from
``ru_maxrss``, which cannot be reset (then only growth beyond the earlier peak shows).
"""
import os
import resource

_prepared = {}


class Holder(object):
    """An object with a large attribute (bytes nested in an object)"""

    def __init__(self, data):
        self.data = data


def make(kind, size):
    """A value of ``kind`` carrying ``size`` bytes, every page touched"""
    if kind == 'numpy':
        import numpy
        array = numpy.empty(size // 8, dtype=numpy.float64)
        array.fill(1.5)
        return array
    data = bytearray(size)
    data[::4096] = b'x' * len(data[::4096])
    data = bytes(data)
    if kind == 'bytes':
        return data
    if kind == 'list':
        return [1, 'two', data]
    if kind == 'object':
        return Holder(data)
    raise ValueError('unknown kind %r' % kind)


def payload_bytes(value):
    """How many bytes of payload ``value`` carries (checks that it arrived whole)"""
    if isinstance(value, list):
        value = value[2]
    elif isinstance(value, Holder):
        value = value.data
    return memoryview(value).nbytes


def prepare(kind, size):
    _prepared[kind] = make(kind, size)
    return size


def take(kind):
    return _prepared[kind]


def release():
    _prepared.clear()


def _status(field):
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1]) * 1024
    return None


def reset_peak():
    """Reset the peak RSS; returns the current RSS (bytes)"""
    try:
        with open('/proc/self/clear_refs', 'w') as clear:
            clear.write('5')
    except (IOError, OSError):
        pass
    return _status('VmRSS') or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak():
    """Peak RSS since reset_peak (bytes)"""
    return _status('VmHWM') or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def has_numpy():
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False
