"""Finding a twin's interpreter on this host (the remote one), as cpy2py-run finds one locally

The main host parses the spec (``core/remote_interpreter.cpp``) and sends it in the SPAWN
request as ``search``: a version request (``kind`` "version": ``implementation`` and
``clauses``), ``pyenv:VERSION`` or ``conda:ENV``. This module searches the places
``core/interpreter_search.cpp`` searches, in the same order (PATH, pyenv, uv, conda), and
chooses by the same rules: CPython first when any implementation will do, then the highest
version, then the earliest found. Each candidate is probed once per agent, all at once.
"""
import errno
import os
import re
import select
import signal
import subprocess
import time

#: what a candidate is asked (valid Python 2.7 and 3.x): "IMPLEMENTATION VERSION PROTOCOL"
PROBE = ("import sys, platform, pickle; sys.stdout.write('%s %s %d\\n' % "
         "(platform.python_implementation(), platform.python_version(), pickle.HIGHEST_PROTOCOL))")
PROBE_TIMEOUT = 20.0

_PATH_NAME = re.compile(r'(python|pypy)([23](\.[0-9]+)?)?$')
#: executables of an installation's bin/, most general name first
_INSTALL_EXECUTABLES = ('python', 'python3', 'pypy3', 'pypy', 'python2')
#: base installations people get from the conda installers' defaults, in the home directory
_CONDA_HOME_ROOTS = ('miniconda3', 'anaconda3', 'miniforge3', 'mambaforge', 'micromamba')
_DEFAULT_PATH = '/usr/local/bin:/usr/bin:/bin'


class NotFound(Exception):
    """No interpreter for the spec; the message says what was found and where it looked"""


# -- versions ------------------------------------------------------------------------
def parse_version(text):
    """``(major, minor, micro, parts)`` of "3", "3.8", "3.8.18" (a trailing tag such as
    "rc1" ignored), or None"""
    numbers = []
    pos = 0
    while True:
        end = pos
        while end < len(text) and text[end] in '0123456789':
            end += 1
        if end == pos or end - pos > 4:
            return None
        numbers.append(int(text[pos:end]))
        if len(numbers) == 3 or end == len(text) or text[end] != '.':
            parts = len(numbers)
            return tuple(numbers + [0] * (3 - parts)) + (parts,)
        pos = end + 1


def _holds(clause, have):
    want = tuple(clause['version'])
    parts = clause['parts']
    op = clause['op']
    if op in ('==', '!='):
        equal = have[:parts] == want[:parts] if clause['prefix'] else have == want
        return equal if op == '==' else not equal
    if op == '<':
        return have < want
    if op == '<=':
        return have <= want
    if op == '>':
        return have > want
    if op == '>=':
        return have >= want
    if op == '~=':   # ~=3.8 is >=3.8,==3.*; ~=3.8.1 is >=3.8.1,==3.8.*
        return have >= want and have[:parts - 1] == want[:parts - 1]
    return False


def accepts(search, implementation, version):
    """True when an interpreter reporting ``implementation`` and ``version`` (parsed)
    satisfies the version request ``search``"""
    wanted = search.get('implementation', 'any')
    if wanted != 'any' and implementation != wanted:
        return False
    return all(_holds(clause, version[:3]) for clause in search.get('clauses', []))


# -- places ------------------------------------------------------------------------
def _children(directory):
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return [os.path.join(directory, name) for name in sorted(names)]


