#include "core/captured_run.hpp"

#include "core/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cpy2py {
namespace {

/// Owns a file descriptor; -1 once closed.
struct Fd {
    int fd = -1;  ///< open descriptor or -1
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

/// Reads both pipes until EOF or the deadline; false on timeout.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out, &err};
    int open = 2;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        const int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buf[4096];
            const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                if (sinks[i]->size() < 65536) sinks[i]->append(buf, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
    }
    return true;
}

}  // namespace

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (!extra.count(name)) out.push_back(std::move(entry));
    }
    for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
    return out;
}

std::string last_lines(const std::string& text, std::size_t max_chars) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    if (t.size() > max_chars) t = "..." + t.substr(t.size() - max_chars);
    std::string flat;
    for (char c : t) {
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
        if (c == ' ' && !flat.empty() && flat.back() == ' ') continue;
        flat += c;
    }
    return flat;
}

CapturedRun run_captured(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
                         std::chrono::milliseconds timeout) noexcept try {
    CapturedRun result;
    if (argv_in.empty()) {
        result.error = "nothing to run";
        return result;
    }
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        result.error = describe_spawn_error("pipe", errno);
        return result;
    }
    Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        result.error = describe_spawn_error("pipe", errno);
        return result;
    }
    Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

    std::vector<std::string> argv_s = argv_in;
    std::vector<std::string> env_s = env_in;
    auto argv = pointers(argv_s);
    auto envp = pointers(env_s);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
    // its own process group, so that a timeout ends what it started too (a remote twin's
    // stand-in under --check runs the ssh client; a pyenv shim runs bash, then python):
    // killing the pid alone left those running, with init as parent
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv_s[0].c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        result.error = "cannot execute " + argv_s[0] + ": " +
                       (rc == EMFILE || rc == ENFILE ? describe_spawn_error("posix_spawn", rc) : std::strerror(rc));
        return result;
    }
    result.started = true;
    out_w.reset();
    err_w.reset();

    const bool finished = drain(out_r.fd, err_r.fd, result.out, result.err, timeout);
    if (!finished) ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &result.wait_status, 0) < 0 && errno == EINTR) {
    }
    result.timed_out = !finished;
    return result;
} catch (...) {
    CapturedRun failed;
    failed.error = "out of memory";
    return failed;
}

}  // namespace cpy2py
