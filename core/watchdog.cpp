#include "core/watchdog.hpp"

#include "core/line_splitter.hpp"
#include "core/run_dir.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>
#include <system_error>

namespace cpy2py {
namespace {

/// The watchdog's whole life. Lines: "G pgid" / "g pgid" add / drop a twin group,
/// "M pid" / "m 0" set / clear the main, "X 0" orderly exit.
[[noreturn]] void watchdog_main(int fd, const std::string& run_dir) {
    // Terminal and polite signals are for the supervisor; we must outlive it.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
        ::signal(sig, SIG_IGN);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);  // out of the terminal's foreground group
    ::prctl(PR_SET_NAME, "cpy2py-watchdog");
    // Keep nobody's pipe open: a test or shell reading our stdout must see EOF when the
    // supervisor ends, not when we do.
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int std_fd = 0; std_fd < 3; ++std_fd) ::dup2(null, std_fd);
    }
    if (fd != 3) {
        ::dup2(fd, 3);
        fd = 3;
    }
    ::close_range(4, ~0U, 0);

    std::set<pid_t> groups;
    pid_t main_pid = 0;
    LineSplitter lines(64);
    bool orderly = false;
    const LineSplitter::Sink handle = [&](std::string_view line) {
        if (line.size() < 3) return;
        const pid_t value = static_cast<pid_t>(std::strtol(std::string(line.substr(2)).c_str(), nullptr, 10));
        switch (line[0]) {
            case 'G': groups.insert(value); break;
            case 'g': groups.erase(value); break;
            case 'M': main_pid = value; break;
            case 'm': main_pid = 0; break;
            case 'X': orderly = true; break;
            default: break;
        }
    };
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        lines.feed(std::string_view(buf, static_cast<std::size_t>(n)), handle);
        if (orderly) ::_exit(0);
    }
    for (pid_t group : groups) {
        if (group > 1) ::kill(-group, SIGKILL);
    }
    if (main_pid > 1) ::kill(main_pid, SIGKILL);
    remove_tree(run_dir);
    ::_exit(0);
}

}  // namespace

Watchdog Watchdog::start(const std::string& run_dir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create the watchdog pipe");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::system_error(err, std::generic_category(), "cannot fork the watchdog");
    }
    if (pid == 0) {
        ::close(fds[1]);
        watchdog_main(fds[0], run_dir);
    }
    ::close(fds[0]);
    return Watchdog(pid, fds[1]);
}

Watchdog::Watchdog(Watchdog&& other) noexcept : pid_(other.pid_), fd_(other.fd_) {
    other.pid_ = -1;
    other.fd_ = -1;
}

Watchdog::~Watchdog() { release(); }

void Watchdog::send(char kind, long value) noexcept {
    if (fd_ < 0) return;
    char line[32];
    const int len = std::snprintf(line, sizeof line, "%c %ld\n", kind, value);
    // Shorter than PIPE_BUF, so the write is atomic; a dead watchdog gives EPIPE (SIGPIPE
    // is blocked or ignored by the supervisor), which we can only ignore.
    [[maybe_unused]] auto n = ::write(fd_, line, static_cast<std::size_t>(len));
}

void Watchdog::add_group(pid_t group) noexcept { send('G', group); }
void Watchdog::remove_group(pid_t group) noexcept { send('g', group); }
void Watchdog::set_main(pid_t pid) noexcept { send('M', pid); }
void Watchdog::clear_main() noexcept { send('m', 0); }

void Watchdog::lost() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    pid_ = -1;
}

void Watchdog::release() noexcept {
    if (fd_ >= 0) {
        send('X', 0);
        ::close(fd_);
        fd_ = -1;
    }
    if (pid_ > 0) {
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }
}

}  // namespace cpy2py
