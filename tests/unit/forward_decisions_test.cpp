#include "core/forward_decisions.hpp"

#include <doctest/doctest.h>

#include <csignal>

using cpy2py::ForwardDecisions;
using namespace std::chrono_literals;
using Verdict = ForwardDecisions::Verdict;

namespace {

constexpr auto kWindow = 100ms;
const auto t0 = ForwardDecisions::Clock::time_point{} + 1h;

ForwardDecisions enabled() {
    ForwardDecisions decisions(kWindow);
    decisions.enable();
    return decisions;
}

}  // namespace

TEST_CASE("forward_decisions: before the main's reports are live, every signal is forwarded at once") {
    ForwardDecisions decisions(kWindow);
    decisions.on_report(SIGTERM, t0);
    CHECK(decisions.on_signal(SIGTERM, t0) == Verdict::forward);
    CHECK_FALSE(decisions.next_due());
}

TEST_CASE("forward_decisions: a signal the main reported first was a group signal: dropped") {
    auto decisions = enabled();
    decisions.on_report(SIGINT, t0);
    CHECK(decisions.on_signal(SIGINT, t0 + 1ms) == Verdict::drop);
    CHECK_FALSE(decisions.next_due());
}

TEST_CASE("forward_decisions: a signal the main reports within the window is not forwarded") {
    auto decisions = enabled();
    CHECK(decisions.on_signal(SIGTERM, t0) == Verdict::wait);
    CHECK(decisions.next_due() == t0 + kWindow);
    decisions.on_report(SIGTERM, t0 + 5ms);
    CHECK(decisions.due(t0 + kWindow).empty());
    CHECK_FALSE(decisions.next_due());
}

TEST_CASE("forward_decisions: a signal sent to us alone is forwarded once the window passed, and its report "
          "is not taken for the main's own") {
    auto decisions = enabled();
    CHECK(decisions.on_signal(SIGTERM, t0) == Verdict::wait);
    CHECK(decisions.due(t0 + kWindow - 1ms).empty());
    CHECK(decisions.due(t0 + kWindow) == std::vector<int>{SIGTERM});
    decisions.on_report(SIGTERM, t0 + kWindow + 1ms);  // the forward arriving
    // so the next group signal is still told apart
    CHECK(decisions.on_signal(SIGTERM, t0 + kWindow + 2ms) == Verdict::wait);
}

TEST_CASE("forward_decisions: a report of another signal does not count") {
    auto decisions = enabled();
    decisions.on_report(SIGUSR1, t0);
    CHECK(decisions.on_signal(SIGTERM, t0) == Verdict::wait);
    CHECK(decisions.due(t0 + kWindow) == std::vector<int>{SIGTERM});
}

TEST_CASE("forward_decisions: an old report answers no signal (the main was signalled alone)") {
    auto decisions = enabled();
    decisions.on_report(SIGINT, t0);
    CHECK(decisions.on_signal(SIGINT, t0 + kWindow + 1ms) == Verdict::wait);
}

TEST_CASE("forward_decisions: Python 2 reports 0 for any signal") {
    auto decisions = enabled();
    CHECK(decisions.on_signal(SIGINT, t0) == Verdict::wait);
    decisions.on_report(0, t0 + 1ms);
    CHECK(decisions.due(t0 + kWindow).empty());
    decisions.on_report(0, t0 + 2ms);
    CHECK(decisions.on_signal(SIGTERM, t0 + 3ms) == Verdict::drop);
}

TEST_CASE("forward_decisions: each report answers one signal; waiting signals come due in order") {
    auto decisions = enabled();
    CHECK(decisions.on_signal(SIGINT, t0) == Verdict::wait);
    CHECK(decisions.on_signal(SIGINT, t0 + 10ms) == Verdict::wait);
    CHECK(decisions.on_signal(SIGHUP, t0 + 20ms) == Verdict::wait);
    decisions.on_report(SIGINT, t0 + 30ms);
    CHECK(decisions.next_due() == t0 + 10ms + kWindow);
    CHECK(decisions.due(t0 + 10ms + kWindow) == std::vector<int>{SIGINT});
    CHECK(decisions.next_due() == t0 + 20ms + kWindow);
    CHECK(decisions.due(t0 + 20ms + kWindow) == std::vector<int>{SIGHUP});
    CHECK_FALSE(decisions.next_due());
}
