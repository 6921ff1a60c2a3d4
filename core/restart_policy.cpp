#include "core/restart_policy.hpp"

#include <algorithm>

namespace cpy2py {

RestartDecision RestartTracker::on_exit(bool failed, Clock::time_point started, Clock::time_point now) {
    RestartDecision decision;
    if (given_up_) {
        decision.kind = RestartDecision::Kind::give_up;
        return decision;
    }
    const bool wanted = policy_ == RestartPolicy::always ||
                        (policy_ == RestartPolicy::on_failure && failed);
    if (!wanted) return decision;

    // A run that lasted healthy_after proves the earlier trouble is over: start the
    // backoff from the base again.
    if (now - started >= settings_.healthy_after) consecutive_ = 0;

    while (!recent_.empty() && now - recent_.front() >= settings_.window) recent_.pop_front();
    if (static_cast<int>(recent_.size()) >= settings_.max_restarts) {
        given_up_ = true;
        decision.kind = RestartDecision::Kind::give_up;
        decision.restarts_in_window = static_cast<int>(recent_.size());
        return decision;
    }

    // base * 2^consecutive, capped; the shift is bounded so it cannot overflow.
    const auto base = std::max<std::chrono::milliseconds::rep>(settings_.backoff_base.count(), 0);
    const auto cap = std::max<std::chrono::milliseconds::rep>(settings_.backoff_cap.count(), 0);
    std::chrono::milliseconds::rep delay = base;
    for (int i = 0; i < consecutive_ && delay < cap; ++i) delay *= 2;
    decision.delay = std::chrono::milliseconds(std::min(delay, cap));
    ++consecutive_;
    recent_.push_back(now);
    decision.kind = RestartDecision::Kind::restart;
    decision.restarts_in_window = static_cast<int>(recent_.size());
    return decision;
}

void RestartTracker::reset() {
    consecutive_ = 0;
    recent_.clear();
    given_up_ = false;
}

}  // namespace cpy2py
