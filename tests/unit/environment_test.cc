#include <unistd.h>
#include <cstring>
#include <cstdio>
#include <cstdlib>

#include "base/env_list.h"
#include "base/error.h"
#include "container/environment.h"
#include "test.h"

using namespace hutch;

TEST(env_later_wins_and_bare_names_copy_or_drop) {
  setenv("HUTCH_UNIT_SET", "host", 1);
  unsetenv("HUTCH_UNIT_UNSET");
  std::vector<std::string> env = {"A=image", "HUTCH_UNIT_UNSET=image"};
  apply_env(env, {"A=flag", "HUTCH_UNIT_SET", "HUTCH_UNIT_UNSET"});
  CHECK_EQ(env.size(), 2u);
  CHECK_EQ(env[0], std::string("A=flag"));
  CHECK_EQ(env[1], std::string("HUTCH_UNIT_SET=host"));
}

TEST(env_file_comments_and_blank_lines) {
  char path[] = "/tmp/hutch-env-XXXXXX";
  int fd = mkstemp(path);
  const char* text = "# comment\n\nA=1\n  B=two words\nC\n";
  CHECK(write(fd, text, strlen(text)) > 0);
  close(fd);
  auto entries = read_env_file(path);
  unlink(path);
  CHECK_EQ(entries.size(), 3u);
  CHECK_EQ(entries[1], std::string("B=two words"));
  CHECK_EQ(entries[2], std::string("C"));
}

TEST(env_rejects_empty_name) { CHECK_THROWS(
    [] { std::vector<std::string> e; apply_env(e, {"=x"}); }(), "invalid environment variable"); }

TEST(env_list_replaces_in_place_and_appends_new_names_last) {
  EnvList env({"A=1", "B=2", "A=3"});  // an image may repeat a name: the last one counts
  CHECK(env.value("A") == std::optional<std::string>("3"));
  env.set("B=two");
  env.set("C", "new");
  env.unset("A");
  env.set("A=again");
  CHECK(env.entries() == (std::vector<std::string>{"A=1", "B=two", "C=new", "A=again"}));
  CHECK(!env.value("NOPE"));
}

TEST(env_apply_is_linear) {
  // 200,000 distinct names, then each overridden: quadratic merging took minutes.
  std::vector<std::string> base, updates;
  for (int i = 0; i < 200000; i++) base.push_back("V" + std::to_string(i) + "=base");
  for (int i = 0; i < 200000; i++) updates.push_back("V" + std::to_string(i) + "=file");
  updates.push_back("V7=last");
  apply_env(base, updates);
  CHECK_EQ(base.size(), 200000u);
  CHECK_EQ(base[7], std::string("V7=last"));
  CHECK_EQ(base[199999], std::string("V199999=file"));
}
