// cpy2py-run: parse the command line, build a checked plan, hand it to core.
#include "cli/options.hpp"
#include "core/check.hpp"
#include "core/error.hpp"
#include "core/interpreter_list.hpp"
#include "core/logging.hpp"
#include "core/plan_builder.hpp"
#include "core/shebang_options.hpp"
#include "core/supervisor.hpp"

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    CLI::App app{"Run a Python application whose objects live in several interpreters (twins).",
                 "cpy2py-run"};
    cpy2py::cli::Options options;
    try {
        cpy2py::setup_logging(cpy2py::choose_log_level(std::nullopt, std::getenv("CPY2PY_DEBUG")));
        cpy2py::cli::declare_options(app, options);
        // `#!/usr/bin/cpy2py-run --twin pypy=pypy3` gives its options as one argument
        std::vector<std::string> args = cpy2py::split_shebang_options(std::vector<std::string>(argv + 1, argv + argc));
        std::vector<char*> words{argv[0]};
        for (auto& arg : args) words.push_back(arg.data());
        app.parse(static_cast<int>(words.size()), words.data());
        cpy2py::cli::finish_command_line(app, options);
        // Every process reads the switch from its environment, the supervisor included.
        if (options.stats) ::setenv("CPY2PY_STATS", "1", 1);
        if (options.log_level)
            cpy2py::setup_logging(cpy2py::choose_log_level(*options.log_level, std::getenv("CPY2PY_DEBUG")));

        if (options.list_interpreters) return cpy2py::list_interpreters(cpy2py::Host::current(), std::cout);
        const cpy2py::LaunchPlan plan = cpy2py::build_plan(options.command_line, cpy2py::Host::current());
        if (options.command_line.check) return cpy2py::check_plan(plan, std::cout);
        return cpy2py::run_application(plan);
    } catch (const CLI::ParseError& e) {  // also --help and --version, which exit 0
        const int printed = app.exit(e);
        return printed == 0 ? 0 : cpy2py::exit_status::usage;
    } catch (const cpy2py::Error& e) {  // usage 2, manifest 78, not found 127
        cpy2py::log_fatal(e.what());
        return e.code();
    } catch (const std::exception& e) {
        cpy2py::log_fatal(std::string("internal error: ") + e.what());
        return cpy2py::exit_status::software;
    } catch (...) {
        cpy2py::log_fatal("internal error: unknown exception");
        return cpy2py::exit_status::software;
    }
}
