#!/usr/bin/env bash
# Server time of the analyst workspace's requests with 100,000 subjects stored (issue 15):
#   the queue   — GET /v1/subjects?limit=50 (first page; tier filter; a search; page 2; sorted
#                 by name and by number of flags)
#                 target <= 300 ms
#   a subject   — GET /v1/subjects/{id}, .../records?enrich=true, .../graph?depth=2 (the three
#                 requests the subject page makes at once) target <= 200 ms each
# Each request REPS times (default 30) with curl on loopback, one at a time; the server's
# request log is off. Prints median and p95 per request in milliseconds.
# Usage: bench/ui.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=${1:-30}
N=1000000
SUBJECTS=100000
OUT=bench/out
mkdir -p "$OUT"
cargo build --release -q -p kensa-cli
K=${CARGO_TARGET_DIR:-target}/release/kensa
DATA="$OUT/records-$N-$SUBJECTS.jsonl"
[ -f "$DATA" ] || python3 bench/gen_records.py "$N" "$SUBJECTS" "$DATA"
DB="$OUT/ui.db"
if [ ! -f "$DB" ]; then
  $K --quiet ingest --db "$DB" "$DATA"
fi
TOKEN=$($K token create --db "$DB" --role analyst --name "bench-$$" 2>/dev/null)
KENSA_LOG=warn $K serve --db "$DB" --listen 127.0.0.1:0 > "$OUT/ui-serve.out" 2> "$OUT/ui-serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until grep -q "listening on" "$OUT/ui-serve.out" 2>/dev/null; do
  kill -0 $PID 2>/dev/null || { cat "$OUT/ui-serve.err"; exit 1; }
  sleep 0.2
done
URL=$(sed -n 's/^listening on //p' "$OUT/ui-serve.out")
echo "server: $URL, RSS $(( $(awk '/VmRSS/{print $2}' /proc/$PID/status) / 1024 )) MiB, $SUBJECTS subjects, $N records"

measure() { # NAME PATH
  local name=$1 path=$2
  for _ in $(seq "$REPS"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$path"
  done | python3 -c '
import sys, statistics
v = sorted(float(x) * 1000 for x in sys.stdin)
print(f"{sys.argv[1]:<34} median {statistics.median(v):7.1f} ms   p95 {v[int(len(v) * 0.95) - 1]:7.1f} ms   max {v[-1]:7.1f} ms")
' "$name"
}

FIRST=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/v1/subjects?limit=50")
TOP=$(echo "$FIRST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["subject_id"])')
CURSOR=$(echo "$FIRST" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"] or "")')
measure "queue: first page" "/v1/subjects?limit=50"
measure "queue: tier=high" "/v1/subjects?limit=50&tier=high"
measure "queue: search q=person 4242" "/v1/subjects?limit=50&q=person%204242"
measure "queue: page 2 (cursor)" "/v1/subjects?limit=50&cursor=$CURSOR"
measure "queue: sort=name" "/v1/subjects?limit=50&sort=name"
measure "queue: sort=flags" "/v1/subjects?limit=50&sort=flags"
measure "subject: detail" "/v1/subjects/$TOP"
measure "subject: records?enrich=true" "/v1/subjects/$TOP/records?enrich=true"
measure "subject: graph?depth=2" "/v1/subjects/$TOP/graph?depth=2"
