// Go template syntax: the lexer and parser, producing the tree that
// go_template.cc executes. Internals of GoTemplate.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace hutch::gotmpl {

struct Pipe;

struct Operand {
  enum Kind { kField, kDot, kVariable, kFunction, kString, kNumber, kBool, kNil, kPipe };
  Kind kind = kDot;
  std::string text;                 // literal, function or variable name
  std::vector<std::string> fields;  // the field chain that follows
  std::shared_ptr<Pipe> pipe;       // a parenthesized pipeline
};

struct Command {
  std::vector<Operand> operands;
  size_t pos = 0;
  std::string source;
};

struct Pipe {
  std::vector<std::string> variables;  // declared or assigned
  bool assign = false;                 // "=" rather than ":="
  std::vector<Command> commands;
};

struct Node {
  enum Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = kText;
  std::string text;
  Pipe pipe;
  std::vector<Node> list;
  std::vector<Node> else_list;
};

bool is_function(const std::string& name);

// Throws Error("template parsing error: template: :LINE: ...").
std::vector<Node> parse_template(const std::string& src);

}  // namespace hutch::gotmpl
