# Sourced by scripts/bench-http.sh and scripts/profile-http.sh (not run on its own).
# start_server LABEL [SERVE FLAGS...]: creates a coordinator token labelled LABEL and starts
# `digisos serve` on a free loopback port over the store in $DATA, with the example contract
# and register; waits until /healthz answers. Needs DIGISOS and DATA; sets TOKEN, SERVER_PID
# and URL; the server's stdout and log go to $DATA/stdout and $DATA/server.log.
start_server() {
  local label="$1"
  shift
  TOKEN="$("$DIGISOS" --data "$DATA" --json token create --role coordinator --label "$label" \
    | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')"
  [ -n "$TOKEN" ] || { echo "no token created" >&2; exit 1; }
  RUST_LOG="${RUST_LOG:-info}" "$DIGISOS" --data "$DATA" serve --listen 127.0.0.1:0 "$@" \
    --contract examples/nrw/contract.toml --register examples/nrw/register.csv \
    >"$DATA/stdout" 2>"$DATA/server.log" &
  SERVER_PID=$!
  URL=""
  for _ in $(seq 1 200); do
    URL="$(sed -n 's/^listening on //p' "$DATA/stdout")"
    [ -n "$URL" ] && curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.05
  done
  [ -n "$URL" ] || { echo "server did not start" >&2; cat "$DATA/server.log" >&2; exit 1; }
}
