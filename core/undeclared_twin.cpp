#include "core/undeclared_twin.hpp"

#include "core/error.hpp"
#include "core/interpreter.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cpy2py {

std::vector<std::string> undeclared_twin_candidates(std::string_view id, std::string_view requested) {
    std::vector<std::string> out{std::string(requested.empty() ? id : requested)};
    if (out.front() == "pypy") out.emplace_back("pypy3");
    return out;
}

UndeclaredResolution resolve_undeclared_twin(const std::vector<std::string>& candidates, InterpreterFinder& finder,
                                             const std::string& base_dir) {
    UndeclaredResolution resolution;
    for (const auto& candidate : candidates) {
        try {
            resolution.found = resolve_interpreter(InterpreterRequest{candidate, "", base_dir}, finder);
            return resolution;
        } catch (const NotFoundError& e) {
            resolution.why_not.emplace_back(e.what());
        }
    }
    return resolution;
}

std::string undeclared_twin_message(std::string_view id, const std::vector<std::string>& candidates,
                                    const std::vector<std::string>& declared, std::string_view path_env,
                                    const std::vector<std::string>& why_not) {
    std::string looked;
    for (const auto& name : candidates) {
        if (!looked.empty()) looked += " or ";
        looked += "'" + name + "'";
    }
    const bool by_path = !candidates.empty() && candidates.front().find('/') != std::string::npos;
    std::string where = by_path ? "" : fmt::format(" on PATH ({})", path_env);
    // A plain name missing from PATH says no more than the line above: only the search's
    // findings (a shim that does not run, what exists instead) are worth adding.
    const bool only_missing = std::all_of(why_not.begin(), why_not.end(), [](const std::string& reason) {
        return reason.find(" not found on PATH (searched: ") != std::string::npos &&
               reason.find("no interpreter found matches") == std::string::npos;
    });
    if (!why_not.empty() && !only_missing) {
        where = " (";
        for (std::size_t i = 0; i < why_not.size(); ++i) where += (i ? "; " : "") + why_not[i];
        where += ")";
    }
    std::string message =
        fmt::format("cannot start twin '{}': it is not declared, and no interpreter {} was found{}", id, looked, where);
    if (declared.empty()) {
        message += ". No twins are declared";
    } else {
        std::string ids;
        for (const auto& d : declared) ids += (ids.empty() ? "'" : ", '") + d + "'";
        message += ". Declared twins: " + ids;
    }
    message += fmt::format(
        ". Declare it on the command line with --twin {0}=INTERPRETER (e.g. --twin {0}=pypy3), or in cpy2py.toml "
        "with a [twins.{0}] table (interpreter = \"pypy3\")",
        id);
    return message;
}

}  // namespace cpy2py
