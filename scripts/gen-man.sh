#!/usr/bin/env bash
# Regenerates man/hutch-COMMAND.1 from the binary's own flag tables, so the
# pages cannot drift from what the parser accepts (tests compare them).
set -euo pipefail
hutch=${1:-build/hutch}
cd "$(dirname "$0")/.."
# Every command `hutch --help` lists (aliases such as "image ls" are not).
commands=$("$hutch" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }')
for command in $commands; do
    "$hutch" __man "$command" > "man/hutch-$command.1"
done
