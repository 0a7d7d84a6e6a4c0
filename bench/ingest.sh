#!/usr/bin/env bash
# Whole-process ingest benchmark: generates 1M records, then times
#   1. `kensa validate` (parse + validate, nothing stored), and
#   2. `kensa ingest` into a fresh SQLite database (parse + validate + store + evidence chain).
# Usage: bench/ingest.sh [N] [SUBJECTS]    (defaults 1000000 and 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
SUBJECTS=${2:-10000}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p kensa-cli
K=${CARGO_TARGET_DIR:-target}/release/kensa
DATA="$OUT/records-$N.jsonl"
[ -f "$DATA" ] || python3 bench/gen_records.py "$N" "$SUBJECTS" "$DATA"
echo "input: $DATA ($(du -h "$DATA" | cut -f1), $N records), $(nproc) cores"

t() { # prints "elapsed user+system" seconds of a command (CPU time varies less on a shared VM)
  /usr/bin/time -f '%e %U %S' -o "$OUT/time.txt" "$@"
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$OUT/time.txt"; }

for run in 1 2 3; do
  read -r secs cpu < <(t $K --quiet validate --rejects "$OUT/rejects.jsonl" "$DATA")
  printf 'validate run %d: %.2f s  %.0f records/s  (%.2f CPU-s)\n' "$run" "$secs" "$(echo "$N / $secs" | bc -l)" "$cpu"
done
for run in 1 2 3; do
  rm -f "$OUT/bench.db" "$OUT/bench.db-wal" "$OUT/bench.db-shm"
  read -r secs cpu < <(t $K --quiet ingest --db "$OUT/bench.db" "$DATA")
  printf 'ingest   run %d: %.2f s  %.0f records/s  (%.2f CPU-s)\n' "$run" "$secs" "$(echo "$N / $secs" | bc -l)" "$cpu"
done
/usr/bin/time -f 'ingest peak RSS: %M KiB' $K --quiet ingest --db "$OUT/bench.db" "$DATA"
echo "re-ingest of the same file (all duplicates) above; database size: $(du -h "$OUT/bench.db" | cut -f1)"
