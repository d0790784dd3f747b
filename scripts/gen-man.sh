#!/usr/bin/env bash
# Regenerates man/hutch-COMMAND.1 from the binary's own flag tables, so the
# pages cannot drift from what the parser accepts (tests compare them).
set -euo pipefail
hutch=${1:-build/hutch}
cd "$(dirname "$0")/.."
# Every command listed under "Commands:" in --help ("system df" -> hutch-system-df.1).
"$hutch" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { sub(/^  /, ""); sub(/  +.*/, ""); print } on && /^$/ { exit }' |
while read -r command; do
    # shellcheck disable=SC2086  # two-word commands are two arguments
    "$hutch" __man $command > "man/hutch-${command// /-}.1"
done
for command in rmi tag history inspect "image inspect" "image prune" "system df" \
    "volume create" "volume ls" "volume inspect" "volume rm" "volume prune"; do
    # shellcheck disable=SC2086
    "$hutch" __man $command > "man/hutch-${command// /-}.1"
done
