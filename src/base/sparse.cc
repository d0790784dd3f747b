#include "base/sparse.h"

#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace hutch {

std::vector<Extent> data_extents(int fd, int64_t size) {
  std::vector<Extent> out;
  int64_t pos = 0;
  while (pos < size) {
    off_t data = lseek(fd, pos, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole from pos on
      // No SEEK_DATA here (EINVAL): treat the rest as data.
      out.push_back({pos, size - pos});
      break;
    }
    if (data >= size) break;
    off_t hole = lseek(fd, data, SEEK_HOLE);
    if (hole < 0 || hole > size) hole = size;
    if (hole <= data) hole = size;  // the file changed under us: take the rest as data
    out.push_back({data, hole - data});
    pos = hole;
  }
  return out;
}

}  // namespace hutch
