#include "core/text_table.hpp"

#include <algorithm>
#include <ostream>

namespace cpy2py {

void print_table(const std::vector<TableRow>& rows, std::ostream& out) {
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
            line += i + 1 == row.size() ? row[i] : row[i] + std::string(width[i] - row[i].size() + 2, ' ');
        out << line << "\n";
    }
}

}  // namespace cpy2py
