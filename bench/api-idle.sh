#!/usr/bin/env bash
# Idle-connection flood against the real service (docs/benchmarks.md, "API under idle connections").
#
# Starts `psm-actuator run --listen 127.0.0.1:PORT` (one group, libvirt's test driver, a temporary
# store and an empty model registry; a decision cycle every 5 s), opens CONNECTIONS idle connections
# to it with bench/api-idle.py (python3, standard library only), holds them, and meanwhile times
# GET /healthz on fresh connections. Passes when every /healthz probe after the flood answers 200.
# Only 127.0.0.1 is ever contacted.
#
#   bench/api-idle.sh [--connections 20000] [--hold 20] [--partial] [--release | --actuator PATH] [--api 'key = value; …']
#
# --partial: each connection sends the start of a request head and never finishes it (slowloris).
# --actuator runs that psm-actuator binary instead of building one (e.g. a release build made with
# another --scratch-path).
# --api adds lines to the [api] section (e.g. 'max_connections = 1000'). Output: out/api-idle/.
set -euo pipefail
cd "$(dirname "$0")/.."

connections=20000
hold=20
configuration=debug
api_extra=""
actuator=""
partial=""
while (($#)); do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --hold) hold="$2"; shift 2 ;;
    --release) configuration=release; shift ;;
    --api) api_extra="$2"; shift 2 ;;
    --actuator) actuator="$2"; shift 2 ;;
    --partial) partial=--partial; shift ;;
    *) echo "api-idle: unknown option $1" >&2; exit 2 ;;
  esac
done

# The client needs a descriptor per connection (split over processes of at most 9,000) and the server its
# max_connections plus headroom: raise the soft limit as far as the hard one allows.
ulimit -n "$(ulimit -Hn)"
workers=$(( (connections + 9000) / 9000 ))
(( $(ulimit -n) > 9500 )) || { echo "api-idle: ulimit -n $(ulimit -n) is too low (need ~9,500 per client process)" >&2; exit 1; }

out=out/api-idle
rm -rf "$out" && mkdir -p "$out"
if [ -z "$actuator" ]; then
  swift build -c "$configuration" --product psm-actuator >&2
  actuator="$(swift build -c "$configuration" --show-bin-path)/psm-actuator"
fi
# One group on libvirt's test driver and an empty model registry: the flood is about connections,
# not forecasts (/healthz answers 200 "degraded": the group has no model).
work=$(mktemp -d "${TMPDIR:-/tmp}/psm-api-idle.XXXXXX")
mkdir "$work/Models"
{
  printf '[actuator]\nregistry = "%s/Models"\nstore = "%s/actuator.sqlite"\ninterval = 5\n\n' "$work" "$work"
  printf '[[actuator.groups]]\nname = "web"\nunit = 10\n\n[api]\n'
  tr ';' '\n' <<<"$api_extra" | sed 's/^ *//'
} >"$work/psm.toml"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="idle-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
PSM_API_TOKEN="$token" PSM_LOG_LEVEL=info "$actuator" run --config "$work/psm.toml" \
  --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "api-idle: the server exited; see $out/server.log" >&2; exit 1; }
  sleep 0.1
done

python3 bench/api-idle.py --port "$port" --connections "$connections" --workers "$workers" --hold "$hold" $partial \
  --server-pid "$server_pid" | tee "$out/result.json"
kill -0 "$server_pid" 2>/dev/null || { echo "api-idle: the server died; see $out/server.log" >&2; exit 1; }
python3 - "$out/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
after = r["healthz_after"]
if after["failed"]:
    sys.exit(f"api-idle: {after['failed']} of {after['probes']} /healthz probes after the flood failed")
if r["healthz_during"]["failed"]:
    print(f"api-idle: note: {r['healthz_during']['failed']} /healthz probes during the flood failed", file=sys.stderr)
PY
grep -E "connection limit|max_connections|WITHOUT" "$out/server.log" >&2 || true
