#include "core/remote_interpreter.hpp"

#include "core/error.hpp"
#include "core/remote_twin.hpp"

namespace cpy2py {
namespace {

const char* op_text(VersionClause::Op op) {
    switch (op) {
        case VersionClause::Op::eq: return "==";
        case VersionClause::Op::ne: return "!=";
        case VersionClause::Op::lt: return "<";
        case VersionClause::Op::le: return "<=";
        case VersionClause::Op::gt: return ">";
        case VersionClause::Op::ge: return ">=";
        case VersionClause::Op::compatible: return "~=";
    }
    return "?";
}

const char* implementation_text(Implementation implementation) {
    switch (implementation) {
        case Implementation::cpython: return "CPython";
        case Implementation::pypy: return "PyPy";
        case Implementation::any: break;
    }
    return "any";
}

std::string clause_json(const VersionClause& c) {
    const PythonVersion& v = c.version;
    return std::string("{\"op\":\"") + op_text(c.op) + "\",\"version\":[" + std::to_string(v.major) + "," +
           std::to_string(v.minor) + "," + std::to_string(v.micro) + "],\"parts\":" + std::to_string(v.parts) +
           ",\"prefix\":" + (c.prefix ? "true" : "false") + "}";
}

/// The command of a request that names one version or a command (`python3`, `3.11`, `py27`,
/// `pypy39`); empty for a range (written with an operator) or several clauses.
std::string version_command(const InterpreterSpec& spec) {
    const VersionRequest& request = spec.request;
    if (request.command_form) return spec.text;  // python3, pypy3.9: already a command
    const std::string program = request.implementation == Implementation::pypy ? "pypy" : "python";
    if (request.clauses.empty()) return program + "3";
    const VersionClause& clause = request.clauses.front();
    const bool written_as_range = spec.text.find_first_of("<>=!~") != std::string::npos;
    if (written_as_range || request.clauses.size() != 1 || clause.op != VersionClause::Op::eq || !clause.prefix)
        return "";
    return program + clause.version.str();
}

}  // namespace

std::string search_json(const InterpreterSpec& spec) {
    const char* kind = spec.kind == InterpreterSpec::Kind::conda   ? "conda"
                       : spec.kind == InterpreterSpec::Kind::pyenv ? "pyenv"
                                                                   : "version";
    std::string clauses = "[";
    for (const auto& c : spec.request.clauses) clauses += (clauses.size() > 1 ? "," : "") + clause_json(c);
    clauses += "]";
    return "{\"text\":" + json_string(spec.text) + ",\"kind\":\"" + kind + "\",\"value\":" + json_string(spec.value) +
           ",\"implementation\":\"" + implementation_text(spec.request.implementation) + "\",\"clauses\":" + clauses +
           ",\"describe\":" + json_string(spec.kind == InterpreterSpec::Kind::version ? spec.request.describe() : "") +
           "}";
}

RemoteInterpreter remote_interpreter(const std::string& interpreter, bool with_venv, const std::string& shown) {
    InterpreterSpec spec;
    try {
        spec = parse_interpreter_spec(interpreter);
    } catch (const std::invalid_argument& e) {
        throw UsageError(shown + ": " + e.what());
    }
    if (spec.kind == InterpreterSpec::Kind::name || spec.kind == InterpreterSpec::Kind::path) return {interpreter, ""};
    if (spec.kind == InterpreterSpec::Kind::version) {
        if (std::string command = version_command(spec); !command.empty()) return {command, ""};
    }
    if (with_venv)
        throw UsageError(shown + ": interpreter '" + interpreter +
                         "' is searched on its host, but with a venv the interpreter is a name in VENV/bin "
                         "(e.g. python3); drop the venv or name the command");
    return {"", search_json(spec)};
}

}  // namespace cpy2py
