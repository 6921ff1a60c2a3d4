"""When each end of an ssh link checks for silence

Hub (``link.Link``) and agent each send PING every third of ``heartbeat_timeout`` and
declare the link dead when nothing came for ``heartbeat_timeout``. Checking only at those
PING times would notice a dead link up to a third of the timeout late (13.3 s for the
default 10 s); so the check after a PING is moved forward to the moment the silence
reaches the timeout, and the link is declared dead within ``heartbeat_timeout`` as
documented.
"""

#: timers may fire a little early: silence this close to the timeout counts as the timeout
_SLACK = 0.005


def expired(heartbeat, silent):
    """Whether ``silent`` seconds without a frame end the link"""
    return silent >= heartbeat - min(_SLACK, heartbeat / 100.0)


def next_check(heartbeat, silent):
    """Seconds until the next check (and PING), after ``silent`` seconds without a frame"""
    return max(min(heartbeat / 3.0, heartbeat - silent), min(_SLACK, heartbeat / 100.0))
