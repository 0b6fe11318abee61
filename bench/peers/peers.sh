#!/usr/bin/env bash
# psm's forecasters against statsforecast's on the bundled hourly series (docs/benchmarks.md,
# "Forecasters against statsforecast"). Makes bench/peers/.venv on first use; never needed by
# the build or the tests. Usage: bench/peers/peers.sh [repeats] [extra peers_benchmark.py args]
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=bench/peers/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r bench/peers/requirements-arima.txt
fi
swift build -c release --product psm
repeats=${1:-3}
shift || true
"$venv/bin/python" bench/peers/peers_benchmark.py --psm .build/release/psm --repeats "$repeats" "$@"
