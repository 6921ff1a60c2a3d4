"""
Timing helpers shared by the benchmarks: a vector of timings and SI-prefixed formatting

``TimingVector`` follows the original benchmark: ``error`` is sqrt(sum((v - avg)**2)) / n,
the standard error of the mean; ``str()`` is ``'<mean> ± <error>'``.
"""
import math
import time

_PREFIXES = 'EPTGMk mµnpfa'  # 1e18 ... 1e-18, the blank is 1e0

clock = time.perf_counter


def time_repr(seconds):
    """``4.53e-05`` -> ``'45.3 µs'`` (three significant digits, SI prefix)"""
    if seconds is None:
        return '---  s'
    if seconds == 0:
        return '0.00  s'
    exponent = 18
    for prefix in _PREFIXES:
        scaled = seconds / 10.0 ** exponent
        if abs(scaled) >= 1 or prefix == _PREFIXES[-1]:
            break
        exponent -= 3
    if abs(scaled) >= 100:
        text = '%3.0f' % scaled
    elif abs(scaled) >= 10:
        text = '%4.1f' % scaled
    else:
        text = '%4.2f' % scaled
    return '%s %ss' % (text, prefix.strip() or ' ')


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


class TimingVector(object):
    """Per-call times of several tries"""

    def __init__(self, values=()):
        self.values = list(values)

    def append(self, value):
        self.values.append(value)

    @property
    def average(self):
        return sum(self.values) / len(self.values) if self.values else None

    @property
    def error(self):
        n = len(self.values)
        if not n:
            return None
        avg = self.average
        return math.sqrt(sum((v - avg) ** 2 for v in self.values)) / n

    @property
    def median(self):
        return median(self.values)

    def __str__(self):
        return '%s ± %s' % (time_repr(self.average), time_repr(self.error))

    def long_str(self):
        if not self.values:
            return str(self)
        return '%s [%s…%s]' % (self, time_repr(min(self.values)), time_repr(max(self.values)))


def per_call(function, count):
    """Seconds per call of ``function()`` over ``count`` calls (one timed loop)"""
    calls = range(count)
    start = clock()
    for _ in calls:
        function()
    return (clock() - start) / count
