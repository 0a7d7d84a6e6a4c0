#!/usr/bin/env bash
# Whole-process benchmark of kensa-enrich: builds the `intel_bench` example in
# release mode, loads examples/intel/shared-data.toml (every source in
# ../shared/data), prints the load time of each source, then runs N million
# random IPv4 lookups single-threaded (classification, then geolocation, then
# full lookups) and prints lookups per second.
#
# Usage: bench/intel-bench.sh [MILLIONS]   (default 10)
# Environment: CARGO_TARGET_DIR (default /work/target), INTEL_CONFIG.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
config="${INTEL_CONFIG:-examples/intel/shared-data.toml}"
millions="${1:-10}"
if [ ! -d ../shared/data ] && [ -z "${INTEL_CONFIG:-}" ]; then
    echo "skipped: ../shared/data not found (set INTEL_CONFIG to your own configuration)"
    exit 0
fi
cargo build --release -q -p kensa-enrich --example intel_bench
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$CARGO_TARGET_DIR/release/examples/intel_bench" "$config" "$millions"
