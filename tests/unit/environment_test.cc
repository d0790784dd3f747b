#include <unistd.h>
#include <cstring>
#include <cstdio>
#include <cstdlib>

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
