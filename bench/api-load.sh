#!/usr/bin/env bash
# Load test of the actuator API on loopback with wrk (docs/benchmarks.md, "Actuator API load").
#
# Starts a server on 127.0.0.1 with a random token, warms it up, runs wrk RUNS times with
# bench/api-load.lua (20 % notice POSTs, 80 % forecast GETs) and prints requests/s and latency
# percentiles per run and their medians. Fails when any answer is not 2xx. Target: ≥ 5,000
# requests/s, p99 < 10 ms.
#
#   bench/api-load.sh [--server standin|real] [--runs 5] [--duration 15] [--connections 8]
#                     [--threads 1] [--groups LIST] [--store memory|file|file-fsync] [--interval 5]
#                     [--actuator PATH]
#
# --server standin (default): psm-api-testserver in release, the API over the stand-in control
#   (docs/api.md). --store: memory (default) = in-memory SQLite; file = a WAL file,
#   synchronous=NORMAL; file-fsync = a WAL file, synchronous=FULL (an fsync per notice).
# --server real: `psm-actuator run --listen` in release on the configuration `psm demo` writes
#   (made once in out/api-demo), with a fresh store on disk at the default durability
#   (process; every notice commits power-loss durable, in group commits), the libvirt test
#   driver, the write rate limit lifted and a decision cycle every --interval seconds (default 5).
#   After the runs it prints how the decision cycles kept time under load (from the service log).
#   --actuator PATH runs that psm-actuator binary instead (e.g. an older build, for a before/after).
# --groups: the groups the mix spreads over (default web,batch,api for the stand-in, web,api —
#   the demo's, both with models — for the real service).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
duration=15
connections=8
threads=1
store=memory
server_kind=standin
groups=
interval=5
actuator=
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    --server) server_kind="$2"; shift 2 ;;
    --groups) groups="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --actuator) actuator="$2"; shift 2 ;;
    *) echo "api-load: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "api-load: wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

out=out/api-load
rm -rf "$out" && mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export PSM_API_TOKEN="load-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

case "$server_kind" in
standin)
  groups="${groups:-web,batch,api}"
  # psm-api-testserver is in the Benchmarks package, built into the main package's .build.
  swift build --package-path Benchmarks --scratch-path "$PWD/.build" --disable-build-manifest-caching -c release --product psm-api-testserver >&2
  server="$(swift build --package-path Benchmarks --scratch-path "$PWD/.build" --disable-build-manifest-caching -c release --show-bin-path)/psm-api-testserver"
  store_args=()
  case "$store" in
    memory) ;;
    file) store_args=(--db "$out/store.sqlite") ;;
    file-fsync) store_args=(--db "$out/store.sqlite" --durability power-loss) ;;
    *) echo "api-load: --store must be memory, file or file-fsync" >&2; exit 2 ;;
  esac
  # The write limit is lifted: this measures serving, not refusing (429s would count as non-2xx).
  "$server" --listen "127.0.0.1:$port" --groups "$groups" --write-rate 1000000 --write-burst 1000000 \
    --log-level warning "${store_args[@]}" >"$out/server.log" 2>&1 &
  ;;
real)
  groups="${groups:-web,api}"
  swift build -c release --product psm >&2
  swift build -c release --product psm-actuator >&2
  bin="$(swift build -c release --show-bin-path)"
  demo=out/api-demo
  if [ ! -f "$demo/Models/web/CURRENT" ] || [ ! -f "$demo/psm.toml" ]; then
    echo "api-load: training the demo's models once (psm demo --out $demo)" >&2
    "$bin/psm" demo --out "$demo" >"$out/demo.log" 2>&1 || { cat "$out/demo.log" >&2; exit 1; }
  fi
  # The demo's configuration with absolute paths, a fresh store, a short interval (to see cycles
  # run under load) and the write limit lifted.
  python3 - "$demo/psm.toml" "$out/psm.toml" "$PWD/$demo" "$PWD/$out/actuator.sqlite" "$interval" <<'PY'
