#pragma once
// Plain-text tables for --check and --list-interpreters: columns padded to their widest cell.
#include <iosfwd>
#include <string>
#include <vector>

namespace cpy2py {

using TableRow = std::vector<std::string>;

/// Prints `rows` with two spaces between columns; the last column is not padded.
void print_table(const std::vector<TableRow>& rows, std::ostream& out);

}  // namespace cpy2py
