// Merging STATS lines per target twin and the exit table.
#include "core/call_stats.hpp"
#include "core/control_protocol.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace cpy2py;

TEST_CASE("stats: lines from several processes add up per target") {
    CallStats stats;
    CHECK(stats.merge(R"({"id": "main", "calls": {"pypy": {"calls": 3, "errors": 1, "bytes_out": 100,
                          "bytes_in": 10, "hist": {"16": 2, "45.25": 1}}}})"));
    CHECK(stats.merge(R"({"id": "other", "calls": {"pypy": {"calls": 1, "hist": {"16": 1}}, "main": {"calls": 2}}})"));
    const TargetStats& pypy = stats.targets().at("pypy");
    CHECK(pypy.calls == 4);
    CHECK(pypy.errors == 1);
    CHECK(pypy.bytes_out == 100);
    CHECK(pypy.histogram.at(16) == 3);
    CHECK(pypy.histogram.at(45.25) == 1);
    CHECK(stats.targets().at("main").calls == 2);
}

TEST_CASE("stats: a line of another shape merges nothing") {
    CallStats stats;
    for (const char* bad : {"[]", R"({"calls": {}})", R"({"id": 1, "calls": {}})", R"({"id": "x"})",
                            R"({"id": "x", "calls": {"a": {"calls": 1}, "b": {"calls": -1}}})",
                            R"({"id": "x", "calls": {"a": {"calls": 1.5}}})",
                            R"({"id": "x", "calls": {"a": {"hist": {"fast": 1}}}})"}) {
        CAPTURE(bad);
        CHECK_FALSE(stats.merge(bad));
    }
    CHECK(stats.targets().empty());  // "a" of the half-good line was not merged either
}

TEST_CASE("stats: quantiles are bucket upper bounds") {
    const std::map<double, std::uint64_t> hist{{8, 50}, {16, 49}, {1024, 1}};
    CHECK(CallStats::quantile(hist, 0.5) == 8);
    CHECK(CallStats::quantile(hist, 0.99) == 16);
    CHECK(CallStats::quantile(hist, 1.0) == 1024);
    CHECK_FALSE(CallStats::quantile({}, 0.5));
}

TEST_CASE("stats: the table lists every twin, called or not, and other targets") {
    CallStats stats;
    REQUIRE(stats.merge(R"({"id": "a", "calls": {"main": {"calls": 1, "hist": {"8": 1}}}})"));
    const std::string table = stats.table({{"a", 0}, {"b", 3}});
    CHECK(table.find("\nb ") != std::string::npos);
    CHECK(table.find("\nmain ") != std::string::npos);
    CHECK(table.find(" 3\n") != std::string::npos);   // b's restarts
    CHECK(table.find(" -\n") != std::string::npos);   // main has no restarts column value
}

TEST_CASE("stats: the control line carries the JSON untouched") {
    const auto request = parse_control_line(R"(STATS {"id": "a b", "calls": {}})");
    REQUIRE(request);
    CHECK(request->kind == ControlRequest::Kind::stats);
    CHECK(request->payload == R"({"id": "a b", "calls": {}})");
    CHECK_FALSE(parse_control_line("STATS"));
    CHECK(stats_requested("1"));
    CHECK_FALSE(stats_requested("0"));
    CHECK_FALSE(stats_requested(""));
    CHECK_FALSE(stats_requested(nullptr));
}
