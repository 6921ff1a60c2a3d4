"""
What ``python PATH`` runs when PATH is a directory or a zip archive (a zipapp)

``python3 app/`` and ``python3 app.pyz`` put PATH itself first on ``sys.path`` and run the
``__main__.py`` inside it. A twin loads the main script the same way, so that a main
given so finds its classes in twins too (before, a twin tried to read PATH as a script).
"""
import os


def is_container(path):
    """Whether ``python path`` would run ``__main__.py`` from inside ``path``"""
    if os.path.isdir(path):
        return True
    if not os.path.isfile(path):
        return False
    try:
        import zipimport
        zipimport.zipimporter(path)
    except Exception:  # ZipImportError, or an unreadable file: a plain script
        return False
    return True


def import_path_entry(path):
    """The ``sys.path`` entry ``python path`` starts with"""
    if is_container(path):
        return path
    return os.path.dirname(path)


def main_file(path):
    """The file name of the code ``python path`` runs (``__file__`` there)"""
    if is_container(path):
        return os.path.join(path, '__main__.py')
    return path


def read_source(path):
    """The source of what ``python path`` runs; IOError/OSError when there is none"""
    if os.path.isdir(path) or not is_container(path):
        with open(main_file(path), 'rb') as source:
            return source.read()
    import zipimport
    source = zipimport.zipimporter(path).get_source('__main__')
    if source is None:
        raise IOError(2, "no __main__.py in the zip archive", path)
    return source


def execute(path, namespace):
    """Run what ``python path`` runs in ``namespace`` (a module's dict)"""
    code = compile(read_source(path), main_file(path), 'exec')
    exec(code, namespace)
