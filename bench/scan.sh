#!/usr/bin/env bash
# Whole-suite scan benchmark against an analyst's DuckDB script (issue 13 acceptance).
#
#   1. builds `kensa` (release);
#   2. generates, once, a synthetic export with `kensa demo --no-scan` (default: 3,000 subjects
#      over 120 days, ~1.9M records of all 15 kinds, ~310 MB) and concatenates the per-kind files
#      into ONE JSONL file, bench/out/scan-input-p<POPULATION>-d<DAYS>.jsonl;
#   3. alternates, ROUNDS times,
#        kensa --quiet scan --out <fresh dir> --intel <every ../shared/data source> <file>
#        python bench/scan_duckdb.py <file> <fresh dir>   (login countries + impossible travel)
#      and prints wall time, CPU time (user + system) and peak RSS of each, and the ratio
#      kensa/duckdb of each round.
#
# Usage: bench/scan.sh                     (ROUNDS=3 POPULATION=2917 DAYS=120)
#        ROUNDS=5 bench/scan.sh
# Environment: CARGO_TARGET_DIR (default target), DATA (default ../shared/data),
#   INTEL_CONFIG (default examples/intel/shared-data.toml, which loads every source of ../shared/data).
# Needs python3 with venv; duckdb and maxminddb are installed into bench/out/venv from PyPI.
# The acceptance target: kensa wall time ≤ 1.5 × DuckDB's, kensa peak RSS ≤ 600 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
POPULATION=${POPULATION:-2917} # ordinary freelancers; clients, look-alikes and personas make 3,000
DAYS=${DAYS:-120}
DATA=${DATA:-../shared/data}
INTEL_CONFIG=${INTEL_CONFIG:-examples/intel/shared-data.toml}
OUT=bench/out
if [ ! -d "$DATA" ]; then
  echo "skipped: $DATA not found (the benchmark needs every intel source of the shared data)"
  exit 0
fi
mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p kensa-cli
K=$CARGO_TARGET_DIR/release/kensa

INPUT="$OUT/scan-input-p$POPULATION-d$DAYS.jsonl"
if [ ! -f "$INPUT" ]; then
  gen="$OUT/scan-demo"
  rm -rf "$gen"
  dir=$("$K" --quiet demo --no-scan --out "$gen" --population "$POPULATION" --days "$DAYS")
  # One file, kinds in the order of kensa_demo::KINDS.
  for kind in subject login activity payout_account payout message review contract meeting \
      identity_document shipment access endpoint check label; do
    cat "$dir/$kind.jsonl"
  done > "$INPUT.tmp"
  mv "$INPUT.tmp" "$INPUT"
  rm -rf "$gen"
fi

PY=$OUT/venv/bin/python
if ! "$PY" -c 'import duckdb, maxminddb' 2>/dev/null; then
  [ -x "$PY" ] || python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet duckdb==2.0.1 maxminddb==3.2.0
fi

echo "input: $INPUT ($(du -h "$INPUT" | cut -f1), $(wc -l < "$INPUT") records, $(grep -c '"kind":"label"' "$INPUT") subjects)"
echo "kensa: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' (crates modified)'), intel: $INTEL_CONFIG"
echo "duckdb: $("$PY" -c 'import duckdb, maxminddb; print(duckdb.__version__, "maxminddb", maxminddb.__version__)')"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$INPUT" > /dev/null # both read it from the page cache

t() { # runs a command; prints "wall cpu peak-RSS-MiB"
  /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" "$@"
  awk '{ printf "%s %.2f %.0f\n", $1, $2 + $3, $4 / 1024 }' "$OUT/time.txt"; }

ratios=()
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/scan-kensa" "$OUT/scan-duckdb"
  read -r kw kc km < <(t "$K" --quiet scan --out "$OUT/scan-kensa" --intel "$INTEL_CONFIG" "$INPUT")
  [ -s "$OUT/scan-kensa/scan.json" ] || { echo "kensa scan failed"; exit 1; }
  printf 'round %d kensa : %6.2f s wall  %6.2f CPU-s  peak RSS %5d MiB\n' "$round" "$kw" "$kc" "$km"
  read -r dw dc dm < <(t "$PY" bench/scan_duckdb.py "$INPUT" "$OUT/scan-duckdb" "$DATA" 2> "$OUT/scan-duckdb.log")
  [ -s "$OUT/scan-duckdb/login_countries.csv" ] || { cat "$OUT/scan-duckdb.log"; exit 1; }
  printf 'round %d duckdb: %6.2f s wall  %6.2f CPU-s  peak RSS %5d MiB\n' "$round" "$dw" "$dc" "$dm"
  r=$(echo "$kw / $dw" | bc -l)
  ratios+=("$r")
  printf 'round %d kensa/duckdb: %.2f× wall, %.2f× CPU  (target ≤ 1.5×; kensa RSS target ≤ 600 MiB)\n' \
    "$round" "$r" "$(echo "$kc / $dc" | bc -l)"
done
echo "duckdb's last run: $(cat "$OUT/scan-duckdb.log")"
echo "kensa's last scan: $(grep -o '"subjects": [0-9]*\|"findings": [0-9]*\|"stored": [0-9]*' "$OUT/scan-kensa/scan.json" | tr '\n' ' ')"
printf 'ratios: %s\n' "$(printf '%.2f ' "${ratios[@]}")"
