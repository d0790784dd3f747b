#include "cli/table.h"

#include <algorithm>

namespace hutch {

namespace {

constexpr size_t kPadding = 3;

struct Cell {
  std::string text;
  size_t width = 0;  // in code points
};

size_t display_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) n++;
  return n;
}

// Go's tabwriter: a column is a block of consecutive lines that all have a
// tab-terminated cell at that index; its width is fixed per block, and the
// columns to its right are formatted recursively within the block.
class TabWriter {
 public:
  TabWriter(std::vector<std::vector<Cell>> lines, size_t min_width)
      : lines_(std::move(lines)), min_width_(min_width) {}

  std::string run() {
    format(0, lines_.size());
    return out_;
  }

 private:
  void write_lines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; i++) {
      const auto& line = lines_[i];
      for (size_t j = 0; j < line.size(); j++) {
        out_ += line[j].text;
        if (j < widths_.size() && j + 1 < line.size()) out_.append(widths_[j] - line[j].width, ' ');
      }
      if (i + 1 < lines_.size()) out_ += '\n';
    }
  }

  void format(size_t line0, size_t line1) {
    size_t column = widths_.size();
    for (size_t line = line0; line < line1; line++) {
      if (column + 1 >= lines_[line].size()) continue;
      write_lines(line0, line);
      line0 = line;
      size_t width = min_width_;
      for (; line < line1; line++) {
        if (column + 1 >= lines_[line].size()) break;
        width = std::max(width, lines_[line][column].width + kPadding);
      }
      widths_.push_back(width);
      format(line0, line);
      widths_.pop_back();
      line0 = line;
    }
    write_lines(line0, line1);
  }

  std::vector<std::vector<Cell>> lines_;
  size_t min_width_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

std::string tabwrite(const std::string& text, size_t min_width) {
  std::vector<std::vector<Cell>> lines(1);
  std::string cell;
  auto end_cell = [&] {
    lines.back().push_back(Cell{cell, display_width(cell)});
    cell.clear();
  };
  for (char c : text) {
    if (c == '\t') {
      end_cell();
    } else if (c == '\n') {
      end_cell();
      lines.emplace_back();
    } else {
      cell += c;
    }
  }
  end_cell();
  return TabWriter(std::move(lines), min_width).run();
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
  std::string text;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); i++) text += (i ? "\t" : "") + row[i];
    text += "\n";
  }
  return tabwrite(text);
}

}  // namespace hutch