def is_executable_file(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _install_executable(prefix):
    for name in _INSTALL_EXECUTABLES:
        path = os.path.join(prefix, 'bin', name)
        if is_executable_file(path):
            return path
    return None


class Places(object):
    """Where interpreters are searched, from the environment the twin will run in"""

    def __init__(self, env):
        self.path_env = env['PATH'] if 'PATH' in env else _DEFAULT_PATH
        home = env.get('HOME', '')
        if not home.startswith('/'):
            home = ''
        self.pyenv_root = env.get('PYENV_ROOT') or (home + '/.pyenv' if home else '')
        self.uv_dir = env.get('UV_PYTHON_INSTALL_DIR', '')
        if not self.uv_dir:
            data = env.get('XDG_DATA_HOME', '')
            if data.startswith('/'):
                self.uv_dir = data + '/uv/python'
            elif home:
                self.uv_dir = home + '/.local/share/uv/python'
        self.conda_active = env.get('CONDA_PREFIX', '')
        self.conda_active_name = env.get('CONDA_DEFAULT_ENV', '')
        self.conda_envs_dirs = [d for d in env.get('CONDA_ENVS_PATH', '').split(':') if d]
        self.conda_roots = []
        if env.get('CONDA_EXE'):   # <root>/bin/conda once conda's shell hook ran
            self.conda_roots.append(os.path.dirname(os.path.dirname(env['CONDA_EXE'])))
        if env.get('MAMBA_ROOT_PREFIX'):
            self.conda_roots.append(env['MAMBA_ROOT_PREFIX'])
        self.environments_txt = ''
        if home:
            self.environments_txt = home + '/.conda/environments.txt'
            self.conda_envs_dirs.append(home + '/.conda/envs')
            self.conda_roots.extend(home + '/' + root for root in _CONDA_HOME_ROOTS)
        self.conda_roots.append('/opt/conda')

    def describe_conda(self):
        places = []
        if self.conda_active:
            places.append('CONDA_PREFIX=' + self.conda_active)
        places.extend(self.conda_envs_dirs)
        if self.environments_txt:
            places.append(self.environments_txt)
        places.extend(root + ' (and its envs/)' for root in self.conda_roots)
        return ', '.join(places)

    def describe(self):
        text = 'PATH (%s)' % self.path_env
        if self.pyenv_root:
            text += ', pyenv (%s/versions)' % self.pyenv_root
        if self.uv_dir:
            text += ', uv (%s)' % self.uv_dir
        return text + ', conda (%s)' % self.describe_conda()


def _is_conda_env(prefix):
    return os.path.isdir(os.path.join(prefix, 'conda-meta'))


def conda_envs(places):
    """``[(name, prefix)]`` of every conda environment found, without duplicates, in search order"""
    found = []
    seen = set()

    def add(prefix, name):
        if not _is_conda_env(prefix):
            return
        real = os.path.realpath(prefix)
        if real not in seen:
            seen.add(real)
            found.append((name, real))

    roots = set(os.path.realpath(root) for root in places.conda_roots)

    def name_of(prefix):   # a base installation is a known root, or holds conda's own condabin/
        if os.path.realpath(prefix) in roots or os.path.isdir(os.path.join(prefix, 'condabin')):
            return 'base'
        return os.path.basename(prefix)

    def envs_in(directory):
        return [p for p in _children(directory) if _is_conda_env(p)]

    if places.conda_active:
        name = places.conda_active_name
        add(places.conda_active, name if name and '/' not in name else name_of(places.conda_active))
    for directory in places.conda_envs_dirs:
        for prefix in envs_in(directory):
            add(prefix, os.path.basename(prefix))
    if places.environments_txt:
        try:
            with open(places.environments_txt) as f:
                lines = f.read().splitlines()
        except (IOError, OSError):
            lines = []
        for line in lines:
            line = line.rstrip('\r ')
            if line.startswith('/'):
                add(line, name_of(line))
    for root in places.conda_roots:
        add(root, 'base')
        for prefix in envs_in(os.path.join(root, 'envs')):
            add(prefix, os.path.basename(prefix))
    return found


def _identity(path):
    """Two paths to the same file from the same directory are one interpreter; a venv's
    bin/python (a symlink into its base installation) stays distinct from its target"""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(os.path.realpath(path)))


def candidates(places):
    """Every candidate in search order, without duplicates, not probed: dicts with path,
    source (PATH, pyenv, uv, conda), label and conda_prefix"""
    found = []
    seen = set()

    def add(path, source, label='', conda_prefix=''):
        key = _identity(path)
        if key not in seen:
            seen.add(key)
            found.append({'path': path, 'source': source, 'label': label, 'conda_prefix': conda_prefix})

    for directory in places.path_env.split(':'):
        directory = directory or '.'
        if os.path.basename(directory) == 'shims':   # pyenv's: its versions are found directly below
            continue
        for path in _children(directory):
            if _PATH_NAME.match(os.path.basename(path)) and is_executable_file(path):
                add(os.path.abspath(path), 'PATH')
    if places.pyenv_root:
        versions = _children(os.path.join(places.pyenv_root, 'versions'))
        # 3.6.15 before 3.10.13: by version where the name is one, else by name (after them)
        versions.sort(key=lambda p: (0, parse_version(os.path.basename(p))[:3])
                      if parse_version(os.path.basename(p)) else (1, ()))
        for prefix in versions:
            exe = _install_executable(prefix)
            if exe:
                add(exe, 'pyenv', os.path.basename(prefix))
    if places.uv_dir:
        for prefix in _children(places.uv_dir):
            if not os.path.basename(prefix).startswith('.'):   # uv's .lock, .cache, .temp
                exe = _install_executable(prefix)
                if exe:
                    add(exe, 'uv', os.path.basename(prefix))
    for name, prefix in conda_envs(places):
        exe = os.path.join(prefix, 'bin', 'python')
        if is_executable_file(exe):
            add(exe, 'conda', name, prefix)
    return found


