#!/usr/bin/env bash
# Fuzzes the actuator API with schemathesis against docs/openapi.yaml (docs/api.md, "Fuzzing").
#
# Builds psm-api-testserver (the API over the stand-in control) — or, with --real, psm-actuator —
# starts it on loopback with a random token, runs schemathesis with every check, and stops the
# server. Passes when schemathesis finds nothing: in particular no 5xx answer, and every answer
# conforms to the document.
#
#   bench/api-fuzz.sh [--real] [--max-examples N] [--seed N] [--release]
#
# --real: `psm-actuator run --listen` itself on a temporary store and registry (the models that
# `psm demo` trains, made once in out/api-demo, copied), libvirt's test driver, a decision cycle
# every 5 s while the fuzzer runs; the known-groups pass uses the demo's groups and the shadow ids
# the service provisioned.
#
# schemathesis comes from a venv under bench/peers/.venv (created on first use, versions pinned in
# bench/peers/requirements-api.txt). Output and reports go to out/api-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples=100
seed=20261129
configuration=debug
real=false
while (($#)); do
  case "$1" in
    --max-examples) max_examples="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --release) configuration=release; shift ;;
    --real) real=true; shift ;;
    *) echo "api-fuzz: unknown option $1" >&2; exit 2 ;;
  esac
done

venv=bench/peers/.venv
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "api-fuzz: installing schemathesis into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r bench/peers/requirements-api.txt
fi

out=out/api-fuzz
[ "$real" = true ] && out=out/api-fuzz-real
rm -rf "$out" && mkdir -p "$out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"

# Writes are not rate-limited here: 429 is documented, but a fuzzer that mostly sees 429s
# exercises nothing behind it (the limiter has its own tests).
if [ "$real" = false ]; then
  # psm-api-testserver is in the Benchmarks package, built into the main package's .build.
  swift build --package-path Benchmarks --scratch-path "$PWD/.build" --disable-build-manifest-caching -c "$configuration" --product psm-api-testserver >&2
  server="$(swift build --package-path Benchmarks --scratch-path "$PWD/.build" --disable-build-manifest-caching -c "$configuration" --show-bin-path)/psm-api-testserver"
  groups=(web batch api)
  PSM_API_TOKEN="$token" "$server" --listen "127.0.0.1:$port" --groups web,batch,api \
    --shadows-per-group 500 --write-rate 1000000 --write-burst 1000000 --log-level warning \
    >"$out/server.log" 2>&1 &
else
  swift build -c "$configuration" --product psm >&2
  swift build -c "$configuration" --product psm-actuator >&2
  bin="$(swift build -c "$configuration" --show-bin-path)"
  demo=out/api-demo
  if [ ! -f "$demo/Models/web/CURRENT" ] || [ ! -f "$demo/psm.toml" ]; then
    echo "api-fuzz: training the demo's models once (psm demo --out $demo)" >&2
    "$bin/psm" demo --out "$demo" >"$out/demo.log" 2>&1 || { cat "$out/demo.log" >&2; exit 1; }
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/psm-api-fuzz.XXXXXX")
  cp -r "$demo/Models" "$work/Models"
  groups=(web api)
  python3 - "$demo/psm.toml" "$work/psm.toml" "$work" <<'PY'
import re, sys
src, dst, work = sys.argv[1:]
text = open(src).read()
text = re.sub(r'(?m)^dir = "Models"$', f'dir = "{work}/Models"', text)
text = re.sub(r'(?m)^store = "actuator.sqlite"$', f'store = "{work}/actuator.sqlite"', text)
text = re.sub(r'(?m)^interval = \d+$', 'interval = 5', text)
text += "\n[api]\nwrite_rate = 1000000.0\nwrite_burst = 1000000\n"
open(dst, "w").write(text)
PY
  PSM_API_TOKEN="$token" PSM_LOG_LEVEL=warning "$bin/psm-actuator" run --config "$work/psm.toml" \
    --listen "127.0.0.1:$port" >"$out/server.log" 2>&1 &
fi
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; [ -n "${work:-}" ] && rm -rf "$work"' EXIT

for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "api-fuzz: the server exited; see $out/server.log" >&2; exit 1; }
  sleep 0.1
done

# The shadow ids the known-groups pass may activate: the stand-in's fixed ones, or what the real
# service provisioned in its first cycle.
if [ "$real" = false ]; then
  python3 -c 'print("\n".join(f"{g}-s{n}" for g in ("web", "batch", "api") for n in range(1, 101)))' >"$out/shadow-ids.txt"
else
  # Until the first cycle has provisioned its pools: the list is not empty and stays the same for 1 s.
  : >"$out/shadow-ids.txt"
  for _ in $(seq 1 20); do
    cp "$out/shadow-ids.txt" "$out/shadow-ids.previous"
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/shadows" |
      python3 -c 'import json, sys; print("\n".join(s["id"] for s in json.load(sys.stdin)["shadows"]))' >"$out/shadow-ids.txt"
    [ -s "$out/shadow-ids.txt" ] && cmp -s "$out/shadow-ids.txt" "$out/shadow-ids.previous" && break
    sleep 1
  done
  [ -s "$out/shadow-ids.txt" ] || { echo "api-fuzz: the real service provisioned no shadow; see $out/server.log" >&2; exit 1; }
fi

# Pass 1 fuzzes the document as published: random groups mostly meet 404. Pass 2 fuzzes a copy
# whose group and shadow-id parameters are restricted to what the server manages, so that
# schema-valid requests reach the store, the forecast and activation (negative data still
# tries every other value).
"$venv/bin/python" - "$out/openapi-known-groups.yaml" "$out/shadow-ids.txt" "${groups[@]}" <<'PY'
import sys, yaml
doc = yaml.safe_load(open("docs/openapi.yaml"))
groups = {"type": "string", "enum": sys.argv[3:]}
schemas = doc["components"]["schemas"]
schemas["NoticeRequest"]["properties"]["group"] = groups
schemas["MetricSample"]["properties"]["group"] = groups
doc["components"]["parameters"]["GroupQuery"]["schema"] = groups
doc["paths"]["/v1/forecasts/{group}"]["get"]["parameters"][0]["schema"] = groups
ids = [line.strip() for line in open(sys.argv[2]) if line.strip()]
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
# The stand-in logs only warnings and worse; the real service logs a cycle's problems as warnings,
# so for it only the error and critical levels count (a 5xx is logged at error level).
if { [ "$real" = false ] && grep -qi "error\|fatal" "$out/server.log"; } ||
   { [ "$real" = true ] && grep -qE "^\S+ (error|critical) " "$out/server.log"; }; then
  echo "api-fuzz: the server logged errors (5xx or worse); see $out/server.log" >&2
  status=1
fi
exit "$status"
