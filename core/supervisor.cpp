#include "core/supervisor.hpp"

#include "core/application.hpp"
#include "core/error.hpp"
#include "core/logging.hpp"

#include <string>

namespace cpy2py {
int run_application(const LaunchPlan& plan) noexcept {
    try {
        Application application(plan);
        return application.run();
    } catch (const Error& e) {  // TMPDIR unusable: 73
        log_fatal(e.what());
        return e.code();
    } catch (const std::exception& e) {
        log_fatal(std::string("internal error: ") + e.what());
    } catch (...) {
        log_fatal("internal error: unknown exception");
    }
    return exit_status::software;  // the supervisor itself failed
}

}  // namespace cpy2py
