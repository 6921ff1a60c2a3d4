#pragma once
// Environment variables as a map: what the interpreter search reads instead of getenv(), so
// tests can hand it a made-up environment.
#include <map>
#include <string>
#include <unistd.h>  // environ (g++ defines _GNU_SOURCE)

namespace cpy2py {

using Variables = std::map<std::string, std::string>;

/// The value of `name`; empty when unset.
inline std::string variable(const Variables& vars, const std::string& name) {
    auto found = vars.find(name);
    return found == vars.end() ? std::string() : found->second;
}

/// This process's environment.
inline Variables current_variables() {
    Variables vars;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos) vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    return vars;
}

}  // namespace cpy2py
