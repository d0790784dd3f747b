// Text that came from outside (an image's tags, a file name, a template) made
// safe to repeat on a terminal: an escape sequence in a tag must not drive the
// user's terminal, and a newline must not split a one-line error in two.
#pragma once
#include <string>
#include <string_view>

namespace hutch {

// Control characters written as Go's %q writes them: \n, \t, \x1b, \x7f, and
// the C1 controls U+0080-U+009F as \u0085. Bytes that are not UTF-8 become
// \xNN (a lone 0x9b is CSI to an 8-bit terminal). Everything else, including
// UTF-8 text and backslashes, is kept as it is.
std::string printable(std::string_view text);
// Go's strconv.Quote for what docker shows quoted (ps's COMMAND): printable()
// inside double quotes, with '"' and '\\' escaped too.
std::string quoted(std::string_view text);
// docker's Ellipsis: at most `width` characters, the last one "…" when cut.
std::string ellipsis(const std::string& text, size_t width);

}  // namespace hutch
