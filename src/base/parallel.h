// A small worker pool for independent items (layers to unpack or download).
#pragma once
#include <cstddef>
#include <functional>

namespace hutch {

// Runs job(worker, item) for every item in [0, count) on `workers` threads, the
// caller's among them; `worker` in [0, workers) lets a job use per-thread state.
// After the first exception no new item starts; it is rethrown once all
// workers are done.
void parallel_for(size_t count, size_t workers, const std::function<void(size_t worker, size_t item)>& job);

}  // namespace hutch
