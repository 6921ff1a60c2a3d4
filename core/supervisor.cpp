// First minimal run_application: spawns the main with the plan's environment, waits for it
// and returns its status (128+N on signal N). The full supervisor replaces this file.
#include "core/supervisor.hpp"

#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace cpy2py {

int run_application(const LaunchPlan& plan) noexcept {
    try {
        std::vector<std::string> argv{plan.main.interpreter.path};
        if (plan.main.kind == MainKind::module) argv.emplace_back("-m");
        if (plan.main.kind == MainKind::code) argv.emplace_back("-c");
        argv.push_back(plan.main.target);
        argv.insert(argv.end(), plan.main.args.begin(), plan.main.args.end());
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);

        std::string pythonpath = plan.bootstrap_dir;
        if (const char* old = std::getenv("PYTHONPATH"); old && *old) pythonpath += std::string(":") + old;
        ::setenv("PYTHONPATH", pythonpath.c_str(), 1);
        ::setenv("CPY2PY_MAIN_ID", plan.main.id.c_str(), 1);
        ::setenv("CPY2PY_TWIN_ID", plan.main.id.c_str(), 1);
        ::setenv("CPY2PY_BOOTSTRAP", plan.bootstrap_dir.c_str(), 1);
        for (const auto& [k, v] : plan.main.env) ::setenv(k.c_str(), v.c_str(), 1);

        const pid_t pid = ::fork();
        if (pid < 0) {
            spdlog::error("cannot start main: {}", std::strerror(errno));
            return 126;
        }
        if (pid == 0) {
            ::execv(cargv[0], cargv.data());
            ::_exit(errno == ENOENT ? 127 : 126);
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
    } catch (...) {
        spdlog::error("internal error while running the application");
        return 70;
    }
}

}  // namespace cpy2py
