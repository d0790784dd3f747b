#!/usr/bin/env bash
# Regenerates man/hutch-COMMAND.1 from the binary's own command registry, so
# the pages cannot drift from what the parser accepts (tests compare them).
# `hutch __man` lists the commands that get a page; `hutch __man COMMAND`
# writes one. hutch.1 and hutch-runtime.1 are written by hand.
set -euo pipefail
hutch=${1:-build/hutch}
cd "$(dirname "$0")/.."
"$hutch" __man | while read -r command; do
    # shellcheck disable=SC2086  # two-word commands are two arguments
    "$hutch" __man $command > "man/hutch-${command// /-}.1"
done
