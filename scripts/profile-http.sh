#!/usr/bin/env bash
# Where one request's CPU goes, for BENCHMARKS.md ("HTTP API"): starts `digisos serve` on a
# temporary SQLite store, runs digisos-httpbench once (closed loop, 64 connections: the
# no-op GET /healthz, then the durable call-off POST /v1/incidents/{id}/dispatch), samples
# the whole machine with `perf record -a -e cpu-clock` for PERF_SECONDS in the middle of
# each run, and prints per thread name the CPU time per request in microseconds (the
# client included: it shares the machine). Needs `perf` (Debian: linux-perf) and
# permission to sample all CPUs (root, or kernel.perf_event_paranoid <= 0).
# Usage: scripts/profile-http.sh   (env: INCIDENTS=300000 SECONDS_PER_RUN=20 PERF_SECONDS=5
#        BIN_DIR= OUT=/tmp/digisos-profile)
set -euo pipefail
cd "$(dirname "$0")/.."
INCIDENTS="${INCIDENTS:-300000}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-20}"
PERF_SECONDS="${PERF_SECONDS:-5}"
OUT="${OUT:-${TMPDIR:-/tmp}/digisos-profile}"
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)" >&2; exit 1; }
if [ -n "${BIN_DIR:-}" ]; then
  DIGISOS="$BIN_DIR/digisos"
  BENCH="$BIN_DIR/digisos-httpbench"
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
  cargo build --release -p digisos-cli -p digisos-loadgen --bin digisos --bin digisos-httpbench
  DIGISOS="$CARGO_TARGET_DIR/release/digisos"
  BENCH="$CARGO_TARGET_DIR/release/digisos-httpbench"
fi
mkdir -p "$OUT"
DATA="$(mktemp -d)"
SERVER_PID=""
BENCH_PID=""
cleanup() {
  for pid in "$BENCH_PID" "$SERVER_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  done
  rm -rf "$DATA"
}
trap cleanup EXIT

. scripts/lib/serve.sh
start_server profile

"$BENCH" --url "$URL" --token "$TOKEN" --connections 64 --seconds "$SECONDS_PER_RUN" \
  --runs 1 --incidents "$INCIDENTS" --paced-share 0 --target-share 0 >"$OUT/bench.log" 2>&1 &
BENCH_PID=$!
wait_for() { until grep -q "$1" "$OUT/bench.log" 2>/dev/null; do
  kill -0 "$BENCH_PID" 2>/dev/null || { cat "$OUT/bench.log" >&2; exit 1; }; sleep 0.2; done; }
# the no-op run starts when preparing ends, the call-off run when the no-op's line is out
wait_for "prepared in"
sleep $((SECONDS_PER_RUN / 3))
perf record -a -e cpu-clock -F 999 -o "$OUT/no-op.data" -- sleep "$PERF_SECONDS" 2>/dev/null
wait_for "run 1 no-op"
sleep $((SECONDS_PER_RUN / 3))
perf record -a -e cpu-clock -F 999 -o "$OUT/call-off.data" -- sleep "$PERF_SECONDS" 2>/dev/null
wait "$BENCH_PID"; BENCH_PID=""
grep '^run' "$OUT/bench.log"

# microseconds of CPU per request = share of all samples x CPUs / requests per second
CPUS="$(nproc)"
for phase in no-op call-off; do
  rate="$(sed -n "s/^run 1 $phase .* \([0-9][0-9]*\) req\/s .*/\1/p" "$OUT/bench.log")"
  echo "== $phase: $rate req/s; CPU per request by thread (us; swapper = idle)"
  perf report -i "$OUT/$phase.data" --sort comm --stdio 2>/dev/null \
    | awk -v cpus="$CPUS" -v rate="$rate" '/%/ { sub(/%/, "", $1); us = $1 * cpus / 100 / rate * 1e6
        t += us; if (us >= 0.5) printf "  %-18s %6.1f\n", $2, us; else rest += us }
        END { printf "  %-18s %6.1f\n  %-18s %6.1f\n", "(others)", rest, "(all)", t }'
done
echo "perf data in $OUT (perf report -i $OUT/call-off.data --comm digisos-writer --sort sym)"
