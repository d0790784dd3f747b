#include "container/bundled_pasta.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "test.h"

using namespace hutch;

// What runs is the static program the build embedded, sealed against change.
TEST(bundled_pasta_is_a_sealed_static_elf) {
  Fd fd = bundled_pasta_memfd();
  CHECK(fd.valid());
  struct stat st;
  CHECK(fstat(fd.get(), &st) == 0);
  CHECK(st.st_size > 100 * 1024);
  char head[4] = {};
  CHECK(pread(fd.get(), head, sizeof head, 0) == 4);
  CHECK(memcmp(head, "\177ELF", 4) == 0);
  int seals = fcntl(fd.get(), F_GET_SEALS);
  CHECK((seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) ==
        (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL));
  CHECK(pwrite(fd.get(), "x", 1, 0) < 0);
  CHECK(ftruncate(fd.get(), 0) < 0);
}
