#pragma once
// Whether a process has a signal pending, from /proc/<pid>/status: sent to it but not yet
// delivered (it has not been on a CPU since, or blocks the signal).
#include <sys/types.h>

#include <string_view>

namespace cpy2py {

/// Whether signal `sig` is pending for the process (ShdPnd) or its main thread (SigPnd)
/// according to `status`, the text of /proc/<pid>/status.
bool status_shows_pending(std::string_view status, int sig);

/// The same for process `pid`; false when its status cannot be read.
bool signal_pending(pid_t pid, int sig);

}  // namespace cpy2py
