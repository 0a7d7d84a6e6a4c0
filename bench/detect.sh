#!/usr/bin/env bash
# Detection benchmark for the login, network, availability, access and endpoint detectors
# (the first detectors written): generates N synthetic login/activity records for S subjects in memory (fixed seed,
# IP intel for a few thousand addresses), runs every registered detector in release mode, and
# prints records/s and the peak resident memory of the whole process.
# Usage: bench/detect.sh [N] [SUBJECTS]    (defaults 10000000 and 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
SUBJECTS=${2:-100000}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p kensa-detect --example detect_bench
echo "$(nproc) cores"
/usr/bin/time -f 'peak RSS: %M KiB, wall %e s' \
  "$CARGO_TARGET_DIR/release/examples/detect_bench" "$N" "$SUBJECTS"