# -- probing -----------------------------------------------------------------------
def _collect(proc, deadline, keepalive):
    """What a probe answered, or why not, reading its output until EOF or ``deadline``;
    ``keepalive()`` every second meanwhile"""
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks = {out_fd: [], err_fd: []}
    open_fds = [out_fd, err_fd]
    while open_fds and time.time() < deadline:
        keepalive()
        try:
            ready = select.select(open_fds, [], [], min(1.0, max(0.0, deadline - time.time())))[0]
        except (select.error, OSError) as err:   # Python 2: a signal interrupts select
            if err.args and err.args[0] == errno.EINTR:
                continue
            raise
        for fd in ready:
            data = os.read(fd, 65536)
            if data:
                chunks[fd].append(data)
            else:
                open_fds.remove(fd)
    if open_fds:
        try:
            proc.kill()
        except OSError:
            pass
    status = proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    if open_fds:
        return {'ok': False, 'error': 'no answer within %d s (killed)' % PROBE_TIMEOUT}
    out = b''.join(chunks[out_fd]).decode('utf-8', 'replace')
    err = b''.join(chunks[err_fd]).decode('utf-8', 'replace').strip().splitlines()
    if status != 0:
        what = 'killed by signal %d' % -status if status < 0 else 'exited with status %d' % status
        return {'ok': False, 'error': what + (': ' + err[-1] if err else '')}
    lines = [line for line in out.splitlines() if line.strip()]
    fields = lines[-1].split() if lines else []
    if len(fields) == 3 and fields[2].isdigit() and int(fields[2]) > 0 and parse_version(fields[1]):
        return {'ok': True, 'implementation': fields[0], 'version': fields[1], 'protocol': int(fields[2])}
    return {'ok': False, 'error': "unexpected answer '%s'" % (lines[-1] if lines else '')}


class Prober(object):
    """Asks interpreters what they are, each path once per agent. ``keepalive()`` is called
    at least every second while waiting (the agent's loop does not run meanwhile)"""

    def __init__(self, keepalive=lambda: None):
        self.answers = {}
        self.keepalive = keepalive

    def probe_all(self, paths, env):
        """The answers for ``paths``, in order; new paths are run all at once"""
        procs = []
        with open(os.devnull, 'rb') as null:
            for path in paths:
                if path in self.answers or path in [p for p, _ in procs]:
                    continue
                try:
                    procs.append((path, subprocess.Popen([path, '-c', PROBE], stdin=null, stdout=subprocess.PIPE,
                                                         stderr=subprocess.PIPE, close_fds=True, env=env,
                                                         preexec_fn=_default_signals)))
                except OSError as err:
                    self.answers[path] = {'ok': False, 'error': str(err)}
        deadline = time.time() + PROBE_TIMEOUT
        for path, proc in procs:
            self.answers[path] = _collect(proc, deadline, self.keepalive)
        return [self.answers[path] for path in paths]

    def probe(self, path, env):
        return self.probe_all([path], env)[0]


def _default_signals():
    for sig in (signal.SIGPIPE, signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)


def describe(candidate):
    where = candidate['source'] + (' ' + candidate['label'] if candidate['label'] else '')
    probe = candidate['probe']
    if not probe['ok']:
        return '%s (%s; does not run: %s)' % (candidate['path'], where, probe['error'])
    return '%s %s at %s (%s)' % (probe['implementation'], probe['version'], candidate['path'], where)


# -- choosing ----------------------------------------------------------------------
def choose(search, found):
    """``(winner, reason)`` among probed candidates for the version request, or (None, '')"""
    matching = []
    for candidate in found:
        probe = candidate['probe']
        version = parse_version(probe['version']) if probe['ok'] else None
        if version and accepts(search, probe['implementation'], version):
            matching.append((candidate, version[:3]))
    if not matching:
        return None, ''
    prefer_cpython = search.get('implementation', 'any') == 'any'
    # sorted() is stable: among equals the search order stays (PATH, pyenv, uv, conda)
    matching.sort(key=lambda m: (prefer_cpython and m[0]['probe']['implementation'] != 'CPython',
                                 tuple(-n for n in m[1])))
    reason = 'highest version of %d interpreter(s) matching %s%s, among %d found' % (
        len(matching), search.get('describe') or search['text'],
        ', CPython preferred' if prefer_cpython else '', len(found))
    return matching[0][0], reason


