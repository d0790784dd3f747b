#include <cstdio>

#include "base/error.h"
#include "test.h"

namespace unit {
std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
}  // namespace unit

int main() {
  int passed = 0, failed = 0;
  for (const auto& c : unit::registry()) {
    try {
      c.body();
      passed++;
    } catch (const unit::Failure& f) {
      failed++;
      printf("FAIL unit:%s\n  %s\n", c.name, f.message.c_str());
    } catch (const std::exception& e) {
      failed++;
      printf("FAIL unit:%s\n  unexpected exception: %s\n", c.name, e.what());
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
