#!/usr/bin/env bash
# Alternated comparison of two kensa builds under `kensa serve` load (issue 14), on one database:
# ingests the 1M-record file of bench/ingest.sh (10,000 subjects) once, then for each round and
# each binary starts the server on a fresh copy of that database and drives it with wrk:
#   batch : POST /v1/events, 100 new login events per request, 2 threads, 8 connections
#   single: one login per request, 50 connections each pausing 50 ms (~1,000 requests/s offered)
# The VM drifts by 20-30 %, so compare the two binaries round by round, not across hours.
# Usage: bench/serve-ab.sh OLD_KENSA NEW_KENSA [SECONDS] [ROUNDS]   (default 20 s, 2 rounds)
# Environment: SEPARATE_BASES=1 (each binary ingests its own copy of the data; see below).
# Build OLD_KENSA from another commit in a worktree, e.g.
#   git worktree add /tmp/old <commit> && (cd /tmp/old && cargo build --release -p kensa-cli)
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=${1:?old kensa binary}; NEW=${2:?new kensa binary}; DUR=${3:-20}; ROUNDS=${4:-2}
command -v wrk >/dev/null || { echo "needs wrk: apt install wrk" >&2; exit 2; }
OUT=bench/out; mkdir -p "$OUT"
N=1000000; SUBJECTS=10000
DATA="$OUT/records-$N.jsonl"
[ -f "$DATA" ] || python3 bench/gen_records.py "$N" "$SUBJECTS" "$DATA"
# One database ingested by NEW, shared by both; with SEPARATE_BASES=1 each binary serves a
# database it ingested itself (for changes to how a database is created, e.g. its page size).
BASE="$OUT/serve-ab-base.db"
if [ "${SEPARATE_BASES:-0}" = 1 ]; then
  for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    rm -f "$OUT/serve-ab-base-$b.db"*
    "$bin" --quiet ingest --db "$OUT/serve-ab-base-$b.db" "$DATA"
  done
elif [ ! -f "$BASE" ]; then "$NEW" --quiet ingest --db "$BASE" "$DATA"; fi
DB="$OUT/serve-ab.db"
run() { # BIN MODE -> one line of wrk figures
  local bin=$1 mode=$2 pid url base=$BASE
  if [ "${SEPARATE_BASES:-0}" = 1 ]; then
    base="$OUT/serve-ab-base-old.db"; [ "$bin" = "$NEW" ] && base="$OUT/serve-ab-base-new.db"
  fi
  rm -f "$DB" "$DB-wal" "$DB-shm"; cp "$base" "$DB"
  KENSA_TOKEN=$("$bin" token create --db "$DB" --role ingest --name bench 2>/dev/null)
  export KENSA_TOKEN
  # Removed first: the server's shell truncates it only once started, and the wait below
  # must not read the previous run's address.
  rm -f "$OUT/serve-ab.out"
  KENSA_LOG=warn "$bin" serve --db "$DB" --listen 127.0.0.1:0 > "$OUT/serve-ab.out" 2> "$OUT/serve-ab.err" &
  pid=$!
  until grep -q "listening on" "$OUT/serve-ab.out" 2>/dev/null; do
    kill -0 $pid 2>/dev/null || { cat "$OUT/serve-ab.err"; exit 1; }
    sleep 0.2
  done
  url=$(sed -n 's/^listening on //p' "$OUT/serve-ab.out")
  case $mode in
    batch) KENSA_RUN=3 KENSA_BATCH=100 KENSA_DELAY_MS=0 wrk -t2 -c8 -d"${DUR}s" --latency -s bench/wrk/events-batch.lua "$url" ;;
    single) KENSA_RUN=4 KENSA_BATCH=1 KENSA_DELAY_MS=50 wrk -t1 -c50 -d"${DUR}s" --latency -s bench/wrk/events-batch.lua "$url" ;;
  esac > "$OUT/serve-ab-wrk.txt"
  kill $pid; wait $pid 2>/dev/null || true
  local rps p50 p99
  rps=$(awk '/Requests\/sec/{print $2}' "$OUT/serve-ab-wrk.txt")
  p50=$(awk '$1=="50%"{print $2}' "$OUT/serve-ab-wrk.txt")
  p99=$(awk '$1=="99%"{print $2}' "$OUT/serve-ab-wrk.txt")
  if [ "$mode" = batch ]; then
    printf '%-6s %6.0f events/s  p50 %-9s p99 %s\n' "$mode" "$(echo "$rps * 100" | bc -l)" "$p50" "$p99"
  else
    printf '%-6s %6.0f requests/s  p50 %-9s p99 %s\n' "$mode" "$rps" "$p50" "$p99"
  fi
}
for r in $(seq "$ROUNDS"); do
  for mode in batch single; do
    echo "round $r old $(run "$OLD" $mode)"
    echo "round $r new $(run "$NEW" $mode)"
  done
done
