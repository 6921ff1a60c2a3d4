#pragma once
// Whether a signal sent to cpy2py-run must still be forwarded to the main. Pure logic.
//
// The main shares cpy2py-run's process group, so a signal sent to the whole group
// (`kill -TERM -PGID`, systemd stopping a service's cgroup, `timeout`) reaches the main
// directly as well; forwarding it too would run the main's handler twice (a second
// KeyboardInterrupt inside the first one's cleanup). siginfo cannot tell such a signal from
// one sent to cpy2py-run alone, so the main tells: once it has imported cpy2py, its Python
// signal wakeup fd is a pipe to us, and each signal its handlers caught arrives here as a
// byte (the signal number; 0 from Python 2, which does not say which). A signal the main
// reported within `window` of ours is one it got itself: not forwarded. One it did not
// report within the window is forwarded then. Until the main's reports are live
// (enable()), everything is forwarded at once, as before.
#include <chrono>
#include <deque>
#include <optional>
#include <vector>

namespace cpy2py {

class ForwardDecisions {
public:
    using Clock = std::chrono::steady_clock;

    explicit ForwardDecisions(std::chrono::milliseconds window) : window_(window) {}

    /// The main reports the signals it catches from now on.
    void enable() noexcept { enabled_ = true; }
    bool enabled() const noexcept { return enabled_; }

    enum class Verdict { forward, drop, wait };
    /// Signal `sig` came for us (sent with kill(), not by the terminal) at `now`:
    /// forward it now, drop it (the main caught it itself), or wait (ask due() later).
    Verdict on_signal(int sig, Clock::time_point now);
    /// The main caught signal `sig` (0: some signal) at `now`.
    void on_report(int sig, Clock::time_point now);
    /// Signals waited for whose window has passed without a report: forward them now (the
    /// main's reports of these forwards, within the window, are then not taken as its own).
    std::vector<int> due(Clock::time_point now);
    /// When the earliest waiting signal is due; nullopt when none waits.
    std::optional<Clock::time_point> next_due() const;

private:
    struct Report {
        int sig;
        Clock::time_point at;
    };
    /// Removes the oldest entry of `from` for `sig` (any entry when either is 0); whether
    /// there was one.
    static bool take(std::deque<Report>& from, int sig);
    /// Drops reports and forwards older than the window: a report that old answers no
    /// signal of ours (the main signalled itself, or was signalled alone).
    void expire(Clock::time_point now);

    std::chrono::milliseconds window_;
    bool enabled_ = false;
    std::deque<Report> reports_;  ///< the main's reports not matched to a signal yet, oldest first
    std::deque<Report> own_;      ///< our forwards whose report has not come yet
    std::deque<Report> waiting_;  ///< signals waiting for a report (`at`: when they are due)
};

}  // namespace cpy2py
