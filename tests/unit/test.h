// A minimal unit-test registry: TEST(name) { CHECK(...); }. The runner prints
// one line per failure and the summary line `N passed, N failed`.
#pragma once
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace unit {

struct Case {
  const char* name;
  std::function<void()> body;
};
std::vector<Case>& registry();
struct Register {
  Register(const char* name, std::function<void()> body) { registry().push_back({name, std::move(body)}); }
};
struct Failure {
  std::string message;
};

template <typename A, typename B>
void check_eq(const A& a, const B& b, const char* expr, const char* file, int line) {
  if (a == b) return;
  std::ostringstream out;
  out << file << ":" << line << ": " << expr << "\n    got:      " << a << "\n    expected: " << b;
  throw Failure{out.str()};
}

}  // namespace unit

#define TEST(name)                                                  \
  static void test_##name();                                        \
  static unit::Register register_##name(#name, test_##name);        \
  static void test_##name()

#define CHECK(cond)                                                                                   \
  do {                                                                                                \
    if (!(cond)) throw unit::Failure{std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " #cond}; \
  } while (0)

#define CHECK_EQ(a, b) unit::check_eq((a), (b), #a " == " #b, __FILE__, __LINE__)

// Passes when `expr` throws hutch::Error whose message contains `fragment`.
#define CHECK_THROWS(expr, fragment)                                                                 \
  do {                                                                                               \
    bool thrown = false;                                                                             \
    try {                                                                                            \
      expr;                                                                                          \
    } catch (const hutch::Error& e) {                                                                \
      thrown = std::string(e.what()).find(fragment) != std::string::npos;                            \
      if (!thrown) throw unit::Failure{std::string(__FILE__) + ":" + std::to_string(__LINE__) +      \
                                       ": wrong error: " + e.what()};                                \
    }                                                                                                \
    CHECK(thrown);                                                                                   \
  } while (0)
