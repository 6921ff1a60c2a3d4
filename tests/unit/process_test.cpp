// spawn_process against real tiny programs: argv, env, cwd, fds, process groups, errors.
#include "core/process.hpp"
#include "core/run_dir.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>

using namespace cpy2py;

namespace {

int wait_for(pid_t pid) {
    int raw = 0;
    ::waitpid(pid, &raw, 0);
    return raw;
}

/// Runs /bin/sh -c `script` with stdout on a pipe; returns what it printed.
std::string shell_output(const std::string& script, ProcessSpec spec = {}) {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.out = Stdio::from_fd(out[1]);
    const auto spawned = spawn_process(spec);
    ::close(out[1]);
    REQUIRE(spawned);
    std::string text;
    char buf[512];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    ::close(out[0]);
    const int raw = wait_for(spawned.pid);
    CHECK(WIFEXITED(raw));
    return text;
}

}  // namespace

TEST_CASE("argv, environment and cwd reach the child") {
    ProcessSpec spec;
    spec.env = {"GREETING=hi there"};
    spec.cwd = std::string(1, '/');  // not = "/": GCC 12 -O3 -Wrestrict false positive
    CHECK(shell_output("echo \"$0|$GREETING|$(pwd)\"", spec) == "sh|hi there|/\n");
}

TEST_CASE("an extra fd lands on its number and every other fd is closed") {
    int pair[2];
    REQUIRE(::pipe(pair) == 0);  // not close-on-exec on purpose: spawn must close it anyway
    const int stray = ::open("/dev/null", O_RDONLY);  // inherited unless closed
    REQUIRE(stray >= 0);
    int ctl[2];
    REQUIRE(::pipe2(ctl, O_CLOEXEC) == 0);
    ProcessSpec spec;
    spec.extra_fds.emplace_back(ctl[1], 3);
    const std::string listing = shell_output("echo ok >&3; ls /proc/self/fd | sort -n | tr '\\n' ' '", spec);
    ::close(ctl[1]);
    char buf[16] = {};
    CHECK(::read(ctl[0], buf, sizeof buf) == 3);
    CHECK(std::string(buf) == "ok\n");
    // 0 1 2 3, plus the fd `ls` itself opens for /proc/self/fd.
    CHECK(listing.rfind("0 1 2 3 ", 0) == 0);
    CHECK(listing.size() <= std::string("0 1 2 3 4 ").size());
    ::close(ctl[0]);
    ::close(pair[0]);
    ::close(pair[1]);
    ::close(stray);
}

TEST_CASE("stdin from /dev/null and a new process group") {
    ProcessSpec spec;
    spec.in = Stdio::null();
    spec.new_process_group = true;
    const std::string out = shell_output("cat; ps -o pid=,pgid= -p $$ 2>/dev/null || cut -d' ' -f1,5 /proc/$$/stat", spec);
    int pid = 0, pgid = 0;
    REQUIRE(std::sscanf(out.c_str(), "%d %d", &pid, &pgid) == 2);
    CHECK(pid == pgid);
}

TEST_CASE("the signal mask handed over is installed before exec") {
    sigset_t none;
    sigemptyset(&none);
    sigset_t blocked, old;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &blocked, &old);
    ProcessSpec spec;
    spec.signal_mask = none;
    const std::string out = shell_output("grep SigBlk /proc/self/status", spec);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    CHECK(out == "SigBlk:\t0000000000000000\n");
}

TEST_CASE("a program that cannot be executed is reported with the failed step") {
    ProcessSpec spec;
    spec.program = "/nonexistent/python";
    spec.argv = {"python"};
    const auto spawned = spawn_process(spec);
    CHECK_FALSE(spawned);
    CHECK(spawned.error == ENOENT);
    CHECK(spawned.what == "exec");
    spec.program = "/bin/true";
    spec.cwd = "/nonexistent-dir";
    const auto in_bad_dir = spawn_process(spec);
    CHECK_FALSE(in_bad_dir);
    CHECK(in_bad_dir.what == "chdir");
}

TEST_CASE("running out of file descriptors is said with the limit and how to raise it") {
    CHECK(describe_spawn_error("exec", ENOENT, 20, 4096) == std::string("exec: ") + std::strerror(ENOENT));
    CHECK(describe_spawn_error("dup", EMFILE, 20, 1048576) ==
          "too many open files (dup): the limit is 20 (`ulimit -n`); raise it, e.g. `ulimit -n 4096`");
    CHECK(describe_spawn_error("dup", EMFILE, 20, RLIM_INFINITY).find("`ulimit -n 4096`") != std::string::npos);
    CHECK(describe_spawn_error("pipe", EMFILE, 20, 1000).find("e.g. `ulimit -n 1000`") != std::string::npos);
    CHECK(describe_spawn_error("pipe", EMFILE, 1000, 1000).find("the hard limit (`ulimit -Hn`)") != std::string::npos);
    CHECK(describe_spawn_error("socketpair", ENFILE, 20, 4096).rfind("the system is out of open files (socketpair: ", 0) == 0);
    // a command line or environment too large for exec says what to shorten
    CHECK(describe_spawn_error("exec", E2BIG, 20, 4096).find("shorten large values in [env]") != std::string::npos);
    // with this process's own limit
    CHECK(describe_spawn_error("dup", EMFILE).find("the limit is ") != std::string::npos);
}

TEST_CASE("running out of processes is said with the limit (ulimit -u)") {
    // before: "fork: Resource temporarily unavailable" alone
    CHECK(describe_spawn_error("fork", EAGAIN, 12, RLIM_INFINITY) ==
          std::string("too many processes (fork: ") + std::strerror(EAGAIN) +
              "): this user may run 12 processes and threads (`ulimit -u`), those of all its programs "
              "together: end some, or raise the limit");
    CHECK(describe_spawn_error("exec", EAGAIN, 12, 12).find("the hard limit (`ulimit -Hu`)") != std::string::npos);
    CHECK(describe_spawn_error("fork", EAGAIN, RLIM_INFINITY, RLIM_INFINITY).find("threads-max") != std::string::npos);
    CHECK(describe_spawn_error("fork", ENOMEM, 20, 4096).find("`ulimit -v`") != std::string::npos);
}

TEST_CASE("find_executable searches PATH and makes paths absolute") {
    const auto sh = find_executable("sh");
    REQUIRE(sh);
    CHECK(sh->front() == '/');
    CHECK_FALSE(find_executable("no-such-program-cpy2py"));
    CHECK(find_executable("/bin/sh") == std::optional<std::string>("/bin/sh"));
    CHECK_FALSE(find_executable("/etc/passwd"));  // not executable
}

TEST_CASE("run directory: mode 0700, removed with its content") {
    std::string path;
    {
        RunDir dir = RunDir::create("main.sock");
        path = dir.path();
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        const std::string file = path + "/sock";
        ::close(::open(file.c_str(), O_CREAT | O_WRONLY, 0600));
    }
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);
}

TEST_CASE("random tokens are hex and differ") {
    const auto a = random_token();
    const auto b = random_token();
    CHECK(a.size() == 32);
    CHECK(a != b);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
}
