#pragma once
// Twins on other hosts: the ssh:// twin syntax, the ssh command line, and what the local
// stand-in of a remote twin is told (docs/DESIGN.md, "Twins on other hosts"). The supervisor
// runs a remote twin as `<main interpreter> <bootstrap>/cpy2py_remote.py` with
// CPY2PY_SSH_TWIN set; everything else (connection, hub, agent) is Python.
#include "core/plan.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpy2py {

/// True when a --twin value names another host (`ssh://...`).
bool is_ssh_url(std::string_view text);

/// Parses `ssh://[USER@]HOST[:PORT]/INTERPRETER[:VENV]`: `ssh://box/python3` names python3,
/// `ssh://box//usr/bin/python3` the absolute path, `ssh://box/` python3, `ssh://box/:VENV`
/// VENV/bin/python, `ssh://box/conda:ENV` a conda environment there (no VENV). Throws
/// UsageError naming `shown`; the interpreter itself is checked by remote_interpreter().
RemoteSpec parse_ssh_url(std::string_view url, const std::string& shown);

/// Splits `text` as a POSIX shell would split words (quotes and backslashes; no expansion).
/// nullopt for an unterminated quote.
std::optional<std::vector<std::string>> shell_split(std::string_view text);

/// The ssh command up to and including the destination: CPY2PY_SSH_COMMAND (when set and
/// not blank) or `ssh -o BatchMode=yes -o ConnectTimeout=10`, then `-T`, the twin's
/// ssh_options, `-p PORT`, `-l USER`, the destination. Throws UsageError for a
/// CPY2PY_SSH_COMMAND that does not split or a destination starting with '-'.
std::vector<std::string> ssh_command(const RemoteSpec& remote, const std::optional<std::string>& ssh_command_env);

/// Completes every remote twin of `plan` (ssh command, shared links, stand-in
/// configuration). The stand-ins run the main's interpreter.
void finish_remote_twins(LaunchPlan& plan, const std::optional<std::string>& ssh_command_env);

/// "ssh://[user@]host[:port]/interpreter[:venv]" for messages and --check.
std::string describe_remote(const RemoteSpec& remote);

/// `text` as a JSON string literal.
std::string json_string(std::string_view text);

}  // namespace cpy2py
