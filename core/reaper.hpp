#pragma once
// Collects exited children (on SIGCHLD) and tells their owners how they ended.
#include "core/exit_status.hpp"

#include <sys/types.h>

#include <functional>
#include <map>

namespace cpy2py {

class Reaper {
public:
    using OnExit = std::function<void(ExitStatus)>;

    /// Calls `on_exit` once `pid` has exited. With `kill_group`, the process group that
    /// `pid` leads is SIGKILLed before the zombie is reaped (its pid, hence the group id,
    /// cannot be reused until then): a dead twin leaves no children behind.
    void watch(pid_t pid, bool kill_group, OnExit on_exit);

    /// Reaps every child that has exited, without blocking; call on SIGCHLD. Children
    /// nobody watches are reaped too, so no zombie stays.
    void reap();

    std::size_t watched() const noexcept { return watched_.size(); }

private:
    struct Entry {
        bool kill_group;  ///< SIGKILL the child's process group before reaping
        OnExit on_exit;   ///< called once, after the child was reaped
    };
    std::map<pid_t, Entry> watched_;  ///< children still running (or not reaped yet)
};

}  // namespace cpy2py
