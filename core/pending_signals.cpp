#include "core/pending_signals.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace cpy2py {
namespace {

/// Whether the hex mask after `field` ("ShdPnd:\t0000000000004000") has bit sig-1 set.
bool mask_has(std::string_view status, std::string_view field, int sig) {
    const auto at = status.find(field);
    if (at == std::string_view::npos || sig < 1 || sig > 64) return false;
    auto rest = status.substr(at + field.size());
    const auto start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) return false;
    rest = rest.substr(start);
    unsigned long long mask = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), mask, 16);
    if (ec != std::errc{}) return false;
    return ((mask >> (sig - 1)) & 1ULL) != 0;
}

}  // namespace

bool status_shows_pending(std::string_view status, int sig) {
    return mask_has(status, "\nShdPnd:", sig) || mask_has(status, "\nSigPnd:", sig);
}

bool signal_pending(pid_t pid, int sig) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    if (!in) return false;
    std::ostringstream text;
    text << '\n' << in.rdbuf();
    return status_shows_pending(text.str(), sig);
}

}  // namespace cpy2py
