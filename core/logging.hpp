#pragma once
// The launcher's log: spdlog's default logger, writing "cpy2py-run: LEVEL: message" to stderr.
// Anything in core/ logs with spdlog::debug(...), spdlog::warn(...), ...
#include <spdlog/common.h>

#include <memory>
#include <optional>
#include <string_view>

namespace cpy2py {

class OutputSink;

/// Level for a name: trace, debug, info, warn, error, off; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) noexcept;

/// The level to use: `option` (--log-level) when given, else CPY2PY_DEBUG when set and non-empty
/// (a level name selects that level, any other value means debug), else warn.
spdlog::level::level_enum choose_log_level(std::optional<std::string_view> option,
                                           const char* cpy2py_debug) noexcept;

/// Installs the stderr logger as spdlog's default logger at `level`. Safe to call again.
void setup_logging(spdlog::level::level_enum level);

/// While the supervisor runs, log lines go through its stderr OutputSink, in order with the
/// relayed twin stderr, so that a stderr nobody reads never blocks the event loop (lines
/// beyond the sink's limit are dropped and counted). Null writes directly again.
void route_logging(std::shared_ptr<OutputSink> sink);

/// Logs a fatal error; falls back to plain stderr if logging is broken. Never throws.
void log_fatal(std::string_view message) noexcept;

}  // namespace cpy2py
