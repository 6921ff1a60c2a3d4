#include "core/interpreter.hpp"

#include "core/error.hpp"
#include "core/interpreter_search.hpp"
#include "core/interpreter_spec.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

/// The search path execvp uses when PATH is unset.
constexpr std::string_view default_path_env = "/usr/local/bin:/usr/bin:/bin";

bool is_dir(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

fs::path absolute_from(const std::string& base_dir, std::string_view p) {
    fs::path path{std::string(p)};
    if (path.is_relative()) path = fs::path(base_dir) / path;
    return path.lexically_normal();
}

/// Why `p` is not an executable file, for messages ("does not exist", "is a directory", ...).
std::string why_not_executable(const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return "does not exist";
    if (S_ISDIR(st.st_mode)) return "is a directory";
    if (!S_ISREG(st.st_mode)) return "is not a regular file";
    return "is not executable";
}

Interpreter resolve_in_venv(const InterpreterRequest& request) {
    const std::string name = request.interpreter.empty() ? "python" : request.interpreter;
    if (name.find('/') != std::string::npos)
        throw NotFoundError("interpreter '" + name + "' must be a plain name when a venv is given (it is looked up in VENV/bin)");
    const fs::path venv = absolute_from(request.base_dir, request.venv);
    if (!is_dir(venv))
        throw NotFoundError("venv '" + request.venv + "' not found (no directory " + venv.string() + ")");
    const fs::path candidate = venv / "bin" / name;
    if (!is_executable_file(candidate)) {
        std::string hint = is_dir(venv / "bin") ? "" : "; is it a virtualenv?";
        throw NotFoundError(name + " not found in venv '" + request.venv + "' (looked for " + candidate.string() + ": " +
                            why_not_executable(candidate) + hint + ")");
    }
    return Interpreter{describe(request), candidate.string(), venv.string(), "venv", "", "", ""};
}

}  // namespace

bool is_executable_file(const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

std::string describe(const InterpreterRequest& request) {
    return request.venv.empty() ? request.interpreter : request.interpreter + ":" + request.venv;
}

InterpreterRequest split_interpreter_spec(std::string_view spec, std::string base_dir) {
    InterpreterRequest request;
    request.base_dir = std::move(base_dir);
    const auto colon = venv_separator(spec);
    request.interpreter = std::string(spec.substr(0, colon));
    if (colon != std::string_view::npos) request.venv = std::string(spec.substr(colon + 1));
    return request;
}

std::vector<std::filesystem::path> path_directories(std::string_view path_env) {
    std::vector<fs::path> dirs;
    std::size_t start = 0;
    while (start <= path_env.size()) {
        auto end = path_env.find(':', start);
        if (end == std::string_view::npos) end = path_env.size();
        // POSIX: an empty PATH entry is the current directory
        dirs.push_back(end == start ? fs::path(".") : fs::path(path_env.substr(start, end - start)));
        start = end + 1;
    }
    return dirs;
}

std::optional<std::string> find_on_path(std::string_view name, std::string_view path_env) {
    for (const auto& dir : path_directories(path_env)) {
        const fs::path candidate = dir / std::string(name);
        if (is_executable_file(candidate)) {
            std::error_code ec;
            const fs::path abs = fs::absolute(candidate, ec);
            return (ec ? candidate : abs).lexically_normal().string();
        }
    }
    return std::nullopt;
}

std::string searched_path(std::string_view path_env) {
    if (!path_env.empty()) return std::string(path_env);
    return "nothing: PATH is empty; set PATH, or name the interpreter by its path, e.g. /usr/bin/python3";
}

Interpreter resolve_interpreter(const InterpreterRequest& request, std::string_view path_env) {
    if (!request.venv.empty()) return resolve_in_venv(request);
    if (request.interpreter.empty()) throw NotFoundError("no interpreter given (expected INTERPRETER[:VENV])");

    if (request.interpreter.find('/') == std::string::npos) {
        if (auto found = find_on_path(request.interpreter, path_env))
            return Interpreter{describe(request), *found, "", "PATH", "", "", ""};
        throw NotFoundError(request.interpreter + " not found on PATH (searched: " + searched_path(path_env) + ")");
    }

    const fs::path path = absolute_from(request.base_dir, request.interpreter);
    if (is_dir(path)) {
        InterpreterRequest as_venv{"", request.interpreter, request.base_dir};
        Interpreter venv = resolve_in_venv(as_venv);
        venv.requested = request.interpreter;
        return venv;
    }
    if (!is_executable_file(path))
        throw NotFoundError("interpreter '" + request.interpreter + "' not usable (" + path.string() + " " +
                            why_not_executable(path) + ")");
    return Interpreter{describe(request), path.string(), "", "path", "", "", ""};
}

Interpreter resolve_interpreter(const InterpreterRequest& request, InterpreterFinder& finder) {
    if (!request.venv.empty()) return resolve_interpreter(request, finder.places().path_env);
    InterpreterSpec spec;
    try {
        spec = parse_interpreter_spec(request.interpreter);
    } catch (const std::invalid_argument& e) {
        throw NotFoundError(e.what());
    }
    switch (spec.kind) {
        case InterpreterSpec::Kind::name:
        case InterpreterSpec::Kind::path: return resolve_interpreter(request, finder.places().path_env);
        default: return finder.find(spec, request.base_dir);
    }
}

std::string current_path_env() {
    const char* path = std::getenv("PATH");
    return path ? std::string(path) : std::string(default_path_env);
}

}  // namespace cpy2py
