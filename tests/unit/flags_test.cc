#include "base/error.h"
#include "cli/commands.h"
#include "test.h"

using namespace hutch;

namespace {

struct Inner {
  std::string hostname;
};

struct Options {
  bool tty = false;
  bool pause = true;
  std::string name;
  std::string pull = "missing";
  std::optional<std::string> entrypoint;
  int64_t shares = 0;
  int32_t retries = 10;
  uint16_t port = 0;
  int64_t shm = 64 * 1024 * 1024;
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds interval = std::chrono::seconds(30);
  std::vector<std::string> env;
  FlagMap labels;
  FlagMap opts;
  std::vector<std::string> seen;
  Inner inner;
};

using F = Flag<Options>;

const std::vector<F>& flags() {
  static const std::vector<F> table = {
      F::boolean("tty", 't', &Options::tty, "Allocate a pseudo-TTY"),
      F::boolean("pause", 'p', &Options::pause, "Pause"),
      F::string("name", 0, &Options::name, "Name"),
      F::string("pull", 0, &Options::pull, "Pull"),
      F::optional_string("entrypoint", 0, &Options::entrypoint, "Entrypoint"),
      F::integer("cpu-shares", 'c', &Options::shares, "CPU shares"),
      F::integer("retries", 0, &Options::retries, "Retries"),
      F::uinteger("port", 0, &Options::port, "Port"),
      F::bytes("shm-size", 0, &Options::shm, "Size of /dev/shm"),
      F::duration("timeout", 0, &Options::timeout, "Timeout"),
      F::duration("interval", 0, &Options::interval, "Interval"),
      F::list("env", 'e', &Options::env, "Set environment variables"),
      F::key_value_list("label", 'l', &Options::labels, "Labels"),
      F::map("opt", 'o', &Options::opts, "Options"),
      F::each("seen", 's', "thing", "Each",
              [](Options& o, const std::string& v) {
                if (v == "bad") fail("no bad things");
                o.seen.push_back(v);
              }),
      F::string("hostname", 'h', at(&Options::inner, &Inner::hostname), "Host name"),
  };
  return table;
}

constexpr CommandInfo kRun = {.name = "run", .args = "[OPTIONS] IMAGE [COMMAND]", .summary = "Run", .min_args = 1,
                              .options_end_at_first_argument = true};
constexpr CommandInfo kList = {.name = "ls", .args = "[OPTIONS]", .summary = "List", .max_args = 2};

struct Parsed {
  Options options;
  std::vector<std::string> positional;
  bool help = false;
};

Parsed parse(const CommandInfo& command, const std::vector<std::string>& argv) {
  Parsed p;
  p.help = parse_flags(command, flags(), argv, p.options, p.positional);
  return p;
}

int status_of(const CommandInfo& command, const std::vector<std::string>& argv) {
  try {
    parse(command, argv);
  } catch (const Error& e) {
    return e.status();
  }
  return 0;
}

}  // namespace

