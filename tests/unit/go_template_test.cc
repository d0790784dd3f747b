#include "cli/go_template.h"

#include "base/error.h"
#include "base/json_reader.h"
#include "test.h"

using namespace hutch;

namespace {

const char* kDoc = R"({
  "ID": "sha256:abc", "Repository": "busybox", "Tag": "<none>", "Size": 4261550, "Ratio": 0.5,
  "Config": {"Env": ["PATH=/bin", "FOO=bar"], "Cmd": ["sh"], "Labels": {"b": "2", "a": "1"},
             "Entrypoint": null, "Empty": [], "Tty": false, "User": ""},
  "Names": ["one", "two", "three"],
  "Nums": [1, 2.5],
  "Nested": [{"k": "v"}, {"k": "w"}],
  "Lines": "a\tb"
})";

std::string run(const std::string& tmpl, const TemplateOptions& options = {}) {
  static const JsonValue doc = parse_json(kDoc, "test");
  return GoTemplate(tmpl).execute(doc, options);
}

}  // namespace

TEST(template_fields_print_like_go) {
  CHECK_EQ(run("{{.Repository}}:{{.Tag}}"), std::string("busybox:<none>"));
  CHECK_EQ(run("{{.Size}}"), std::string("4261550"));
  CHECK_EQ(run("{{.Ratio}}"), std::string("0.5"));
  CHECK_EQ(run("{{.Config.Env}}"), std::string("[PATH=/bin FOO=bar]"));
  CHECK_EQ(run("{{.Config.Labels}}"), std::string("map[a:1 b:2]"));
  CHECK_EQ(run("{{.Nested}}"), std::string("[map[k:v] map[k:w]]"));
  CHECK_EQ(run("{{.Missing}}"), std::string("<no value>"));
  CHECK_EQ(run("{{.Config.Labels.c}}"), std::string("<no value>"));
  CHECK_EQ(run("{{.Config.Entrypoint}}"), std::string("<no value>"));
  CHECK_EQ(run("{{.Config.Tty}}"), std::string("false"));
  CHECK_EQ(run("{{.Missing.Deeper}}"), std::string("<no value>"));
  CHECK_EQ(run("plain text"), std::string("plain text"));
  CHECK_EQ(run(""), std::string(""));
}

TEST(template_json) {
  CHECK_EQ(run("{{json .Config.Env}}"), std::string("[\"PATH=/bin\",\"FOO=bar\"]"));
  CHECK_EQ(run("{{json .Tag}}"), std::string("\"<none>\""));
  CHECK_EQ(run("{{json .Config.Entrypoint}}"), std::string("null"));
  CHECK_EQ(run("{{json .Missing}}"), std::string("null"));
  CHECK_EQ(run("{{json .Lines}}"), std::string("\"a\\tb\""));
  CHECK_EQ(run("{{json .Config.Labels}}"), std::string("{\"b\":\"2\",\"a\":\"1\"}"));
  TemplateOptions rows;
  rows.escape_html_in_root_json = true;
  std::string whole = run("{{json .}}", rows);
  CHECK(whole.find("\"Tag\":\"\\u003cnone\\u003e\"") != std::string::npos);
  CHECK_EQ(run("{{json .Tag}}", rows), std::string("\"<none>\""));
  CHECK(run("{{json .}}").find("\"<none>\"") != std::string::npos);
}

