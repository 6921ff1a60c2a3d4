#pragma once
// Call statistics (docs/DESIGN.md, "Call statistics"): with CPY2PY_STATS=1 every Python
// process sends one "STATS <json>" control line before it exits; the supervisor merges them
// per target twin and prints a table at exit. Pure logic.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cpy2py {

/// What every caller reported about calls into one twin, added up.
struct TargetStats {
    std::uint64_t calls = 0;
    std::uint64_t errors = 0;                    ///< calls that raised
    std::uint64_t bytes_out = 0;                 ///< sent to the twin (requests)
    std::uint64_t bytes_in = 0;                  ///< received from it (replies)
    std::map<double, std::uint64_t> histogram;   ///< latency bucket upper bound in µs -> calls
};

class CallStats {
public:
    /// Merges the JSON of one STATS line: {"id": "...", "calls": {"<target>": {"calls": N,
    /// "errors": N, "bytes_out": N, "bytes_in": N, "hist": {"<µs>": N, ...}}}}. Missing
    /// counters count as 0. False, and nothing merged, when it has another shape.
    bool merge(std::string_view json);

    const std::map<std::string, TargetStats>& targets() const noexcept { return targets_; }

    /// The upper bound (µs) of the bucket that holds quantile `q` (0 < q <= 1) of the calls;
    /// nullopt for an empty histogram.
    static std::optional<double> quantile(const std::map<double, std::uint64_t>& histogram, double q);

    /// The exit table: one row per twin of `restarts` (twin id -> restarts), called or not,
    /// and one per other target that got calls (the main), restarts shown as "-".
    std::string table(const std::map<std::string, int>& restarts) const;

private:
    std::map<std::string, TargetStats> targets_;  ///< by target id
};

/// True when the environment asks for statistics: CPY2PY_STATS set, not empty and not "0".
bool stats_requested(const char* cpy2py_stats) noexcept;

}  // namespace cpy2py
