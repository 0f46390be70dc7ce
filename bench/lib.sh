# Shared by bench/run and bench/profile: a scratch dir, free ports, nats-server, worker and echo
# processes on 127.0.0.1, all stopped (by their own pids) when the script exits.
# Expects WORKER (bin/beamline-worker) to be set by the caller.
# shellcheck shell=bash

WORK=$(mktemp -d "${TMPDIR:-/tmp}/beamline-bench.XXXXXX")
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}

# shellcheck source=ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

await_port() {
  local port=$1 i
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on 127.0.0.1:$port" >&2
  return 1
}

# The heap's pools in the worker's /metrics, an awk pattern for jvm_memory_pool_collection_used_bytes:
# named by the collector, "PS Eden Space", "PS Survivor Space", "PS Old Gen" under the launcher's
# parallel collector, "Eden Space", "Survivor Space", "Tenured Gen" under the serial one.
HEAP_POOLS_AFTER_GC='^jvm_memory_pool_collection_used_bytes\\{pool="(PS )?(Eden Space|Survivor Space|Old Gen|Tenured Gen)"\\}'

# CPU time (user + system, in clock ticks) the process PID has used so far; 0 once it is gone.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Starts nats-server on a free port (extra args, e.g. -js -sd DIR); sets NATS_URL_STARTED and NATS_PID.
start_nats() {
  local port
  port=$(free_port)
  nats-server -a 127.0.0.1 -p "$port" "$@" >"$WORK/nats-$port.log" 2>&1 &
  NATS_PID=$!
  STARTED_PIDS+=("$NATS_PID")
  await_port "$port"
  NATS_URL_STARTED="nats://127.0.0.1:$port"
}

# Starts `serve` (extra args follow); sets SERVICE_PID, SERVICE_HEALTH (host:port) and
# SERVICE_METRICS_URL (its /metrics). Fails when it exits before it is healthy. DATA_DIR (default
# $WORK/data) is its --data-dir; WORKER_WRAP, an array, is put in front of the command (bench/chaos
# runs it under setpriv).
start_worker() {
  local name=$1 url=$2 health metrics i
  shift 2
  health=$(free_port)
  metrics=$(free_port)
  while [ "$metrics" = "$health" ]; do metrics=$(free_port); done  # both are picked before either is bound
  WORKER_LOG_LEVEL=WARN ${WORKER_WRAP[@]+"${WORKER_WRAP[@]}"} "$WORKER" serve --nats-url "$url" \
    --health-endpoint "127.0.0.1:$health" --prometheus-endpoint "127.0.0.1:$metrics" --data-dir "${DATA_DIR:-$WORK/data}" \
    --shutdown-grace-ms 5000 "$@" >"$WORK/worker-$name.log" 2>&1 &
  SERVICE_HEALTH="127.0.0.1:$health"
  SERVICE_PID=$!
  SERVICE_METRICS_URL="http://127.0.0.1:$metrics/metrics"
  STARTED_PIDS+=("$SERVICE_PID")
  for i in $(seq 600); do
    if curl -sf "http://127.0.0.1:$health/_health" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  echo "bench: worker $name not healthy after 60 s" >&2
  return 1
}

start_echo() {  # URL [echo options...]
  "$WORKER" echo --nats-url "$1" "${@:2}" >"$WORK/echo.log" 2>&1 &
  SERVICE_PID=$!
  STARTED_PIDS+=("$SERVICE_PID")
  local i
  for i in $(seq 300); do
    grep -q answering "$WORK/echo.log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: echo did not start" >&2
  return 1
}

stop_service() {
  kill -TERM "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
}

# The file loadgen's fs.get reads (/bench/small.txt), for tenants bench-0..bench-N-1.
make_fs_get_files() {
  local i
  for ((i = 0; i < $1; i++)); do
    mkdir -p "$WORK/data/bench-$i/bench"
    echo "a small file that fs.get reads back, about a hundred bytes long, for the benchmark" \
      >"$WORK/data/bench-$i/bench/small.txt"
  done
}

trap cleanup EXIT

# with_env "NAME=value ..." COMMAND...: runs a shell function with those variables exported,
# then removes them again.
with_env() {
  local assignments=$1 pair
  shift
  for pair in $assignments; do export "${pair?}"; done
  "$@" || { local rc=$?; for pair in $assignments; do unset "${pair%%=*}"; done; return $rc; }
  for pair in $assignments; do unset "${pair%%=*}"; done
}

# A tiny OTLP/HTTP sink on 127.0.0.1: answers every export with 200 on a kept-alive HTTP/1.1
# connection (as a collector does), so spans are really built, batched, encoded and sent. Sets
# OTLP_URL.
start_otlp_sink() {
  local port
  port=$(free_port)
  python3 - "$port" >"$WORK/otlp.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class Sink(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.send_response(200); self.send_header('Content-Type', 'application/x-protobuf')
        self.send_header('Content-Length', '0'); self.end_headers()
    def log_message(self, *args):
        pass
HTTPServer(('127.0.0.1', int(sys.argv[1])), Sink).serve_forever()
PY
  STARTED_PIDS+=($!)
  await_port "$port"
  OTLP_URL="http://127.0.0.1:$port"
}
