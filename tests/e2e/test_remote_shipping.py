"""Nothing installed there: the remote side of this test is an sshd in a private mount
namespace where the application's directory and the runtime's bootstrap directory are
empty tmpfs mounts. The runtime must come over the connection, and the user's own modules
(the main script, a module and a package beside it) are served from the main host on
demand; a module neither side has fails with an error naming module, twin and host."""
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from sshd_fixture import SshServer
from test_remote_twins import BINARY, PYTHON, TIMEOUT

APP = '''
import os, sys, json
from cpy2py import TwinObject, twinfunction
import mylib
from pkg import mod

@twinfunction('far')
def visible(paths):
    return [os.path.exists(p) for p in paths]

@twinfunction('far')
def import_missing():
    import no_such_module_anywhere  # noqa

class Here(TwinObject):
    __twin_id__ = 'far'
    def hello(self):
        return mylib.greet('far') + mod.VALUE

if __name__ == '__main__':
    out = {'visible': visible(sys.argv[1:]), 'hello': Here().hello(), 'remote': mylib.Remote().where()}
    try:
        import_missing()
    except ImportError as err:
        out['missing'] = str(err)
    print('RESULT ' + json.dumps(out))
'''
MYLIB = '''
import os
from cpy2py import TwinObject

def greet(name):
    return 'hello ' + name

class Remote(TwinObject):
    __twin_id__ = 'far'
    def where(self):
        return [os.environ.get('CPY2PY_REMOTE_HOST'), __file__]
'''


def bootstrap_dir():
    out = subprocess.run([BINARY, "--check", "--no-manifest"], stdout=subprocess.PIPE).stdout.decode()
    for line in out.splitlines():
        if line.startswith("bootstrap:"):
            return line.split(None, 1)[1].strip()
    raise unittest.SkipTest("cannot learn the bootstrap directory from --check")


class TestShipping(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            self.skipTest("needs root and unshare (util-linux) for a private mount namespace")
        self.app = tempfile.mkdtemp(prefix="cpy2py-app-")
        self.addCleanup(shutil.rmtree, self.app, True)
        for name, text in (("app.py", APP), ("mylib.py", MYLIB), ("pkg/__init__.py", ""),
                           ("pkg/mod.py", "VALUE = '!'\n")):
            path = os.path.join(self.app, name)
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            with open(path, "w") as f:
                f.write(textwrap.dedent(text))
        self.boot = bootstrap_dir()
        hide = 'mount -t tmpfs none "$1" && mount -t tmpfs none "$2" && shift 2 && exec "$@"'
        self.server = SshServer(wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh",
                                      self.app, self.boot])
        self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)

    def test_runtime_and_user_modules_are_shipped(self):
        manifest = os.path.join(self.server.dir, "cpy2py.toml")
        with open(manifest, "w") as f:
            f.write("\n".join(["[main]", 'interpreter = "%s"' % PYTHON, "", "[twins.far]",
                               'host = "%s"' % self.server.host, 'interpreter = "%s"' % PYTHON,
                               'ssh_options = ["-F", "%s"]' % self.server.ssh_options[1], ""]))
        proc = subprocess.run([BINARY, "--manifest", manifest, os.path.join(self.app, "app.py"), os.path.join(self.app, "mylib.py"),
                               os.path.join(self.boot, "cpy2py")],
                              cwd=self.app, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 0, err)
        lines = [l for l in proc.stdout.decode().splitlines() if l.startswith("RESULT ")]
        self.assertTrue(lines, err)
        r = json.loads(lines[0][len("RESULT "):])
        self.assertEqual(r["visible"], [False, False], "the remote side must not see the app or the runtime")
        self.assertEqual(r["hello"], "hello far!")
        self.assertEqual(r["remote"][0], self.server.host)
        self.assertEqual(r["remote"][1], os.path.join(os.path.realpath(self.app), "mylib.py"))
        for word in ("no_such_module_anywhere", "'far'", "'%s'" % self.server.host):
            self.assertIn(word, r["missing"])


if __name__ == "__main__":
    unittest.main()
