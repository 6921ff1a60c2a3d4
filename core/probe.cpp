#include "core/probe.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cpy2py {
namespace {

/// Valid Python 2.7 and 3.x; prints "IMPLEMENTATION VERSION PROTOCOL".
constexpr const char* snippet =
    "import sys, platform, pickle; sys.stdout.write('%s %s %d\\n' % "
    "(platform.python_implementation(), platform.python_version(), pickle.HIGHEST_PROTOCOL))";

/// Owns a file descriptor; -1 once closed.
struct Fd {
    int fd = -1;  ///< open descriptor or -1
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

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

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

std::string last_lines(const std::string& text, std::size_t max_chars = 400) {
    std::string t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    if (t.size() > max_chars) t = "..." + t.substr(t.size() - max_chars);
    std::string flat;  // one line, whitespace runs squeezed
    for (char c : t) {
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
        if (c == ' ' && !flat.empty() && flat.back() == ' ') continue;
        flat += c;
    }
    return flat;
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

ProbeResult parse_answer(const std::string& out) {
    ProbeResult r;
    std::istringstream in(out);
    std::string line, last, location;
    while (std::getline(in, line)) {
        if (line.rfind("location: ", 0) == 0) location = line.substr(10);
        else if (!line.empty()) last = line;
    }
    std::istringstream fields(last);
    if (fields >> r.implementation >> r.version >> r.pickle_protocol && r.pickle_protocol > 0) {
        r.ok = true;
        r.location = location;
        return r;
    }
    return ProbeResult{false, "", "", 0, "unexpected answer '" + last_lines(out) + "'"};
}

}  // namespace

ProbeResult probe_interpreter(const std::string& executable, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env,
                              std::chrono::milliseconds timeout) noexcept try {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return {false, "", "", 0, std::string("pipe: ") + std::strerror(errno)};
    Fd out_r{out_pipe[0]}, out_w{out_pipe[1]};
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) return {false, "", "", 0, std::string("pipe: ") + std::strerror(errno)};
    Fd err_r{err_pipe[0]}, err_w{err_pipe[1]};

    std::vector<std::string> argv_s{executable};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    argv_s.insert(argv_s.end(), {"-c", snippet});
    std::vector<std::string> env_s = merged_environment(env);
    auto argv = pointers(argv_s);
    auto envp = pointers(env_s);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return {false, "", "", 0, "cannot execute " + executable + ": " + std::strerror(rc)};
    out_w.reset();
    err_w.reset();

    std::string out, err;
    const bool finished = drain(out_r.fd, err_r.fd, out, err, timeout);
    if (!finished) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!finished)
        return {false, "", "", 0, "no answer within " + std::to_string(timeout.count() / 1000) + " s (killed)"};

    std::string what;
    if (WIFSIGNALED(status)) what = "killed by signal " + std::to_string(WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0) what = "exited with status " + std::to_string(WEXITSTATUS(status));
    if (!what.empty()) {
        const std::string tail = last_lines(err);
        return {false, "", "", 0, what + (tail.empty() ? "" : ": " + tail)};
    }
    return parse_answer(out);
} catch (...) {
    return {false, "", "", 0, "out of memory while probing"};
}

}  // namespace cpy2py
