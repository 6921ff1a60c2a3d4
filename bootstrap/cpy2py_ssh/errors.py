"""Turning what the ssh client printed into an error that says what went wrong"""

_KEY = "check the key, then accept it once with `ssh HOST` (cpy2py-run runs ssh with BatchMode: it cannot ask)"
_CHANGED = "if the host was reinstalled, remove its old key with `ssh-keygen -R HOST`; else do not connect"
_NAME = "check the name, or define it as a Host in ~/.ssh/config"
_AUTH = "a key or an agent is needed (BatchMode: no password prompt); `ssh -v HOST true` shows what was tried"
_NET = "check that the host is up and reachable from here, and the port"

#: (what ssh prints, what it means, what helps), most specific first
_KNOWN = (
    ('REMOTE HOST IDENTIFICATION HAS CHANGED', 'host key mismatch (the key it presented is not the one in known_hosts)',
     _CHANGED),
    ('Host key verification failed', 'host key verification failed (unknown or changed host key)', _KEY),
    ('No ED25519 host key is known', 'host key verification failed (unknown host key)', _KEY),
    ('Could not resolve hostname', 'unknown host', _NAME),
    ('Name or service not known', 'unknown host', _NAME),
    ('Connection refused', 'connection refused', 'is sshd running there, on that port?'),
    ('Permission denied', 'authentication failed', _AUTH),
    ('Too many authentication failures', 'authentication failed', _AUTH),
    ('Connection timed out', 'connection timed out', _NET),
    ('No route to host', 'no route to host', _NET),
    ('Network is unreachable', 'network unreachable', _NET),
    ('Connection closed by', 'the server closed the connection', None),
    ('Connection reset', 'the server reset the connection', None),
)

#: exit status of the stand-in when the link cannot be set up, as for a missing interpreter
NOT_FOUND = 127
#: exit status when an established link is lost
LOST = 1


def _lines(stderr):
    text = stderr.decode('utf-8', 'replace') if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip() and not set(line.strip()) <= set('@')]
    return [line[len('ssh: '):] if line.startswith('ssh: ') else line for line in lines]


def _remote_words(lines, limit=500):
    """What the remote shell said, whole (a pyenv shim explains itself over several lines;
    its last one alone says nothing)"""
    text = ' '.join(lines)
    return text if len(text) <= limit else text[:limit] + '...'


def describe_failure(host, program, status, stderr):
    """Why the link to ``host`` could not be set up: ``(exit status, message)``"""
    lines = _lines(stderr)
    # ssh's own failures end it with status 255; any other status is the remote command's,
    # whose lines ("bash: /srv/py: Permission denied") are not ssh's
    if status is None or status == 255:
        for needle, meaning, helps in _KNOWN:
            for line in lines:
                if needle in line:
                    return NOT_FOUND, "cannot reach host '%s': %s (ssh: %s)%s" % (
                        host, meaning, line, '; what helps: ' + helps.replace('HOST', host) if helps else '')
    last = lines[-1] if lines else ''
    if status == 126:
        return NOT_FOUND, "interpreter '%s' on host '%s' cannot be run (remote shell: %s)" % (
            program, host, _remote_words(lines) or 'exit status 126')
    remote_ran = status is not None and status != 255   # else these words are ssh's ("Can't open user config file")
    if status == 127 or (remote_ran and ('not found' in last or 'No such file' in last)):
        return NOT_FOUND, "interpreter '%s' not found on host '%s' (remote shell: %s)" % (
            program, host, _remote_words(lines) or 'exit status 127')
    if status == 255:
        return NOT_FOUND, "cannot reach host '%s': ssh failed (%s)" % (host, last or 'exit status 255, nothing on stderr')
    what = 'exit status %s' % status if status is not None else 'no answer'
    return NOT_FOUND, "the remote interpreter '%s' on host '%s' did not start the agent (%s%s)" % (
        program, host, what, ': ' + last if last else '')
