#include "base/error.h"
#include "cli/commands.h"
#include "test.h"

using namespace hutch;

static const CommandSpec& command(const char* name) {
  std::vector<std::string> words = {name};
  return *find_command(words);
}

TEST(flags_cluster_and_forms) {
  ParsedArgs a = parse_flags(command("run"), {"-it", "--name=x", "-e", "A=1", "-eB=2", "--rm", "img", "ls", "-l"});
  CHECK(a.flag("interactive"));
  CHECK(a.flag("tty"));
  CHECK(a.flag("rm"));
  CHECK_EQ(a.value("name"), std::string("x"));
  CHECK_EQ(a.values("env").size(), 2u);
  CHECK_EQ(a.values("env")[1], std::string("B=2"));
  // Options end at IMAGE: "-l" belongs to ls.
  CHECK_EQ(a.positional.size(), 3u);
  CHECK_EQ(a.positional[2], std::string("-l"));
}

TEST(flags_run_h_is_hostname) {
  ParsedArgs a = parse_flags(command("run"), {"-h", "box", "img"});
  CHECK_EQ(a.value("hostname"), std::string("box"));
}

TEST(flags_unknown_and_missing_values) {
  CHECK_THROWS(parse_flags(command("run"), {"--bogus", "img"}), "unknown flag: --bogus");
  CHECK_THROWS(parse_flags(command("run"), {"-Z", "img"}), "unknown shorthand flag: 'Z'");
  CHECK_EQ(parse_flags(command("run"), {"img", "--name"}).positional[1], std::string("--name"));  // after IMAGE
  CHECK_THROWS(parse_flags(command("run"), {"--name"}), "flag needs an argument: --name");
  CHECK_THROWS(parse_flags(command("run"), {}), "requires at least 1 argument");
}

TEST(flags_bool_values) {
  CHECK(!parse_flags(command("run"), {"--rm=false", "img"}).flag("rm"));
  CHECK_THROWS(parse_flags(command("run"), {"--rm=maybe", "img"}), "invalid argument");
}

TEST(help_and_man_come_from_the_table) {
  std::string help = help_text(command("run"));
  CHECK(help.find("Usage:  hutch run [OPTIONS] IMAGE [COMMAND] [ARG...]") != std::string::npos);
  CHECK(help.find("  -w, --workdir string") != std::string::npos);
  std::string man = man_page(command("run"));
  CHECK(man.find(".TH HUTCH-RUN 1") != std::string::npos);
  CHECK(man.find("\\-\\-entrypoint") != std::string::npos);
}
