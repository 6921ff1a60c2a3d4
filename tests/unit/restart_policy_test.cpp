// RestartTracker with a fake clock: time points are built by hand, nothing sleeps.
#include "core/restart_policy.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;
using namespace std::chrono_literals;
using Kind = RestartDecision::Kind;

namespace {

const RestartTracker::Clock::time_point t0{};

RestartSettings settings() {
    RestartSettings s;
    s.backoff_base = 100ms;
    s.backoff_cap = 1000ms;
    s.healthy_after = 10s;
    s.max_restarts = 3;
    s.window = 60s;
    return s;
}

}  // namespace

TEST_CASE("restart policy never keeps a twin down") {
    RestartTracker tracker(RestartPolicy::never, settings());
    CHECK(tracker.on_exit(true, t0, t0 + 1s).kind == Kind::stay_down);
    CHECK(tracker.on_exit(false, t0, t0 + 1s).kind == Kind::stay_down);
}

TEST_CASE("on-failure restarts only failures") {
    RestartTracker tracker(RestartPolicy::on_failure, settings());
    CHECK(tracker.on_exit(false, t0, t0 + 1s).kind == Kind::stay_down);
    const auto d = tracker.on_exit(true, t0, t0 + 1s);
    CHECK(d.kind == Kind::restart);
    CHECK(d.delay == 100ms);
    CHECK(d.restarts_in_window == 1);
}

TEST_CASE("always restarts clean exits too") {
    RestartTracker tracker(RestartPolicy::always, settings());
    CHECK(tracker.on_exit(false, t0, t0 + 1s).kind == Kind::restart);
}

TEST_CASE("backoff doubles up to the cap") {
    auto s = settings();
    s.max_restarts = 100;
    RestartTracker tracker(RestartPolicy::always, s);
    auto now = t0;
    std::vector<long long> delays;
    for (int i = 0; i < 6; ++i) {
        const auto d = tracker.on_exit(true, now, now + 1ms);
        REQUIRE(d.kind == Kind::restart);
        delays.push_back(d.delay.count());
        now += 2s;
    }
    CHECK(delays == std::vector<long long>{100, 200, 400, 800, 1000, 1000});
}

TEST_CASE("a healthy run resets the backoff") {
    auto s = settings();
    s.max_restarts = 100;
    RestartTracker tracker(RestartPolicy::on_failure, s);
    CHECK(tracker.on_exit(true, t0, t0 + 1s).delay == 100ms);
    CHECK(tracker.on_exit(true, t0 + 1s, t0 + 2s).delay == 200ms);
    CHECK(tracker.on_exit(true, t0 + 2s, t0 + 3s).delay == 400ms);
    // This run lasted healthy_after (10 s): back to the base.
    CHECK(tracker.on_exit(true, t0 + 3s, t0 + 13s).delay == 100ms);
    CHECK(tracker.on_exit(true, t0 + 13s, t0 + 14s).delay == 200ms);
}

TEST_CASE("gives up after max_restarts within the window, and stays given up") {
    RestartTracker tracker(RestartPolicy::always, settings());
    CHECK(tracker.on_exit(true, t0, t0 + 1s).kind == Kind::restart);
    CHECK(tracker.on_exit(true, t0 + 1s, t0 + 2s).kind == Kind::restart);
    CHECK(tracker.on_exit(true, t0 + 2s, t0 + 3s).kind == Kind::restart);
    const auto d = tracker.on_exit(true, t0 + 3s, t0 + 4s);
    CHECK(d.kind == Kind::give_up);
    CHECK(d.restarts_in_window == 3);
    CHECK(tracker.given_up());
    CHECK(tracker.on_exit(true, t0 + 100s, t0 + 200s).kind == Kind::give_up);
}

TEST_CASE("restarts older than the window no longer count") {
    RestartTracker tracker(RestartPolicy::always, settings());
    CHECK(tracker.on_exit(true, t0, t0 + 1s).kind == Kind::restart);
    CHECK(tracker.on_exit(true, t0 + 1s, t0 + 2s).kind == Kind::restart);
    CHECK(tracker.on_exit(true, t0 + 2s, t0 + 3s).kind == Kind::restart);
    // 61 s after the first restart only two remain in the 60 s window.
    const auto d = tracker.on_exit(true, t0 + 60s, t0 + 61s);
    CHECK(d.kind == Kind::restart);
    CHECK(d.restarts_in_window == 3);
}

TEST_CASE("reset forgets restarts and a give-up") {
    auto s = settings();
    s.max_restarts = 1;
    RestartTracker tracker(RestartPolicy::always, s);
    CHECK(tracker.on_exit(true, t0, t0 + 1s).kind == Kind::restart);
    CHECK(tracker.on_exit(true, t0 + 1s, t0 + 2s).kind == Kind::give_up);
    tracker.reset();
    CHECK_FALSE(tracker.given_up());
    const auto d = tracker.on_exit(true, t0 + 2s, t0 + 3s);
    CHECK(d.kind == Kind::restart);
    CHECK(d.delay == 100ms);
}

TEST_CASE("max_restarts 0 gives up at the first exit") {
    auto s = settings();
    s.max_restarts = 0;
    RestartTracker tracker(RestartPolicy::on_failure, s);
    CHECK(tracker.on_exit(true, t0, t0 + 1s).kind == Kind::give_up);
}
