// Undeclared twins started on demand: the same executable rule as a standalone main.
#include "core/undeclared_twin.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("an undeclared id is its own executable; pypy falls back to pypy3") {
    CHECK(undeclared_twin_candidates("python2.7", "") == std::vector<std::string>{"python2.7"});
    CHECK(undeclared_twin_candidates("pypy", "") == std::vector<std::string>{"pypy", "pypy3"});
    CHECK(undeclared_twin_candidates("fast", "/opt/pypy/bin/pypy3") == std::vector<std::string>{"/opt/pypy/bin/pypy3"});
    CHECK(undeclared_twin_candidates("fast", "pypy") == std::vector<std::string>{"pypy", "pypy3"});
}

TEST_CASE("the message for an id that cannot be started speaks the user's language") {
    const std::string m = undeclared_twin_message("legacy", {"legacy"}, {"pypy", "tools"}, "/usr/bin:/bin");
    CHECK(contains(m, "cannot start twin 'legacy'"));
    CHECK(contains(m, "not declared"));
    CHECK(contains(m, "on PATH (/usr/bin:/bin)"));
    CHECK(contains(m, "Declared twins: 'pypy', 'tools'"));
    CHECK(contains(m, "--twin legacy=INTERPRETER"));
    CHECK(contains(m, "[twins.legacy]"));
    CHECK_FALSE(contains(m, "START"));
    CHECK(contains(undeclared_twin_message("x", {"x"}, {}, "/bin"), "No twins are declared"));
    CHECK(contains(undeclared_twin_message("pypy", {"pypy", "pypy3"}, {}, "/bin"), "'pypy' or 'pypy3'"));
    CHECK_FALSE(contains(undeclared_twin_message("x", {"/opt/x"}, {}, "/bin"), "PATH"));
}
