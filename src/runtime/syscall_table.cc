#include "runtime/syscall_table.h"

#include <algorithm>
#include <iterator>

namespace hutch {

namespace {

struct Entry {
  std::string_view name;
  uint32_t number;
};

constexpr Entry kX86_64[] = {
#include "runtime/syscall_table_x86_64.inc"
};
constexpr Entry kI386[] = {
#include "runtime/syscall_table_i386.inc"
};
constexpr Entry kX32[] = {
#include "runtime/syscall_table_x32.inc"
};

template <size_t N>
constexpr bool sorted(const Entry (&table)[N]) {
  for (size_t i = 1; i < N; i++)
    if (!(table[i - 1].name < table[i].name)) return false;
  return true;
}
static_assert(sorted(kX86_64) && sorted(kI386) && sorted(kX32), "regenerate with scripts/gen-syscall-tables.sh");

template <size_t N>
std::optional<uint32_t> find(const Entry (&table)[N], std::string_view name) {
  const Entry* it = std::lower_bound(std::begin(table), std::end(table), name,
                                     [](const Entry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(table) || it->name != name) return std::nullopt;
  return it->number;
}

}  // namespace

std::optional<uint32_t> syscall_number(SyscallAbi abi, std::string_view name) {
  switch (abi) {
    case SyscallAbi::kX86_64: return find(kX86_64, name);
    case SyscallAbi::kI386: return find(kI386, name);
    case SyscallAbi::kX32: {
      auto number = find(kX32, name);
      if (number) *number |= kX32SyscallBit;
      return number;
    }
  }
  return std::nullopt;
}

}  // namespace hutch
