#!/usr/bin/env bash
# Load benchmark of `kensa serve` on loopback with wrk (Debian package `wrk`), issue 14:
#   1. login events in batches of 100, as fast as the server takes them, for DURATION seconds
#      (target: >= 20,000 events/s sustained for 60 s);
#   2. single-event requests paced at about 1,000 requests/s (50 connections, each sending a
#      request 50 ms after the previous answer: 1,000/s less what the latency takes), p99
#      latency (target <= 10 ms);
# both with the 1M-record database of bench/ingest.sh (10,000 subjects) already stored.
# Every record sent is new (unique record ids), so each request stores, re-scores and logs.
# Usage: bench/serve.sh [DURATION]   (default 60)
# Environment: SHARED_PCTS (default "0 5"), KENSA_BIN (a kensa binary to run instead of this
# checkout's release build).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-60}
N=1000000
SUBJECTS=10000
OUT=bench/out
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "needs wrk: apt install wrk" >&2; exit 2; }
# KENSA_BIN runs another build (e.g. an older commit's, for an alternated comparison).
if [ -z "${KENSA_BIN:-}" ]; then cargo build --release -q -p kensa-cli; fi
K=${KENSA_BIN:-${CARGO_TARGET_DIR:-target}/release/kensa}
DATA="$OUT/records-$N.jsonl"
[ -f "$DATA" ] || python3 bench/gen_records.py "$N" "$SUBJECTS" "$DATA"
DB="$OUT/serve.db"
rm -f "$DB" "$DB-wal" "$DB-shm"; rm -rf "$DB.attachments"
$K --quiet ingest --db "$DB" "$DATA"
export KENSA_TOKEN=$($K token create --db "$DB" --role ingest --name bench 2>/dev/null)
# The request log off (KENSA_LOG=warn): this measures the engine, not stderr.
rm -f "$OUT/serve.out" # not the previous run's address: the shell below truncates it only once started
KENSA_LOG=warn $K serve --db "$DB" --listen 127.0.0.1:0 > "$OUT/serve.out" 2> "$OUT/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
START=$(date +%s.%N)
until grep -q "listening on" "$OUT/serve.out" 2>/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$OUT/serve.err"; exit 1; }
  sleep 0.2
done
URL=$(sed -n 's/^listening on //p' "$OUT/serve.out")
printf 'server ready in %.1f s (loads %s records); RSS %s MiB\n' "$(echo "$(date +%s.%N) - $START" | bc)" "$N" \
  "$(( $(awk '/VmRSS/{print $2}' /proc/$PID/status) / 1024 ))"

RUN=1
for SHARED in ${SHARED_PCTS:-0 5}; do
  echo "== batches of 100 login events, ${SHARED}% from shared addresses, ${DUR} s, 2 threads, 8 connections"
  KENSA_RUN=$RUN KENSA_SHARED_PCT=$SHARED KENSA_BATCH=100 wrk -t2 -c8 -d"${DUR}s" --latency -s bench/wrk/events-batch.lua "$URL" | tee "$OUT/serve-batch.txt"
  RUN=$((RUN + 1))
  RPS=$(awk '/Requests\/sec/{print $2}' "$OUT/serve-batch.txt")
  printf 'events/s: %.0f\n' "$(echo "$RPS * 100" | bc -l)"

  echo "== single events paced at ~1,000 requests/s, ${SHARED}% from shared addresses, ${DUR} s, 1 thread, 50 connections"
  KENSA_RUN=$RUN KENSA_SHARED_PCT=$SHARED KENSA_BATCH=1 KENSA_DELAY_MS=50 wrk -t1 -c50 -d"${DUR}s" --latency -s bench/wrk/events-batch.lua "$URL" | tee "$OUT/serve-single.txt"
  RUN=$((RUN + 1))
done
echo "server RSS after: $(( $(awk '/VmRSS/{print $2}' /proc/$PID/status) / 1024 )) MiB"
