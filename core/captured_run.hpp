#pragma once
// Runs a short-lived program with stdin from /dev/null and both output streams captured
// (--check uses it to probe interpreters and to check a script's imports in each twin).
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace cpy2py {

/// How a captured run ended.
struct CapturedRun {
    bool started = false;    ///< the program was executed; `error` says why not otherwise
    bool timed_out = false;  ///< killed because it did not finish in time
    int wait_status = 0;     ///< raw waitpid() status; valid when started and not timed out
    std::string out;         ///< stdout (first 64 KiB)
    std::string err;         ///< stderr (first 64 KiB)
    std::string error;       ///< why it could not be started
};

/// Runs `argv` (argv[0] is the executable) with environment `env` ("NAME=value") in a
/// process group of its own, killing that group after `timeout`. Never throws.
CapturedRun run_captured(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         std::chrono::milliseconds timeout) noexcept;

/// This process's environment with `extra` set on top, as "NAME=value" entries.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra);

/// The end of `text` (at most `max_chars`) on one line, whitespace runs squeezed.
std::string last_lines(const std::string& text, std::size_t max_chars = 400);

}  // namespace cpy2py
