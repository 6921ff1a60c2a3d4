// The one main() of the unit test binary (every other tests/unit/*_test.cpp only has cases).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
