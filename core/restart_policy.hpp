#pragma once
// Pure restart bookkeeping for one twin: whether and when to restart it after an exit it
// was not asked for. No clocks inside: callers pass time points, tests pass fake ones.
#include "core/plan.hpp"

#include <chrono>
#include <deque>

namespace cpy2py {

struct RestartDecision {
    enum class Kind { stay_down, restart, give_up };
    Kind kind = Kind::stay_down;         ///< what to do with the exited twin
    std::chrono::milliseconds delay{0};  ///< wait this long before restarting (restart only)
    int restarts_in_window = 0;          ///< restarts counted in the window, this one included
};

class RestartTracker {
public:
    using Clock = std::chrono::steady_clock;

    RestartTracker(RestartPolicy policy, const RestartSettings& settings)
        : policy_(policy), settings_(settings) {}

    /// A process started at `started` exited on its own at `now`; `failed` when it did not
    /// exit with code 0. Records the restart when the answer is `restart`.
    RestartDecision on_exit(bool failed, Clock::time_point started, Clock::time_point now);

    /// Forgets past restarts (after an explicit STOP or START by the application).
    void reset();

    /// True once on_exit() answered give_up, until reset().
    bool given_up() const noexcept { return given_up_; }

private:
    RestartPolicy policy_;                   ///< never / on-failure / always
    RestartSettings settings_;               ///< backoff base/cap, healthy_after, limit and window
    int consecutive_ = 0;                    ///< restarts since the last healthy run; sets the backoff exponent
    std::deque<Clock::time_point> recent_;   ///< times of restarts inside the window, oldest first
    bool given_up_ = false;                  ///< the limit was hit
};

}  // namespace cpy2py
