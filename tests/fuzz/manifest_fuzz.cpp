// libFuzzer target for the manifest parser (docs/DESIGN.md, "Fuzzing"): any input either
// parses or throws ConfigError; a crash, a sanitizer report or another exception is a bug.
#include "core/error.hpp"
#include "core/manifest.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        cpy2py::parse_manifest(text, "fuzz.toml", "/nonexistent");
    } catch (const cpy2py::ConfigError&) {
        // The expected answer to bad input.
    }
    return 0;
}
