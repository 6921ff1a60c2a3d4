#include "core/process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace cpy2py {
namespace {

/// What the child reports through the error pipe when a step before exec fails.
struct ChildFailure {
    int step;   ///< index into kSteps
    int error;  ///< errno
};

constexpr const char* kSteps[] = {"setpgid", "prctl", "open /dev/null", "dup", "chdir", "exec"};
enum Step { step_setpgid, step_prctl, step_devnull, step_dup, step_chdir, step_exec };

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

/// Closes [first, last]; falls back to a loop where close_range is missing (kernel < 5.9).
void close_fd_range(int first, int last) noexcept {
    if (first > last) return;
    if (::close_range(static_cast<unsigned>(first), static_cast<unsigned>(last), 0) == 0) return;
    long max = ::sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (long fd = first; fd <= std::min<long>(last, max); ++fd) ::close(static_cast<int>(fd));
}

[[noreturn]] void fail_in_child(int error_pipe, Step step) noexcept {
    const ChildFailure failure{step, errno};
    [[maybe_unused]] auto n = ::write(error_pipe, &failure, sizeof failure);
    ::_exit(127);
}

/// Runs in the forked child: only async-signal-safe calls, no allocation.
[[noreturn]] void exec_child(const ProcessSpec& spec, char* const* argv, char* const* envp,
                             int error_pipe, pid_t parent) noexcept {
    if (spec.signal_mask) ::sigprocmask(SIG_SETMASK, &*spec.signal_mask, nullptr);
    if (spec.new_process_group && ::setpgid(0, 0) != 0) fail_in_child(error_pipe, step_setpgid);
    if (spec.death_signal != 0) {
        if (::prctl(PR_SET_PDEATHSIG, spec.death_signal) != 0) fail_in_child(error_pipe, step_prctl);
        // The parent may have died before prctl took effect: then nobody would signal us.
        if (::getppid() != parent) ::_exit(127);
    }

    // Every fd we hand over is first copied above the highest target number, so moving one
    // into place can never overwrite another that is still to be moved (or the error pipe).
    int max_target = 2;
    for (const auto& [from, to] : spec.extra_fds) max_target = std::max(max_target, to);
    const int high = max_target + 1;
    const int pipe_fd = ::fcntl(error_pipe, F_DUPFD_CLOEXEC, high);
    if (pipe_fd < 0) fail_in_child(error_pipe, step_dup);
    error_pipe = pipe_fd;

    struct Move { int from; int to; };
    Move moves[3 + 8];  // stdio plus a few extra fds; checked by spawn_process
    int count = 0;
    const Stdio* stdio[3] = {&spec.in, &spec.out, &spec.err};
    for (int target = 0; target < 3; ++target) {
        const Stdio& s = *stdio[target];
        int source = -1;
        if (s.kind == Stdio::Kind::inherit) {
            ::fcntl(target, F_SETFD, 0);  // our own stdio must survive exec
            continue;
        }
        if (s.kind == Stdio::Kind::null) {
            source = ::open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY);
            if (source < 0) fail_in_child(error_pipe, step_devnull);
        } else {
            source = s.fd;
        }
        moves[count++] = {source, target};
    }
    for (const auto& [from, to] : spec.extra_fds) moves[count++] = {from, to};
    for (int i = 0; i < count; ++i) {
        moves[i].from = ::fcntl(moves[i].from, F_DUPFD, high);
        if (moves[i].from < 0) fail_in_child(error_pipe, step_dup);
    }
    for (int i = 0; i < count; ++i) {
        if (::dup2(moves[i].from, moves[i].to) < 0) fail_in_child(error_pipe, step_dup);
    }
    for (int fd = 3; fd < high; ++fd) {
        bool target = false;
        for (int i = 0; i < count; ++i) target = target || moves[i].to == fd;
        if (!target) ::close(fd);
    }
    close_fd_range(high, error_pipe - 1);
    close_fd_range(error_pipe + 1, INT_MAX);

    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) fail_in_child(error_pipe, step_chdir);
    ::execve(spec.program.c_str(), argv, envp);
    fail_in_child(error_pipe, step_exec);
}

}  // namespace

