#include "core/exit_status.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstring>

namespace cpy2py {

bool ExitStatus::exited() const noexcept { return WIFEXITED(raw_); }
bool ExitStatus::signaled() const noexcept { return WIFSIGNALED(raw_); }
int ExitStatus::code() const noexcept { return exited() ? WEXITSTATUS(raw_) : 0; }
int ExitStatus::signal() const noexcept { return signaled() ? WTERMSIG(raw_) : 0; }

int ExitStatus::shell_status() const noexcept {
    return signaled() ? 128 + signal() : code();
}

std::string ExitStatus::describe() const {
    if (!signaled()) return fmt::format("exit code {}", code());
    const char* name = ::sigabbrev_np(signal());
    if (name == nullptr) return fmt::format("signal {}", signal());
    return fmt::format("signal {} (SIG{})", signal(), name);
}

}  // namespace cpy2py
