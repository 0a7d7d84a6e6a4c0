#!/usr/bin/env bash
# Runs the fuzz targets (cargo-fuzz / libFuzzer), each for a given time, one after another.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      default: 60 seconds, every target
#   JOBS=2 fuzz/run.sh 1800 json_record    two fuzzing processes for one target (their logs go to
#                                          fuzz/fuzz-N.log: run only one such script at a time)
#
# Needs a nightly toolchain (`rustup toolchain install nightly`; cargo-fuzz is installed here
# when missing). Seeds: fuzz/corpus/TARGET (small, in the repository) plus, when present,
# real files from ../shared/data (MaxMind's broken test databases, sanctions lists, IP lists),
# copied into the work corpus fuzz/work/TARGET (not in the repository). A crash, hang (>10 s
# per input) or out-of-memory (>2 GiB) stops the target and leaves the input in
# fuzz/artifacts/TARGET; `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...`
# replays it. Each finished run appends a line to fuzz/work/runs.log.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-60}
shift || true
JOBS=${JOBS:-1}
cargo +nightly --version >/dev/null 2>&1 || { echo "needs a nightly toolchain: rustup toolchain install nightly" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
if [ $# -gt 0 ]; then TARGETS=("$@"); else mapfile -t TARGETS < <(cargo +nightly fuzz list); fi
SHARED=../../shared/data
mkdir -p work
seed() { # seed TARGET FILE... : copies real files into the work corpus (prefixing a selector byte)
  local t=$1 sel=$2; shift 2
  mkdir -p "work/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local out="work/$t/seed-$sel-$(basename "$f")"
    [ -f "$out" ] && continue
    if [ "$sel" = "-" ]; then head -c 1000000 "$f" > "$out"; else { printf "\\x$sel"; head -c 1000000 "$f"; } > "$out"; fi
  done
}
if [ -d "$SHARED" ]; then
  seed intel_files 00 "$SHARED"/ip/maxmind-test/*.mmdb
  seed intel_files 06 "$SHARED"/ip/maxmind-test/*.mmdb
  seed intel_files 02 "$SHARED"/ip/*.txt "$SHARED"/net/*.txt
  seed intel_files 08 "$SHARED"/crypto/sanctioned_addresses_ETH.txt
  seed watchlists 00 "$SHARED"/sanctions/ofac-sdn-*.csv
  seed watchlists 01 "$SHARED"/sanctions/ofac-alt-*.csv
  seed watchlists 02 "$SHARED"/sanctions/ofac-add-*.csv
  seed watchlists 03 "$SHARED"/sanctions/un-consolidated-*.xml
  seed wallet - "$SHARED"/crypto/sanctioned_addresses_ETH.txt
  L="$SHARED"/logs
  seed adapt_okta 00 "$L"/okta/*.log "$L"/okta/panther-analysis/*/*/*.jsonl
  seed adapt_entra 01 "$L"/entra_signin/*.log "$L"/entra_signin/panther-analysis/*/*/*.jsonl
  seed adapt_google_workspace 00 "$L"/google_workspace_login/*.log
  seed adapt_github 01 "$L"/github_audit/*.log
  seed adapt_ocsf 00 "$L"/ocsf/encodings/ilf/example_logs/*.ocsf "$L"/ocsf/mappings/markdown/*/*/*/*/samples/*.ocsf
  seed adapt_frame 05 "$L"/okta/*.log "$L"/ocsf/encodings/ilf/example_logs/*.ocsf
  seed adapt_scan - "$L"/okta/*.log "$L"/entra_signin/*.log "$L"/ocsf/mappings/markdown/*/*/*/*/samples/*.ocsf "$L"/osquery/*.json
fi
FAILED=()
mkdir -p work/policy
cargo run -q --manifest-path ../Cargo.toml -p kensa-cli -- policy > work/policy/seed-default.toml 2>/dev/null || true
for t in "${TARGETS[@]}"; do
  mkdir -p "work/$t" "corpus/$t"
  start=$(date +%s)
  status=ok
  par=()
  [ "$JOBS" -gt 1 ] && par=(-jobs="$JOBS" -workers="$JOBS")
  cargo +nightly fuzz run "$t" "work/$t" "corpus/$t" -- \
    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 "${par[@]}" \
    -print_final_stats=1 >"work/$t.log" 2>&1 || status=FAILED
  runs=$( { grep -h '^stat::number_of_executed_units' work/"$t".log fuzz-*.log 2>/dev/null || true; } | awk '{s+=$2} END {print s+0}')
  line="$(date -u +%FT%TZ) $t ${SECS}s x${JOBS} $status runs=$runs elapsed=$(( $(date +%s) - start ))s commit=$(git rev-parse --short HEAD)"
  echo "$line" | tee -a work/runs.log
  [ "$JOBS" -gt 1 ] && rm -f fuzz-*.log
  if [ "$status" != ok ]; then grep -E -A6 "panicked|ERROR: libFuzzer|==ERROR" "work/$t.log" | head -20; FAILED+=("$t"); fi
done
if [ ${#FAILED[@]} -gt 0 ]; then echo "FAILED: ${FAILED[*]} (inputs in fuzz/artifacts/)" >&2; exit 1; fi
