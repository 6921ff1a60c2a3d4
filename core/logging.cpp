#include "core/logging.hpp"

#include "core/output_sink.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

namespace cpy2py {
namespace {

/// stderr directly, or through an OutputSink while one is routed.
class StderrSink : public spdlog::sinks::base_sink<std::mutex> {
public:
    void route(std::shared_ptr<OutputSink> to) {
        std::lock_guard lock(mutex_);
        sink_ = std::move(to);
        source_ = sink_ ? sink_->add_source(kLimit) : nullptr;
        dropped_ = 0;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        if (!sink_) {
            std::fwrite(formatted.data(), 1, formatted.size(), stderr);
            std::fflush(stderr);
            return;
        }
        if (sink_->full(*source_)) {
            ++dropped_;
            return;
        }
        std::string line;
        if (dropped_ > 0) {
            line = fmt::format("cpy2py-run: warning: {} log lines dropped: stderr was not read\n", dropped_);
            dropped_ = 0;
        }
        line.append(formatted.data(), formatted.size());
        sink_->write(source_, std::move(line));
    }
    void flush_() override {
        if (!sink_) std::fflush(stderr);
    }

private:
    static constexpr std::size_t kLimit = 1 << 20;  ///< log bytes queued before lines are dropped
    std::shared_ptr<OutputSink> sink_;               ///< null: write directly
    std::shared_ptr<OutputSink::Source> source_;     ///< our account with sink_
    unsigned long dropped_ = 0;                      ///< lines dropped since the last one queued
};

std::shared_ptr<StderrSink> stderr_sink() {
    static const auto sink = std::make_shared<StderrSink>();
    return sink;
}

}  // namespace

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
        logger = std::make_shared<spdlog::logger>("cpy2py-run", stderr_sink());
        logger->set_pattern("cpy2py-run: %l: %v");
        logger->flush_on(spdlog::level::trace);
        spdlog::register_logger(logger);
        spdlog::set_default_logger(logger);
    }
    logger->set_level(level);
}

void route_logging(std::shared_ptr<OutputSink> sink) { stderr_sink()->route(std::move(sink)); }

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
