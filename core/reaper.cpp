#include "core/reaper.hpp"

#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>

namespace cpy2py {

void Reaper::watch(pid_t pid, bool kill_group, OnExit on_exit) {
    watched_[pid] = Entry{kill_group, std::move(on_exit)};
}

void Reaper::reap() {
    for (;;) {
        siginfo_t info{};
        // WNOWAIT first: the zombie keeps its pid, so the group kill below cannot hit a
        // recycled process group.
        if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == EINTR) continue;
            return;  // ECHILD: no children at all
        }
        const pid_t pid = info.si_pid;
        if (pid == 0) return;  // children exist, none has exited

        const auto found = watched_.find(pid);
        if (found != watched_.end() && found->second.kill_group) ::kill(-pid, SIGKILL);
        int raw = 0;
        while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
        }
        if (found == watched_.end()) {
            spdlog::debug("reaped unknown child {}", pid);
            continue;
        }
        OnExit on_exit = std::move(found->second.on_exit);
        watched_.erase(found);  // before the call: it may watch new children
        if (on_exit) on_exit(ExitStatus::from_wait_status(raw));
    }
}

}  // namespace cpy2py
