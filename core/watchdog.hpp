#pragma once
// The no-orphans watchdog (docs/DESIGN.md, "No orphans"): a tiny process forked before
// anything else, told every process group and the main's pid through a pipe. When the pipe
// reaches EOF without an orderly "exit" (the supervisor was SIGKILLed or crashed), it
// SIGKILLs every twin group and the main, removes the run directory and exits.
#include <sys/types.h>

#include <string>

namespace cpy2py {

class Watchdog {
public:
    /// Forks the watchdog; call before any thread exists. Throws std::system_error.
    static Watchdog start(const std::string& run_dir);

    Watchdog(Watchdog&& other) noexcept;
    Watchdog& operator=(Watchdog&&) = delete;
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog();

    void add_group(pid_t group) noexcept;     ///< a twin's process group to kill
    void remove_group(pid_t group) noexcept;  ///< that group is gone
    void set_main(pid_t pid) noexcept;        ///< the main's pid (it shares our group: killed alone)
    void clear_main() noexcept;               ///< the main was reaped

    /// Orderly end: tells the watchdog to exit without killing anything, and waits for it.
    void release() noexcept;
    /// The watchdog process died and was reaped by someone else: stop talking to it, and
    /// never wait for its pid (it may belong to another process by now).
    void lost() noexcept;

    pid_t pid() const noexcept { return pid_; }

private:
    Watchdog(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
    void send(char kind, long value) noexcept;

    pid_t pid_;  ///< the watchdog process; -1 once released
    int fd_;     ///< write end of the announcement pipe (close-on-exec); -1 once released
};

}  // namespace cpy2py
