#!/usr/bin/env bash
# Storage benchmarks for BENCHMARKS.md ("Durable storage" sections), all in one run:
#   1. SQLite: call-off dispatches via Service::execute_batch (batches of 64) vs one commit
#      per command vs a raw batched insert of the same rows (synchronous=FULL, WAL).
#   2. PostgreSQL: two service instances vs pgbench TPC-B with 16 clients, same server.
#   3. Replay of a generated log of 1M events from SQLite (events/s, resident bytes/event).
# Usage: scripts/bench-store.sh [POSTGRES_URL]   (default: $DIGISOS_TEST_POSTGRES_URL or
#        postgres://postgres@127.0.0.1:5432/test). Needs pgbench (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${1:-${DIGISOS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}}"
RUNS="${RUNS:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -p digisos-loadgen --bin digisos-storebench
BENCH="$CARGO_TARGET_DIR/release/digisos-storebench"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

echo "== machine"
nproc; grep -m1 'model name' /proc/cpuinfo || true; uptime

echo "== 1. SQLite: group commit vs one commit per command vs raw batched insert"
"$BENCH" sqlite --commands 4096 --single 256 --batch 64 --runs "$RUNS"

echo "== 2. PostgreSQL: two instances vs pgbench TPC-B (16 clients)"
if ! command -v pgbench >/dev/null 2>&1; then
  apt-get install -y postgresql-client >/dev/null || apt-get install -y postgresql-contrib >/dev/null
fi
"$BENCH" postgres --url "$PG_URL" --instances 2 --commands 4096 --batch 64 --runs "$RUNS"
# pgbench in a scratch database on the same server
PGB_DB="digisos_pgbench"
ADMIN_URL="$PG_URL"
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PGB_DB" -c "CREATE DATABASE $PGB_DB"
PGB_URL="${PG_URL%/*}/$PGB_DB"
pgbench -i -q -s 16 "$PGB_URL"
for i in $(seq 1 3); do
  pgbench -c 16 -j 2 -T 15 -n "$PGB_URL" | grep -E '^(tps|latency average)'
done
psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PGB_DB"

echo "== 3. Replay of 1M events from SQLite"
DB="$SCRATCH/replay.db"
"$BENCH" generate --store "sqlite://$DB" --events 1000000
for i in $(seq 1 "$RUNS"); do "$BENCH" replay --store "sqlite://$DB" --from snapshot; done
for i in $(seq 1 "$RUNS"); do "$BENCH" replay --store "sqlite://$DB" --from log; done
"$BENCH" snapshot --store "sqlite://$DB"
for i in $(seq 1 3); do "$BENCH" replay --store "sqlite://$DB" --path tree; done
