#include "cli/pull_progress.h"

#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/human.h"

namespace hutch {

namespace {

double now_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

std::string bar(int64_t done, int64_t total) {
  constexpr int kWidth = 50;  // docker's
  int filled = total > 0 ? (int)(kWidth * done / total) : 0;
  std::string b = "[";
  for (int i = 0; i < kWidth; i++) b += i < filled ? '=' : i == filled ? '>' : ' ';
  return b + "]";
}

std::string eta(double seconds) {
  long s = (long)(seconds + 0.5);
  char buf[32];
  if (s >= 3600) snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60) snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

}  // namespace

PullProgress::Mode PullProgress::mode_for(FILE* out) { return isatty(fileno(out)) ? kTerminal : kLines; }

void PullProgress::layers(const std::vector<std::string>& short_ids) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (const auto& id : short_ids) lines_.push_back(Line{id});
  if (mode_ == kTerminal) {
    struct winsize ws;
    if (ioctl(fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) width_ = ws.ws_col;
    redraw(true);
  } else if (mode_ == kLines) {
    for (const auto& l : lines_) fprintf(out_, "%s: Pulling fs layer\n", l.id.c_str());
    fflush(out_);
  }
}

void PullProgress::layer_phase(size_t index, LayerPhase phase) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (index >= lines_.size()) return;
  Line& line = lines_[index];
  line.phase = phase;
  if (phase == LayerPhase::kDownloading) line.started = now_seconds();
  if (mode_ == kTerminal) {
    redraw(phase != LayerPhase::kDownloading);
  } else if (mode_ == kLines) {
    const char* text = phase == LayerPhase::kExtracting      ? "Download complete"
                       : phase == LayerPhase::kComplete      ? "Pull complete"
                       : phase == LayerPhase::kAlreadyExists ? "Already exists"
                                                             : nullptr;
    if (text) {
      fprintf(out_, "%s: %s\n", line.id.c_str(), text);
      fflush(out_);
    }
  }
}

void PullProgress::layer_bytes(size_t index, int64_t done, int64_t total) {
  if (mode_ != kTerminal) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (index >= lines_.size()) return;
  lines_[index].done = done;
  lines_[index].total = total;
  redraw(false);
}

void PullProgress::finish() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (mode_ == kTerminal) redraw(true);
}

std::string PullProgress::render(const Line& line, double now) const {
  std::string text = line.id + ": ";
  switch (line.phase) {
    case LayerPhase::kWaiting: text += "Waiting"; break;
    case LayerPhase::kExtracting: text += "Extracting"; break;
    case LayerPhase::kComplete: text += "Pull complete"; break;
    case LayerPhase::kAlreadyExists: text += "Already exists"; break;
    case LayerPhase::kDownloading: {
      text += "Downloading ";
      // As docker does, the bar only on terminals wide enough for it and the numbers.
      if (width_ >= 110) text += bar(line.done, line.total) + "  ";
      text += human_size(line.done) + "/" + human_size(line.total);
      double elapsed = now - line.started;
      if (elapsed > 0.5 && line.done > 0) {
        double rate = (double)line.done / elapsed;
        text += "  " + human_size((int64_t)rate) + "/s  " + eta((double)(line.total - line.done) / rate);
      }
      break;
    }
  }
  // A wrapped line would break the cursor arithmetic of the next redraw.
  if ((int)text.size() >= width_) text.resize((size_t)width_ - 1);
  return text;
}

void PullProgress::redraw(bool force) {
  double now = now_seconds();
  if (!force && now - last_draw_ < 0.1) return;
  last_draw_ = now;
  std::string out;
  if (drawn_ > 0) out += "\x1b[" + std::to_string(drawn_) + "A";
  for (const auto& line : lines_) out += "\x1b[2K" + render(line, now) + "\n";
  drawn_ = lines_.size();
  fputs(out.c_str(), out_);
  fflush(out_);
}

}  // namespace hutch
