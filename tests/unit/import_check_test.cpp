// --check SCRIPT: reading the import checker's verdict.
#include "core/import_check.hpp"

#include <doctest/doctest.h>

using namespace cpy2py;

TEST_CASE("the checker's last verdict line decides") {
    CHECK(parse_import_check("noise from the script\nCPY2PY-CHECK ok\n", "", "exit code 0").ok);
    const ImportCheck failed =
        parse_import_check("CPY2PY-CHECK failed twin 'legacy' cannot import app.py:\\n  line 4\\\\x\n", "", "exit code 1");
    CHECK_FALSE(failed.ok);
    CHECK(failed.report == "twin 'legacy' cannot import app.py:\n  line 4\\x");
}

TEST_CASE("a checker that says nothing fails with its exit status and stderr") {
    const ImportCheck crashed = parse_import_check("", "Traceback ...\nMemoryError\n", "signal 9 (SIGKILL)");
    CHECK_FALSE(crashed.ok);
    CHECK(crashed.report.find("signal 9 (SIGKILL)") != std::string::npos);
    CHECK(crashed.report.find("MemoryError") != std::string::npos);
}
