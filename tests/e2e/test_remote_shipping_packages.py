"""Nothing of the application on the remote host (an sshd in a private mount namespace
where the application's directory and the runtime are empty tmpfs mounts, as in
test_remote_shipping.py): `cpy2py-run -m PACKAGE` whose __main__.py defines what the twin
runs, with relative imports, and a namespace package (a directory without __init__.py)
are served from the main host too."""
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from sshd_fixture import SshServer
from test_remote_shipping import bootstrap_dir
from test_remote_twins import BINARY, PYTHON, TIMEOUT

FILES = {
    "mypkg/__init__.py": "",
    "mypkg/__main__.py": """
        from cpy2py import twinfunction
        from . import helper
        from .sub import deep

        @twinfunction('far')
        def remote():
            import os
            from mypkg.sub import lazy
            return [helper.name(), deep.VALUE, lazy.X, os.environ.get('CPY2PY_REMOTE_HOST')]

        if __name__ == '__main__':
            print('RESULT %s' % remote())
        """,
    "mypkg/helper.py": "def name():\n    return 'helper'\n",
    "mypkg/sub/__init__.py": "",
    "mypkg/sub/deep.py": "VALUE = 'deep'\n",
    "mypkg/sub/lazy.py": "X = 'lazy'\n",
    "nspkg/thing.py": "Y = 'in a namespace package'\n",
    "app.py": """
        from cpy2py import twinfunction

        @twinfunction('far')
        def remote():
            import nspkg.thing
            return nspkg.thing.Y

        if __name__ == '__main__':
            print('RESULT %s' % remote())
        """,
}


class TestShippingPackages(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0 or shutil.which("unshare") is None:
            self.skipTest("needs root and unshare (util-linux) for a private mount namespace")
        self.app = tempfile.mkdtemp(prefix="cpy2py-app-")
        self.addCleanup(shutil.rmtree, self.app, True)
        for name, text in FILES.items():
            path = os.path.join(self.app, name)
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            with open(path, "w") as f:
                f.write(textwrap.dedent(text))
        hide = 'mount -t tmpfs none "$1" && mount -t tmpfs none "$2" && shift 2 && exec "$@"'
        self.server = SshServer(wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh",
                                      self.app, bootstrap_dir()])
        self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)

    def run_app(self, *program):
        manifest = os.path.join(self.server.dir, "cpy2py.toml")
        with open(manifest, "w") as f:
            f.write("\n".join(["[main]", 'interpreter = "%s"' % PYTHON, "", "[twins.far]",
                               'host = "%s"' % self.server.host, 'interpreter = "%s"' % PYTHON,
                               'ssh_options = ["-F", "%s"]' % self.server.ssh_options[1], ""]))
        proc = subprocess.run([BINARY, "--manifest", manifest] + list(program), cwd=self.app,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        self.assertEqual(proc.returncode, 0, err)
        return out

    def test_main_package_run_with_dash_m(self):
        # before: the twin found no __main__.py on its disk, took the package for a plain
        # module and reported "Can't get attribute 'remote' on <module '__cpy2py_main__'>"
        out = self.run_app("-m", "mypkg")
        self.assertIn("RESULT ['helper', 'deep', 'lazy', '%s']" % self.server.host, out)

    def test_check_imports_the_script_there(self):
        # --check SCRIPT imports it on the twin's host, where it is served from this one
        out = self.run_app("--check", os.path.join(self.app, "app.py"))
        self.assertIn("twin 'far' (ssh://%s/" % self.server.host, out)
        self.assertIn("): ok", out)

    def test_namespace_package(self):
        # before: "No module named 'nspkg' in twin 'far' ..., and the main host has no
        # pure-Python module of that name outside site-packages to send"
        out = self.run_app(os.path.join(self.app, "app.py"))
        self.assertIn("RESULT in a namespace package", out)


if __name__ == "__main__":
    unittest.main()
