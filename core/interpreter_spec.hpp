#pragma once
// The interpreter grammar: what may be written wherever an interpreter is named (--twin,
// --main-interpreter, manifest `interpreter`), classified before anything is looked up.
// Order: scheme prefixes (`conda:ENV`, `pyenv:VERSION`), then paths (a '/'), then version
// requests in the grammar of tox/virtualenv/uv (`3.8`, `py27`, `cp311`, `pypy3.9`,
// `>=3.8,<3.12`), and anything else is a command name on PATH.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

/// A Python version as written or reported: up to three numbers.
struct PythonVersion {
    int major = 0;
    int minor = 0;
    int micro = 0;
    int parts = 0;  ///< how many numbers were written (1..3); missing ones count as 0

    std::string str() const;  ///< "3", "3.8" or "3.8.18", as many parts as written
};

/// Parses "3", "3.8", "3.8.18" (a trailing pre-release tag such as "3.13.0rc1" is ignored).
std::optional<PythonVersion> parse_python_version(std::string_view text);

/// Orders versions by their three numbers (missing parts are 0).
int compare_versions(const PythonVersion& a, const PythonVersion& b);

/// Which implementation a request accepts.
enum class Implementation { any, cpython, pypy };

/// One comparison of a range (`>=3.8`, `!=3.9.*`); a bare version is `==X.*`.
struct VersionClause {
    enum class Op { eq, ne, lt, le, gt, ge, compatible };
    Op op = Op::eq;
    PythonVersion version;
    bool prefix = false;  ///< `==3.9.*` or a bare `3.9`: compares only the written parts
};

/// A version request: an implementation and clauses that must all hold.
struct VersionRequest {
    Implementation implementation = Implementation::any;
    std::vector<VersionClause> clauses;  ///< empty: any version
    bool command_form = false;           ///< also a command name (python3, pypy3.9): tried on PATH first

    /// True when an interpreter reporting `implementation` ("CPython", "PyPy") and `version` satisfies it.
    bool accepts(std::string_view implementation, const PythonVersion& version) const;
    /// "CPython 3.11", "any implementation >=3.8,<3.12", for messages.
    std::string describe() const;
};

/// A classified interpreter spec.
struct InterpreterSpec {
    enum class Kind { name, path, version, conda, pyenv };
    Kind kind = Kind::name;
    std::string text;        ///< as written
    std::string value;       ///< name, path, conda environment (name or prefix) or pyenv version
    VersionRequest request;  ///< kind == version
};

/// Classifies `text`. Throws std::invalid_argument for an empty `conda:`/`pyenv:` value or a
/// malformed range (text starting with < > = ! ~).
InterpreterSpec parse_interpreter_spec(std::string_view text);

/// Where `SPEC[:VENV]` splits: the first ':', except that a spec starting with `conda:` or
/// `pyenv:` is whole (it takes no VENV). npos when there is no VENV part.
std::size_t venv_separator(std::string_view spec);

}  // namespace cpy2py
