#pragma once
// Manifest text to a toml++ table, with toml++ 3.3's undefined behaviour kept away: the
// pre-scan (core/toml_prescan.hpp) gives clear errors for what TOML never allows, and the
// code point swap (core/toml_code_point_swap.hpp) hides the characters toml++ cannot
// classify, wherever they are, and restores them in every key and string of the result.
#include <toml++/toml.h>

#include <string>
#include <string_view>

namespace cpy2py {

/// Throws ConfigError "PATH:LINE:COLUMN: invalid TOML: ..." for text that is not TOML.
toml::table parse_toml(std::string_view text, const std::string& path);

}  // namespace cpy2py
