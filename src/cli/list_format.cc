#include "cli/list_format.h"

#include "base/json_writer.h"
#include "cli/table.h"

namespace hutch {

std::string template_text(const std::string& format) {
  if (format == "table") return "";
  if (format == "json") return "{{json .}}";
  std::string out = format.compare(0, 5, "table") == 0 ? format.substr(5) : format;
  // Trims spaces only: a leading tab or newline is part of the format.
  size_t first = out.find_first_not_of(' ');
  out = first == std::string::npos ? "" : out.substr(first, out.find_last_not_of(' ') - first + 1);
  std::string replaced;
  for (size_t i = 0; i < out.size(); i++) {
    if (out[i] == '\\' && i + 1 < out.size() && (out[i + 1] == 't' || out[i + 1] == 'n')) {
      replaced += out[i + 1] == 't' ? '\t' : '\n';
      i++;
    } else {
      replaced += out[i];
    }
  }
  return replaced;
}

ListFormat::ListFormat(const std::string& format)
    : table_(format.compare(0, 5, "table") == 0), template_(template_text(format)) {}

void ListFormat::add_row(const JsonValue& row) { add_row(row, {}); }

void ListFormat::add_row(const JsonValue& row,
                         const std::map<std::string, std::function<std::string(const std::string&)>>& methods,
                         const std::string& root_type) {
  TemplateOptions options;
  options.escape_html_in_root_json = true;
  options.string_methods = methods;
  options.root_type = root_type;
  rows_ += template_.execute(row, options) + "\n";
}

std::string ListFormat::finish(const JsonValue& header) const {
  if (!table_) return rows_;
  TemplateOptions options;
  options.header_functions = true;
  options.partial_on_error = true;
  return tabwrite(template_.execute(header, options) + "\n" + rows_);
}

JsonValue string_fields(const std::map<std::string, std::string>& fields) {
  JsonWriter w;
  w.begin_object();
  for (const auto& [k, v] : fields) w.field(k, v);
  w.end_object();
  return parse_json(w.str(), "row");
}

std::string joined_labels(const std::map<std::string, std::string>& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

std::map<std::string, std::function<std::string(const std::string&)>> label_method(
    std::map<std::string, std::string> labels) {
  return {{"Label", [labels = std::move(labels)](const std::string& key) {
             auto it = labels.find(key);
             return it == labels.end() ? std::string() : it->second;
           }}};
}

}  // namespace hutch
