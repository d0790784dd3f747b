#include "cli/list_format.h"
#include "cli/table.h"

#include "base/error.h"
#include "test.h"

using namespace hutch;

TEST(tabwrite_matches_docker_columns) {
  // docker images: every column at least 10 wide, 3 spaces of padding, the
  // last column never padded.
  CHECK_EQ(tabwrite("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\nbusybox\tlatest\ta416a98b71e2\t2 weeks ago\t4.26MB\n"),
           std::string("REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n"
                       "busybox      latest    a416a98b71e2   2 weeks ago   4.26MB\n"));
  // docker/cli's history golden file.
  CHECK_EQ(tabwrite("IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT\n123456789012\tLess than a second ago\t\t0B\tnone\n"),
           std::string("IMAGE          CREATED                  CREATED BY   SIZE      COMMENT\n"
                       "123456789012   Less than a second ago                0B        none\n"));
  // Widths count characters, not bytes; a trailing tab pads its cell.
  CHECK_EQ(tabwrite("a\u2026\tb\nccc\td\n"), std::string("a\u2026        b\nccc       d\n"));
  CHECK_EQ(tabwrite("x\t\n"), std::string("x         \n"));
  // A line with fewer cells ends the column block above it.
  CHECK_EQ(tabwrite("long-cell-here\tb\nnone\nc\td\n"),
           std::string("long-cell-here   b\nnone\nc         d\n"));
}

TEST(list_format_table_json_and_escapes) {
  CHECK_EQ(template_text("table {{.ID}}\\t{{.Size}}"), std::string("{{.ID}}\t{{.Size}}"));
  CHECK_EQ(template_text("json"), std::string("{{json .}}"));
  CHECK_EQ(template_text("  {{.ID}}\\n  "), std::string("{{.ID}}\n"));

  JsonValue header = string_fields({{"ID", "IMAGE ID"}, {"Size", "SIZE"}});
  ListFormat table("table {{.ID}}\\t{{.Size}}");
  CHECK(table.is_table());
  table.add_row(string_fields({{"ID", "abc"}, {"Size", "1MB"}}));
  CHECK_EQ(table.finish(header), std::string("IMAGE ID   SIZE\nabc        1MB\n"));

  ListFormat empty("table {{.ID}}\\t{{.Size}}");
  CHECK_EQ(empty.finish(header), std::string("IMAGE ID   SIZE\n"));

  ListFormat json("json");
  json.add_row(string_fields({{"Tag", "<none>"}, {"ID", "abc"}}));
  CHECK_EQ(json.finish(header), std::string("{\"ID\":\"abc\",\"Tag\":\"\\u003cnone\\u003e\"}\n"));

  ListFormat plain("{{.ID}}");
  plain.add_row(string_fields({{"ID", "a"}}));
  plain.add_row(string_fields({{"ID", "b"}}));
  CHECK_EQ(plain.finish(header), std::string("a\nb\n"));
  CHECK_THROWS(ListFormat("{{.ID"), "template parsing error: template: :1: unclosed action");
}
