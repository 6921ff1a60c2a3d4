"""
Arguments that cannot be pickled cross as references, like such results (Kernel._reply)

A lambda, a closure, a bound method of a local object, a lock or an open file passed to a
twin arrives there as a proxy of the object, which stays here: calling it, or using it as
a context manager or iterator, comes back to this process (a callback). Only the request's
arguments themselves are looked at (the positional and keyword arguments of a call, the
value of an attribute set), not what they contain, and only once pickling the request
failed: calls whose arguments pickle pay nothing. What ``execute()`` runs is never sent
by reference: it must run in the twin.
"""
import pickle as _python_pickle

from cpy2py.exceptions import UnpicklableCall
from cpy2py.kernel.references import RemoteHandle, thread_state
from cpy2py.utility.compat import pickle

#: what pickling an object that cannot be pickled raises (AttributeError: a local object;
#: Python 2's cPickle and its pure pickle, which sends to Python 3, have classes of their own)
PICKLING_ERRORS = (pickle.PicklingError, _python_pickle.PicklingError, TypeError, AttributeError)

#: op -> positions in its data of the arguments tuple and the keyword arguments dict
_ARGUMENTS = {'call': (1, 2), 'new': (1, 2), 'method': (3, 4), 'class_method': (2, 3)}
#: op -> position in its data of the value it sets
_VALUE = {'setattr': 3, 'class_set': 2}


def encode(serializer, chain, op, data, large_values, error, peer_id):
    """The request ``(chain, op, data)`` for twin ``peer_id`` pickled with its unpicklable
    arguments sent by reference; ``error`` is what pickling it failed with. Raises
    UnpicklableCall when references do not help."""
    referenced = _referenced(op, data, serializer.protocol)
    if referenced is not None:
        try:
            return serializer.dumps((chain, op, referenced), large_values)
        except PICKLING_ERRORS as err:
            error = err
    raise _unpicklable(op, data, error, peer_id)


def _unpicklable(op, data, error, peer_id):
    while op == 'bounded':
        op, data = data[2], data[3]
    if op == 'call':
        function = data[0]
        try:
            pickle.dumps(function)
        except PICKLING_ERRORS:
            message = ('cannot run %r in twin %r: it cannot be pickled (%s: %s); what a twin runs must '
                       'be importable there: a function defined at module level, not a lambda or a '
                       'function defined inside another one'
                       % (function, peer_id, type(error).__name__, error))
            return _without_context(UnpicklableCall(message))
    return _without_context(UnpicklableCall('cannot send this call to twin %r: %s: %s'
                                            % (peer_id, type(error).__name__, error)))


def _without_context(exc):
    # the message says what the pickling error said
    exc.__suppress_context__ = True
    return exc


def _referenced(op, data, protocol):
    """``data`` with every argument that does not pickle wrapped in a RemoteHandle, or
    None when all of them pickle"""
    if op == 'bounded':
        request_id, remaining, inner_op, inner = data
        inner = _referenced(inner_op, inner, protocol)
        return None if inner is None else (request_id, remaining, inner_op, inner)
    data = list(data)
    changed = False
    if op in _ARGUMENTS:
        at_args, at_kwargs = _ARGUMENTS[op]
        args = [_by_reference_if_needed(value, protocol) for value in data[at_args]]
        kwargs = dict((key, _by_reference_if_needed(value, protocol))
                      for key, value in data[at_kwargs].items())
        changed = (any(type(value) is RemoteHandle for value in args) or
                   any(type(value) is RemoteHandle for value in kwargs.values()))
        data[at_args], data[at_kwargs] = tuple(args), kwargs
    elif op in _VALUE:
        data[_VALUE[op]] = _by_reference_if_needed(data[_VALUE[op]], protocol)
        changed = type(data[_VALUE[op]]) is RemoteHandle
    return tuple(data) if changed else None


def _by_reference_if_needed(value, protocol):
    previous, thread_state.destination = getattr(thread_state, 'destination', None), None
    try:
        # (no destination: a proxy of a third process is not given a unit for this trial)
        pickle.dumps(value, protocol)
        return value
    except PICKLING_ERRORS:
        return RemoteHandle(value)
    finally:
        thread_state.destination = previous
