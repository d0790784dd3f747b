#include "base/error.h"
#include "base/json_reader.h"
#include "image/config_changes.h"
#include "test.h"

using namespace hutch;

namespace {

using Strings = std::vector<std::string>;

RunConfig applied(const Strings& changes) {
  RunConfig c;
  apply_changes(c, changes);
  return c;
}

}  // namespace

TEST(shell_words_quotes_escapes_expansion) {
  Strings env = {"A=1", "B=two words", "E="};
  CHECK(shell_words("x 'y z' \"$A $B\" \\$A", env, true) == (Strings{"x", "y z", "1 two words", "$A"}));
  // An expansion never splits a word.
  CHECK(shell_words("pre$B", env, true) == (Strings{"pretwo words"}));
  CHECK(shell_words("${A}x ${NOPE:-d} ${E:-e} ${E-f} ${A:+set} ${NOPE:+x}.", env, true) ==
        (Strings{"1x", "d", "e", "set", "."}));
  CHECK(shell_words("'$A' $ $1x", env, true) == (Strings{"$A", "$", "x"}));
  CHECK(shell_words("  a   b  ", env, false) == (Strings{"  a   b  "}));
  CHECK_THROWS(shell_words("\"open", env, true), "double-quote");
  CHECK_THROWS(shell_words("'open", env, true), "single-quote");
  CHECK_THROWS(shell_words("${A?x}", env, true), "unsupported modifier");
}

TEST(changes_cmd_entrypoint_forms) {
  RunConfig c = applied({"CMD [\"a\", \"b\"]"});
  CHECK(c.strings("Cmd") == (Strings{"a", "b"}));
  c = applied({"cmd echo $HOME"});  // shell form: no expansion, /bin/sh -c
  CHECK(c.strings("Cmd") == (Strings{"/bin/sh", "-c", "echo $HOME"}));
  c = applied({"CMD [not json"});
  CHECK(c.strings("Cmd") == (Strings{"/bin/sh", "-c", "[not json"}));
  // ENTRYPOINT drops Cmd unless CMD came first in the same changes.
  c = applied({"CMD [\"x\"]", "ENTRYPOINT [\"e\"]"});
  CHECK(c.strings("Cmd") == (Strings{"x"}));
  c = applied({"ENTRYPOINT [\"e\"]"});
  CHECK_EQ(c.to_json(), std::string("{\"Entrypoint\":[\"e\"],\"Cmd\":null}"));
  c = applied({"ENTRYPOINT [\"e\"]", "CMD [\"x\"]"});
  CHECK(c.strings("Cmd") == (Strings{"x"}));
}

TEST(changes_env_and_label) {
  RunConfig c = applied({"ENV A=1 B=\"x y\"", "ENV C $A-$B", "ENV A=2"});
  CHECK(c.strings("Env") == (Strings{"A=2", "B=x y", "C=1-x y"}));
  c = applied({"LABEL a=b \"c d\"=e", "LABEL a=z"});
  CHECK_EQ(c.to_json(), std::string("{\"Labels\":{\"a\":\"z\",\"c d\":\"e\"}}"));
  CHECK_THROWS(applied({"ENV"}), "ENV requires at least one argument");
  CHECK_THROWS(applied({"ENV A=1 B"}), "can't find = in \"B\"");
  CHECK_THROWS(applied({"ENV =1"}), "ENV names can not be blank");
  CHECK_THROWS(applied({"ENV A"}), "ENV must have two arguments");
}

TEST(changes_paths_ports_volumes) {
  RunConfig c = applied({"WORKDIR /a", "WORKDIR b/../c", "USER 1000:1000", "STOPSIGNAL SIGINT"});
  CHECK_EQ(c.string("WorkingDir"), std::string("/a/c"));
  CHECK_EQ(c.string("User"), std::string("1000:1000"));
  CHECK_EQ(c.string("StopSignal"), std::string("SIGINT"));
  c = applied({"EXPOSE 80 53/UDP 7-8/tcp", "EXPOSE 80"});
  CHECK_EQ(c.to_json(), std::string("{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{},\"7/tcp\":{},\"8/tcp\":{}}}"));
  CHECK_THROWS(applied({"EXPOSE 70000"}), "invalid containerPort");
  CHECK_THROWS(applied({"EXPOSE 80/xyz"}), "invalid proto");
  c = applied({"VOLUME /a /b", "VOLUME [\"/c\"]"});
  CHECK_EQ(c.to_json(), std::string("{\"Volumes\":{\"/a\":{},\"/b\":{},\"/c\":{}}}"));
}

