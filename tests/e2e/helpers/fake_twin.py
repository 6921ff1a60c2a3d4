"""A stand-in for the twin runtime (bootstrap/cpy2py_twin.py) that speaks the control
protocol of docs/DESIGN.md itself. The supervisor tests run it via CPY2PY_TWIN_SCRIPT.

Behaviour comes from the environment (a manifest's per-twin `env`):
  FAKE_PID_DIR          write an empty file <dir>/<twin id>.<pid> at start (counts starts)
  FAKE_CHILD            start `sleep 1000` in our process group; its pid goes into the pid file
  FAKE_STDOUT/STDERR    text to write at start (backslash escapes allowed, no newline added)
  FAKE_LINES=N          write N long numbered lines to stdout and stderr, each with one write
  FAKE_DELAY=S          sleep S seconds before READY
  FAKE_EXIT_BEFORE_READY=N   exit with N instead of sending READY
  FAKE_DIED_FILE        write time.time() there just before exiting by FAKE_EXIT_BEFORE_READY
  FAKE_EXIT_AFTER=S:N   exit with N S seconds after READY
  FAKE_IGNORE_SHUTDOWN  stay on SHUTDOWN;  FAKE_IGNORE_TERM  ignore SIGTERM
  FAKE_IGNORE_EOF       keep running when the control channel reaches EOF
  FAKE_ON_SHUTDOWN      text written to stdout (no newline added) before exiting on SHUTDOWN
  FAKE_ON_EXIT          same, before exiting by FAKE_EXIT_AFTER
  FAKE_STATS=JSON       when CPY2PY_STATS=1: send "STATS JSON" on the control channel before
                        exiting (on SHUTDOWN, FAKE_EXIT_AFTER or EOF), as the runtime does
"""
import os
import select
import signal
import subprocess
import sys
import time

env = os.environ
twin_id = env["CPY2PY_TWIN_ID"]
control = int(env["CPY2PY_CONTROL_FD"])


def text(name):
    return env.get(name, "").encode("utf-8").decode("unicode_escape")


def write(stream, data):
    stream.write(data)
    stream.flush()


def leave(code):
    if env.get("FAKE_STATS") and env.get("CPY2PY_STATS") == "1":
        try:
            os.write(control, ("STATS %s\n" % env["FAKE_STATS"]).encode())
        except OSError:
            pass
    os._exit(code)


if env.get("FAKE_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = None
if env.get("FAKE_CHILD"):
    child = subprocess.Popen(["sleep", "1000"])
if env.get("FAKE_PID_DIR"):
    with open(os.path.join(env["FAKE_PID_DIR"], "%s.%d" % (twin_id, os.getpid())), "w") as f:
        f.write("%d\n" % child.pid if child else "")

write(sys.stdout, text("FAKE_STDOUT"))
write(sys.stderr, text("FAKE_STDERR"))
for i in range(int(env.get("FAKE_LINES", "0"))):
    line = "%s line %d %s\n" % (twin_id, i, "x" * 200)
    os.write(1, line.encode())
    os.write(2, ("err " + line).encode())
time.sleep(float(env.get("FAKE_DELAY", "0")))
if env.get("FAKE_EXIT_BEFORE_READY"):
    if env.get("FAKE_DIED_FILE"):
        with open(env["FAKE_DIED_FILE"], "w") as f:
            f.write(repr(time.time()))
    os._exit(int(env["FAKE_EXIT_BEFORE_READY"]))

os.write(control, ("READY %d\n" % os.getpid()).encode())

deadline = None
exit_code = 0
if env.get("FAKE_EXIT_AFTER"):
    after, exit_code = env["FAKE_EXIT_AFTER"].split(":")
    deadline = time.time() + float(after)
    exit_code = int(exit_code)

eof = False
while True:
    timeout = None if deadline is None else max(0.0, deadline - time.time())
    ready, _, _ = select.select([] if eof else [control], [], [], timeout)
    if not ready:
        if deadline is not None and time.time() >= deadline:
            write(sys.stdout, text("FAKE_ON_EXIT"))
            leave(exit_code)
        continue
    data = os.read(control, 4096)
    if not data:
        if env.get("FAKE_IGNORE_EOF"):
            eof = True
            if deadline is None:
                while True:
                    time.sleep(1000)
            continue
        leave(0)
    if b"SHUTDOWN" in data and not env.get("FAKE_IGNORE_SHUTDOWN"):
        write(sys.stdout, text("FAKE_ON_SHUTDOWN"))
        leave(0)
