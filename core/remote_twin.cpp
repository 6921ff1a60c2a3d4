#include "core/remote_twin.hpp"

#include "core/error.hpp"
#include "core/interpreter_spec.hpp"
#include "core/remote_interpreter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace cpy2py {
namespace {

constexpr std::string_view kScheme = "ssh://";

std::string json_strings(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& item : items) out += (out.size() > 1 ? "," : "") + json_string(item);
    return out + "]";
}

std::string json_map(const std::map<std::string, std::string>& items) {
    std::string out = "{";
    for (const auto& [name, value] : items) out += (out.size() > 1 ? "," : "") + json_string(name) + ":" + json_string(value);
    return out + "}";
}

std::string seconds(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

}  // namespace

bool is_ssh_url(std::string_view text) {
    // URL schemes are case-insensitive: "SSH://host/python3" is no local path to a venv
    if (text.size() < kScheme.size()) return false;
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != kScheme[i]) return false;
    return true;
}

RemoteSpec parse_ssh_url(std::string_view url, const std::string& shown) {
    const std::string expected = ": expected ssh://[USER@]HOST[:PORT]/INTERPRETER[:VENV], e.g. ssh://box/python3";
    if (!is_ssh_url(url)) throw UsageError(shown + expected);
    std::string_view rest = url.substr(kScheme.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) throw UsageError(shown + ": missing '/' after the host" + expected);
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = rest.substr(slash + 1);

    RemoteSpec remote;
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        remote.user = std::string(authority.substr(0, at));
        authority = authority.substr(at + 1);
        if (remote.user.empty()) throw UsageError(shown + ": empty user before '@'" + expected);
        if (remote.user.find('@') != std::string::npos)
            throw UsageError(shown + ": more than one '@' before the host" + expected);
    }
    std::string_view host = authority;
    std::string_view port;
    bool has_port = false;  // ":" after the host; the colons of "[::1]" are the host's own
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
        const auto close = authority.find(']');
        if (close == std::string_view::npos) throw UsageError(shown + ": unterminated '[' in the host" + expected);
        host = authority.substr(1, close - 1);
        const auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw UsageError(shown + ": unexpected text after ']'" + expected);
            port = after.substr(1);
            has_port = true;
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        has_port = true;
    }
    if (host.empty()) throw UsageError(shown + ": missing HOST" + expected);
    if (host.front() == '-') throw UsageError(shown + ": a host must not start with '-'");
    remote.destination = std::string(host);
    if (has_port) {
        int value = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535)
            throw UsageError(shown + ": port must be a number from 1 to 65535, not '" + std::string(port) + "'");
        remote.port = value;
    }
    // INTERPRETER[:VENV]: "/usr/bin/python3" (from "//usr/bin/python3") stays absolute;
    // conda:ENV and pyenv:VERSION are whole
    const auto colon = venv_separator(path);
    std::string interpreter(path.substr(0, colon));
    if (colon != std::string_view::npos) {
        remote.venv = std::string(path.substr(colon + 1));
        if (remote.venv.empty()) throw UsageError(shown + ": empty VENV after ':'" + expected);
        if (interpreter.find('/') != std::string::npos)
            throw UsageError(shown + ": INTERPRETER must be a plain name when VENV is given (it is looked up in VENV/bin)");
        if (interpreter.empty()) interpreter = "python";
    }
    remote.interpreter = interpreter.empty() ? "python3" : interpreter;
    return remote;
}

