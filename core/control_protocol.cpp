#include "core/control_protocol.hpp"

#include "core/twin_id.hpp"

#include <charconv>

namespace cpy2py {
namespace {

/// Splits off the first space-separated field of `rest`.
std::string_view next_field(std::string_view& rest) {
    const auto space = rest.find(' ');
    const auto field = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    return field;
}

}  // namespace

std::optional<ControlRequest> parse_control_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view rest = line;
    const auto verb = next_field(rest);
    ControlRequest request;
    if (verb == "READY") {
        const auto pid = next_field(rest);
        long value = 0;
        const auto [end, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), value);
        if (ec != std::errc{} || end != pid.data() + pid.size() || value <= 0 || !rest.empty()) {
            return std::nullopt;
        }
        request.kind = ControlRequest::Kind::ready;
        request.pid = static_cast<pid_t>(value);
        return request;
    }
    if (verb == "SIGNALS") {
        if (!rest.empty()) return std::nullopt;
        request.kind = ControlRequest::Kind::signals;
        return request;
    }
    if (verb == "STATS") {
        if (rest.empty()) return std::nullopt;
        request.kind = ControlRequest::Kind::stats;
        request.payload = std::string(rest);
        return request;
    }
    if (verb != "START" && verb != "STOP") return std::nullopt;
    request.kind = verb == "START" ? ControlRequest::Kind::start : ControlRequest::Kind::stop;
    request.id = std::string(next_field(rest));
    if (!is_valid_twin_id(request.id)) return std::nullopt;
    if (request.kind == ControlRequest::Kind::stop && !rest.empty()) return std::nullopt;
    request.executable = std::string(rest);
    return request;
}

std::optional<std::string> answer_to_refused_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view rest = line;
    const auto verb = next_field(rest);
    if (verb != "START" && verb != "STOP") return std::nullopt;
    const auto id = next_field(rest);
    if (is_valid_twin_id(id) || id.size() > 256) return std::nullopt;
    for (char c : id) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return std::nullopt;
    }
    return format_error(id, "invalid twin id '" + std::string(id) + "': a twin id is " + std::string(twin_id_rule));
}

std::string format_up(std::string_view id, pid_t pid) {
    return "UP " + std::string(id) + " " + std::to_string(pid) + "\n";
}

std::string format_down(std::string_view id) { return "DOWN " + std::string(id) + "\n"; }

std::string format_error(std::string_view id, std::string_view message) {
    std::string line = "ERROR " + std::string(id) + " ";
    for (char c : message) {
        if (c == '\\') {
            line += "\\\\";
        } else if (c == '\n') {
            line += "\\n";
        } else if (c != '\r') {
            line += c;
        }
    }
    line += '\n';
    return line;
}

std::string format_shutdown() { return "SHUTDOWN\n"; }

std::string format_exited(std::string_view id, std::string_view how) {
    std::string line = "EXITED " + std::string(id) + " ";
    for (char c : how) {
        if (c != '\n' && c != '\r') line += c;
    }
    return line + "\n";
}

}  // namespace cpy2py
