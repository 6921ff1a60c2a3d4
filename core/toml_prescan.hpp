#pragma once
// A pass over manifest text before toml++ sees it. toml++ 3.3's "is this non-ASCII
// whitespace?" reaches __builtin_unreachable (undefined behaviour) for U+00A1-U+0499,
// U+2D6E-U+3167 and U+FB06-U+FEFE. It asks about every character outside strings and
// comments it looks at, and inside a multi-line basic string about the characters after a
// backslash. TOML 1.0 allows non-ASCII only inside strings and comments, so any non-ASCII
// character elsewhere is rejected here with its position, and so is one right after a
// backslash (and the whitespace a line-ending backslash skips). Pure logic.
#include <string>
#include <string_view>

namespace cpy2py {

/// Throws ConfigError "PATH:LINE:COLUMN: invalid TOML: the character U+XXXX outside a
/// string or comment ..." for the first such character.
void prescan_toml(std::string_view text, const std::string& path);

}  // namespace cpy2py
