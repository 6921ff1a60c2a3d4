#pragma once
// A pass over manifest text before toml++ sees it. toml++ 3.3 reaches
// __builtin_unreachable (undefined behaviour) for some code points (U+FB06-U+FEFE) where it
// expects whitespace; TOML 1.0 allows non-ASCII only inside strings and comments, so any
// non-ASCII character elsewhere is rejected here with its position. Pure logic.
#include <string>
#include <string_view>

namespace cpy2py {

/// Throws ConfigError "PATH:LINE:COLUMN: invalid TOML: character U+XXXX outside a string
/// or comment ..." for the first non-ASCII character outside strings and comments.
void prescan_toml(std::string_view text, const std::string& path);

}  // namespace cpy2py
