#include "core/logging.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;
using spdlog::level::level_enum;

TEST_CASE("logging: level names") {
    CHECK(parse_log_level("trace") == level_enum::trace);
    CHECK(parse_log_level("debug") == level_enum::debug);
    CHECK(parse_log_level("info") == level_enum::info);
    CHECK(parse_log_level("warn") == level_enum::warn);
    CHECK(parse_log_level("error") == level_enum::err);
    CHECK(parse_log_level("off") == level_enum::off);
    CHECK_FALSE(parse_log_level("warning"));
    CHECK_FALSE(parse_log_level(""));
}

TEST_CASE("logging: --log-level, then CPY2PY_DEBUG, then warn") {
    CHECK(choose_log_level(std::nullopt, nullptr) == level_enum::warn);
    CHECK(choose_log_level(std::nullopt, "") == level_enum::warn);
    CHECK(choose_log_level(std::nullopt, "1") == level_enum::debug);
    CHECK(choose_log_level(std::nullopt, "trace") == level_enum::trace);
    CHECK(choose_log_level(std::nullopt, "info") == level_enum::info);
    CHECK(choose_log_level("error", "trace") == level_enum::err);
    CHECK(choose_log_level("off", nullptr) == level_enum::off);
}
