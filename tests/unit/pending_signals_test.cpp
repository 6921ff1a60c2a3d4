#include "core/pending_signals.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using cpy2py::signal_pending;
using cpy2py::status_shows_pending;

namespace {

std::string status(const char* sig_pnd, const char* shd_pnd) {
    return std::string("\nName:\tpython3\nSigQ:\t0/95566\nSigPnd:\t") + sig_pnd + "\nShdPnd:\t" + shd_pnd +
           "\nSigBlk:\t0000000000004002\nSigCgt:\t0000000180004002\n";
}

}  // namespace

TEST_CASE("pending_signals: bit sig-1 of ShdPnd or SigPnd; SigBlk and SigCgt do not count") {
    CHECK(status_shows_pending(status("0000000000000000", "0000000000004000"), SIGTERM));
    CHECK(status_shows_pending(status("0000000000000002", "0000000000000000"), SIGINT));
    CHECK_FALSE(status_shows_pending(status("0000000000000000", "0000000000000000"), SIGTERM));
    CHECK_FALSE(status_shows_pending(status("0000000000000000", "0000000000004000"), SIGINT));
    CHECK_FALSE(status_shows_pending("\nName:\tx\n", SIGTERM));
    CHECK_FALSE(status_shows_pending(status("zz", "zz"), SIGTERM));
}

TEST_CASE("pending_signals: a blocked signal sent to a live process is pending until it is unblocked") {
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        ::sigprocmask(SIG_BLOCK, &set, nullptr);
        [[maybe_unused]] auto n = ::write(ready[1], "b", 1);
        ::pause();
        ::_exit(0);
    }
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);  // blocked now: a SIGUSR1 stays pending
    ::close(ready[0]);
    ::close(ready[1]);
    ::kill(child, SIGUSR1);
    CHECK(signal_pending(child, SIGUSR1));
    CHECK_FALSE(signal_pending(child, SIGUSR2));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK_FALSE(signal_pending(child, SIGUSR1));
}
