#include "core/supervisor.hpp"

#include "core/application.hpp"
#include "core/error.hpp"
#include "core/logging.hpp"

#include <boost/system/system_error.hpp>

#include <new>
#include <string>
#include <system_error>

namespace cpy2py {
namespace {

int refused(const std::string& what) {
    log_fatal(what + "; the system refused a resource cpy2py-run needs at start (check ulimit -n and ulimit -u)");
    return exit_status::os_error;
}

}  // namespace

int run_application(const LaunchPlan& plan) noexcept {
    try {
        Application application(plan);
        return application.run();
    } catch (const Error& e) {  // TMPDIR unusable: 73
        log_fatal(e.what());
        return e.code();
    } catch (const std::system_error& e) {  // out of fds or processes: not a bug
        return refused(e.what());
    } catch (const boost::system::system_error& e) {  // the same, from the event loop's setup
        // (its what() names asio's internals: "eventfd_select_interrupter: ... [system:24]")
        return refused("cannot set up its event loop: " + e.code().message());
    } catch (const std::bad_alloc&) {
        log_fatal("out of memory while starting the application");
        return exit_status::os_error;
    } catch (const std::exception& e) {
        log_fatal(std::string("internal error: ") + e.what());
    } catch (...) {
        log_fatal("internal error: unknown exception");
    }
    return exit_status::software;  // the supervisor itself failed
}

}  // namespace cpy2py
