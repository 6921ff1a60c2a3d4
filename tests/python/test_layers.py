"""
The runtime's layers import one way: a static check of every module of bootstrap/

Each module of ``bootstrap/cpy2py`` (and ``cpy2py_twin.py``) is parsed with ``ast``; every
import in it counts, at module level or inside a function, relative ones resolved, and
``__import__``/``importlib.import_module`` of a literal name too. A module may import
modules of its own layer or of a lower one (:py:data:`LAYERS`, lowest first), never of a
higher one, and the imports between runtime modules form no cycle, not even inside a
layer. An upper layer that a lower one needs registers a hook with it instead (see
docs/DESIGN.md). Runtime modules also never import the original library's module names
that :py:mod:`cpy2py.aliases` serves: those are for user code.

Runs with any interpreter (no twin needed): ``python3 tests/python/test_layers.py``.
"""
from __future__ import print_function

import ast
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BOOTSTRAP = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'bootstrap')

#: the layers in data-flow order, lowest first: layer name -> module name prefixes
LAYERS = (
    ('base', ('cpy2py.meta', 'cpy2py.exceptions', 'cpy2py.utility')),
    ('wire', ('cpy2py.wire',)),
    ('protocol', ('cpy2py.protocol',)),
    ('kernel', ('cpy2py.kernel',)),
    ('proxy', ('cpy2py.proxy',)),
    ('api', ('cpy2py.twinterpreter',)),
    ('top', ('cpy2py', 'cpy2py.aliases', 'cpy2py_twin', 'cpy2py_check')),
    # twins on other hosts: stand-in, hub and agent, standard library only and independent
    # of the runtime (nothing of cpy2py imports them; they import nothing of cpy2py)
    ('remote', ('cpy2py_ssh', 'cpy2py_remote')),
)


def runtime_modules(root=BOOTSTRAP):
    """module name -> (file path, is package) for every module of the runtime"""
    modules = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name != '__pycache__')
        for filename in sorted(filenames):
            if not filename.endswith('.py'):
                continue
            path = os.path.join(directory, filename)
            parts = os.path.relpath(path, root)[:-3].split(os.sep)
            is_package = parts[-1] == '__init__'
            if is_package:
                parts = parts[:-1]
            modules['.'.join(parts)] = (path, is_package)
    return modules


def layer_of(name):
    """Index in LAYERS of the module ``name`` (the longest matching prefix), or None"""
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + '.')) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def _literal(node):
    if isinstance(node, ast.Str if sys.version_info < (3, 8) else ast.Constant):
        value = node.s if sys.version_info < (3, 8) else node.value
        if isinstance(value, str):
            return value
    return None


def imported_names(name, path, is_package):
    """``(line, module name, certain)`` for every import in the module ``name``

    ``certain`` is False for the names of ``from package import name``: each may be a
    submodule or just an attribute of the package.
    """
    with open(path, 'rb') as source:
        tree = ast.parse(source.read(), path)
    package = name if is_package else name.rpartition('.')[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, alias.name, True))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - (node.level - 1)]
                module = '.'.join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.append((node.lineno, module, True))
            for alias in node.names:
                found.append((node.lineno, module + '.' + alias.name, False))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = getattr(func, 'id', None) or getattr(func, 'attr', None)
            literal = _literal(node.args[0])
            if called in ('__import__', 'import_module') and literal:
                found.append((node.lineno, literal, True))
    return found


def old_names():
    """The original library's module names that cpy2py.aliases serves"""
    if BOOTSTRAP not in sys.path:
        sys.path.insert(0, BOOTSTRAP)
    from cpy2py.aliases import ALIASES
    return set(ALIASES)


def import_graph(modules):
    """module -> {imported runtime module: first line}, and the imports of names that are
    no runtime module: ``[(module, line, name)]``"""
    graph, unknown = {}, []
    aliases = old_names()
    for name, (path, is_package) in sorted(modules.items()):
        edges = graph.setdefault(name, {})
        for line, target, certain in imported_names(name, path, is_package):
            if target in modules:
                if target != name:
                    edges.setdefault(target, line)
            elif target in aliases or (certain and target.split('.')[0] in ('cpy2py', 'cpy2py_twin')):
                unknown.append((name, line, target))
    return graph, unknown


def find_cycle(graph):
    """One cycle of ``graph`` as a list of modules, or None"""
    state = {}
    stack = []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 'open':
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


class LayerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.modules = runtime_modules()
        cls.graph, cls.unknown = import_graph(cls.modules)

    def test_found_the_runtime(self):
        for name in ('cpy2py', 'cpy2py.kernel.kernel', 'cpy2py.wire.transport', 'cpy2py_twin'):
            self.assertIn(name, self.modules, 'looked in %s' % BOOTSTRAP)

    def test_every_module_has_a_layer(self):
        missing = [name for name in self.modules if layer_of(name) is None]
        self.assertEqual(missing, [], 'declare their layer in LAYERS of %s' % __file__)

    def test_no_upward_import(self):
        upward = []
        for name, edges in sorted(self.graph.items()):
            for target, line in sorted(edges.items()):
                if layer_of(target) > layer_of(name):
                    upward.append('%s:%s imports %s (layer %s above %s)' % (
                        self.modules[name][0], line, target, LAYERS[layer_of(target)][0],
                        LAYERS[layer_of(name)][0]))
        self.assertEqual(upward, [], '\n' + '\n'.join(upward))

    def test_no_cycle(self):
        cycle = find_cycle(self.graph)
        self.assertIsNone(cycle, 'import cycle: %s' % ' -> '.join(cycle or ()))

    def test_no_old_names_inside(self):
        self.assertEqual(self.unknown, [], 'runtime modules import names that are no modules '
                                           '(old names are for user code): %r' % (self.unknown,))

    def test_checker_sees_function_level_imports(self):
        # the checker itself: an import inside a function is an edge, relative ones resolve
        graph, _ = import_graph(self.modules)
        self.assertIn('cpy2py.kernel.bootstrap', graph['cpy2py.kernel.kernel_state'])
        self.assertEqual(find_cycle({'a': {'b': 1}, 'b': {'c': 1}, 'c': {'a': 1}}), ['a', 'b', 'c', 'a'])
        self.assertIsNone(find_cycle({'a': {'b': 1}, 'b': {}, 'c': {'a': 1}}))


if __name__ == '__main__':
    unittest.main()
