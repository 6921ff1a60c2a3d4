#pragma once
// The text lines of the control channel (docs/DESIGN.md, "Control channel"): parsing what
// Python processes send, formatting what the supervisor answers. Pure logic.
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace cpy2py {

struct ControlRequest {
    enum class Kind { ready, start, stop, stats, signals };
    Kind kind = Kind::ready;  ///< the verb
    pid_t pid = 0;           ///< READY: the sender's pid
    std::string id;          ///< START/STOP: the twin id
    std::string executable;  ///< START: interpreter for a twin not known yet; may contain spaces
    std::string payload;     ///< STATS: the JSON text, unparsed (core/call_stats.hpp reads it)
};

/// SIGNALS (no argument): the main reports the signals it catches from now on
/// (core/forward_decisions.hpp).
///
/// Parses one line (without its '\n'); nullopt for anything malformed or unknown.
std::optional<ControlRequest> parse_control_line(std::string_view line);

/// The answer to a line parse_control_line refused: "ERROR <id> <why>" for a START or STOP
/// whose id field is not a valid twin id but can be echoed (no control character, at most
/// 256 bytes), so that whoever waits for an answer about that id gets one. nullopt when no
/// id can be told (other verbs, or `STOP <id> <more>`, whose id has a space): only logged.
std::optional<std::string> answer_to_refused_line(std::string_view line);

std::string format_up(std::string_view id, pid_t pid);
std::string format_down(std::string_view id);
/// The message is escaped so that it stays on one line: '\' -> "\\", newline -> "\n".
std::string format_error(std::string_view id, std::string_view message);
std::string format_shutdown();
/// "EXITED <id> <how>": twin `id`, which was ready, ended by itself (`how`: "exit code 3",
/// "signal 9 (SIGKILL)"); sent to the main and every twin, so that calls that were in flight
/// can say how it ended.
std::string format_exited(std::string_view id, std::string_view how);

}  // namespace cpy2py
