#pragma once
// The UTF-8 of one code point as a string, for tests that write their input by code point.
#include "core/utf8.hpp"

#include <string>

namespace cpy2py::test {

inline std::string utf8_of(char32_t cp) {
    std::string out;
    append_utf8(out, cp);
    return out;
}

}  // namespace cpy2py::test
