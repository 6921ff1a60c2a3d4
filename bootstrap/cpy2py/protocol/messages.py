"""
Messages: what a frame's payload holds

A payload is a 9-byte prefix, ``u8 kind, u64 request id``, followed by a pickle, so a
request whose pickle cannot be loaded can still be answered. A request pickles
``(chain, op, data)``: ``op`` is a key of :py:data:`cpy2py.kernel.handlers.HANDLERS`
(the table of operations), ``chain`` the call chain it belongs to (``None`` for one-way
requests, whose request id is 0). A reply pickles the value, or an error payload
(:py:mod:`cpy2py.kernel.remote_errors`).

:py:meth:`cpy2py.wire.transport.FrameChannel.send_message` packs this prefix together
with the frame header in one ``struct`` call (the hot path); it must agree with
:py:data:`PREFIX`.
"""
import struct

#: kind and request id at the start of every payload
PREFIX = struct.Struct('<BQ')
#: message kinds
REQUEST, REPLY_OK, REPLY_ERROR = 0, 1, 2
