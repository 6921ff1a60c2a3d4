#include "core/call_stats.hpp"

#include "core/json.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <vector>

namespace cpy2py {
namespace {

/// A counter: a non-negative integer no larger than 2^53 (exact in a double).
bool counter(const JsonValue* value, std::uint64_t& out) {
    if (value == nullptr) {
        out = 0;
        return true;
    }
    if (value->kind != JsonValue::Kind::number) return false;
    const double n = value->number;
    if (n < 0 || n > 9007199254740992.0 || std::floor(n) != n) return false;
    out = static_cast<std::uint64_t>(n);
    return true;
}

bool bucket_bound(const std::string& key, double& out) {
    const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), out);
    return ec == std::errc{} && ptr == key.data() + key.size() && std::isfinite(out) && out >= 0;
}

bool read_target(const JsonValue& value, TargetStats& out) {
    if (value.kind != JsonValue::Kind::object) return false;
    if (!counter(value.get("calls"), out.calls) || !counter(value.get("errors"), out.errors) ||
        !counter(value.get("bytes_out"), out.bytes_out) || !counter(value.get("bytes_in"), out.bytes_in)) {
        return false;
    }
    const JsonValue* hist = value.get("hist");
    if (hist == nullptr) return true;
    if (hist->kind != JsonValue::Kind::object) return false;
    for (const auto& [key, count] : hist->members) {
        double bound = 0;
        std::uint64_t n = 0;
        if (!bucket_bound(key, bound) || !counter(&count, n)) return false;
        out.histogram[bound] += n;
    }
    return true;
}

std::string latency(const std::map<double, std::uint64_t>& histogram, double q) {
    const auto bound = CallStats::quantile(histogram, q);
    return bound ? fmt::format("{:.0f}", *bound) : "-";
}

}  // namespace

bool CallStats::merge(std::string_view json) {
    const auto doc = parse_json(json);
    if (!doc || doc->kind != JsonValue::Kind::object) return false;
    const JsonValue* id = doc->get("id");
    const JsonValue* calls = doc->get("calls");
    if (id == nullptr || id->kind != JsonValue::Kind::string) return false;
    if (calls == nullptr || calls->kind != JsonValue::Kind::object) return false;
    std::vector<std::pair<std::string, TargetStats>> parsed;
    for (const auto& [target, value] : calls->members) {
        TargetStats stats;
        if (!read_target(value, stats)) return false;
        parsed.emplace_back(target, std::move(stats));
    }
    for (auto& [target, stats] : parsed) {
        TargetStats& total = targets_[target];
        total.calls += stats.calls;
        total.errors += stats.errors;
        total.bytes_out += stats.bytes_out;
        total.bytes_in += stats.bytes_in;
        for (const auto& [bound, n] : stats.histogram) total.histogram[bound] += n;
    }
    return true;
}

std::optional<double> CallStats::quantile(const std::map<double, std::uint64_t>& histogram, double q) {
    std::uint64_t total = 0;
    for (const auto& [bound, n] : histogram) total += n;
    if (total == 0) return std::nullopt;
    // The smallest bucket whose cumulative count reaches q of all calls.
    const double wanted = std::ceil(q * static_cast<double>(total));
    std::uint64_t seen = 0;
    for (const auto& [bound, n] : histogram) {
        seen += n;
        if (static_cast<double>(seen) >= wanted) return bound;
    }
    return histogram.rbegin()->first;
}

std::string CallStats::table(const std::map<std::string, int>& restarts) const {
    std::map<std::string, std::string> rows;  // sorted by twin id
    const auto row = [&](const std::string& id, const TargetStats& s, const std::string& restarted) {
        return fmt::format("{:<16} {:>10} {:>8} {:>9} {:>9} {:>12} {:>12} {:>8}\n", id, s.calls, s.errors,
                           latency(s.histogram, 0.5), latency(s.histogram, 0.99), s.bytes_out, s.bytes_in,
                           restarted);
    };
    static const TargetStats none;
    for (const auto& [id, count] : restarts) {
        const auto found = targets_.find(id);
        rows[id] = row(id, found == targets_.end() ? none : found->second, std::to_string(count));
    }
    for (const auto& [id, stats] : targets_) {
        if (!restarts.count(id)) rows[id] = row(id, stats, "-");
    }
    std::string out = "cpy2py-run: calls per twin (latency in µs: upper bound of the histogram bucket)\n";
    out += fmt::format("{:<16} {:>10} {:>8} {:>9} {:>9} {:>12} {:>12} {:>8}\n", "twin", "calls", "errors", "p50",
                       "p99", "bytes out", "bytes in", "restarts");
    for (const auto& [id, text] : rows) out += text;
    return out;
}

bool stats_requested(const char* cpy2py_stats) noexcept {
    return cpy2py_stats != nullptr && *cpy2py_stats != '\0' && std::string_view(cpy2py_stats) != "0";
}

}  // namespace cpy2py
