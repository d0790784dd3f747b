// docker's formatter.Context: how the listing commands (images, history,
// system df, later ps) apply --format. "table ..." adds a header row (the
// same template run against the column names) and aligns columns; "json" is
// {{json .}}; a literal \t or \n in the format is a tab or a newline.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "base/json_reader.h"
#include "cli/go_template.h"

namespace hutch {

class ListFormat {
 public:
  // `format` as the user gave it, or the command's default ("table {{.ID}}...").
  // Throws Error("template parsing error: ...") for a bad template.
  explicit ListFormat(const std::string& format);

  bool is_table() const { return table_; }
  // Renders one row: a JSON object whose members are the row's fields.
  void add_row(const JsonValue& row);
  // The same, for rows that also have methods ({{.Label "KEY"}}).
  // root_type: the Go type docker's rows have, for errors on missing fields.
  void add_row(const JsonValue& row,
               const std::map<std::string, std::function<std::string(const std::string&)>>& methods,
               const std::string& root_type = "");
  // The rendered rows; for a table, the header row first and columns aligned.
  std::string finish(const JsonValue& header) const;

 private:
  bool table_ = false;
  GoTemplate template_;
  std::string rows_;
};

// The template text docker runs for a --format value (without "table").
std::string template_text(const std::string& format);

// A row or header of string fields, as a JSON object with sorted keys (docker
// marshals its rows from a map, so {{json .}} lists the fields sorted).
JsonValue string_fields(const std::map<std::string, std::string>& fields);

// docker's .Labels column: "k=v,k2=v2". docker joins its map in random
// order; sorted here.
std::string joined_labels(const std::map<std::string, std::string>& labels);
// The {{.Label "KEY"}} method of rows with labels ("" for a missing key).
std::map<std::string, std::function<std::string(const std::string&)>> label_method(
    std::map<std::string, std::string> labels);

}  // namespace hutch
