#include "base/csv.h"

#include "base/error.h"

namespace hutch {

namespace {

// Go's csv.Reader.readLine: one line with its '\n', "\r\n" made "\n", and a
// '\r' that ends the text dropped.
class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}
  bool next(std::string& line) {
    if (pos_ >= text_.size()) return false;
    size_t nl = text_.find('\n', pos_);
    size_t end = nl == std::string_view::npos ? text_.size() : nl + 1;
    line.assign(text_.substr(pos_, end - pos_));
    pos_ = end;
    number_++;
    if (nl == std::string_view::npos && line.back() == '\r') line.pop_back();
    if (line.size() >= 2 && line[line.size() - 2] == '\r' && line.back() == '\n') line.erase(line.size() - 2, 1);
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int number_ = 0;
};

size_t newline_length(const std::string& s, size_t from) { return from < s.size() && s.back() == '\n' ? 1 : 0; }

[[noreturn]] void parse_error(int start_line, int line, size_t column, const char* what) {
  if (start_line != line)
    fail("record on line %d; parse error on line %d, column %zu: %s", start_line, line, column, what);
  fail("parse error on line %d, column %zu: %s", line, column, what);
}

constexpr const char* kBareQuote = "bare \" in non-quoted-field";
constexpr const char* kQuote = "extraneous or missing \" in quoted-field";

}  // namespace

std::vector<std::string> read_csv_record(std::string_view text) {
  Lines lines(text);
  std::string line;
  do {
    if (!lines.next(line)) fail("EOF");
  } while (line == "\n");  // empty lines come before the record
  const int record_line = lines.number();
  int line_number = record_line;
  std::vector<std::string> fields;
  size_t at = 0;   // into line
  size_t col = 1;  // 1-based byte column of `at`
  for (;;) {
    if (at >= line.size() || line[at] != '"') {
      size_t comma = line.find(',', at);
      size_t end = comma == std::string::npos ? line.size() - newline_length(line, at) : comma;
      std::string field = line.substr(at, end - at);
      if (size_t quote = field.find('"'); quote != std::string::npos)
        parse_error(record_line, line_number, col + quote, kBareQuote);
      fields.push_back(std::move(field));
      if (comma == std::string::npos) return fields;
      col += comma + 1 - at;
      at = comma + 1;
      continue;
    }
    std::string field;
    at++, col++;
    for (;;) {
      size_t quote = line.find('"', at);
      if (quote != std::string::npos) {
        field += line.substr(at, quote - at);
        col += quote + 1 - at;
        at = quote + 1;
        if (at < line.size() && line[at] == '"') {
          field += '"';
          at++, col++;
        } else if (at < line.size() && line[at] == ',') {
          at++, col++;
          break;
        } else if (line.size() - at == newline_length(line, at)) {
          fields.push_back(std::move(field));
          return fields;
        } else {
          parse_error(record_line, line_number, col - 1, kQuote);
        }
      } else if (at < line.size()) {
        // A quoted field goes on over the next line.
        field += line.substr(at);
        col += line.size() - at;
        at = 0;
        if (lines.next(line)) line_number++, col = 1;
        else line.clear();
      } else {
        parse_error(record_line, line_number, col, kQuote);
      }
    }
    fields.push_back(std::move(field));
  }
}

}  // namespace hutch