import re, sys
src, dst, demo, store, interval = sys.argv[1:]
text = open(src).read()
text = re.sub(r'(?m)^dir = "Models"$', f'dir = "{demo}/Models"', text)
text = re.sub(r'(?m)^store = "actuator.sqlite"$', f'store = "{store}"', text)
text = re.sub(r'(?m)^interval = \d+$', f'interval = {interval}', text)
text += "\n[api]\nwrite_rate = 1000000.0\nwrite_burst = 1000000\n"
open(dst, "w").write(text)
PY
  PSM_LOG_LEVEL=info "${actuator:-$bin/psm-actuator}" run --config "$out/psm.toml" --listen "127.0.0.1:$port" \
    >"$out/server.log" 2>&1 &
  ;;
*) echo "api-load: --server must be standin or real" >&2; exit 2 ;;
esac
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
export PSM_LOAD_GROUPS="$groups"
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "api-load: the server exited; see $out/server.log" >&2; exit 1; }
  sleep 0.1
done

# The disk's flush latency now, beside the figures: a notice is answered only after an fsync, so
# on this shared virtual disk (other jobs writing) it bounds the notices' latency.
python3 - "$out/fsync-probe.bin" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
lat, end, i = [], time.time() + 3, 0
while time.time() < end:
    os.pwrite(fd, b"x" * 4096, (i % 256) * 4096); i += 1
    t = time.perf_counter(); os.fdatasync(fd); lat.append((time.perf_counter() - t) * 1000)
os.close(fd); os.unlink(sys.argv[1])
lat.sort(); q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"fdatasync of 4 KiB in {os.path.dirname(sys.argv[1])} (3 s, before the runs): "
      f"p50 {q(.5):.2f} p90 {q(.9):.2f} p99 {q(.99):.2f} max {lat[-1]:.2f} ms", file=sys.stderr)
PY

url="http://127.0.0.1:$port"
wrk -t"$threads" -c"$connections" -d3s -s bench/api-load.lua "$url" >/dev/null  # warm-up

command=(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/api-load.lua "$url")
echo "api-load: ${command[*]} (server: $server_kind, groups: $groups$([ "$server_kind" = standin ] && echo ", store: $store"))" >&2
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
if [ "$server_kind" = real ]; then
  # The decision loop must keep its interval while the API is loaded: each cycle's wall time and
  # the time from one cycle's start to the next (the interval plus the cycle when nothing starves it).
  python3 - "$out/server.log" "$interval" <<'PY'
import re, sys
walls, gaps = [], []
for line in open(sys.argv[1]):
    if not re.search(r"\bcycle\s*$", line) and "wall_ms=" not in line:
        continue
    w = re.search(r"wall_ms=([\d.]+)", line)
    g = re.search(r"since_last_ms=([\d.]+)", line)
    if w: walls.append(float(w.group(1)))
    if g: gaps.append(float(g.group(1)))
interval_ms = float(sys.argv[2]) * 1000
if not walls:
    print("api-load: no cycle timing in the service log (a psm-actuator from before it was logged?)", file=sys.stderr)
    sys.exit(0)
late = [g - interval_ms for g in gaps]
print(f"decision cycles: {len(walls)}, wall ms median {sorted(walls)[len(walls)//2]:.1f} max {max(walls):.1f}; "
      f"start-to-start minus the {sys.argv[2]} s interval: max {max(late) if late else float('nan'):.1f} ms")
last = {}
for line in open(sys.argv[1]):
    for key in ("notices", "notice_commits", "notice_commit_ms", "forecast_reads", "forecasts_computed"):
        m = re.search(rf"\b{key}=([\d.]+)", line)
        if m: last[key] = float(m.group(1))
if last.get("notice_commits"):
    print(f"notices {last['notices']:.0f} in {last['notice_commits']:.0f} commits ({last['notices'] / last['notice_commits']:.1f} per commit, "
          f"{last.get('notice_commit_ms', float('nan')):.2f} ms per commit); "
          f"forecast reads {last.get('forecast_reads', 0):.0f}, computed {last.get('forecasts_computed', 0):.0f} (up to the last cycle)")
PY
fi
