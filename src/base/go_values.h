// docker's CLI parses flag values with Go's strconv and time packages and
// docker's go-units; hutch parses them the same way, so that what docker
// accepts is accepted and what it refuses is refused with the same words.
// Each parser throws Error carrying Go's own error text ("strconv.ParseBool:
// parsing \"x\": invalid syntax"); the flag parser puts docker's "invalid
// argument ... for ... flag:" in front.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace hutch {

// strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False.
bool parse_go_bool(const std::string& text);
// strconv.ParseInt(text, 0, bits) and ParseUint: a sign (ParseInt only),
// 0x 0o 0b or 0 (octal) prefixes, '_' between digits; bits 8..64.
int64_t parse_go_int(const std::string& text, int bits = 64);
uint64_t parse_go_uint(const std::string& text, int bits = 64);
// go-units' RAMInBytes (docker's MemBytes: --shm-size, --memory): "64m",
// "1.5g", "512KiB", "100 b"; case-insensitive, 1024-based, plain numbers are
// bytes, fractions truncated.
int64_t parse_ram_in_bytes(const std::string& text);
// go-units' BytesSize, how docker shows a MemBytes default: "64MiB".
std::string format_bytes_size(int64_t bytes);
// time.ParseDuration: "10s", "1m30s", "500ms", "1.5h", "-2us"; "0" alone
// needs no unit.
std::chrono::nanoseconds parse_go_duration(const std::string& text);
// time.Duration.String: "1m30s", "500ms", "0s", "1h0m0s".
std::string format_go_duration(std::chrono::nanoseconds d);

}  // namespace hutch
