"""The hub's side of module serving (see importer.py): pure-Python source from the main's
own import roots only"""
import base64
import json
import os
import sys

_INSTALLED = ('site-packages', 'dist-packages')
#: the hub runs under the main's interpreter: namespace packages only where the main has them
_NAMESPACES = sys.version_info >= (3, 3)


def import_roots(environ, bootstrap_dir):
    """Where the main finds the user's own modules: its script's directory (the working
    directory for -m and -c), then PYTHONPATH, minus the runtime and installed packages"""
    main_file = environ.get('CPY2PY_MAIN_FILE')
    roots = [os.path.dirname(main_file) if main_file else os.getcwd()]
    roots += [p for p in environ.get('PYTHONPATH', '').split(os.pathsep) if p]
    bootstrap = os.path.realpath(bootstrap_dir)
    out = []
    for root in roots:
        real = os.path.realpath(root)
        if real == bootstrap or any(part in _INSTALLED for part in real.split(os.sep)) or real in out:
            continue
        out.append(real)
    return out


def answer(name, roots, main_file):
    """The JSON answer for module ``name`` (``:main`` is the main script)"""
    found = None
    if name == ':main':
        if main_file and os.path.isfile(main_file):
            found = (main_file, False)
    elif name and all(part and (part.replace('_', 'a').isalnum()) for part in name.split('.')):
        parts = name.split('.')
        namespace = None
        for root in roots:
            base = os.path.join(root, *parts)
            if os.path.isfile(base + '.py'):
                found = (base + '.py', False)
            elif os.path.isfile(os.path.join(base, '__init__.py')):
                found = (os.path.join(base, '__init__.py'), True)
            elif namespace is None and _NAMESPACES and os.path.isdir(base):
                namespace = base
            if found:
                break
        if found is None and namespace is not None:
            # a directory without __init__.py: an implicit namespace package (PEP 420) for
            # the main, as long as no root holds a module or regular package of that name
            return json.dumps({'origin': namespace, 'package': True, 'source': ''}).encode('utf-8')
    if found is None:
        return b'{}'
    with open(found[0], 'rb') as f:
        source = f.read()
    return json.dumps({'origin': found[0], 'package': found[1],
                       'source': base64.b64encode(source).decode('ascii')}).encode('utf-8')