std::optional<std::vector<std::string>> shell_split(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else if (c == '\'') {
            const auto end = text.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            word += text.substr(i + 1, end - i - 1);
            i = end;
            in_word = true;
        } else if (c == '"') {
            ++i;
            for (; i < text.size() && text[i] != '"'; ++i) {
                if (text[i] == '\\' && i + 1 < text.size() && std::string_view("\"\\$`\n").find(text[i + 1]) != std::string_view::npos) ++i;
                word += text[i];
            }
            if (i >= text.size()) return std::nullopt;
            in_word = true;
        } else if (c == '\\') {
            if (i + 1 >= text.size()) return std::nullopt;
            word += text[++i];
            in_word = true;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

std::vector<std::string> ssh_command(const RemoteSpec& remote, const std::optional<std::string>& ssh_command_env) {
    std::vector<std::string> argv;
    if (ssh_command_env) {
        auto words = shell_split(*ssh_command_env);
        if (!words) throw UsageError("CPY2PY_SSH_COMMAND='" + *ssh_command_env + "': unterminated quote");
        argv = std::move(*words);
    }
    if (argv.empty()) argv = {"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
    argv.emplace_back("-T");  // never a pty: it would translate the bytes of the stream
    argv.insert(argv.end(), remote.ssh_options.begin(), remote.ssh_options.end());
    if (remote.port != 0) argv.insert(argv.end(), {"-p", std::to_string(remote.port)});
    if (!remote.user.empty()) argv.insert(argv.end(), {"-l", remote.user});
    if (remote.destination.empty() || remote.destination.front() == '-')
        throw UsageError("ssh destination '" + remote.destination + "' must not be empty or start with '-'");
    argv.push_back(remote.destination);
    return argv;
}

void finish_remote_twins(LaunchPlan& plan, const std::optional<std::string>& ssh_command_env) {
    std::vector<std::vector<std::string>> links;
    for (auto& twin : plan.twins) {
        if (!twin.remote) continue;
        RemoteSpec& remote = *twin.remote;
        remote.ssh_argv = ssh_command(remote, ssh_command_env);
        const auto found = std::find(links.begin(), links.end(), remote.ssh_argv);
        remote.link = static_cast<int>(found - links.begin());
        if (found == links.end()) links.push_back(remote.ssh_argv);
        remote.standin_script = plan.bootstrap_dir + "/cpy2py_remote.py";
        if (!twin.args.empty()) {
            remote.args.insert(remote.args.end(), twin.args.begin(), twin.args.end());
            twin.args.clear();  // they belong to the remote interpreter, not to the stand-in
        }
        twin.interpreter.requested = describe_remote(remote);
        twin.interpreter.path = plan.main.interpreter.path;
        twin.interpreter.venv.clear();
    }
    for (auto& twin : plan.twins) {
        if (!twin.remote) continue;
        RemoteSpec& remote = *twin.remote;
        const RemoteInterpreter found = remote_interpreter(remote.interpreter, !remote.venv.empty(), "twin '" + twin.id + "'");
        std::vector<std::string> here, elsewhere{plan.main.id};
        for (const auto& other : plan.twins)
            (other.remote && other.remote->link == remote.link ? here : elsewhere).push_back(other.id);
        remote.standin_config =
            "{\"id\":" + json_string(twin.id) +
            ",\"link\":" + json_string(std::to_string(remote.link)) +
            ",\"host\":" + json_string(remote.destination) +
            ",\"ssh\":" + json_strings(remote.ssh_argv) +
            ",\"interpreter\":" + json_string(found.command) +
            ",\"search\":" + (found.search.empty() ? "null" : found.search) +
            ",\"venv\":" + json_string(remote.venv) +
            ",\"args\":" + json_strings(remote.args) +
            ",\"env\":" + json_map(twin.env) +
            ",\"heartbeat\":" + seconds(remote.heartbeat_timeout) +
            ",\"connect_timeout\":" + seconds(plan.supervisor.ready_timeout) +
            ",\"here\":" + json_strings(here) +
            ",\"elsewhere\":" + json_strings(elsewhere) + "}";
    }
}

std::string describe_remote(const RemoteSpec& remote) {
    std::string text = "ssh://";
    if (!remote.user.empty()) text += remote.user + "@";
    text += remote.destination.find(':') != std::string::npos ? "[" + remote.destination + "]" : remote.destination;
    if (remote.port != 0) text += ":" + std::to_string(remote.port);
    text += "/" + remote.interpreter;
    if (!remote.venv.empty()) text += ":" + remote.venv;
    return text;
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

}  // namespace cpy2py
