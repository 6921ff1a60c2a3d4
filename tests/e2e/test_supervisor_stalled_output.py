"""Supervisor: a stdout and stderr nobody reads never block supervision (docs/DESIGN.md,
"Output relay"). The flooding twin is held back alone; signals are forwarded, lazy twins
start, restarts happen and the main's exit starts the shutdown; once the reader comes back,
every line arrives whole and in order."""
import os
import re
import signal
import subprocess
import threading
import unittest

from supervisor_support import SupervisorTestCase, alive, wait_until

LINES = 5000  # ~1 MB per stream: more than both pipes and the relay's 256 KiB together


def wchan(pid):
    try:
        with open("/proc/%d/wchan" % pid) as f:
            return f.read()
    except OSError:
        return ""


class Reader(threading.Thread):
    """Reads one pipe to EOF once started."""
    def __init__(self, stream):
        threading.Thread.__init__(self, daemon=True)
        self.stream, self.data = stream, b""

    def run(self):
        self.data = self.stream.read()


class StalledOutputTest(SupervisorTestCase):
    def start_unread(self, events):
        env = self.environment({"CTL_OUT": events})
        proc = subprocess.Popen(self.command(["handle", "TERM", "7", "wait-files", self.tmp, "go", "1",
                                              "start", "lazy", "pause"]),
                                cwd=self.tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self.reap, proc)
        return proc

    def events(self, path):
        if not os.path.exists(path):
            return ""
        with open(path) as f:
            return f.read()

    def test_supervision_goes_on_while_nobody_reads_our_output(self):
        self.manifest({"flood": {"start": "eager", "env": {"FAKE_LINES": str(LINES)}},
                       "lazy": {"start": "lazy", "env": {"FAKE_STDOUT": "lazy hello\\n"}},
                       "crashy": {"start": "eager", "restart": "always",
                                  "env": {"FAKE_EXIT_AFTER": "0.01:3", "FAKE_STDERR": "crash!\\n"}}},
                      shutdown_grace=120, ready_timeout=120, restart_backoff_base=0.05,
                      restart_backoff_cap=0.1, restart_max=1000, restart_window=60)
        events = os.path.join(self.tmp, "events.txt")
        proc = self.start_unread(events)

        # The flooding twin ends up blocked writing into its pipe: our output is stalled.
        self.assertTrue(wait_until(lambda: self.starts("flood"), 30), "the flood twin never started")
        flood = self.starts("flood")[0]
        if not wchan(flood).strip():
            self.skipTest("/proc/PID/wchan is not available: cannot see a blocked writer")
        self.assertTrue(wait_until(lambda: "pipe_write" in wchan(flood), 60),
                        "the flood twin never blocked on its pipe: %r" % wchan(flood))

        # Restarts go on.
        restarts = len(self.starts("crashy"))
        self.assertTrue(wait_until(lambda: len(self.starts("crashy")) >= restarts + 2, 60),
                        "no restarts while output was stalled")
        # A lazy twin starts.
        open(os.path.join(self.tmp, "go"), "w").close()
        self.assertTrue(wait_until(lambda: "UP lazy" in self.events(events), 60), self.events(events))
        # SIGTERM reaches the main, and its exit starts the shutdown.
        proc.send_signal(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: "GOT TERM" in self.events(events), 60), self.events(events))
        self.assertIsNone(proc.poll())  # still relaying the flood: nobody has read anything yet
        self.assertTrue("pipe_write" in wchan(flood))

        # The reader comes back: everything arrives, whole and in order.
        readers = [Reader(proc.stdout), Reader(proc.stderr)]
        for r in readers:
            r.start()
        self.assertEqual(proc.wait(timeout=120), 7)
        for r in readers:
            r.join(60)
        out, err = (r.data.decode() for r in readers)
        for stream, extra in ((out, ""), (err, "err ")):
            numbers = []
            for line in stream.splitlines():
                if line.startswith("[flood] "):
                    m = re.match(r"^\[flood\] " + extra + r"flood line (\d+) (x+)$", line)
                    self.assertIsNotNone(m, "broken line: %r" % line[:80])
                    self.assertEqual(len(m.group(2)), 200)
                    numbers.append(int(m.group(1)))
            self.assertEqual(numbers, list(range(LINES)))
        self.assertIn("[lazy] lazy hello\n", out)
        self.assertIn("[crashy] crash!\n", err)
        self.assertFalse(alive(flood))


if __name__ == "__main__":
    unittest.main()
