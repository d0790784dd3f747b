#!/usr/bin/env bash
# Regenerates man/hutch-COMMAND.1 from the binary's own flag tables, so the
# pages cannot drift from what the parser accepts (tests compare them).
set -euo pipefail
hutch=${1:-build/hutch}
cd "$(dirname "$0")/.."
for command in run load images ps rm version completion; do
    "$hutch" __man "$command" > "man/hutch-$command.1"
done
