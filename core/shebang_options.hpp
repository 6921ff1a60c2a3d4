#pragma once
// Options given on a script's shebang line. Linux hands everything after the interpreter
// path of `#!/usr/local/bin/cpy2py-run --twin pypy=pypy3` to the interpreter as ONE
// argument, before the script's path: argv = {cpy2py-run, "--twin pypy=pypy3", app.py, ...}.
// That argument is split into words, as `env -S` would, but only when it really comes from
// the script's first line, so an ordinary argument containing a space is never touched.
#include <string>
#include <vector>

namespace cpy2py {

/// `args` (argv without the program name) with a shebang line's options split into words:
/// when args[0] starts with '-', contains white space, and args[1] names a file whose first
/// line is `#!INTERPRETER args[0]`. Otherwise `args` unchanged.
std::vector<std::string> split_shebang_options(std::vector<std::string> args);

}  // namespace cpy2py
