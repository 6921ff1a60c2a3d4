#pragma once
// A pass over manifest text before toml++ sees it, for clear errors: TOML 1.0 allows
// non-ASCII characters only inside strings and comments, and no control characters but tab
// and line ends; toml++'s own messages for these are less clear. It need not find every
// place where toml++ meets a non-ASCII character: those toml++ 3.3 cannot classify are
// swapped away before it parses (core/toml_code_point_swap.hpp).
// Pure logic.
#include <string>
#include <string_view>

namespace cpy2py {

/// Throws ConfigError "PATH:LINE:COLUMN: invalid TOML: the character U+XXXX outside a
/// string or comment ..." for the first such character.
void prescan_toml(std::string_view text, const std::string& path);

}  // namespace cpy2py
