#!/usr/bin/env bash
# Re-scoring latency: one new login for one subject on a workspace holding N subjects, for
# N = 10k, 100k and 1M (synthetic population, fixed seed). Prints p50/p90/p99/max of
# `Workspace::submit` (commit + incremental re-evaluation + result entries) and peak RSS.
# Usage: bench/rescore.sh [LOGINS] [SIZES...]   (defaults: 200; 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
LOGINS=${1:-200}
shift || true
SIZES=${*:-10000 100000 1000000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p kensa-engine --example rescore_bench
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $SIZES; do
  /usr/bin/time -f "  peak RSS %M KiB, wall %e s" \
    "$CARGO_TARGET_DIR/release/examples/rescore_bench" "$n" "$LOGINS"
done
