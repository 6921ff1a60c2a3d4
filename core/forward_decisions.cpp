#include "core/forward_decisions.hpp"

#include <algorithm>

namespace cpy2py {

bool ForwardDecisions::take(std::deque<Report>& from, int sig) {
    const auto found = std::find_if(from.begin(), from.end(), [sig](const Report& entry) {
        return sig == 0 || entry.sig == 0 || entry.sig == sig;
    });
    if (found == from.end()) return false;
    from.erase(found);
    return true;
}

void ForwardDecisions::expire(Clock::time_point now) {
    const auto oldest = now - window_;
    for (auto* entries : {&reports_, &own_}) {
        while (!entries->empty() && entries->front().at < oldest) entries->pop_front();
    }
}

ForwardDecisions::Verdict ForwardDecisions::on_signal(int sig, Clock::time_point now) {
    if (!enabled_) return Verdict::forward;
    expire(now);
    // The main, woken by the same kill(), often reports before we read our signalfd.
    if (take(reports_, sig)) return Verdict::drop;
    waiting_.push_back({sig, now + window_});
    return Verdict::wait;
}

void ForwardDecisions::on_report(int sig, Clock::time_point now) {
    expire(now);
    if (take(own_, sig)) return;
    if (take(waiting_, sig)) return;  // the main got that one itself
    reports_.push_back({sig, now});
}

std::vector<int> ForwardDecisions::due(Clock::time_point now) {
    std::vector<int> out;
    while (!waiting_.empty() && waiting_.front().at <= now) {
        out.push_back(waiting_.front().sig);
        own_.push_back({waiting_.front().sig, now});
        waiting_.pop_front();
    }
    return out;
}

std::optional<ForwardDecisions::Clock::time_point> ForwardDecisions::next_due() const {
    if (waiting_.empty()) return std::nullopt;
    return waiting_.front().at;
}

}  // namespace cpy2py
