#include "core/supervisor.hpp"

#include "core/application.hpp"
#include "core/error.hpp"

#include <spdlog/spdlog.h>

namespace cpy2py {
int run_application(const LaunchPlan& plan) noexcept {
    try {
        Application application(plan);
        return application.run();
    } catch (const std::exception& e) {
        spdlog::error("cpy2py-run: {}", e.what());
    } catch (...) {
        spdlog::error("cpy2py-run: unknown internal error");
    }
    return exit_status::software;  // the supervisor itself failed
}

}  // namespace cpy2py