class Finder(object):
    """Resolves search specs on this host; candidates are listed and probed once per
    environment, interpreters probed once per agent"""

    def __init__(self, keepalive=lambda: None):
        self.prober = Prober(keepalive)
        self._candidates = {}

    def candidates(self, places, env):
        key = places.describe()
        if key not in self._candidates:
            found = candidates(places)
            for candidate, probe in zip(found, self.prober.probe_all([c['path'] for c in found], env)):
                candidate['probe'] = probe
            self._candidates[key] = found
        return self._candidates[key]

    def find(self, search, env):
        """A dict with path, source, label, conda_prefix, conda_name, reason and the probe's
        implementation, version and protocol; raises NotFound"""
        places = Places(env)
        kind = search['kind']
        if kind == 'pyenv':
            return self._pyenv(search, places, env)
        if kind == 'conda':
            return self._conda(search, places, env)
        found = self.candidates(places, env)
        winner, reason = choose(search, found)
        if winner is None:
            listed = ', '.join(describe(c) for c in found) or 'none'
            raise NotFound("no interpreter matches '%s' (%s); found: %s; looked in: %s"
                           % (search['text'], search.get('describe') or search['text'], listed, places.describe()))
        result = dict(winner, reason=reason, conda_name=winner['label'] if winner['source'] == 'conda' else '')
        result.update(winner['probe'])
        return result

    def _runs(self, search, path, env):
        probe = self.prober.probe(path, env)
        if not probe['ok']:
            raise NotFound("'%s': %s does not run: %s" % (search['text'], path, probe['error']))
        return probe

    def _pyenv(self, search, places, env):
        value = search['value']
        if not places.pyenv_root:
            raise NotFound("'%s': no pyenv root (set PYENV_ROOT or HOME)" % search['text'])
        versions = os.path.join(places.pyenv_root, 'versions')
        installed = _children(versions)
        names = [os.path.basename(p) for p in installed]
        best = None
        if value in names:
            best = os.path.join(versions, value)
        else:   # the highest "VALUE.*" or "VALUE-*"
            for prefix, name in zip(installed, names):
                if len(name) > len(value) and name.startswith(value) and name[len(value)] in '.-':
                    version = (parse_version(name) or (0, 0, 0, 0))[:3]
                    if best is None or version > best_version:
                        best, best_version = prefix, version
        if best is None:
            raise NotFound("'%s': no pyenv version %s in %s (installed: %s)"
                           % (search['text'], value, versions, ', '.join(names) or 'none'))
        exe = _install_executable(best)
        if exe is None:
            raise NotFound("'%s': %s has no bin/python" % (search['text'], best))
        name = os.path.basename(best)
        reason = 'pyenv version ' + name
        if name != value:
            reason += ', the highest installed matching ' + value
        result = {'path': exe, 'source': 'pyenv', 'label': name, 'conda_prefix': '', 'conda_name': '',
                  'reason': reason}
        result.update(self._runs(search, exe, env))
        return result

    def _conda(self, search, places, env):
        value = search['value']
        env_name = prefix = None
        if '/' in value:   # a prefix; relative to the home directory, like a remote venv
            path = os.path.normpath(os.path.abspath(os.path.expanduser(value)))
            if os.path.isdir(path):
                env_name, prefix = os.path.basename(path), path
        else:
            for name, found in conda_envs(places):
                if name == value:
                    env_name, prefix = name, found
                    break
        if prefix is None:
            listed = ', '.join('%s (%s)' % e for e in conda_envs(places)) or 'none'
            raise NotFound("conda environment '%s' not found; found: %s; looked in: %s"
                           % (value, listed, places.describe_conda()))
        exe = os.path.join(prefix, 'bin', 'python')
        if not is_executable_file(exe):
            raise NotFound("conda environment '%s' (%s) has no bin/python: is python installed in it?"
                           % (env_name, prefix))
        result = {'path': exe, 'source': 'conda', 'label': env_name, 'conda_prefix': prefix, 'conda_name': env_name,
                  'reason': 'conda environment %s at %s' % (env_name, prefix)}
        result.update(self._runs(search, exe, env))
        return result


def conda_activation(name, prefix, path_env):
    """What ``conda activate`` sets (activate.d scripts are not run), as locally"""
    return {'CONDA_PREFIX': prefix, 'CONDA_DEFAULT_ENV': name, 'CONDA_SHLVL': '1',
            'CONDA_PROMPT_MODIFIER': '(%s) ' % name,
            'PATH': os.path.join(prefix, 'bin') + (':' + path_env if path_env else '')}