TEST(template_index_len_join) {
  CHECK_EQ(run("{{index .Config.Labels \"a\"}}"), std::string("1"));
  CHECK_EQ(run("{{index .Config.Labels \"zz\"}}"), std::string("<no value>"));
  CHECK_EQ(run("{{index .Names 1}}"), std::string("two"));
  CHECK_EQ(run("{{index .Nested 1 \"k\"}}"), std::string("w"));
  CHECK_EQ(run("{{len .Names}} {{len .Config.Labels}} {{len .Repository}}"), std::string("3 2 7"));
  CHECK_EQ(run("{{join .Names \",\"}}"), std::string("one,two,three"));
  CHECK_EQ(run("{{join .Config.Labels \"+\"}}"), std::string("1+2"));
  CHECK_EQ(run("{{join .Config.Entrypoint \",\"}}"), std::string(""));
  CHECK_EQ(run("{{upper .Repository}} {{lower \"ABC\"}} {{title \"hello world\"}}"),
           std::string("BUSYBOX abc Hello World"));
  CHECK_EQ(run("{{split \"a:b:c\" \":\"}}"), std::string("[a b c]"));
  CHECK_EQ(run("{{.Repository | upper}}"), std::string("BUSYBOX"));
  CHECK_EQ(run("{{(index .Nested 0).k}}"), std::string("v"));
  CHECK_EQ(run("{{pad .Repository 1 2}}|{{truncate .Repository 4}}"), std::string(" busybox  |busy"));
  CHECK_THROWS(run("{{index .Names 5}}"), "index out of range: 5");
  CHECK_THROWS(run("{{join .Repository \",\"}}"), "expected slice, got string");
}

TEST(template_range_if_with) {
  CHECK_EQ(run("{{range .Names}}<{{.}}>{{end}}"), std::string("<one><two><three>"));
  CHECK_EQ(run("{{range $i, $n := .Names}}{{$i}}={{$n}} {{end}}"), std::string("0=one 1=two 2=three "));
  CHECK_EQ(run("{{range $k, $v := .Config.Labels}}{{$k}}{{$v}}{{end}}"), std::string("a1b2"));
  CHECK_EQ(run("{{range .Config.Empty}}x{{else}}empty{{end}}"), std::string("empty"));
  CHECK_EQ(run("{{range .Missing}}x{{else}}none{{end}}"), std::string("none"));
  CHECK_EQ(run("{{range .Names}}{{if eq . \"two\"}}{{break}}{{end}}{{.}}{{end}}"), std::string("one"));
  CHECK_EQ(run("{{range .Names}}{{if eq . \"two\"}}{{continue}}{{end}}{{.}}{{end}}"), std::string("onethree"));
  CHECK_EQ(run("{{if .Config.User}}user{{else}}root{{end}}"), std::string("root"));
  CHECK_EQ(run("{{if .Missing}}a{{else if .Repository}}b{{else}}c{{end}}"), std::string("b"));
  CHECK_EQ(run("{{if and .Repository (not .Config.Tty)}}yes{{end}}"), std::string("yes"));
  CHECK_EQ(run("{{or .Config.User \"default\"}}"), std::string("default"));
  CHECK_EQ(run("{{with .Config}}{{.Cmd}}{{end}}"), std::string("[sh]"));
  CHECK_EQ(run("{{with .Missing}}x{{else}}y{{end}}"), std::string("y"));
  CHECK_EQ(run("{{$r := .Repository}}{{range .Names}}{{$r}}{{end}}"), std::string("busyboxbusyboxbusybox"));
  CHECK_EQ(run("{{range .Names}}{{$.Repository}}{{end}}"), std::string("busyboxbusyboxbusybox"));
  CHECK_EQ(run("{{if gt .Size 1000}}big{{end}} {{if lt 1 2.5}}lt{{end}} {{if ne .Tag \"x\"}}ne{{end}}"),
           std::string("big lt ne"));
}

TEST(template_print_functions_and_trim) {
  CHECK_EQ(run("{{println .Repository}}"), std::string("busybox\n"));
  CHECK_EQ(run("{{print 1 2 \"a\" \"b\"}}"), std::string("1 2ab"));
  CHECK_EQ(run("{{printf \"%s-%d-%5s|%-4s|\" .Repository 42 \"x\" \"y\"}}"), std::string("busybox-42-    x|y   |"));
  CHECK_EQ(run("{{printf \"%v %q\" .Names .Tag}}"), std::string("[one two three] \"<none>\""));
  CHECK_EQ(run("a  {{- .Tag -}}  b"), std::string("a<none>b"));
  CHECK_EQ(run("a {{/* a comment */}} b"), std::string("a  b"));
  CHECK_EQ(run("{{`raw\\n`}}{{\"esc\\n\"}}"), std::string("raw\\nesc\n"));
}

