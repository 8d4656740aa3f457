#!/usr/bin/env bash
# HTTP benchmark for BENCHMARKS.md ("HTTP API: durable call-off vs no-op"), in one run:
# builds release, starts `digisos serve` on a temporary SQLite store (loopback, free port),
# creates a coordinator token, runs digisos-httpbench (64 connections, no-op GET /healthz
# vs durable POST /v1/incidents/{id}/dispatch, alternating, RUNS rounds of SECONDS each;
# then both open loop at half the call-off's saturated rate, latency from each request's
# due time; then an fsync probe of the store's disk), and stops the server with SIGTERM.
# Then at the rate target itself (30 % of the no-op's saturated rate), open loop.
# SERVE_FLAGS=--sync-every-commit measures the writer without pipelined group commit.
# CLIENT=async (default: one event loop for all connections) or CLIENT=threads (one thread
# per connection, as in the first rounds of BENCHMARKS.md). TRACE_DIR=DIR writes every request
# of the open-loop call-off runs to DIR/paced-call-off-<n>.csv (when it was due, how long).
# BIN_DIR=DIR takes `digisos` and `digisos-httpbench` from DIR instead of building them (to
# compare two builds one after the other on the same machine: copy one build's binaries away).
# Usage: scripts/bench-http.sh   (env: RUNS=3 SECONDS_PER_RUN=10 CONNECTIONS=64 INCIDENTS=800000
#        SERVE_FLAGS= CLIENT=async BIN_DIR=)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
INCIDENTS="${INCIDENTS:-800000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
if [ -n "${BIN_DIR:-}" ]; then
  DIGISOS="$BIN_DIR/digisos"
  BENCH="$BIN_DIR/digisos-httpbench"
else
  cargo build --release -p digisos-cli -p digisos-loadgen --bin digisos --bin digisos-httpbench
  DIGISOS="$CARGO_TARGET_DIR/release/digisos"
  BENCH="$CARGO_TARGET_DIR/release/digisos-httpbench"
fi
DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  fi
  cp "$DATA/server.log" "${TMPDIR:-/tmp}/digisos-bench-server.log" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "== machine"
nproc; grep -m1 'model name' /proc/cpuinfo || true; uptime

. scripts/lib/serve.sh
# shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
start_server bench ${SERVE_FLAGS:-}
echo "== server $URL (pid $SERVER_PID), store $DATA/digisos.db"

"$BENCH" --url "$URL" --token "$TOKEN" --connections "$CONNECTIONS" \
  --seconds "$SECONDS_PER_RUN" --runs "$RUNS" --incidents "$INCIDENTS" --fsync-dir "$DATA" \
  --client "${CLIENT:-async}" ${TRACE_DIR:+--trace-dir "$TRACE_DIR"}

kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; SERVER_PID=""
echo "== server stopped cleanly"
echo "== snapshots the server wrote (copy_ms: the writer's pause; the rest ran on another thread)"
grep -o '"message":"snapshot[^}]*' "$DATA/server.log" || echo "(none)"
