#!/usr/bin/env bash
# Fuzzes the actuator API with schemathesis against docs/openapi.yaml (docs/api.md, "Fuzzing").
#
# Builds psm-api-testserver (the API over the stand-in control), starts it on loopback with a
# random token, runs schemathesis with every check, and stops the server. Passes when schemathesis
# finds nothing: in particular no 5xx answer, and every answer conforms to the document.
#
#   bench/api-fuzz.sh [--max-examples N] [--seed N] [--release]
#
# schemathesis comes from a venv under bench/peers/.venv (created on first use, versions pinned in
# bench/peers/requirements-api.txt). Output and reports go to out/api-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples=100
seed=20261129
configuration=debug
while (($#)); do
  case "$1" in
    --max-examples) max_examples="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --release) configuration=release; shift ;;
    *) echo "api-fuzz: unknown option $1" >&2; exit 2 ;;
  esac
done

venv=bench/peers/.venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "api-fuzz: installing schemathesis into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/peers/requirements-api.txt
fi

swift build -c "$configuration" --product psm-api-testserver >&2
server="$(swift build -c "$configuration" --show-bin-path)/psm-api-testserver"

out=out/api-fuzz
mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

# Writes are not rate-limited here: 429 is documented, but a fuzzer that mostly sees 429s
# exercises nothing behind it (the limiter has its own tests).
PSM_API_TOKEN="$token" "$server" --listen "127.0.0.1:$port" --groups web,batch,api \
  --shadows-per-group 500 --write-rate 1000000 --write-burst 1000000 --log-level warning \
  >"$out/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "api-fuzz: the server exited; see $out/server.log" >&2; exit 1; }
  sleep 0.1
done

# Pass 1 fuzzes the document as published: random groups mostly meet 404. Pass 2 fuzzes a copy
# whose group and shadow-id parameters are restricted to what the stand-in manages, so that
# schema-valid requests reach the store, the forecast and activation (negative data still
# tries every other value).
"$venv/bin/python" - "$out/openapi-known-groups.yaml" <<'PY'
import sys, yaml
doc = yaml.safe_load(open("docs/openapi.yaml"))
groups = {"type": "string", "enum": ["web", "batch", "api"]}
schemas = doc["components"]["schemas"]
schemas["NoticeRequest"]["properties"]["group"] = groups
schemas["MetricSample"]["properties"]["group"] = groups
doc["components"]["parameters"]["GroupQuery"]["schema"] = groups
doc["paths"]["/v1/forecasts/{group}"]["get"]["parameters"][0]["schema"] = groups
ids = [f"{g}-s{n}" for g in ("web", "batch", "api") for n in range(1, 101)]
doc["paths"]["/v1/shadows/{id}/activate"]["post"]["parameters"][0]["schema"] = {"type": "string", "enum": ids}
yaml.safe_dump(doc, open(sys.argv[1], "w"), sort_keys=False)
PY

status=0
for pass in published known-groups; do
  spec=docs/openapi.yaml
  [ "$pass" = known-groups ] && spec="$out/openapi-known-groups.yaml"
  echo "api-fuzz: pass '$pass' ($spec)" >&2
  "$venv/bin/schemathesis" --config-file bench/api-fuzz.toml run "$spec" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers 2 \
    --report junit --report-dir "$out" --report-junit-path "$out/junit-$pass.xml" \
    --no-color 2>&1 | tee "$out/schemathesis-$pass.txt" || status=$?
done

# The server must still be alive and healthy after the run: nothing a client sent crashed it.
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "api-fuzz: the server died during the run; see $out/server.log" >&2
  exit 1
fi
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "api-fuzz: /healthz fails after the run" >&2; exit 1; }
if grep -qi "error\|fatal" "$out/server.log"; then
  echo "api-fuzz: the server logged errors (5xx or worse); see $out/server.log" >&2
  status=1
fi
exit "$status"
