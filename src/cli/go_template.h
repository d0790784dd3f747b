// A subset of Go's text/template, as docker's --format uses it, evaluated
// against a JSON document: fields ({{.Config.Env}}), variables, pipelines,
// if/else/range/with, and docker's functions (json, join, split, upper, lower,
// title, pad, truncate) plus Go's builtins (index, len, print, printf,
// println, not, and, or, eq, ne, lt, le, gt, ge). Values print as Go prints
// them: strings raw, lists "[a b]", objects "map[k:v]", a missing key
// "<no value>".
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/json_reader.h"

namespace hutch {

struct TemplateOptions {
  // Table headers: docker runs the row template against the column names, with
  // json, join, split, upper, lower, title and truncate returning their argument.
  bool header_functions = false;
  // docker's list rows marshal themselves with encoding/json's defaults, so
  // {{json .}} of a whole row writes <, > and & as \u003c, \u003e, \u0026.
  bool escape_html_in_root_json = false;
  // On an execution error, return what was written so far instead of throwing
  // (docker ignores errors while it writes table headers).
  bool partial_on_error = false;
  // Methods of the root object that take one string argument, as docker's
  // list rows have them ({{.Label "com.example"}} of ps): name to function.
  // Not members of the row, so {{json .}} does not list them.
  std::map<std::string, std::function<std::string(const std::string&)>> string_methods;
  // Set: the root is a Go struct of that type (not a map), so a field it lacks
  // is an error, as docker's "can't evaluate field Nope in type
  // *formatter.ContainerContext".
  std::string root_type;
};

class GoTemplate {
 public:
  // Throws Error("template parsing error: template: :1: ...") for bad syntax
  // or an unknown function, with docker's wording.
  explicit GoTemplate(const std::string& text);
  ~GoTemplate();
  GoTemplate(GoTemplate&&) noexcept;
  GoTemplate& operator=(GoTemplate&&) noexcept;

  // Throws Error("template parsing error: template: :1:2: executing ...").
  std::string execute(const JsonValue& data, const TemplateOptions& options = {}) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// encoding/json's rendering of a document: compact, or indented as
// json.MarshalIndent(v, "", "    ") does (docker inspect). With escape_html,
// <, > and & are written \u003c, \u003e and \u0026, as docker's API does.
std::string go_json(const JsonValue& value, bool escape_html, bool indent);

}  // namespace hutch
