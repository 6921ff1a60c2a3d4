#include "core/interpreter_spec.hpp"

#include <array>
#include <cctype>

namespace cpy2py {
namespace {

constexpr std::array<std::string_view, 2> schemes{"conda:", "pyenv:"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

int to_int(std::string_view digits) {
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    return value;
}

/// Only the written parts of `want` must equal `have`'s.
bool prefix_equal(const PythonVersion& have, const PythonVersion& want) {
    if (want.parts >= 1 && have.major != want.major) return false;
    if (want.parts >= 2 && have.minor != want.minor) return false;
    if (want.parts >= 3 && have.micro != want.micro) return false;
    return true;
}

bool holds(const VersionClause& c, const PythonVersion& v) {
    const int cmp = compare_versions(v, c.version);
    switch (c.op) {
        case VersionClause::Op::eq: return c.prefix ? prefix_equal(v, c.version) : cmp == 0;
        case VersionClause::Op::ne: return c.prefix ? !prefix_equal(v, c.version) : cmp != 0;
        case VersionClause::Op::lt: return cmp < 0;
        case VersionClause::Op::le: return cmp <= 0;
        case VersionClause::Op::gt: return cmp > 0;
        case VersionClause::Op::ge: return cmp >= 0;
        case VersionClause::Op::compatible: {
            // ~=3.8 means >=3.8,==3.*; ~=3.8.1 means >=3.8.1,==3.8.*
            PythonVersion head = c.version;
            head.parts = c.version.parts - 1;
            return cmp >= 0 && prefix_equal(v, head);
        }
    }
    return false;
}

std::string clause_text(const VersionClause& c) {
    const char* op = "";
    switch (c.op) {
        case VersionClause::Op::eq: op = c.prefix ? "" : "=="; break;
        case VersionClause::Op::ne: op = "!="; break;
        case VersionClause::Op::lt: op = "<"; break;
        case VersionClause::Op::le: op = "<="; break;
        case VersionClause::Op::gt: op = ">"; break;
        case VersionClause::Op::ge: op = ">="; break;
        case VersionClause::Op::compatible: op = "~="; break;
    }
    return op + c.version.str() + (c.prefix && c.op == VersionClause::Op::ne ? ".*" : "");
}

/// One range clause ("<3.12", "==3.9.*"); throws std::invalid_argument.
VersionClause parse_clause(std::string_view text, std::string_view whole) {
    text = trim(text);
    static constexpr std::pair<std::string_view, VersionClause::Op> ops[] = {
        {"~=", VersionClause::Op::compatible}, {"==", VersionClause::Op::eq}, {"!=", VersionClause::Op::ne},
        {"<=", VersionClause::Op::le},         {">=", VersionClause::Op::ge}, {"<", VersionClause::Op::lt},
        {">", VersionClause::Op::gt}};
    VersionClause clause;
    bool found = false;
    for (const auto& [symbol, op] : ops) {
        if (text.substr(0, symbol.size()) == symbol) {
            clause.op = op;
            text.remove_prefix(symbol.size());
            found = true;
            break;
        }
    }
    const std::string bad = "'" + std::string(whole) + "' is not a version range (expected e.g. >=3.8,<3.12 or ==3.9.*)";
    if (!found) throw std::invalid_argument(bad);
    text = trim(text);
    if (text.size() > 2 && text.substr(text.size() - 2) == ".*") {
        if (clause.op != VersionClause::Op::eq && clause.op != VersionClause::Op::ne) throw std::invalid_argument(bad);
        clause.prefix = true;
        text.remove_suffix(2);
    }
    const auto version = parse_python_version(text);
    if (!version || version->str() != text) throw std::invalid_argument(bad);
    if (clause.op == VersionClause::Op::compatible && version->parts < 2)
        throw std::invalid_argument("'" + std::string(whole) + "': ~= needs at least two version parts (~=3.8)");
    clause.version = *version;
    return clause;
}

/// A version request, or nullopt when `text` is not one (then it is a command name).
std::optional<VersionRequest> parse_request(std::string_view text) {
    static constexpr std::pair<std::string_view, Implementation> prefixes[] = {
        {"cpython", Implementation::cpython}, {"python", Implementation::any}, {"pypy", Implementation::pypy},
        {"py", Implementation::any},          {"cp", Implementation::cpython}};
    VersionRequest request;
    // implementation names in any case, as uv takes them ("CPython>=3.9", "PyPy3.9")
    std::string lowered(text);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view rest = lowered;
    std::string_view prefix;
    for (const auto& [name, impl] : prefixes) {
        if (rest.substr(0, name.size()) == name) {
            prefix = name;
            request.implementation = impl;
            rest.remove_prefix(name.size());
            break;
        }
    }
    bool command_prefix = (prefix == "python" || prefix == "pypy") && lowered == text;
    if (!prefix.empty() && rest.size() > 1 && (rest.front() == '@' || rest.front() == '-') &&
        std::isdigit(static_cast<unsigned char>(rest[1]))) {
        // uv's forms: "cpython@3.12", "pypy@3.10", and its installation keys
        // "cpython-3.12.3-linux-x86_64-gnu" (what follows the version is the platform)
        const bool key = rest.front() == '-';
        rest.remove_prefix(1);
        if (key) rest = rest.substr(0, rest.find('-'));
        command_prefix = false;
    } else if (!prefix.empty() && rest.size() > 1 && rest.front() == '@') {
        rest.remove_prefix(1);  // "cpython@>=3.9"
        command_prefix = false;
    }
    if (rest.size() > 2 && rest.substr(rest.size() - 2) == ".*" &&
        rest.find_first_not_of("0123456789.*") == std::string_view::npos) {
        rest.remove_suffix(2);  // "3.11.*": any 3.11, as "==3.11.*" and "3.11" are
        command_prefix = false;
    }
    if (rest.empty()) {
        if (prefix.empty()) return std::nullopt;
        request.command_form = command_prefix;
        return request;
    }
    if (std::string_view("<>=!~").find(rest.front()) != std::string_view::npos) {
        std::size_t start = 0;
        while (start <= rest.size()) {
            auto comma = rest.find(',', start);
            if (comma == std::string_view::npos) comma = rest.size();
            request.clauses.push_back(parse_clause(rest.substr(start, comma - start), text));
            start = comma + 1;
        }
        return request;
    }
    if (rest.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
    VersionClause clause;
    clause.prefix = true;
    if (rest.find('.') != std::string_view::npos) {
        auto version = parse_python_version(rest);
        if (!version || version->str() != rest) return std::nullopt;  // "3..8", "3.8.", leading zeros
        clause.version = *version;
        request.command_form = command_prefix;
    } else if (rest.size() == 1) {
        clause.version = PythonVersion{to_int(rest), 0, 0, 1};
        request.command_form = command_prefix;
    } else if (rest.size() <= 3) {  // compact: 27, 39, 313
        clause.version = PythonVersion{rest[0] - '0', to_int(rest.substr(1)), 0, 2};
    } else {
        return std::nullopt;
    }
    request.clauses.push_back(clause);
    return request;
}

}  // namespace

std::string PythonVersion::str() const {
    std::string out = std::to_string(major);
    if (parts >= 2) out += "." + std::to_string(minor);
    if (parts >= 3) out += "." + std::to_string(micro);
    return out;
}

std::optional<PythonVersion> parse_python_version(std::string_view text) {
    PythonVersion v;
    int* fields[3] = {&v.major, &v.minor, &v.micro};
    std::size_t pos = 0;
    for (;;) {
        std::size_t end = pos;
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        if (end == pos || end - pos > 4) return std::nullopt;
        *fields[v.parts++] = to_int(text.substr(pos, end - pos));
        // A pre-release or build tag may follow the last number ("3.13.0rc1", "3.12.1+").
        if (v.parts == 3 || end == text.size() || text[end] != '.') return v;
        pos = end + 1;
    }
}

int compare_versions(const PythonVersion& a, const PythonVersion& b) {
    if (a.major != b.major) return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
    if (a.micro != b.micro) return a.micro < b.micro ? -1 : 1;
    return 0;
}

bool VersionRequest::accepts(std::string_view impl, const PythonVersion& version) const {
    if (implementation == Implementation::cpython && impl != "CPython") return false;
    if (implementation == Implementation::pypy && impl != "PyPy") return false;
    for (const auto& clause : clauses)
        if (!holds(clause, version)) return false;
    return true;
}

std::string VersionRequest::describe() const {
    std::string out = implementation == Implementation::cpython ? "CPython"
                      : implementation == Implementation::pypy  ? "PyPy"
                                                                 : "Python (any implementation)";
    std::string versions;
    for (const auto& c : clauses) versions += (versions.empty() ? "" : ",") + clause_text(c);
    return out + " " + (versions.empty() ? "of any version" : versions);
}

InterpreterSpec parse_interpreter_spec(std::string_view text) {
    InterpreterSpec spec;
    spec.text = std::string(text);
    for (auto scheme : schemes) {
        if (text.substr(0, scheme.size()) != scheme) continue;
        spec.kind = scheme == "conda:" ? InterpreterSpec::Kind::conda : InterpreterSpec::Kind::pyenv;
        spec.value = std::string(text.substr(scheme.size()));
        if (spec.value.empty())
            throw std::invalid_argument("'" + spec.text + "' names no " +
                                        (spec.kind == InterpreterSpec::Kind::conda ? "environment (conda:ENV)"
                                                                                   : "version (pyenv:VERSION)"));
        if (spec.value.find(':') != std::string::npos)
            throw std::invalid_argument("'" + spec.text + "': " + std::string(scheme) +
                                        " takes no :VENV (the environment has its own packages)");
        return spec;
    }
    spec.value = spec.text;
    if (text.find('/') != std::string_view::npos) {
        spec.kind = InterpreterSpec::Kind::path;
        return spec;
    }
    if (auto request = parse_request(text)) {
        spec.kind = InterpreterSpec::Kind::version;
        spec.request = std::move(*request);
    }
    return spec;
}

std::size_t venv_separator(std::string_view spec) {
    for (auto scheme : schemes)
        if (spec.substr(0, scheme.size()) == scheme) return std::string_view::npos;
    return spec.find(':');
}

}  // namespace cpy2py
