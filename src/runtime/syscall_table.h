// Syscall names to numbers for the ABIs an x86_64 kernel runs, so a seccomp
// profile's names resolve without libseccomp. The tables are generated from
// the kernel's headers by scripts/gen-syscall-tables.sh.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace hutch {

enum class SyscallAbi { kX86_64, kI386, kX32 };

// x32 syscalls are x86_64 syscalls with this bit set in the number.
constexpr uint32_t kX32SyscallBit = 0x40000000;

// The number the kernel sees in seccomp_data.nr (with kX32SyscallBit for x32),
// or nullopt when this ABI has no such syscall.
std::optional<uint32_t> syscall_number(SyscallAbi abi, std::string_view name);

}  // namespace hutch
