"""Supervisor: SIGTERM or SIGINT at any moment of start-up leaves no run directory and no
process behind (docs/DESIGN.md, "Signals"): signals are blocked before the run directory
exists, and one that comes before the main started ends the run without spawning."""
import os
import signal
import subprocess
import time
import uuid

from supervisor_support import SupervisorTestCase, wait_until

RUNS = 120


def processes_with(marker):
    """pids of the processes whose environment holds `marker` (all of one run's processes)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if marker in f.read():
                    found.append(int(name))
        except OSError:
            pass
    return found


class EarlySignalTest(SupervisorTestCase):
    def test_a_signal_at_any_moment_of_start_up_leaves_nothing_behind(self):
        self.manifest({"tw": {"start": "eager"}})
        tmpdir = os.path.join(self.tmp, "runs")
        os.mkdir(tmpdir)
        for i in range(RUNS):
            sig = signal.SIGTERM if i % 2 == 0 else signal.SIGINT
            marker = "CPY2PY_TEST_RUN=%s" % uuid.uuid4().hex
            env = self.environment({"TMPDIR": tmpdir, "CPY2PY_TEST_RUN": marker.split("=")[1]})
            proc = subprocess.Popen(self.command(["sleep", "30"]), cwd=self.tmp, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            delay = (i // 2) % 60 / 1000.0  # 0, 0, 1, 1, ... 59 ms: from exec to well past start-up
            if delay:
                time.sleep(delay)
            proc.send_signal(sig)
            status = proc.wait(timeout=60)
            what = "run %d, %s after %.0f ms, status %d" % (i, sig.name, delay * 1000, status)
            self.assertEqual(os.listdir(tmpdir), [], what)
            self.assertTrue(wait_until(lambda: not processes_with(marker.encode()), 10),
                            "%s: processes left: %s" % (what, processes_with(marker.encode())))


if __name__ == "__main__":
    import unittest
    unittest.main()