TEST(changes_onbuild_healthcheck_and_refusals) {
  RunConfig c = applied({"ONBUILD RUN make", "ONBUILD COPY . /src"});
  CHECK(c.strings("OnBuild") == (Strings{"RUN make", "COPY . /src"}));
  CHECK_THROWS(applied({"ONBUILD ONBUILD RUN x"}), "Chaining ONBUILD");
  CHECK_THROWS(applied({"ONBUILD FROM x"}), "FROM isn't allowed as an ONBUILD trigger");
  c = applied({"HEALTHCHECK --interval=1m30s --timeout=500ms --retries=2 CMD [\"check\", \"-q\"]"});
  CHECK_EQ(c.to_json(), std::string("{\"Healthcheck\":{\"Test\":[\"CMD\",\"check\",\"-q\"],\"Interval\":90000000000,"
                                    "\"Timeout\":500000000,\"Retries\":2}}"));
  c = applied({"HEALTHCHECK NONE"});
  CHECK_EQ(c.to_json(), std::string("{\"Healthcheck\":{\"Test\":[\"NONE\"]}}"));
  CHECK_THROWS(applied({"HEALTHCHECK --interval=soon CMD x"}), "invalid duration");
  CHECK_THROWS(applied({"RUN make"}), "run is not a valid change command");
  CHECK_THROWS(applied({"FROM scratch"}), "from is not a valid change command");
  CHECK_THROWS(validate_changes({"COPY a b"}), "copy is not a valid change command");
}

TEST(changes_lines_comments_continuations) {
  // Joined by newlines as docker does: one string may hold several
  // instructions, a trailing backslash continues into the next line.
  RunConfig c = applied({"# a comment\nENV A=1\n\nUSER u", "ENV B=\\", "2"});
  CHECK(c.strings("Env") == (Strings{"A=1", "B=2"}));
  CHECK_EQ(c.string("User"), std::string("u"));
}

TEST(run_config_keeps_unknown_members) {
  JsonValue v = parse_json("{\"Hostname\":\"\",\"Env\":[\"A=1\"],\"ArgsEscaped\":true,\"Cmd\":[\"sh\"]}", "t");
  RunConfig c = RunConfig::from_json(&v);
  apply_changes(c, {"ENV B=2", "CMD [\"x\"]"});
  CHECK_EQ(c.to_json(), std::string("{\"Hostname\":\"\",\"Env\":[\"A=1\",\"B=2\"],\"ArgsEscaped\":true,\"Cmd\":[\"x\"]}"));
  CHECK_EQ(RunConfig::from_json(nullptr).to_json(), std::string("{}"));
}

TEST(changes_many_env_and_labels_keep_order_and_last_value) {
  Strings changes;
  for (int i = 0; i < 50000; i++) changes.push_back("ENV V" + std::to_string(i) + "=" + std::to_string(i));
  for (int i = 0; i < 50000; i++) changes.push_back("LABEL l" + std::to_string(i) + "=x");
  changes.push_back("ENV V3=${V4}b V5=$V3");
  changes.push_back("LABEL l1=y");
  RunConfig c = applied(changes);
  Strings env = c.strings("Env");
  CHECK_EQ(env.size(), 50000u);
  CHECK_EQ(env[3], std::string("V3=4b"));
  CHECK_EQ(env[5], std::string("V5=3"));  // expanded with the Env from before the instruction
  auto labels = c.object("Labels");
  CHECK_EQ(labels.size(), 50000u);
  CHECK_EQ(labels[1].second, std::string("\"y\""));
  CHECK_EQ(c.to_json().find("\"Env\""), (size_t)1);  // members keep the order they were first set in
}
