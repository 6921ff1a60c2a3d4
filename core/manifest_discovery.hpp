#pragma once
// Which manifest a run uses when none is named on the command line, by the conventions of
// pytest, ruff and mypy: from the current directory upward, the first directory that holds
// cpy2py.toml, or a pyproject.toml with a [tool.cpy2py] table, wins; cpy2py.toml beats
// pyproject.toml in the same directory; a pyproject.toml without the table is ignored; the
// search stops at the repository root (a directory with .git) or at /. Files are never merged.
#include "core/manifest.hpp"

#include <optional>
#include <string>

namespace cpy2py {

/// The manifest found from `cwd` (absolute) upward, parsed; nullopt when there is none.
/// Its path is "cpy2py.toml"/"pyproject.toml" when found in `cwd` itself, else absolute.
/// Throws ConfigError for a bad file on the way (also a pyproject.toml that is not valid TOML).
std::optional<Manifest> discover_manifest(const std::string& cwd);

}  // namespace cpy2py
