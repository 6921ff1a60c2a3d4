#pragma once
// The error type of cpy2py-run: a message that names the operation and the object, and the
// exit status the launcher ends with when the error reaches main().
#include <stdexcept>
#include <string>

namespace cpy2py {

/// Exit statuses of cpy2py-run besides the main script's own (documented in README and man).
namespace exit_status {
inline constexpr int import_failed = 1; ///< --check: a twin cannot import the main script
inline constexpr int usage = 2;         ///< bad command line (also bad `--twin` syntax)
inline constexpr int software = 70;     ///< EX_SOFTWARE: internal error, a bug in cpy2py-run
inline constexpr int os_error = 71;     ///< EX_OSERR: the system refused a resource (fds, processes, memory)
inline constexpr int cant_create = 73;  ///< EX_CANTCREAT: no run directory in TMPDIR (missing, full, too long)
inline constexpr int config = 78;       ///< EX_CONFIG: bad or unreadable manifest
inline constexpr int not_found = 127;   ///< interpreter, venv or bootstrap files missing or unusable
inline constexpr int signal_base = 128; ///< 128+N: the main died of signal N
}  // namespace exit_status

/// A failure that ends cpy2py-run with `code()`; `what()` is the complete user-facing message.
class Error : public std::runtime_error {
public:
    Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;  ///< exit status, one of exit_status::*
};

/// Bad command line: exit 2.
struct UsageError : Error {
    explicit UsageError(const std::string& message) : Error(exit_status::usage, message) {}
};

/// Bad manifest; `message` starts with `FILE:LINE:COLUMN: `: exit 78.
struct ConfigError : Error {
    explicit ConfigError(const std::string& message) : Error(exit_status::config, message) {}
};

/// TMPDIR cannot hold the run directory or its sockets: exit 73.
struct TempDirError : Error {
    explicit TempDirError(const std::string& message) : Error(exit_status::cant_create, message) {}
};

/// Something to run cannot be found or does not work: exit 127.
struct NotFoundError : Error {
    explicit NotFoundError(const std::string& message) : Error(exit_status::not_found, message) {}
};

}  // namespace cpy2py
