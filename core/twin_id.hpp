#pragma once
// Twin ids (docs/DESIGN.md): 1-64 characters from [A-Za-z0-9_.+-].
#include <string_view>

namespace cpy2py {

/// Human-readable form of the rule, for error messages.
inline constexpr std::string_view twin_id_rule = "1-64 characters from A-Z a-z 0-9 _ . + -";

/// True when `id` may name a twin or the main.
inline bool is_valid_twin_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '.' || c == '+' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace cpy2py
