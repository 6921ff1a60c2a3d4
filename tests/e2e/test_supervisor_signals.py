"""Supervisor: SIGTERM/SIGINT/SIGHUP/SIGUSR1/SIGUSR2 sent to cpy2py-run reach the main and the status is
the main's (128+N); a terminal's Ctrl-C reaches the main once and no twin; SIGKILL of
cpy2py-run leaves no process behind (checked in /proc) and no run directory."""
import fcntl
import os
import signal
import subprocess
import termios
import time
import unittest

from supervisor_support import SupervisorTestCase, alive, wait_until


def children_of(pid):
    """Direct children of `pid`, from /proc."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class ForwardTest(SupervisorTestCase):
    def start_and_wait(self, main_args, **kwargs):
        proc = self.start_app(main_args, **kwargs)
        info = self.read_until(proc, "INFO ")
        self.read_until(proc, "MARK ready")
        return proc, info.split()[1]

    def test_sigterm_is_forwarded_and_the_main_decides_the_status(self):
        self.manifest({"tw": {"start": "eager", "env": {"FAKE_ON_SHUTDOWN": "bye"}}})
        proc, run_dir = self.start_and_wait(["info", "start", "tw", "handle", "TERM", "42", "mark", "ready", "pause"])
        proc.send_signal(signal.SIGTERM)
        rest = proc.stdout.read()
        self.assertEqual(proc.wait(timeout=30), 42)
        self.assertIn("GOT TERM", rest)
        self.assertIn("[tw] bye", rest)  # the twin was stopped politely, not signalled
        self.assertFalse(os.path.exists(run_dir))

    def test_sigusr1_and_sigusr2_are_forwarded(self):
        """A program's own signals reach the main (before: their default action killed
        cpy2py-run, status 138, and the main was left to the watchdog)"""
        self.manifest({"tw": {"start": "eager"}})
        for name, sig in (("USR1", signal.SIGUSR1), ("USR2", signal.SIGUSR2)):
            proc, run_dir = self.start_and_wait(["info", "start", "tw", "handle", name, "7", "mark", "ready", "pause"])
            proc.send_signal(sig)
            rest = proc.stdout.read()
            self.assertEqual(proc.wait(timeout=30), 7, name)
            self.assertIn("GOT " + name, rest)
            self.assertFalse(os.path.exists(run_dir))
            for name_ in os.listdir(self.pid_dir):
                os.unlink(os.path.join(self.pid_dir, name_))

    def test_default_actions_give_128_plus_n(self):
        self.manifest({"tw": {"start": "eager"}})
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):
            proc, run_dir = self.start_and_wait(["info", "start", "tw", "mark", "ready", "pause"])
            twin = self.starts("tw")
            proc.send_signal(sig)
            self.assertEqual(proc.wait(timeout=30), 128 + sig, sig)
            self.assertFalse(os.path.exists(run_dir))
            for pid in twin:
                self.assertFalse(alive(pid))
            for name in os.listdir(self.pid_dir):
                os.unlink(os.path.join(self.pid_dir, name))

    def test_terminal_ctrl_c_reaches_the_main_once_and_no_twin(self):
        self.manifest({"tw": {"start": "eager"}})
        master, slave = os.openpty()
        self.addCleanup(os.close, master)

        def make_controlling_terminal():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        proc = subprocess.Popen(self.command(["info", "start", "tw", "count", "INT", "1.5"],
                                             extra=["--log-level", "debug"]),
                                cwd=self.tmp, env=self.environment(), stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, universal_newlines=True,
                                preexec_fn=make_controlling_terminal)
        os.close(slave)
        self.addCleanup(self.reap, proc)
        self.read_until(proc, "MARK counting")
        os.write(master, b"\x03")  # Ctrl-C: SIGINT to the terminal's foreground process group
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("COUNT INT 1", out)
        self.assertIn("SIGINT from the terminal, not forwarded", err)
        self.assertNotIn("KeyboardInterrupt", out + err)
        self.assertNotIn("SIGTERM", err)  # the twin ended by SHUTDOWN, it saw no signal


class SigkillTest(SupervisorTestCase):
    def test_sigkill_of_the_supervisor_leaves_no_process_and_no_run_dir(self):
        self.manifest({
            "polite": {"start": "eager"},
            # Ignores everything it can and has a child: only the watchdog's group kill gets the child.
            "stubborn": {"start": "eager", "env": {"FAKE_IGNORE_SHUTDOWN": "1", "FAKE_IGNORE_TERM": "1",
                                                   "FAKE_IGNORE_EOF": "1", "FAKE_CHILD": "1"}},
        })
        proc = self.start_app(["info", "start", "polite", "start", "stubborn", "mark", "ready", "pause"])
        run_dir = self.read_until(proc, "INFO ").split()[1]
        self.read_until(proc, "MARK ready")
        processes = children_of(proc.pid)  # main, twins and the watchdog
        processes += self.twin_children("stubborn")
        self.assertGreaterEqual(len(processes), 5)
        for pid in processes:
            self.assertTrue(alive(pid), pid)
        proc.kill()
        proc.wait()
        started = time.time()
        self.assertTrue(wait_until(lambda: not any(alive(p) for p in processes), 2.0),
                        [p for p in processes if alive(p)])
        self.assertTrue(wait_until(lambda: not os.path.exists(run_dir), 2.0 - (time.time() - started)))


if __name__ == "__main__":
    unittest.main()
