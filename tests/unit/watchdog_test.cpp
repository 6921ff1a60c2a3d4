// The watchdog and the reaper against real processes.
#include "core/process.hpp"
#include "core/reaper.hpp"
#include "core/run_dir.hpp"
#include "core/watchdog.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>

using namespace cpy2py;

namespace {

/// `sleep 100` as the leader of its own process group.
pid_t sleeper() {
    ProcessSpec spec;
    spec.program = "/bin/sleep";
    spec.argv = {"sleep", "100"};
    spec.new_process_group = true;
    const auto spawned = spawn_process(spec);
    REQUIRE(spawned);
    return spawned.pid;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// A directory the watchdog may remove (RunDir would remove it itself).
std::string scratch_dir() {
    std::string templ = "/tmp/cpy2py-wd-XXXXXX";
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    return templ;
}

}  // namespace

TEST_CASE("on EOF without 'exit' the watchdog kills announced groups and removes the run dir") {
    const std::string dir = scratch_dir();
    Watchdog watchdog = Watchdog::start(dir);
    const pid_t watchdog_pid = watchdog.pid();
    const pid_t twin = sleeper();
    const pid_t forgotten = sleeper();
    watchdog.add_group(twin);
    watchdog.add_group(forgotten);
    watchdog.remove_group(forgotten);
    watchdog.lost();  // closes the pipe as a SIGKILLed supervisor would

    int raw = 0;
    REQUIRE(::waitpid(twin, &raw, 0) == twin);
    CHECK(WIFSIGNALED(raw));
    CHECK(WTERMSIG(raw) == SIGKILL);
    REQUIRE(::waitpid(watchdog_pid, &raw, 0) == watchdog_pid);
    CHECK(WIFEXITED(raw));
    CHECK_FALSE(exists(dir));
    CHECK(::waitpid(forgotten, &raw, WNOHANG) == 0);  // not announced any more: left alone
    ::kill(forgotten, SIGKILL);
    ::waitpid(forgotten, &raw, 0);
}

TEST_CASE("an orderly release kills nothing") {
    RunDir dir = RunDir::create("main.sock");
    Watchdog watchdog = Watchdog::start(dir.path());
    const pid_t twin = sleeper();
    watchdog.add_group(twin);
    watchdog.release();
    int raw = 0;
    CHECK(::waitpid(twin, &raw, WNOHANG) == 0);
    CHECK(exists(dir.path()));
    ::kill(twin, SIGKILL);
    ::waitpid(twin, &raw, 0);
}

TEST_CASE("the reaper reports the exit and kills what the dead leader left in its group") {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    ProcessSpec spec;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", "sleep 100 & echo $!; exit 3"};
    spec.out = Stdio::from_fd(out[1]);
    spec.new_process_group = true;
    const auto spawned = spawn_process(spec);
    ::close(out[1]);
    REQUIRE(spawned);
    char buf[32] = {};
    REQUIRE(::read(out[0], buf, sizeof buf - 1) > 0);
    ::close(out[0]);
    const pid_t left_behind = static_cast<pid_t>(std::stol(buf));

    Reaper reaper;
    int code = -1;
    reaper.watch(spawned.pid, true, [&](ExitStatus status) { code = status.code(); });
    for (int i = 0; i < 500 && code < 0; ++i) {
        reaper.reap();  // the supervisor calls this on SIGCHLD; here we just retry
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(code == 3);
    CHECK(reaper.watched() == 0);
    // The orphaned sleep was SIGKILLed; it is not our child, so look at /proc.
    bool gone = false;
    for (int i = 0; i < 200 && !gone; ++i) {
        gone = !exists("/proc/" + std::to_string(left_behind)) || [&] {
            std::string stat;
            char b[512] = {};
            const int fd = ::open(("/proc/" + std::to_string(left_behind) + "/stat").c_str(), O_RDONLY);
            if (fd < 0) return true;
            const auto n = ::read(fd, b, sizeof b - 1);
            ::close(fd);
            stat.assign(b, n > 0 ? static_cast<std::size_t>(n) : 0);
            const auto paren = stat.rfind(')');
            return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
        }();
        if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(gone);
}
