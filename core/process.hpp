#pragma once
// Spawning one child process from a plain description (program, argv, env, cwd, stdio).
//
// Plain fork/exec rather than Boost.Process v2: every child here needs a new process group
// or not, PR_SET_PDEATHSIG checked against a parent that may already be gone, one
// inherited socket moved to a fixed fd number with every other fd closed, and the
// supervisor's blocked-signal mask undone before exec. v2 (1.81) can only do the first
// three through init hooks, its close_all() skips gaps between whitelisted fds and its
// child calls exit() (running our atexit handlers and static destructors) when exec
// fails. Exits are observed by the supervisor's single SIGCHLD reaper instead of pidfds.
#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cpy2py {

/// Where one of the child's standard streams comes from / goes to.
struct Stdio {
    enum class Kind { inherit, null, fd };
    Kind kind = Kind::inherit;  ///< inherit: the supervisor's own stream
    int fd = -1;  ///< the parent's fd to hand over when kind == fd

    static Stdio inherit() { return {}; }
    static Stdio null() { return {Kind::null, -1}; }
    static Stdio from_fd(int parent_fd) { return {Kind::fd, parent_fd}; }
};

struct ProcessSpec {
    std::string program;                       ///< path handed to execve (absolute or relative to cwd)
    std::vector<std::string> argv;             ///< complete argv, argv[0] included
    std::vector<std::string> env;              ///< complete environment, "NAME=value"
    std::string cwd;                           ///< empty: the supervisor's cwd
    Stdio in, out, err;                        ///< fds 0, 1 and 2 of the child
    std::vector<std::pair<int, int>> extra_fds;///< (parent fd, fd number in the child); all other fds >= 3 are closed
    bool new_process_group = false;            ///< child becomes leader of its own process group
    int death_signal = 0;                      ///< PR_SET_PDEATHSIG signal, 0 for none
    std::optional<sigset_t> signal_mask;       ///< mask installed before exec (the supervisor blocks some signals)
};

/// A started child, or why it could not be started.
struct SpawnResult {
    pid_t pid = -1;     ///< > 0 on success
    int error = 0;      ///< errno of the failed step (fork, or execve in the child)
    std::string what;   ///< "fork", "exec" ...: the failed step, empty on success
    explicit operator bool() const noexcept { return pid > 0; }
};

/// "STEP: strerror" for a failed step of starting a child (`error` is its errno); when the
/// process is out of file descriptors (EMFILE), says the limit and how to raise it: "too
/// many open files (dup): the limit is 20 (`ulimit -n`); raise it, e.g. `ulimit -n 4096`";
/// ENFILE (the whole system) is said as such. A fork or exec refused with EAGAIN is the
/// user's process limit: "too many processes (fork: ...): this user may run 20 processes
/// and threads (`ulimit -u`) ..."; a fork refused with ENOMEM names memory and `ulimit -v`.
/// `soft` and `hard` are RLIMIT_NOFILE's, or RLIMIT_NPROC's for EAGAIN.
std::string describe_spawn_error(const std::string& step, int error, unsigned long long soft,
                                 unsigned long long hard);
/// The same with this process's current RLIMIT_NOFILE (RLIMIT_NPROC for EAGAIN).
std::string describe_spawn_error(const std::string& step, int error);

/// Starts the child and returns once it has called execve (or failed to). Never throws
/// after the fork; allocation failures before it propagate as std::bad_alloc.
SpawnResult spawn_process(const ProcessSpec& spec);

/// Resolves `name` like execvp would: a name containing '/' is taken relative to the cwd,
/// others are searched on PATH. Returns an absolute path, or nullopt when nothing
/// executable was found.
std::optional<std::string> find_executable(const std::string& name);

/// Makes sure fds 0, 1 and 2 are open (on /dev/null when they were closed), so fds we
/// create later never land on a standard stream number.
void ensure_standard_fds_open() noexcept;

}  // namespace cpy2py
