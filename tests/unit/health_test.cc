#include "base/error.h"
#include "container/health.h"
#include "test.h"

using namespace hutch;

TEST(health_config_json_round_trip_leaves_zero_fields_out) {
  HealthConfig c;
  c.test = {"CMD-SHELL", "true"};
  c.interval = 2000000000;
  c.retries = 4;
  std::string json = health_config_json(c);
  CHECK_EQ(json, std::string(R"({"Test":["CMD-SHELL","true"],"Interval":2000000000,"Retries":4})"));
  HealthConfig back = parse_health_config(json);
  CHECK(back.test == c.test);
  CHECK_EQ(back.interval, c.interval);
  CHECK_EQ(back.timeout, (int64_t)0);
  CHECK_EQ(back.retries, 4);
  CHECK_EQ(health_config_json(HealthConfig{}), std::string("{}"));
}

TEST(health_merge_fills_the_containers_unset_fields_from_the_image) {
  std::string image = R"({"Test":["CMD","true"],"Interval":1000000,"Timeout":5,"Retries":2})";
  CHECK_EQ(merge_health_json("", image), image);
  CHECK_EQ(merge_health_json(R"({"Retries":7})", ""), std::string(R"({"Retries":7})"));
  CHECK_EQ(merge_health_json(R"({"Retries":7})", image),
           std::string(R"({"Test":["CMD","true"],"Interval":1000000,"Timeout":5,"Retries":7})"));
  // --no-healthcheck: NONE, the image's other fields kept (as docker stores it).
  CHECK_EQ(merge_health_json(R"({"Test":["NONE"]})", image),
           std::string(R"({"Test":["NONE"],"Interval":1000000,"Timeout":5,"Retries":2})"));
}

TEST(health_check_refuses_what_dockers_daemon_refuses) {
  HealthConfig c;
  c.interval = 1000000;  // 1ms: the least there is
  check_health_config(c);
  c.interval = 999999;
  CHECK_THROWS(check_health_config(c), "Interval in Healthcheck cannot be less than 1ms");
  c.interval = 0;
  c.start_period = 500;
  CHECK_THROWS(check_health_config(c), "StartPeriod in Healthcheck cannot be less than 1ms");
  c.start_period = 0;
  c.retries = -1;
  CHECK_THROWS(check_health_config(c), "Retries in Healthcheck cannot be negative");
}
