#!/usr/bin/env bash
# Load test of the actuator API on loopback with wrk (docs/benchmarks.md, "Actuator API load").
#
# Builds psm-api-testserver in release (the API over the stand-in control, docs/api.md), starts it
# on 127.0.0.1 with a random token, warms it up, runs wrk RUNS times with bench/api-load.lua
# (20 % notice POSTs, 80 % forecast GETs) and prints requests/s and latency percentiles per run
# and their medians. Fails when any answer is not 2xx. Target: ≥ 5,000 requests/s, p99 < 10 ms.
#
#   bench/api-load.sh [--runs 5] [--duration 15] [--connections 8] [--threads 1]
#                     [--store memory|file|file-fsync]
#
# --store: memory (default) = in-memory SQLite; file = a WAL file, synchronous=NORMAL;
# file-fsync = a WAL file, synchronous=FULL (an fsync per notice, the store's default durability).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
duration=15
connections=8
threads=1
store=memory
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    *) echo "api-load: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "api-load: wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

swift build -c release --product psm-api-testserver >&2
server="$(swift build -c release --show-bin-path)/psm-api-testserver"

out=out/api-load
rm -rf "$out" && mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PSM_API_TOKEN="load-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
store_args=()
case "$store" in
  memory) ;;
  file) store_args=(--db "$out/store.sqlite") ;;
  file-fsync) store_args=(--db "$out/store.sqlite" --durability power-loss) ;;
  *) echo "api-load: --store must be memory, file or file-fsync" >&2; exit 2 ;;
esac

# The write limit is lifted: this measures serving, not refusing (429s would count as non-2xx).
"$server" --listen "127.0.0.1:$port" --groups web,batch,api --write-rate 1000000 --write-burst 1000000 \
  --log-level warning "${store_args[@]}" >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "api-load: the server exited; see $out/server.log" >&2; exit 1; }
  sleep 0.1
done

url="http://127.0.0.1:$port"
wrk -t"$threads" -c"$connections" -d3s -s bench/api-load.lua "$url" >/dev/null  # warm-up

command=(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/api-load.lua "$url")
echo "api-load: ${command[*]} (store: $store)" >&2
printf "%-4s %12s %9s %9s %9s %9s\n" run "requests/s" "p50 ms" "p90 ms" "p99 ms" "max ms"
for i in $(seq 1 "$runs"); do
  "${command[@]}" >"$out/wrk-$i.txt"
  if grep -q "Non-2xx" "$out/wrk-$i.txt"; then
    echo "api-load: run $i had non-2xx answers:" >&2; cat "$out/wrk-$i.txt" >&2; exit 1
  fi
  python3 - "$out/wrk-$i.txt" "$i" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
mx = re.search(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)", text)
print(f"{sys.argv[2]:<4} {rate:12.0f} {pct['50']:9.2f} {pct['90']:9.2f} {pct['99']:9.2f} {ms(*mx.groups()):9.2f}")
PY
done | tee "$out/runs.txt"
python3 - "$out/runs.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip() and line.split()[0].isdigit()]
cols = list(zip(*[[float(x) for x in r[1:]] for r in rows]))
med = [statistics.median(c) for c in cols]
print(f"{'med':<4} {med[0]:12.0f} {med[1]:9.2f} {med[2]:9.2f} {med[3]:9.2f} {med[4]:9.2f}")
PY
kill -0 "$server_pid" 2>/dev/null || { echo "api-load: the server died during the run" >&2; exit 1; }
