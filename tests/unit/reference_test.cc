#include "base/error.h"
#include "image/reference.h"
#include "test.h"

using namespace hutch;

TEST(reference_short_name_is_docker_hub_library) {
  Reference r = parse_reference("busybox");
  CHECK_EQ(r.full(), std::string("docker.io/library/busybox:latest"));
  CHECK_EQ(r.familiar_name(), std::string("busybox"));
}

TEST(reference_keeps_registry_port_and_tag) {
  Reference r = parse_reference("localhost:5000/team/app:v1.2");
  CHECK_EQ(r.domain, std::string("localhost:5000"));
  CHECK_EQ(r.path, std::string("team/app"));
  CHECK_EQ(r.tag, std::string("v1.2"));
  CHECK_EQ(r.familiar_name(), std::string("localhost:5000/team/app"));
}

TEST(reference_user_repo_on_hub) {
  Reference r = parse_reference("hutch-test/base:v1");
  CHECK_EQ(r.full(), std::string("docker.io/hutch-test/base:v1"));
  CHECK_EQ(r.familiar_name(), std::string("hutch-test/base"));
}

TEST(reference_digest_without_tag) {
  std::string d = "sha256:" + std::string(64, 'a');
  Reference r = parse_reference("alpine@" + d);
  CHECK_EQ(r.tag, std::string(""));
  CHECK_EQ(r.digest.str(), d);
}

TEST(reference_rejects_bad_forms) {
  CHECK_THROWS(parse_reference("UPPER"), "invalid reference format");
  CHECK_THROWS(parse_reference("a:b:c"), "invalid reference format");
  CHECK_THROWS(parse_reference(""), "invalid reference format");
  CHECK_THROWS(parse_reference("x@sha256:short"), "invalid reference format");
}

TEST(reference_says_when_latest_was_implied) {
  CHECK(parse_reference("busybox").tag_defaulted);
  CHECK(parse_reference("localhost:5000/team/app").tag_defaulted);
  CHECK(!parse_reference("busybox:latest").tag_defaulted);
  CHECK(!parse_reference("busybox@sha256:" + std::string(64, 'a')).tag_defaulted);
}
