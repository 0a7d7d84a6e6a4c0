#!/usr/bin/env bash
# Re-scan benchmark (issue 13 acceptance): scanning 1% more records on top of a stored
# database, against the full scan of the other 99%.
#
#   1. builds `kensa` (release) and reuses the bench input of bench/scan.sh (run it once first:
#      bench/out/scan-input-p2917-d120.jsonl);
#   2. splits it, once, into bench/out/rescan-base.jsonl (99%: every line whose number is not a
#      multiple of 100) and bench/out/rescan-new.jsonl (1%: the others, spread over subjects and
#      kinds);
#   3. alternates, ROUNDS times:
#        kensa --quiet scan --out <fresh dir> --intel <all sources> rescan-base.jsonl          (full)
#        cp <that dir>/kensa.db* <other dir>/
#        kensa --quiet scan --db <other dir>/kensa.db --out <other dir> --intel ... rescan-new.jsonl   (re-scan)
#      and prints wall time, CPU time and peak RSS of each, and the ratio re-scan/full;
#   4. the same 1% through the library, as a long-running process would take it:
#        rescan_bench <copy of the 99% database> <intel> rescan-new.jsonl
#      (kensa-engine's example: opens a Workspace, loads and evaluates once, then times one
#      `submit` of the 1%).
# Usage: bench/rescan.sh          (ROUNDS=3)
# The acceptance target: re-scan ≤ 10% of the full scan's time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DATA=${DATA:-../shared/data}
INTEL_CONFIG=${INTEL_CONFIG:-examples/intel/shared-data.toml}
OUT=bench/out
INPUT=$OUT/scan-input-p2917-d120.jsonl
if [ ! -d "$DATA" ]; then
  echo "skipped: $DATA not found (the benchmark uses every intel source of the shared data)"
  exit 0
fi
if [ ! -f "$INPUT" ]; then
  echo "run bench/scan.sh first: it generates $INPUT"
  exit 1
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p kensa-cli
cargo build --release -q -p kensa-engine --example rescan_bench
K=$CARGO_TARGET_DIR/release/kensa
if [ ! -f "$OUT/rescan-new.jsonl" ]; then
  awk -v base="$OUT/rescan-base.jsonl.tmp" -v new="$OUT/rescan-new.jsonl.tmp" \
    '{ if (NR % 100 == 0) print > new; else print > base }' "$INPUT"
  mv "$OUT/rescan-base.jsonl.tmp" "$OUT/rescan-base.jsonl"
  mv "$OUT/rescan-new.jsonl.tmp" "$OUT/rescan-new.jsonl"
fi
echo "base: $(wc -l < "$OUT/rescan-base.jsonl") records; new: $(wc -l < "$OUT/rescan-new.jsonl") records"
echo "kensa: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (crates modified)'); machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t() {
  /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" "$@"
  awk '{ printf "%s %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$OUT/time.txt"; }
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/rescan-full" "$OUT/rescan-inc"
  read -r fw fc fm < <(t "$K" --quiet scan --out "$OUT/rescan-full" --intel "$INTEL_CONFIG" "$OUT/rescan-base.jsonl")
  mkdir -p "$OUT/rescan-inc"
  cp "$OUT/rescan-full"/kensa.db* "$OUT/rescan-inc/"
  read -r iw ic im < <(t "$K" --quiet scan --db "$OUT/rescan-inc/kensa.db" --out "$OUT/rescan-inc" --intel "$INTEL_CONFIG" "$OUT/rescan-new.jsonl")
  [ -s "$OUT/rescan-inc/scan.json" ] || { echo "re-scan failed"; exit 1; }
  printf 'round %d full (99%%)  : %6.2f s wall  %6.2f CPU-s  peak RSS %5d MiB\n' "$round" "$fw" "$fc" "$fm"
  printf 'round %d re-scan (1%%): %6.2f s wall  %6.2f CPU-s  peak RSS %5d MiB  → %.0f%% of the full scan (target ≤ 10%%)\n' \
    "$round" "$iw" "$ic" "$im" "$(echo "100 * $iw / $fw" | bc -l)"
done
rm -rf "$OUT/rescan-lib"
mkdir -p "$OUT/rescan-lib"
cp "$OUT/rescan-full"/kensa.db* "$OUT/rescan-lib/"
echo "library (Workspace::submit of the 1% on the 99% database, after the full scan of round $ROUNDS):"
/usr/bin/time -f '  peak RSS %M KiB, wall %e s (process)' \
  "$CARGO_TARGET_DIR/release/examples/rescan_bench" "$OUT/rescan-lib/kensa.db" "$INTEL_CONFIG" "$OUT/rescan-new.jsonl"