TEST(template_errors_are_docker_like) {
  CHECK_THROWS(GoTemplate("{{.Foo"), "template parsing error: template: :1: unclosed action");
  CHECK_THROWS(GoTemplate("{{nope .Foo}}"), "template parsing error: template: :1: function \"nope\" not defined");
  CHECK_THROWS(GoTemplate("{{if .A}}x"), "unexpected EOF");
  CHECK_THROWS(GoTemplate("x{{end}}"), "unexpected {{end}}");
  CHECK_THROWS(GoTemplate("{{}}"), "missing value for command");
  CHECK_THROWS(GoTemplate("{{\"abc}}"), "unterminated quoted string");
  CHECK_THROWS(GoTemplate("{{$x}}"), "undefined variable \"$x\"");
  CHECK_THROWS(GoTemplate("{{break}}"), "{{break}} outside {{range}}");
  CHECK_THROWS(run("{{.Repository.Foo}}"),
               "template parsing error: template: :1:2: executing \"\" at <.Repository.Foo>: can't evaluate field Foo in type string");
  CHECK_THROWS(run("{{upper .Size}}"), "wrong type for value; expected string; got int");
  TemplateOptions partial;
  partial.partial_on_error = true;
  CHECK_EQ(run("ok {{.Repository.Foo}} after", partial), std::string("ok "));
}

TEST(template_header_functions_pass_names_through) {
  JsonValue header = parse_json(R"({"Repository": "REPOSITORY", "Size": "SIZE"})", "header");
  TemplateOptions options;
  options.header_functions = true;
  CHECK_EQ(GoTemplate("{{upper .Repository}}\t{{json .Size}}\t{{join .Size \",\"}}").execute(header, options),
           std::string("REPOSITORY\tSIZE\tSIZE"));
  CHECK_EQ(GoTemplate("{{if .Size}}{{.Size}}{{else}}N/A{{end}}").execute(header, options), std::string("SIZE"));
}

TEST(template_nesting_is_limited_like_go) {
  std::string ok = "{{" + std::string(9999, '(') + "." + std::string(9999, ')') + " | len}}";
  CHECK_EQ(run(ok), std::string("10"));  // kDoc has ten members
  std::string deep = "{{" + std::string(60000, '(') + "." + std::string(60000, ')') + "}}";
  CHECK_THROWS(GoTemplate{deep}, "template: :1: max expression depth exceeded");
  std::string blocks;
  for (int i = 0; i < 10001; i++) blocks += "{{with .}}";
  CHECK_THROWS(GoTemplate{blocks}, "max expression depth exceeded");
}

TEST(template_widths_and_output_are_bounded) {
  CHECK_THROWS(run("{{printf \"%9999999999s\" \"x\"}}"), "error calling printf: width 9999999999 is larger than 1000000");
  CHECK_THROWS(run("{{printf \"%.2000000f\" 1.5}}"), "precision 2000000 is larger than 1000000");
  CHECK_THROWS(run("{{pad \"x\" 9999999999 0}}"), "error calling pad: width 9999999999 is larger than 1000000");
  CHECK_EQ(run("{{printf \"%1000000s\" \"x\" | len}}"), std::string("1000000"));
  CHECK_EQ(run("{{printf \"%600d|%-3s|\" 7 \"a\" | len}}"), std::string("605"));
  CHECK_THROWS(run("{{$x := \"abcdefgh\"}}{{range 100}}{{$x = print $x $x}}{{end}}"), "template output exceeds 64 MiB");
  CHECK_THROWS(run("{{range 1000000000000}}x{{end}}"), "template output exceeds 64 MiB");
  CHECK_THROWS(run("{{split (printf \"%1000000s\" \"\") \"\" | len}}"), "template output exceeds 64 MiB");
  CHECK_EQ(run("{{range 3}}{{.}}{{end}}"), std::string("012"));
}
