"""
Unicode printed by a Python 2 twin whose output goes to a pipe

Python 2 gives a file that is not a terminal no encoding, so ``print(u'caf\\xe9')`` in a
twin raises UnicodeEncodeError: under cpy2py-run a twin's stdout and stderr are always
pipes (the supervisor relays them), even when the run's output is a terminal where the
same legacy code prints fine. :py:func:`encode_like_a_terminal` gives such streams the
locale's encoding, as Python 2 does for a terminal, or UTF-8 where the locale says ASCII
(the C locale: a Python 3.7+ main prints UTF-8 there, PEP 538/540). Byte strings pass
untouched; a ``PYTHONIOENCODING`` of the user's (which sets the encoding) is left alone.
"""
import sys


class _EncodingWriter(object):
    """A file that writes unicode in ``encoding`` and everything else as it is"""

    def __init__(self, stream, encoding):
        self._stream = stream
        self.encoding = encoding

    def write(self, text):
        if not isinstance(text, bytes):
            text = text.encode(self.encoding)
        return self._stream.write(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def encode_like_a_terminal():
    """Python 2: let sys.stdout and sys.stderr that have no encoding write unicode in the
    locale's (no-op on Python 3, whose pipes have the locale's encoding already)"""
    if sys.version_info[0] != 2:
        return
    import codecs
    import locale
    try:
        encoding = codecs.lookup(locale.getpreferredencoding()).name
    except Exception:
        encoding = 'ascii'
    if encoding == 'ascii':
        encoding = 'utf-8'
    for name in ('stdout', 'stderr'):
        stream = getattr(sys, name)
        if stream is not None and getattr(stream, 'encoding', None) is None:
            setattr(sys, name, _EncodingWriter(stream, encoding))
