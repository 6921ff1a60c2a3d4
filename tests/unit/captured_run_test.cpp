// run_captured against real tiny programs: a timeout ends what the program started too.
#include "core/captured_run.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

using namespace cpy2py;

namespace {

/// Whether `pid` still runs (a zombie waiting for init does not count).
bool runs(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("run_captured: a timeout kills the program's children too") {
    // what a remote twin's stand-in does under --check: start a child (the ssh client)
    // that is still waiting when the time is up
    const std::vector<std::string> argv{"/bin/sh", "-c", "sleep 300 & echo $!; wait"};
    const CapturedRun run = run_captured(argv, merged_environment({}), std::chrono::milliseconds(500));
    REQUIRE(run.started);
    CHECK(run.timed_out);
    const pid_t child = static_cast<pid_t>(std::stol(run.out));
    REQUIRE(child > 0);
    bool gone = false;
    for (int i = 0; i < 500 && !gone; ++i) {  // SIGKILL is delivered at once; death takes a moment
        gone = !runs(child);
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!gone) ::kill(child, SIGKILL);
    CHECK(gone);
}

TEST_CASE("run_captured: output and status of a program that ends in time") {
    const CapturedRun run = run_captured({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, merged_environment({}),
                                         std::chrono::seconds(20));
    REQUIRE(run.started);
    CHECK_FALSE(run.timed_out);
    CHECK(run.out == "out\n");
    CHECK(run.err == "err\n");
    CHECK(WEXITSTATUS(run.wait_status) == 3);
}
