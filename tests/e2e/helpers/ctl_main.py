"""A main program for the supervisor tests: runs the commands given as arguments and
prints what happens on stdout, one line per event, flushed.

  info                print "INFO <run dir> <pid> <twins>"
  start ID [EXE...]   send START, print "ANSWER <ms> <answer line>" once the answer for ID came,
                      then "AT <time.time()>"
  stop ID             send STOP, same
  sleep S             sleep S seconds
  wait-files DIR PREFIX N   wait (up to 30 s) until DIR holds N files starting with PREFIX
  handle SIG N        on signal SIG (e.g. TERM) print "GOT SIG" and exit with N
  pause               wait for a signal
  count SIG S         count deliveries of SIG for S seconds, then print "COUNT SIG n"
  mark TEXT           print "MARK TEXT"
  stats JSON          when CPY2PY_STATS=1, send "STATS JSON" (as the runtime does before it exits)
  exit N              exit with N
  kill-self SIG       kill ourselves with SIG (default action)

With CTL_OUT=FILE in the environment the event lines go to FILE instead of stdout (for
tests that leave cpy2py-run's stdout unread).
"""
import os
import signal
import sys
import time

control = int(os.environ["CPY2PY_CONTROL_FD"])
pending = b""


def say(*words):
    line = " ".join(str(w) for w in words) + "\n"
    if os.environ.get("CTL_OUT"):
        with open(os.environ["CTL_OUT"], "a") as f:
            f.write(line)
        return
    sys.stdout.write(line)
    sys.stdout.flush()


def answer_for(twin_id):
    """Reads control lines until an answer about `twin_id` comes; returns it. EXITED notices
    (a twin ended by itself) are not answers: each is printed as "NOTICE <line>"."""
    global pending
    while True:
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            words = line.decode().split(" ")
            if words[0] == "EXITED":
                say("NOTICE", line.decode())
                continue
            if len(words) > 1 and words[1] == twin_id:
                return line.decode()
        data = os.read(control, 4096)
        if not data:
            return "EOF"
        pending += data


def request(verb, twin_id, rest):
    start = time.time()
    os.write(control, (" ".join([verb, twin_id] + rest) + "\n").encode())
    line = answer_for(twin_id)
    say("ANSWER", int((time.time() - start) * 1000), line)
    say("AT", repr(time.time()))


def handle(signame, code):
    def handler(signum, frame):
        say("GOT", signame)
        os._exit(code)
    signal.signal(getattr(signal, "SIG" + signame), handler)


args = sys.argv[1:]
while args:
    cmd = args.pop(0)
    if cmd == "info":
        say("INFO", os.environ["CPY2PY_RUN_DIR"], os.getpid(), os.environ.get("CPY2PY_TWINS", ""))
    elif cmd == "start":
        twin_id = args.pop(0)
        rest = []
        if args and args[0] not in ("start", "stop", "sleep", "exit", "mark", "stats", "info", "pause",
                                    "handle", "wait-files", "kill-self", "count"):
            rest = [args.pop(0)]
        request("START", twin_id, rest)
    elif cmd == "stop":
        request("STOP", args.pop(0), [])
    elif cmd == "sleep":
        time.sleep(float(args.pop(0)))
    elif cmd == "wait-files":
        directory, prefix, count = args.pop(0), args.pop(0), int(args.pop(0))
        deadline = time.time() + 30
        while time.time() < deadline:
            if len([n for n in os.listdir(directory) if n.startswith(prefix)]) >= count:
                break
            time.sleep(0.01)
    elif cmd == "handle":
        signame = args.pop(0)
        handle(signame, int(args.pop(0)))
    elif cmd == "count":
        signame, seconds = args.pop(0), float(args.pop(0))
        received = []
        signal.signal(getattr(signal, "SIG" + signame), lambda signum, frame: received.append(signum))
        say("MARK counting")
        deadline = time.time() + seconds
        while time.time() < deadline:
            time.sleep(0.01)
        say("COUNT", signame, len(received))
    elif cmd == "pause":
        signal.pause()
    elif cmd == "stats":
        payload = args.pop(0)
        if os.environ.get("CPY2PY_STATS") == "1":
            os.write(control, ("STATS " + payload + "\n").encode())
    elif cmd == "mark":
        say("MARK", args.pop(0))
    elif cmd == "exit":
        sys.exit(int(args.pop(0)))
    elif cmd == "kill-self":
        sig = getattr(signal, "SIG" + args.pop(0))
        if sig != signal.SIGKILL:
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        time.sleep(5)
    else:
        sys.exit("ctl_main: unknown command %r" % cmd)
