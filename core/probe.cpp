#include "core/probe.hpp"

#include "core/captured_run.hpp"

#include <sstream>
#include <sys/wait.h>

namespace cpy2py {
namespace {

/// Valid Python 2.7 and 3.x; prints "IMPLEMENTATION VERSION PROTOCOL".
constexpr const char* snippet =
    "import sys, platform, pickle; sys.stdout.write('%s %s %d\\n' % "
    "(platform.python_implementation(), platform.python_version(), pickle.HIGHEST_PROTOCOL))";

ProbeResult parse_answer(const std::string& out) {
    ProbeResult r;
    std::istringstream in(out);
    std::string line, last, location, found_in, reason;
    while (std::getline(in, line)) {
        if (line.rfind("location: ", 0) == 0) location = line.substr(10);
        else if (line.rfind("found: ", 0) == 0) found_in = line.substr(7);
        else if (line.rfind("reason: ", 0) == 0) reason = line.substr(8);
        else if (!line.empty()) last = line;
    }
    std::istringstream fields(last);
    if (fields >> r.implementation >> r.version >> r.pickle_protocol && r.pickle_protocol > 0) {
        r.ok = true;
        r.location = location;
        r.found_in = found_in;
        r.reason = reason;
        return r;
    }
    const std::string said = last_lines(out);
    return ProbeResult{false, "", "", 0,
                       "not a Python interpreter? asked for its implementation and version, it printed " +
                           (said.empty() ? std::string("nothing") : "'" + said + "'")};
}

}  // namespace

ProbeResult probe_interpreter(const std::string& executable, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env,
                              std::chrono::milliseconds timeout) noexcept try {
    std::vector<std::string> argv{executable};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-c", snippet});
    const CapturedRun run = run_captured(argv, merged_environment(env), timeout);
    if (!run.started) return {false, "", "", 0, run.error};
    if (run.timed_out)
        return {false, "", "", 0, "no answer within " + std::to_string(timeout.count() / 1000) + " s (killed)"};
    const int status = run.wait_status;
    std::string what;
    if (WIFSIGNALED(status)) what = "killed by signal " + std::to_string(WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0) what = "exited with status " + std::to_string(WEXITSTATUS(status));
    if (!what.empty()) {
        // a remote stand-in's --check says why on an "error: " line, whole (a remote search
        // lists what it found and where it looked); anything else: the tail of stderr
        std::string tail = last_lines(run.err);
        std::istringstream out(run.out);
        for (std::string line; std::getline(out, line);)
            if (line.rfind("error: ", 0) == 0) tail = line.substr(7);
        return {false, "", "", 0, what + (tail.empty() ? "" : ": " + tail)};
    }
    return parse_answer(run.out);
} catch (...) {
    return {false, "", "", 0, "out of memory while probing"};
}

}  // namespace cpy2py
