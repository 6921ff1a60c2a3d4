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

TEST_CASE("the search's findings are added only when they say more than 'not on PATH'") {
    const std::vector<std::string> missing{"legacy not found on PATH (searched: /usr/bin:/bin)"};
    const std::string plain = undeclared_twin_message("legacy", {"legacy"}, {}, "/usr/bin:/bin", missing);
    CHECK(contains(plain, "was found on PATH (/usr/bin:/bin)"));
    CHECK_FALSE(contains(plain, "searched:"));
    const std::vector<std::string> shim{
        "the shim /home/u/.pyenv/shims/python2.7 does not run (pyenv: python2.7: command not found), and no "
        "interpreter found matches it (CPython 2.7); found: CPython 3.11.2 at /usr/bin/python3 (PATH); looked in: "
        "PATH (/usr/bin)"};
    const std::string found = undeclared_twin_message("legacy", {"python2.7"}, {}, "/usr/bin", shim);
    CHECK(contains(found, "was found (the shim /home/u/.pyenv/shims/python2.7 does not run"));
    CHECK(contains(found, "looked in: PATH (/usr/bin))"));
}
