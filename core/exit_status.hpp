#pragma once
// How a child process ended, decoded from the raw waitpid() status.
#include <string>

namespace cpy2py {

class ExitStatus {
public:
    /// Wraps a raw status as filled in by waitpid().
    static ExitStatus from_wait_status(int raw) noexcept { return ExitStatus(raw); }
    /// A status as if the process had exited with `code` (used for exec failures).
    static ExitStatus exited_with(int code) noexcept { return ExitStatus((code & 0xff) << 8); }

    bool exited() const noexcept;
    bool signaled() const noexcept;
    /// Exit code; 0 unless exited().
    int code() const noexcept;
    /// Terminating signal; 0 unless signaled().
    int signal() const noexcept;
    /// True for anything but a plain exit with code 0.
    bool failed() const noexcept { return !(exited() && code() == 0); }
    /// The status a shell reports: the exit code, or 128+N for signal N.
    int shell_status() const noexcept;
    /// "exit code 3" or "signal 9 (SIGKILL)".
    std::string describe() const;

private:
    explicit ExitStatus(int raw) noexcept : raw_(raw) {}
    int raw_;  ///< raw waitpid() status word
};

}  // namespace cpy2py
