#include "core/shebang_options.hpp"

#include <fstream>
#include <sstream>

namespace cpy2py {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// The first line of `path` (at most a shebang's worth), or "" when it cannot be read.
std::string first_line(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::string line;
    char c = 0;
    // Linux reads at most 256 bytes of a shebang line (BINPRM_BUF_SIZE); allow more
    while (line.size() < 4096 && in.get(c) && c != '\n') line.push_back(c);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

/// What Linux passes as the single optional argument of shebang line `line`: the text after
/// the interpreter path, blanks around it trimmed ("" when there is none).
std::string shebang_argument(const std::string& line) {
    if (line.rfind("#!", 0) != 0) return {};
    std::size_t i = 2;
    while (i < line.size() && is_blank(line[i])) ++i;
    while (i < line.size() && !is_blank(line[i])) ++i;  // the interpreter path
    while (i < line.size() && is_blank(line[i])) ++i;
    std::size_t end = line.size();
    while (end > i && is_blank(line[end - 1])) --end;
    return line.substr(i, end - i);
}

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string word;
    while (in >> word) out.push_back(word);
    return out;
}

}  // namespace

std::vector<std::string> split_shebang_options(std::vector<std::string> args) {
    if (args.size() < 2) return args;
    const std::string& options = args[0];
    if (options.empty() || options[0] != '-' || options.find_first_of(" \t") == std::string::npos) return args;
    if (shebang_argument(first_line(args[1])) != options) return args;
    std::vector<std::string> out = words(options);
    out.insert(out.end(), args.begin() + 1, args.end());
    return out;
}

}  // namespace cpy2py
