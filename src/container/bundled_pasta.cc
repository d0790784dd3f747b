#include "container/bundled_pasta.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/file.h"

// The program's bytes, linked in from build/gen/pasta_blob.S.
extern "C" const unsigned char hutch_pasta_begin[];
extern "C" const unsigned char hutch_pasta_end[];

namespace hutch {

namespace {

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

size_t blob_size() { return (size_t)(hutch_pasta_end - hutch_pasta_begin); }

}  // namespace

bool bundled_pasta_available() {
  static const bool available = [] {
    if (blob_size() == 0) return false;
    // 2: no memfd may ever be executed in this pid namespace.
    auto setting = read_file_if_exists("/proc/sys/vm/memfd_noexec");
    if (setting && !setting->empty() && (*setting)[0] == '2') return false;
    // Kernels before 3.17 have no memfds (and before 3.19 no execveat).
    Fd probe((int)syscall(SYS_memfd_create, "pasta", MFD_CLOEXEC));
    return probe.valid();
  }();
  return available;
}

Fd bundled_pasta_memfd() {
  // MFD_EXEC says so where vm.memfd_noexec=1 would make it noexec; kernels
  // before 6.3 know no such flag and make every memfd executable.
  Fd fd((int)syscall(SYS_memfd_create, "pasta", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!fd && errno == EINVAL) fd.reset((int)syscall(SYS_memfd_create, "pasta", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) fail_errno("cannot make a memfd for the built-in pasta");
  write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(hutch_pasta_begin), blob_size()),
            "write the built-in pasta to its memfd");
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    fail_errno("cannot seal the built-in pasta's memfd");
  return fd;
}

}  // namespace hutch
