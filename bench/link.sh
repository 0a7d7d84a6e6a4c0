#!/usr/bin/env bash
# Link-analysis benchmark: 1M subjects, 20M identifier occurrences, graph + clusters.
# Prints the example's timings and the peak RSS (GNU time, %M = max resident set in KiB).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
cargo build --release -q -p kensa-detect --example link_bench
/usr/bin/time -f "peak RSS %M KiB, wall %e s" \
    "$CARGO_TARGET_DIR/release/examples/link_bench" "${1:-1000000}" "${2:-20000000}"