TEST(flags_defaults_are_the_member_initializers) {
  Parsed p = parse(kRun, {"img"});
  CHECK(!p.options.tty);
  CHECK(p.options.pause);
  CHECK_EQ(p.options.pull, std::string("missing"));
  CHECK(!p.options.entrypoint);
  CHECK_EQ(p.options.retries, 10);
  CHECK_EQ(p.options.shm, int64_t(64 * 1024 * 1024));
  CHECK_EQ(p.options.interval.count(), int64_t(30'000'000'000));
  CHECK(p.options.env.empty());
}

TEST(flags_each_kind_binds_its_member) {
  Parsed p = parse(kList, {"--tty", "--pause=false", "--name", "x", "--entrypoint=", "-c", "0x10", "--retries=-3",
                           "--port", "8080", "--shm-size", "1.5g", "--timeout", "1m30s", "-e", "A=1", "-eB=2",
                           "-l", "k=v", "--label", "bare", "-o", "a=1", "-o", "a=2", "-s", "one", "--seen=two",
                           "-h", "box", "pos"});
  CHECK(p.options.tty);
  CHECK(!p.options.pause);
  CHECK_EQ(p.options.name, std::string("x"));
  CHECK(p.options.entrypoint.has_value());
  CHECK_EQ(*p.options.entrypoint, std::string(""));
  CHECK_EQ(p.options.shares, int64_t(16));
  CHECK_EQ(p.options.retries, -3);
  CHECK_EQ(p.options.port, 8080);
  CHECK_EQ(p.options.shm, int64_t(1610612736));
  CHECK_EQ(p.options.timeout.count(), int64_t(90'000'000'000));
  CHECK_EQ(p.options.env.size(), 2u);
  CHECK_EQ(p.options.env[1], std::string("B=2"));
  CHECK_EQ(p.options.labels.size(), 2u);
  CHECK_EQ(p.options.labels["bare"], std::string(""));
  CHECK_EQ(p.options.opts["a"], std::string("2"));
  CHECK_EQ(p.options.seen.size(), 2u);
  CHECK_EQ(p.options.seen[1], std::string("two"));
  CHECK_EQ(p.options.inner.hostname, std::string("box"));
  CHECK_EQ(p.positional.size(), 1u);
}

TEST(flags_short_bundles_and_attached_values) {
  Parsed p = parse(kRun, {"-tpe", "X=1", "-c12", "img"});
  CHECK(!status_of(kRun, {"-tp", "img"}));
  CHECK(p.options.tty);
  CHECK(p.options.pause);
  CHECK_EQ(p.options.env[0], std::string("X=1"));
  CHECK_EQ(p.options.shares, int64_t(12));
  CHECK_THROWS(parse(kRun, {"-c12x", "img"}), "strconv.ParseInt");
  Parsed q = parse(kRun, {"-p=false", "-c=7", "img"});
  CHECK(!q.options.pause);
  CHECK_EQ(q.options.shares, int64_t(7));
}

TEST(flags_options_end_at_first_argument_and_at_double_dash) {
  Parsed p = parse(kRun, {"-t", "img", "ls", "-l", "--name", "x"});
  CHECK_EQ(p.positional.size(), 5u);
  CHECK_EQ(p.positional[2], std::string("-l"));
  CHECK(p.options.name.empty());
  // Elsewhere, options and arguments mix; "--" ends the options.
  Parsed q = parse(kList, {"a", "--name", "x", "--", "--tty"});
  CHECK_EQ(q.options.name, std::string("x"));
  CHECK(!q.options.tty);
  CHECK_EQ(q.positional.size(), 2u);
  CHECK_EQ(q.positional[1], std::string("--tty"));
  CHECK_EQ(parse(kList, {"-"}).positional[0], std::string("-"));
}

TEST(flags_errors_in_dockers_words) {
  CHECK_THROWS(parse(kRun, {"--bogus", "img"}), "unknown flag: --bogus");
  CHECK_THROWS(parse(kRun, {"-Z", "img"}), "unknown shorthand flag: 'Z' in -Z");
  CHECK_THROWS(parse(kRun, {"--name"}), "flag needs an argument: --name");
  CHECK_THROWS(parse(kRun, {"-e"}), "flag needs an argument: 'e' in -e");
  CHECK_THROWS(parse(kRun, {"--tty=maybe", "img"}),
               "invalid argument \"maybe\" for \"-t, --tty\" flag: strconv.ParseBool: parsing \"maybe\": invalid "
               "syntax");
  CHECK_THROWS(parse(kRun, {"-c", "abc", "img"}),
               "invalid argument \"abc\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"abc\": invalid "
               "syntax");
  CHECK_THROWS(parse(kRun, {"--retries", "3000000000", "img"}), "value out of range");
  CHECK_THROWS(parse(kRun, {"--port", "70000", "img"}), "strconv.ParseUint: parsing \"70000\": value out of range");
  CHECK_THROWS(parse(kRun, {"--shm-size", "1x", "img"}),
               "invalid argument \"1x\" for \"--shm-size\" flag: invalid suffix: 'x'");
  CHECK_THROWS(parse(kRun, {"--timeout", "10", "img"}), "time: missing unit in duration \"10\"");
  // A callback's error is its own, not wrapped.
  CHECK_THROWS(parse(kRun, {"-s", "bad", "img"}), "no bad things");
  CHECK_EQ(status_of(kRun, {"--bogus", "img"}), 125);
  CHECK_EQ(status_of(kRun, {"--tty=maybe", "img"}), 125);
  // Wrong argument counts are docker's status 1.
  CHECK_THROWS(parse(kRun, {}), "\"hutch run\" requires at least 1 argument.");
  CHECK_THROWS(parse(kList, {"a", "b", "c"}), "\"hutch ls\" requires at most 2 arguments.");
  CHECK_EQ(status_of(kRun, {}), 1);
  try {
    parse(kRun, {"--bogus", "img"});
  } catch (const Error& e) {
    CHECK_EQ(e.hint(), std::string("See 'hutch run --help'."));
  }
}

TEST(flags_help_anywhere) {
  CHECK(parse(kList, {"a", "--help"}).help);
  CHECK(parse(kRun, {"--help"}).help);  // no argument count check
  // -h is help unless a flag owns it: here it is --hostname.
  CHECK(!parse(kRun, {"-h", "box", "img"}).help);
  struct None {};
  std::vector<Flag<None>> none;
  None o;
  std::vector<std::string> positional;
  CHECK(parse_flags(kList, none, {"-h"}, o, positional));
}

namespace {

int record(Options& o, const Args& args) { return (int)o.env.size() * 10 + (int)args.positional.size(); }

}  // namespace

TEST(flags_help_shows_defaults_as_docker_does) {
  Command c = make_command<Options>({.name = "run", .args = "[OPTIONS] IMAGE", .summary = "Run it"}, flags(), record);
  std::string help = help_text(c);
  CHECK(help.find("Usage:  hutch run [OPTIONS] IMAGE\n\nRun it\n") != std::string::npos);
  CHECK(help.find("  -t, --tty ") != std::string::npos);
  CHECK(help.find("Allocate a pseudo-TTY\n") != std::string::npos);
  CHECK(help.find("Pause (default true)\n") != std::string::npos);
  CHECK(help.find("      --pull string ") != std::string::npos);
  CHECK(help.find("Pull (default \"missing\")\n") != std::string::npos);
  CHECK(help.find("Name\n") != std::string::npos);  // "" shows no default
  CHECK(help.find("Retries (default 10)\n") != std::string::npos);
  CHECK(help.find("Size of /dev/shm (default 64MiB)\n") != std::string::npos);
  CHECK(help.find("--shm-size bytes ") != std::string::npos);
  CHECK(help.find("Interval (default 30s)\n") != std::string::npos);
  CHECK(help.find("Timeout\n") != std::string::npos);
  CHECK(help.find("  -e, --env list ") != std::string::npos);
  CHECK(help.find("Set environment variables\n") != std::string::npos);
  CHECK(help.find("  -l, --label list ") != std::string::npos);
  CHECK(help.find("Labels\n") != std::string::npos);
  CHECK(help.find("  -o, --opt map ") != std::string::npos);
  CHECK(help.find("Options (default map[])\n") != std::string::npos);
  CHECK(help.find("--seen thing ") != std::string::npos);
  CHECK_EQ(c.run(c, {"-e", "a", "-e", "b", "x"}), 21);
  std::string man = man_page(c);
  CHECK(man.find(".TH HUTCH-RUN 1") != std::string::npos);
  CHECK(man.find("\\fB\\-\\-pull\\fR \\fIstring\\fR\nPull (default \"missing\")") != std::string::npos);
}

TEST(flags_registry_commands_and_aliases) {
  std::vector<std::string> words = {"image", "ls", "-q"};
  const Command* c = find_command(words);
  CHECK(c != nullptr);
  CHECK_EQ(std::string(c->info.alias_of), std::string("images"));
  CHECK_EQ(words.size(), 1u);
  std::string help = help_text(*c);
  CHECK(help.find("Aliases:\n  hutch image ls, hutch images") != std::string::npos);
  words = {"run"};
  const Command* run = find_command(words);
  CHECK(run->info.keeps_runner_status);
  CHECK(help_text(*run).find("  -w, --workdir string") != std::string::npos);
  for (const auto& command : all_commands()) {
    std::vector<std::string> seen;
    for (const auto& f : command.flags) {
      for (const auto& s : seen) CHECK(s != f.name);
      seen.push_back(f.name);
    }
  }
}

TEST(flags_runc_grammar) {
  constexpr CommandInfo kExec = {.name = "exec", .args = "ID [COMMAND]", .min_args = 1,
                                 .options_end_at_first_argument = true, .grammar = Grammar::kRunc};
  Parsed p = parse(kExec, {"-tty", "--name=x", "-e", "A=1", "id", "ls", "-l"});
  CHECK(p.options.tty);
  CHECK_EQ(p.options.name, std::string("x"));
  CHECK_EQ(p.options.env[0], std::string("A=1"));
  CHECK_EQ(p.positional.size(), 3u);
  CHECK(parse(kExec, {"-help"}).help);
  CHECK_THROWS(parse(kExec, {"-bogus", "id"}), "flag provided but not defined: -bogus");
  CHECK_THROWS(parse(kExec, {"--name"}), "flag needs an argument: -name");
  CHECK_THROWS(parse(kExec, {}), "exec: expected ID [COMMAND]");
  CHECK_THROWS(parse(kExec, {"-c", "x", "id"}), "invalid value \"x\" for flag -cpu-shares");
}
