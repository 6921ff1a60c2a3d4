#pragma once
// Runs an interpreter once with a tiny -c snippet to learn what it is (used by --check).
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace cpy2py {

/// What an interpreter said about itself, or why it could not say.
struct ProbeResult {
    bool ok = false;             ///< the snippet ran and printed a well-formed answer
    std::string implementation;  ///< "CPython", "PyPy", ...; empty unless ok
    std::string version;         ///< "3.11.7"; empty unless ok
    int pickle_protocol = 0;     ///< pickle.HIGHEST_PROTOCOL; 0 unless ok
    std::string error;           ///< why not ok: exit status and the tail of stderr (or an "error: ..." line); empty when ok
    std::string location = {};   ///< from a "location: ..." line (remote twins: host:path), else empty
    std::string found_in = {};   ///< from a "found: ..." line (a remote search: "pyenv 3.12.1"), else empty
    std::string reason = {};     ///< from a "reason: ..." line (a remote search: why it won), else empty
};

/// Runs `executable args... -c <snippet>` with this process's environment plus `env`,
/// stdin from /dev/null, killing it after `timeout`. Never throws.
ProbeResult probe_interpreter(const std::string& executable, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) noexcept;

}  // namespace cpy2py
