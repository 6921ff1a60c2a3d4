#pragma once
// CLI11 wiring: declares every option of cpy2py-run and turns a parsed App into a plain
// cpy2py::CommandLine. Nothing else lives here.
#include "core/plan_builder.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace cpy2py::cli {

/// Everything the options write into; lives as long as the App that points into it.
struct Options {
    CommandLine command_line;                ///< filled by CLI11 and finish_command_line()
    std::optional<std::string> log_level;    ///< --log-level name
    std::optional<std::string> twin_output;  ///< --twin-output name, checked by CLI11
    bool module = false;                     ///< -m given: the first argument is a MODULE
    bool code = false;                       ///< -c given: the first argument is CODE
    bool list_interpreters = false;          ///< --list-interpreters: print them and exit
    bool stats = false;                      ///< --stats: the same as CPY2PY_STATS=1
};

/// Declares the options of `app`, writing into `options`. The program part (SCRIPT, MODULE or
/// CODE and its arguments) stays unparsed in app.remaining().
void declare_options(CLI::App& app, Options& options);

/// Moves the program part out of app.remaining() into options.command_line.
/// Throws cpy2py::UsageError for an unknown option or a missing MODULE/CODE.
void finish_command_line(const CLI::App& app, Options& options);

}  // namespace cpy2py::cli
