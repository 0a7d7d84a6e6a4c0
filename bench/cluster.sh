#!/usr/bin/env bash
# Multi-node benchmark (issue 16): `kensa serve` in multi-node mode, NATS JetStream and
# PostgreSQL on this machine, with 1 and 2 `kensa worker`s.
#   1. throughput: RECORDS records of bench/gen_records.py (SUBJECTS subjects) sent through
#      `/v1/events?wait=false` in JSON Lines batches of 1,000 (answered 202 once JetStream has
#      them), then the workers started with --until-idle: events/s = records / the slowest
#      worker's wall time; CPU seconds per 1,000 events (user+sys of all workers); peak RSS per
#      worker (the detection state: every worker holds every subject's, see docs/scale.md);
#   2. end-to-end latency: single new login events POSTed with the default wait (answered when
#      a worker has stored the record and the server has read it back from the shared log, with
#      the subject's new result) at ~200 requests/s for LAT_SECS seconds: p50/p99 from wrk.
# Needs PostgreSQL (KENSA_BENCH_PG, default postgres://postgres@127.0.0.1:5432, a role that may
# create databases; the database kensa_bench is dropped and created), NATS with JetStream
# (KENSA_BENCH_NATS, default nats://127.0.0.1:4222), curl, wrk, GNU time.
# Usage: bench/cluster.sh [RECORDS] [SUBJECTS] [WORKER_COUNTS]   (default 200000 10000 "1 2")
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
SUBJECTS=${2:-10000}
COUNTS=${3:-1 2}
LAT_SECS=${LAT_SECS:-30}
PG=${KENSA_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
NATS=${KENSA_BENCH_NATS:-nats://127.0.0.1:4222}
OUT=bench/out
mkdir -p "$OUT"
for t in curl wrk psql /usr/bin/time; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }; done
cargo build --release -q -p kensa-cli
K=${CARGO_TARGET_DIR:-target}/release/kensa
DATA="$OUT/records-$N-$SUBJECTS.jsonl"
[ -f "$DATA" ] || python3 bench/gen_records.py "$N" "$SUBJECTS" "$DATA"
CHUNKS="$OUT/cluster-chunks"
rm -rf "$CHUNKS"; mkdir -p "$CHUNKS"
split -l 1000 -d -a 5 "$DATA" "$CHUNKS/c-"
DB="$PG/kensa_bench"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

for W in $COUNTS; do
  echo "== $W worker(s), $N records, $SUBJECTS subjects"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS kensa_bench" -qc "CREATE DATABASE kensa_bench"
  RUN=$((${RUN:-0} + 1))
  STREAM="KENSA_BENCH_$$_$RUN"
  ACC="$OUT/cluster-accounts.db"
  rm -f "$ACC" "$ACC-wal" "$ACC-shm"
  rm -f "$OUT/cluster-serve.out" # not the previous run's address
  KENSA_LOG=warn $K --quiet serve --db "$ACC" --store "$DB" --nats "$NATS" --partitions "$W" \
    --stream "$STREAM" --listen 127.0.0.1:0 > "$OUT/cluster-serve.out" 2> "$OUT/cluster-serve.err" &
  SERVE=$!; PIDS+=($SERVE)
  until grep -q "listening on" "$OUT/cluster-serve.out" 2>/dev/null; do
    kill -0 $SERVE 2>/dev/null || { cat "$OUT/cluster-serve.err"; exit 1; }
    sleep 0.2
  done
  URL=$(sed -n 's/^listening on //p' "$OUT/cluster-serve.out")
  export KENSA_TOKEN=$($K token create --db "$ACC" --role ingest --name bench 2>/dev/null)

  T0=$(date +%s.%N)
  for f in "$CHUNKS"/c-*; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KENSA_TOKEN" \
      -H 'Content-Type: application/x-ndjson' --data-binary @"$f" "$URL/v1/events?wait=false")
    [ "$code" = 202 ] || { echo "POST $f: $code" >&2; exit 1; }
  done
  T1=$(date +%s.%N)
  printf 'published %s records in %.1f s (%.0f events/s into JetStream)\n' "$N" \
    "$(echo "$T1 - $T0" | bc)" "$(echo "$N / ($T1 - $T0)" | bc -l)"

  for I in $(seq 0 $((W - 1))); do
    /usr/bin/time -f "%e %U %S %M" -o "$OUT/cluster-w$I.time" \
      $K --quiet worker --store "$DB" --nats "$NATS" --partitions "$W" --partition "$I" \
      --stream "$STREAM" --until-idle 2> "$OUT/cluster-w$I.err" &
    PIDS+=($!)
  done
  for I in $(seq 0 $((W - 1))); do wait "${PIDS[-1-$I]}" || { cat "$OUT/cluster-w$I.err"; exit 1; }; done
  STORED=$(psql "$DB" -tAc "SELECT count(*) FROM log WHERE entry_type = 'record'")
  [ "$STORED" = "$N" ] || { echo "stored $STORED of $N records" >&2; exit 1; }
  cat "$OUT"/cluster-w*.time | awk -v n="$N" -v w="$W" '
    { if ($1 > wall) wall = $1; cpu += $2 + $3; if ($4 > rss) rss = $4 }
    END { printf "workers: wall %.1f s → %.0f events/s; CPU %.2f s per 1,000 events (all workers); peak RSS %.0f MiB per worker\n", wall, n / wall, cpu * 1000 / n, rss / 1024 }'
  rm -f "$OUT"/cluster-w*.time

  # Latency: workers running, single events waited for.
  for I in $(seq 0 $((W - 1))); do
    $K --quiet worker --store "$DB" --nats "$NATS" --partitions "$W" --partition "$I" \
      --stream "$STREAM" 2> "$OUT/cluster-lw$I.err" &
    PIDS+=($!)
  done
  # Ready when a first event comes back with its result (the workers have loaded the store).
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KENSA_TOKEN" \
      -H 'Content-Type: application/json' "$URL/v1/events" \
      --data '{"kind":"login","subject_id":"s1","at":"2026-11-30T00:00:00Z","ip":"192.0.2.1","record_id":"warm-'$RUN'"}')" = 200 ]; do sleep 0.5; done
  echo "-- single events with results, ~200 requests/s, ${LAT_SECS} s"
  KENSA_RUN=$RUN KENSA_BATCH=1 KENSA_DELAY_MS=50 wrk -t1 -c10 -d"${LAT_SECS}s" --latency \
    -s bench/wrk/events-batch.lua "$URL" | tee "$OUT/cluster-latency-$W.txt" | \
    grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
  cleanup; PIDS=()
  $K --quiet stream delete --nats "$NATS" --stream "$STREAM"
done
