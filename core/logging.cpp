#include "core/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace cpy2py {

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) noexcept {
    using spdlog::level::level_enum;
    if (name == "trace") return level_enum::trace;
    if (name == "debug") return level_enum::debug;
    if (name == "info") return level_enum::info;
    if (name == "warn") return level_enum::warn;
    if (name == "error") return level_enum::err;
    if (name == "off") return level_enum::off;
    return std::nullopt;
}

spdlog::level::level_enum choose_log_level(std::optional<std::string_view> option, const char* cpy2py_debug) noexcept {
    if (option) {
        if (auto level = parse_log_level(*option)) return *level;
    }
    if (cpy2py_debug && *cpy2py_debug) {
        if (auto level = parse_log_level(cpy2py_debug)) return *level;
        return spdlog::level::debug;
    }
    return spdlog::level::warn;
}

void setup_logging(spdlog::level::level_enum level) {
    auto logger = spdlog::get("cpy2py-run");
    if (!logger) {
        logger = std::make_shared<spdlog::logger>("cpy2py-run", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_pattern("cpy2py-run: %l: %v");
        logger->flush_on(spdlog::level::trace);
        spdlog::register_logger(logger);
        spdlog::set_default_logger(logger);
    }
    logger->set_level(level);
}

void log_fatal(std::string_view message) noexcept {
    try {
        if (auto logger = spdlog::get("cpy2py-run")) {
            logger->error("{}", message);
            return;
        }
    } catch (...) {
    }
    {
        std::fprintf(stderr, "cpy2py-run: error: %.*s\n", static_cast<int>(message.size()), message.data());
    }
}

}  // namespace cpy2py
