#!/usr/bin/env bash
# Whole-process benchmark of kensa-screen against a rapidfuzz baseline.
#
#   bench/screen-bench.sh            # 1M queries for kensa-screen, a 2,000-query sample for the baseline
#   N=100000 BASE_N=500 bench/screen-bench.sh
#   BASELINE=0 bench/screen-bench.sh   # kensa-screen only
#
# Needs the shared reference data (OFAC SDN CSV files and the UN consolidated XML) in
# $DATA (default ../shared/data next to the repository) and python3 with venv for the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
BASE_N=${BASE_N:-2000}
DATA=${DATA:-../shared/data}
OUT=bench/out
mkdir -p "$OUT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}

LISTS=(
  "$DATA/sanctions/ofac-sdn-2024-05-03.csv"
  "$DATA/sanctions/ofac-alt-2025-12.csv"
  "$DATA/sanctions/ofac-add-2025-12.csv"
  "$DATA/sanctions/un-consolidated-2026-02.xml"
)
for f in "${LISTS[@]}"; do
  [ -f "$f" ] || { echo "skipped: $f not found"; exit 0; }
done

cargo build --release -q -p kensa-screen --example screen_bench
BIN="$CARGO_TARGET_DIR/release/examples/screen_bench"

echo "== machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" gen "$OUT/screen-queries.tsv" "$N" "${LISTS[@]}"
"$BIN" names "$OUT/screen-names.tsv" "${LISTS[@]}"
echo "== kensa-screen ($N queries)"
/usr/bin/env time -f "wall %e s, user CPU %U s, max RSS %M KB" "$BIN" run "$OUT/screen-queries.tsv" "${LISTS[@]}" 2>&1

[ "${BASELINE:-1}" = 1 ] || exit 0
echo "== rapidfuzz baseline (first $BASE_N queries)"
if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet rapidfuzz numpy
fi
"$OUT/venv/bin/python" bench/screen-baseline.py "$OUT/screen-names.tsv" "$OUT/screen-queries.tsv" "$BASE_N"
