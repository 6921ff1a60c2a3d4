// ExitStatus decoding, against real children.
#include "core/exit_status.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace cpy2py;

namespace {

ExitStatus run_child(void (*body)()) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        body();
        ::_exit(99);
    }
    int raw = 0;
    ::waitpid(pid, &raw, 0);
    return ExitStatus::from_wait_status(raw);
}

}  // namespace

TEST_CASE("a plain exit keeps its code") {
    const auto s = run_child([] { ::_exit(7); });
    CHECK(s.exited());
    CHECK(s.code() == 7);
    CHECK(s.signal() == 0);
    CHECK(s.failed());
    CHECK(s.shell_status() == 7);
    CHECK(s.describe() == "exit code 7");
    CHECK_FALSE(run_child([] { ::_exit(0); }).failed());
}

TEST_CASE("death by signal maps to 128+N") {
    const auto s = run_child([] {
        ::signal(SIGTERM, SIG_DFL);  // doctest catches it otherwise
        ::kill(::getpid(), SIGTERM);
    });
    CHECK(s.signaled());
    CHECK(s.signal() == SIGTERM);
    CHECK(s.code() == 0);
    CHECK(s.failed());
    CHECK(s.shell_status() == 128 + SIGTERM);
    CHECK(s.describe() == "signal 15 (SIGTERM)");
}

TEST_CASE("exited_with builds an exit status") {
    CHECK(ExitStatus::exited_with(127).code() == 127);
}
