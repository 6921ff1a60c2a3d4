// The control channel's line format (docs/DESIGN.md).
#include "core/control_protocol.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;
using Kind = ControlRequest::Kind;

TEST_CASE("READY carries a positive pid") {
    auto r = parse_control_line("READY 1234");
    REQUIRE(r);
    CHECK(r->kind == Kind::ready);
    CHECK(r->pid == 1234);
    CHECK_FALSE(parse_control_line("READY"));
    CHECK_FALSE(parse_control_line("READY 0"));
    CHECK_FALSE(parse_control_line("READY 12x"));
    CHECK_FALSE(parse_control_line("READY 12 13"));
}

TEST_CASE("START with and without an executable; the executable may contain spaces") {
    auto r = parse_control_line("START pypy");
    REQUIRE(r);
    CHECK(r->kind == Kind::start);
    CHECK(r->id == "pypy");
    CHECK(r->executable.empty());
    r = parse_control_line("START new /opt/my python/bin/python3\r");
    REQUIRE(r);
    CHECK(r->id == "new");
    CHECK(r->executable == "/opt/my python/bin/python3");
}

TEST_CASE("STOP takes only an id; ids follow the twin id rule") {
    auto r = parse_control_line("STOP a.b-c+d_1");
    REQUIRE(r);
    CHECK(r->kind == Kind::stop);
    CHECK(r->id == "a.b-c+d_1");
    CHECK_FALSE(parse_control_line("STOP x y"));
    CHECK_FALSE(parse_control_line("START bad/id"));
    CHECK_FALSE(parse_control_line("START " + std::string(65, 'a')));
    CHECK_FALSE(parse_control_line("START"));
    CHECK_FALSE(parse_control_line("HELLO x"));
    CHECK_FALSE(parse_control_line(""));
}

TEST_CASE("a refused START or STOP with an invalid id is answered ERROR for that id") {
    const std::string rule = "a twin id is 1-64 characters from A-Z a-z 0-9 _ . + -";
    CHECK(answer_to_refused_line("START bad/id") == "ERROR bad/id invalid twin id 'bad/id': " + rule + "\n");
    CHECK(answer_to_refused_line("STOP \xc3\xa9\r") == "ERROR \xc3\xa9 invalid twin id '\xc3\xa9': " + rule + "\n");
    CHECK(answer_to_refused_line("START bad/id python3") == "ERROR bad/id invalid twin id 'bad/id': " + rule + "\n");
    const std::string long_id(65, 'a');
    CHECK(answer_to_refused_line("START " + long_id) == "ERROR " + long_id + " invalid twin id '" + long_id + "': " + rule + "\n");
    CHECK(answer_to_refused_line("START") == "ERROR  invalid twin id '': " + rule + "\n");
    // no id to tell: the line is only logged
    CHECK_FALSE(answer_to_refused_line("STOP x y"));  // the id meant was "x y": answering about x would mislead
    CHECK_FALSE(answer_to_refused_line("START a\x01b"));
    CHECK_FALSE(answer_to_refused_line("START " + std::string(300, '/')));
    CHECK_FALSE(answer_to_refused_line("HELLO x"));
    CHECK_FALSE(answer_to_refused_line("READY x"));
    CHECK_FALSE(answer_to_refused_line(""));
}

TEST_CASE("answers are single lines") {
    CHECK(format_up("pypy", 42) == "UP pypy 42\n");
    CHECK(format_down("pypy") == "DOWN pypy\n");
    CHECK(format_shutdown() == "SHUTDOWN\n");
    CHECK(format_error("x", "bad\\thing\nline 2\r\n") == "ERROR x bad\\\\thing\\nline 2\\n\n");
}

TEST_CASE("control_protocol: SIGNALS announces the main's signal reports, without arguments") {
    const auto request = cpy2py::parse_control_line("SIGNALS");
    REQUIRE(request);
    CHECK(request->kind == cpy2py::ControlRequest::Kind::signals);
    CHECK_FALSE(cpy2py::parse_control_line("SIGNALS 2"));
}
