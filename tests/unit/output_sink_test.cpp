// OutputSink when the system refuses it a writer thread (`ulimit -u`): the line is written
// anyway, by the caller, instead of std::thread's exception escaping write() (the logger
// then printed "[*** LOG ERROR ***] {Resource temporarily unavailable}" in place of the
// message that said why the run failed).
#include "core/output_sink.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <system_error>
#include <thread>

using namespace cpy2py;

namespace {

/// In a child process that may start no thread (a user without processes to spare),
/// writes two lines through an OutputSink on `fd`. Exit status: 0 written, 1 write()
/// said full, 3 the limit could not be set up (not root, or threads still start).
[[noreturn]] void write_without_threads(int fd) {
    const rlimit none{0, 0};
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0 ||
        ::setrlimit(RLIMIT_NPROC, &none) != 0) {
        ::_exit(3);
    }
    try {
        std::thread([] {}).join();
        ::_exit(3);  // the limit does not hold here
    } catch (const std::system_error&) {
    }
    bool ok = true;
    {
        OutputSink sink(fd);
        const auto source = sink.add_source(1024);
        ok = sink.write(source, "first line\n") && sink.write(source, "second line\n");
    }
    ::_exit(ok ? 0 : 1);
}

}  // namespace

TEST_CASE("output sink: writes in the caller when no thread can be started") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to run a child as another user under RLIMIT_NPROC 0");
        return;
    }
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(out[0]);
        write_without_threads(out[1]);
    }
    ::close(out[1]);
    std::string text;
    char buf[256];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    int raw = 0;
    REQUIRE(::waitpid(pid, &raw, 0) == pid);
    if (WIFEXITED(raw) && WEXITSTATUS(raw) == 3) {
        MESSAGE("skipped: RLIMIT_NPROC does not keep threads from starting here");
        return;
    }
    CHECK(WIFEXITED(raw));
    CHECK(WEXITSTATUS(raw) == 0);
    CHECK(text == "first line\nsecond line\n");
}
