#include "base/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace hutch {

void parallel_for(size_t count, size_t workers, const std::function<void(size_t worker, size_t item)>& job) {
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr first_error;
  auto work = [&](size_t worker) {
    for (;;) {
      size_t item = next++;
      if (item >= count) return;
      {
        std::lock_guard<std::mutex> guard(error_mutex);
        if (first_error) return;
      }
      try {
        job(worker, item);
      } catch (...) {
        std::lock_guard<std::mutex> guard(error_mutex);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  workers = std::max<size_t>(1, std::min(workers, count));
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; w++) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace hutch
