#include <unistd.h>
#include <cstring>
#include <cstdio>
#include <cstdlib>

#include "base/env_list.h"
#include "base/error.h"
#include "container/environment.h"
#include "test.h"

using namespace hutch;

TEST(env_flags_files_first_bare_names_copied_or_left_bare) {
  setenv("HUTCH_UNIT_SET", "host", 1);
  unsetenv("HUTCH_UNIT_UNSET");
  char path[] = "/tmp/hutch-env-XXXXXX";
  int fd = mkstemp(path);
  const char* text = "FILE=1\nHUTCH_UNIT_SET\n";
  CHECK(write(fd, text, strlen(text)) > 0);
  close(fd);
  auto env = env_from_flags({path}, {"A=flag", "HUTCH_UNIT_SET", "HUTCH_UNIT_UNSET"});
  unlink(path);
  CHECK(env == (std::vector<std::string>{"FILE=1", "HUTCH_UNIT_SET=host", "A=flag", "HUTCH_UNIT_SET=host",
                                         "HUTCH_UNIT_UNSET"}));
}

// docker's daemon: the flags' entries first (a later one replacing an earlier
// in place), then the image's whose names they leave alone.
TEST(env_merge_puts_flags_first) {
  std::vector<std::string> image = {"PATH=/bin", "FOO=image", "BAR=image"};
  CHECK(merge_env(image, {}) == image);
  CHECK(merge_env(image, {"B=1", "A=1", "B=2", "FOO=x", "BAR"}) ==
        (std::vector<std::string>{"B=2", "A=1", "FOO=x", "BAR", "PATH=/bin"}));
}

TEST(env_process_replaces_defaults_in_place_and_bare_names_unset) {
  std::vector<std::string> defaults = {"PATH=/default", "HOSTNAME=h"};
  CHECK(process_env(defaults, {"X=1", "PATH=/bin", "HOSTNAME", "Y=2"}) ==
        (std::vector<std::string>{"PATH=/bin", "X=1", "Y=2"}));
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

TEST(env_rejects_empty_name) { CHECK_THROWS(env_from_flags({}, {"=x"}), "invalid environment variable"); }

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
  std::vector<std::string> merged = merge_env(base, updates);
  CHECK_EQ(merged.size(), 200000u);
  CHECK_EQ(merged[7], std::string("V7=last"));
  CHECK_EQ(merged[199999], std::string("V199999=file"));
  merged = process_env(base, updates);
  CHECK_EQ(merged.size(), 200000u);
  CHECK_EQ(merged[7], std::string("V7=last"));
}
