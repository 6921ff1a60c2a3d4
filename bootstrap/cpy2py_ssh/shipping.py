"""What travels to the remote host: the first stage (in argv), the loader and the runtime

The ssh command line holds only a short first stage (no secret: other users see argv):
it reads ``10 ASCII digits N`` + ``N`` bytes of zlib-compressed loader source from stdin
and runs it. The loader reads the runtime archive and the agent settings the same way,
unpacks the runtime into a private run directory (``tempfile.mkdtemp``, mode 0700),
answers one ready line ``CPY2PY-AGENT <pid> <implementation> <version> <pickle protocol>
<executable>`` and becomes the agent. Everything is read with ``os.read`` on fd 0, so no
buffered reader swallows the frames that follow.
"""
import base64
import json
import os
import zlib

READY = b'CPY2PY-AGENT '

_FIRST_STAGE = (
    "import os,zlib\n"
    "def r(n):\n"
    " b=b''\n"
    " while len(b)<n:\n"
    "  c=os.read(0,n-len(b))\n"
    "  if not c:os._exit(3)\n"
    "  b+=c\n"
    " return b\n"
    "exec(zlib.decompress(r(int(r(10)))))\n"
)

LOADER = r'''
import json, shutil, sys, tempfile
data = zlib.decompress(r(int(r(10))))
settings = json.loads(r(int(r(10))).decode('utf-8'))
def short_tmp():
    # the run directory holds sockets (<id>.sock of every twin, @modules.sock): a TMPDIR too
    # long for AF_UNIX paths (107 bytes) gives way to /tmp, /var/tmp or /dev/shm, as locally
    names = settings.get('elsewhere', []) + settings.get('here', []) + ['@modules']
    need = len('/cpy2py-12345678/') + max(len(n.encode('utf-8')) for n in names) + len('.sock')
    for d in (tempfile.gettempdir(), '/tmp', '/var/tmp', '/dev/shm'):
        if len(d.encode('utf-8')) + need <= 107 and os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK):
            return d
    sys.stderr.write('cpy2py-run: no temporary directory on this host is short enough for socket paths of %d '
                     'bytes: TMPDIR=%s, /tmp, /var/tmp and /dev/shm are too long or not writable\n'
                     % (need, tempfile.gettempdir()))
    sys.exit(1)
run_dir = tempfile.mkdtemp(prefix='cpy2py-', dir=short_tmp())
try:
    boot = os.path.join(run_dir, 'bootstrap')
    pos = 0
    while pos < len(data):
        n = int(data[pos:pos + 6])
        name = data[pos + 6:pos + 6 + n].decode('utf-8')
        pos += 6 + n
        m = int(data[pos:pos + 10])
        body = data[pos + 10:pos + 10 + m]
        pos += 10 + m
        path = os.path.join(boot, name)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, 'wb') as f:
            f.write(body)
    sys.path.insert(0, boot)
    import pickle, platform
    os.write(1, ('CPY2PY-AGENT %d %s %s %d %s\n' % (
        os.getpid(), platform.python_implementation(), platform.python_version(),
        pickle.HIGHEST_PROTOCOL, sys.executable)).encode('utf-8'))
    from cpy2py_ssh import agent
except BaseException:
    shutil.rmtree(run_dir, True)
    raise
agent.main(settings, run_dir, boot)
'''

#: what the runtime archive holds: these files and packages of the bootstrap directory
_SHIPPED = ('cpy2py_twin.py', 'cpy2py_check.py', 'cpy2py', 'cpy2py_ssh')


def first_stage_argument():
    """The ``-c`` argument: only base64 characters inside, safe in any remote shell"""
    packed = base64.b64encode(zlib.compress(_FIRST_STAGE.encode('ascii'), 9)).decode('ascii')
    return 'exec(__import__("zlib").decompress(__import__("base64").b64decode("%s")))' % packed


def shell_word(word):
    """``word`` for a POSIX shell; a leading ``~/`` stays unquoted so the remote expands it"""
    if word.startswith('~/'):
        return '~/' + shell_word(word[2:]) if len(word) > 2 else '~/'
    if word and all(c.isalnum() or c in '@%+=:,./-_' for c in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


#: the interpreters that may run the agent of a twin whose interpreter is searched for
AGENT_PYTHONS = ('python3', 'python', 'python2')


def remote_command(interpreter, venv, search=None):
    """The command the remote shell runs: the twin's own interpreter when it is a command;
    for a ``search`` (a twin's interpreter the agent finds) the first of AGENT_PYTHONS that
    runs there, through ``sh`` whatever the login shell is"""
    stage = "'" + first_stage_argument() + "'"
    if search:
        script = ('for p in %s; do if "$p" -c "" >/dev/null 2>&1; then exec "$p" -c %s; fi; done; '
                  'echo "none of %s runs on PATH ($PATH): not found" >&2; exit 127'
                  % (' '.join(AGENT_PYTHONS), stage, ', '.join(AGENT_PYTHONS)))
        return 'exec sh -c %s' % shell_word(script)
    program = interpreter or 'python3'
    if venv:
        program = venv.rstrip('/') + '/bin/' + program
    return 'exec %s -c %s' % (shell_word(program), stage)


def _archive(bootstrap_dir):
    parts = []
    for top in _SHIPPED:
        path = os.path.join(bootstrap_dir, top)
        if os.path.isfile(path):
            files = [top]
        else:
            files = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != '__pycache__')
                for name in sorted(names):
                    if name.endswith('.py'):
                        files.append(os.path.relpath(os.path.join(root, name), bootstrap_dir))
        for rel in files:
            with open(os.path.join(bootstrap_dir, rel), 'rb') as f:
                body = f.read()
            name = rel.encode('utf-8')
            parts.append(('%06d' % len(name)).encode('ascii') + name + ('%010d' % len(body)).encode('ascii') + body)
    return b''.join(parts)


def _sized(data):
    return ('%010d' % len(data)).encode('ascii') + data


def payload(bootstrap_dir, settings):
    """The bytes written to the ssh client's stdin before any frame"""
    return (_sized(zlib.compress(LOADER.encode('utf-8'), 9))
            + _sized(zlib.compress(_archive(bootstrap_dir), 6))
            + _sized(json.dumps(settings).encode('utf-8')))


def parse_ready(line):
    """``(pid, implementation, version, protocol, executable)`` of a ready line"""
    fields = line.decode('utf-8', 'replace').rstrip('\r\n').split(' ', 5)
    return int(fields[1]), fields[2], fields[3], int(fields[4]), fields[5]
