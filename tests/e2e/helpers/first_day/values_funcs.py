"""memoryview samples and a description of what arrived (valid Python 2.7 and 3)"""
import binascii

from cpy2py import TwinObject, kernel_state

LARGE = bytes(bytearray(range(256)) * 400)  # 100 KiB: travels out-of-band between 3.8+ peers


class Holder(object):
    """A plain picklable object with a memoryview attribute"""

    def __init__(self, payload):
        self.payload = payload


class Store(TwinObject):
    __twin_id__ = 'twin'

    def describe_payload(self):
        return describe(self.payload)


def _strided():
    """A non-contiguous view (Python 2.7 cannot slice with a step: a plain view there)"""
    try:
        return memoryview(b'abcdefgh')[::2]
    except NotImplementedError:
        return memoryview(b'aceg')


def samples():
    """name -> value, built fresh in whatever interpreter calls this"""
    return {
        'small': memoryview(b'small view'),
        'large': memoryview(LARGE),
        'slice': memoryview(b'0123456789')[2:6],
        'strided': _strided(),
        'from_bytearray': memoryview(bytearray(b'mutable source')),
        'in_list': [memoryview(b'a'), memoryview(LARGE), 3],
        'in_tuple': (memoryview(b'tuple view'),),
        'in_dict': {'mv': memoryview(b'dict view'), 'big': memoryview(LARGE)},
        'attribute': Holder(memoryview(b'attr view')),
        'deep': {'list': [Holder({'inner': [memoryview(b'deep view')]})]},
    }


def sample(name):
    return samples()[name]


def describe(value):
    """What ``value`` is, as plain JSON-able lists (the same in every interpreter)"""
    if isinstance(value, memoryview):
        data = value.tobytes()
        return ['memoryview', len(data), binascii.hexlify(data[:32]).decode('ascii'),
                binascii.hexlify(data[-32:]).decode('ascii')]
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [describe(item) for item in value]
    if isinstance(value, dict):
        return ['dict'] + [[str(key), describe(value[key])] for key in sorted(value)]
    if isinstance(value, Holder):
        return ['Holder', describe(value.payload)]
    if isinstance(value, int):
        return ['int', value]
    return [type(value).__name__, repr(value)]


def where():
    return kernel_state.TWIN_ID
