// docker's pull output: on a terminal, one live line per layer with a bar,
// bytes, rate and time left; otherwise one plain line per state change.
#pragma once
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "image/pull.h"

namespace hutch {

class PullProgress : public PullObserver {
 public:
  enum Mode { kTerminal, kLines, kSilent };
  PullProgress(FILE* out, Mode mode) : out_(out), mode_(mode) {}
  // kTerminal when out is a terminal, kLines otherwise.
  static Mode mode_for(FILE* out);

  void layers(const std::vector<std::string>& short_ids) override;
  void layer_phase(size_t index, LayerPhase phase) override;
  void layer_bytes(size_t index, int64_t done, int64_t total) override;
  // Draws the final state of every line (a terminal skips updates in between).
  void finish();

 private:
  struct Line {
    std::string id;
    LayerPhase phase = LayerPhase::kWaiting;
    int64_t done = 0;
    int64_t total = 0;
    double started = 0;  // seconds, when downloading began
  };
  std::string render(const Line& line, double now) const;
  void redraw(bool force);

  FILE* out_;
  Mode mode_;
  std::mutex mutex_;
  std::vector<Line> lines_;
  size_t drawn_ = 0;  // lines on screen from the last draw
  double last_draw_ = 0;
  int width_ = 80;
};

}  // namespace hutch
