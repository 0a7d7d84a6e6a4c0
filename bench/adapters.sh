#!/usr/bin/env bash
# Log adapters, whole process: a synthetic Okta System Log of N events (~1.8 KB each, JSON
# Lines, USERS users) read by `kensa validate` (frame, convert, validate; nothing stored) and
# `kensa ingest` (the same, stored with the evidence chain), with the users' subjects.
# Per-adapter single-core rates: `cargo bench -p kensa-adapt --bench convert`.
# Usage: bench/adapters.sh [N] [USERS]    (defaults 1000000 and 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
USERS=${2:-10000}
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p kensa-cli
K=${CARGO_TARGET_DIR:-target}/release/kensa
LOG="$OUT/okta-$N.jsonl"
SUBJ="$OUT/okta-subjects-$USERS.jsonl"
[ -f "$LOG" ] && [ -f "$SUBJ" ] || python3 bench/gen_logs.py "$N" "$USERS" "$LOG" "$SUBJ"
echo "input: $LOG ($(du -h "$LOG" | cut -f1), $N events), $(nproc) cores"

t() { /usr/bin/time -f '%e %U %S' -o "$OUT/time.txt" "$@"
  awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$OUT/time.txt"; }

for run in 1 2 3; do
  read -r secs cpu < <(t $K --quiet validate --rejects "$OUT/rejects.jsonl" "$SUBJ" "$LOG")
  printf 'validate run %d: %.2f s  %.0f events/s  (%.2f CPU-s, %.0f events per CPU-s)\n' "$run" "$secs" \
    "$(echo "$N / $secs" | bc -l)" "$cpu" "$(echo "$N / $cpu" | bc -l)"
done
for run in 1 2; do
  rm -f "$OUT/okta.db" "$OUT/okta.db-wal" "$OUT/okta.db-shm"
  read -r secs cpu < <(t $K --quiet ingest --db "$OUT/okta.db" "$SUBJ" "$LOG")
  printf 'ingest   run %d: %.2f s  %.0f events/s  (%.2f CPU-s)\n' "$run" "$secs" "$(echo "$N / $secs" | bc -l)" "$cpu"
done