std::string describe_spawn_error(const std::string& step, int error, unsigned long long soft,
                                 unsigned long long hard) {
    if (error == ENFILE) {
        return "the system is out of open files (" + step + ": " + std::strerror(error) +
               "): close other programs, or raise fs.file-max";
    }
    if (error == E2BIG) {
        // Linux: one argument or variable at most MAX_ARG_STRLEN (32 pages), all together ARG_MAX
        return step + ": " + std::strerror(error) +
               ": the command line and environment are larger than the system allows (one argument "
               "or variable at most 128 KiB, all together `getconf ARG_MAX` bytes): shorten large values in "
               "[env], env, args or --env";
    }
    if (error == EAGAIN && (step == "fork" || step == "exec")) {
        // fork() and, after a setuid over the limit, execve() say EAGAIN for RLIMIT_NPROC,
        // which counts every process and thread of the user, other programs' too
        std::string message = "too many processes (" + step + ": " + std::strerror(error) + "): ";
        if (soft == RLIM_INFINITY) return message + "the system cannot start another one (kernel.threads-max, pid_max)";
        message += "this user may run " + std::to_string(soft) +
                   " processes and threads (`ulimit -u`), those of all its programs together";
        if (hard == RLIM_INFINITY || hard > soft) return message + ": end some, or raise the limit";
        return message + ", which is also the hard limit (`ulimit -Hu`): end some, or only root can raise it";
    }
    if (error == ENOMEM && step == "fork") {
        return "out of memory (fork: " + std::string(std::strerror(error)) +
               "): free some memory, or raise the address-space limit (`ulimit -v`)";
    }
    if (error != EMFILE) return step + ": " + std::strerror(error);
    std::string message = "too many open files (" + step + "): the limit is ";
    if (soft == RLIM_INFINITY) return message + "unlimited";
    message += std::to_string(soft) + " (`ulimit -n`)";
    const unsigned long long wanted = hard == RLIM_INFINITY ? 4096 : std::min<unsigned long long>(hard, 4096);
    if (wanted > soft) return message + "; raise it, e.g. `ulimit -n " + std::to_string(wanted) + "`";
    return message + ", which is also the hard limit (`ulimit -Hn`): only root can raise it";
}

std::string describe_spawn_error(const std::string& step, int error) {
    struct rlimit limit {};
    if (::getrlimit(error == EAGAIN ? RLIMIT_NPROC : RLIMIT_NOFILE, &limit) != 0) return step + ": " + std::strerror(error);
    return describe_spawn_error(step, error, limit.rlim_cur, limit.rlim_max);
}

SpawnResult spawn_process(const ProcessSpec& spec) {
    SpawnResult result;
    if (spec.extra_fds.size() > 8) {
        result.error = EINVAL;
        result.what = "too many fds";
        return result;
    }
    const auto argv = c_strings(spec.argv);
    const auto envp = c_strings(spec.env);

    int error_pipe[2];
    if (::pipe2(error_pipe, O_CLOEXEC) != 0) {
        result.error = errno;
        result.what = "pipe";
        return result;
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(error_pipe[0]);
        exec_child(spec, argv.data(), envp.data(), error_pipe[1], parent);
    }
    ::close(error_pipe[1]);
    if (pid < 0) {
        result.error = errno;
        result.what = "fork";
        ::close(error_pipe[0]);
        return result;
    }
    // Also set the group from here, so it exists before we announce it to anyone.
    if (spec.new_process_group) ::setpgid(pid, pid);

    ChildFailure failure{};
    ssize_t n;
    do {
        n = ::read(error_pipe[0], &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    ::close(error_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof failure)) {
        // The child reported an error and is exiting with 127: collect it right here, so
        // no caller ever sees the pid of a process that did not run.
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        result.error = failure.error;
        result.what = kSteps[failure.step];
        return result;
    }
    result.pid = pid;
    return result;
}

std::optional<std::string> find_executable(const std::string& name) {
    auto executable = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
    };
    auto absolute = [](const std::string& path) -> std::string {
        if (!path.empty() && path.front() == '/') return path;
        char buf[PATH_MAX];
        if (::getcwd(buf, sizeof buf) == nullptr) return path;
        return std::string(buf).append("/").append(path);
    };
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) {
        if (executable(name)) return absolute(name);
        return std::nullopt;
    }
    const char* path_env = std::getenv("PATH");
    const std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        // Built with append(): GCC 12 at -O3 warns (-Wrestrict, a false positive) on "dir" + "/".
        std::string candidate = end == start ? std::string(".") : path.substr(start, end - start);
        candidate.append("/").append(name);
        if (executable(candidate)) return absolute(candidate);
        start = end + 1;
    }
    return std::nullopt;
}

void ensure_standard_fds_open() noexcept {
    for (int fd = 0; fd < 3; ++fd) {
        if (::fcntl(fd, F_GETFD) >= 0) continue;
        const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened >= 0 && opened != fd) {
            ::dup2(opened, fd);
            ::close(opened);
        }
    }
}

}  // namespace cpy2py
