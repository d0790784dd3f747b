#include "base/error.h"
#include "runtime/user_db.h"
#include "test.h"

using namespace hutch;

static const char* kPasswd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n";
static const char* kGroup = "root:x:0:\nwheel:x:10:alice\nstaff:x:50:alice,bob\nalice:x:1000:\n";

TEST(user_default_is_root_with_home) {
  ExecUser u = resolve_user("", kPasswd, kGroup);
  CHECK_EQ(u.uid, 0u);
  CHECK_EQ(u.home, std::string("/root"));
  CHECK_EQ(u.groups.size(), 1u);
}

TEST(user_by_name_gets_supplementary_groups) {
  ExecUser u = resolve_user("alice", kPasswd, kGroup);
  CHECK_EQ(u.uid, 1000u);
  CHECK_EQ(u.gid, 1000u);
  CHECK_EQ(u.groups.size(), 3u);  // 1000, 10, 50
  CHECK_EQ(u.groups[1], 10u);
}

TEST(user_numeric_unknown_gets_gid_0) {
  ExecUser u = resolve_user("4242", kPasswd, kGroup);
  CHECK_EQ(u.uid, 4242u);
  CHECK_EQ(u.gid, 0u);
  CHECK_EQ(u.home, std::string("/"));
}

TEST(user_with_group_name_and_gid) {
  CHECK_EQ(resolve_user("alice:staff", kPasswd, kGroup).gid, 50u);
  CHECK_EQ(resolve_user("1001:77", kPasswd, kGroup).gid, 77u);
}

TEST(user_unknown_names_fail) {
  CHECK_THROWS(resolve_user("mallory", kPasswd, kGroup), "unable to find user mallory");
  CHECK_THROWS(resolve_user("alice:nogroup", kPasswd, kGroup), "unable to find group nogroup");
}
