"""When each end of an ssh link notices silence: the real tick methods of the hub's link
(cpy2py_ssh/link.py) and of the agent (cpy2py_ssh/agent.py), driven by a fake clock and
loop, so no timing is measured. README: "A link that dies mid-run ... is noticed within
heartbeat_timeout" (before: up to a third later, 13.3 s for the default 10 s)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bootstrap"))

from cpy2py_ssh import agent, link  # noqa: E402


class FakeClock(object):
    def __init__(self):
        self.now = 0.0
        self.timers = []

    def time(self):
        return self.now

    def call_later(self, delay, callback):
        self.timers.append((self.now + delay, callback))

    def run_until(self, limit, done):
        """Fires timers in order until ``done()`` or ``limit``"""
        while self.timers and not done():
            self.timers.sort(key=lambda t: t[0])
            when, callback = self.timers.pop(0)
            if when > limit:
                break
            self.now = when
            callback()


class TestHeartbeatTiming(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()
        for module in (link, agent):
            real = module.time
            module.time = self.clock
            self.addCleanup(setattr, module, "time", real)
        self.declared = []
        self.pings = []

    def hub_side(self, heartbeat):
        end = link.Link.__new__(link.Link)
        end.failed, end.host, end.heartbeat, end._last_frame, end.loop = False, "box", heartbeat, 0.0, self.clock
        end.send = lambda channel, kind, payload=b"": self.pings.append(self.clock.now)
        end.fail = lambda status, message: self.declared.append((self.clock.now, message))
        return end._tick

    def agent_side(self, heartbeat):
        end = agent.Agent.__new__(agent.Agent)
        end.heartbeat, end.last_frame, end.loop = heartbeat, 0.0, self.clock
        end.send = lambda channel, kind, payload=b"": self.pings.append(self.clock.now)
        end.die = lambda reason: self.declared.append((self.clock.now, reason))
        return end.tick

    def check(self, tick, heartbeat):
        # the last frame came at 0; the first check is where the code schedules it after
        # start-up, a third of the timeout later
        self.clock.call_later(heartbeat / 3.0, tick)
        self.clock.run_until(3 * heartbeat, lambda: self.declared)
        self.assertEqual(len(self.declared), 1, self.declared)
        when, message = self.declared[0]
        self.assertLessEqual(when, heartbeat, message)
        self.assertGreaterEqual(when, heartbeat * 0.99, message)
        # the peer still gets a PING every third of the timeout
        gaps = [b - a for a, b in zip([0.0] + self.pings, self.pings)]
        self.assertTrue(gaps and max(gaps) <= heartbeat / 3.0 + 1e-9, self.pings)

    def test_the_hub_notices_a_silent_link_within_the_timeout(self):
        for heartbeat in (10.0, 3.0, 0.5, 7.0):
            with self.subTest(heartbeat=heartbeat):
                self.declared, self.pings, self.clock.timers, self.clock.now = [], [], [], 0.0
                self.check(self.hub_side(heartbeat), heartbeat)

    def test_the_agent_notices_a_silent_hub_within_the_timeout(self):
        for heartbeat in (10.0, 3.0, 0.5, 7.0):
            with self.subTest(heartbeat=heartbeat):
                self.declared, self.pings, self.clock.timers, self.clock.now = [], [], [], 0.0
                self.check(self.agent_side(heartbeat), heartbeat)


if __name__ == "__main__":
    unittest.main()
