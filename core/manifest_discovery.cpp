#include "core/manifest_discovery.hpp"

#include <filesystem>

namespace cpy2py {
namespace fs = std::filesystem;

std::optional<Manifest> discover_manifest(const std::string& cwd) {
    const fs::path start = fs::path(cwd).lexically_normal();
    for (fs::path dir = start;; dir = dir.parent_path()) {
        // Shown as the user would type it: relative in the current directory, else absolute.
        auto shown = [&](const char* name) { return dir == start ? std::string(name) : (dir / name).string(); };
        std::error_code ec;
        if (fs::is_regular_file(dir / "cpy2py.toml", ec)) return load_manifest(shown("cpy2py.toml"), cwd);
        if (fs::is_regular_file(dir / "pyproject.toml", ec)) {
            const std::string path = shown("pyproject.toml");
            auto manifest = parse_pyproject(read_manifest_file(path, dir / "pyproject.toml"), path, dir.string());
            if (manifest) return manifest;
        }
        if (fs::exists(dir / ".git", ec) || dir == dir.root_path() || dir.parent_path() == dir) return std::nullopt;
    }
}

}  // namespace cpy2py
