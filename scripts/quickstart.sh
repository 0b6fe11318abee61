#!/usr/bin/env bash
# The README's first command: set up, build, and run psm's main job on the bundled data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "quickstart: building psm and psm-actuator (release)…" >&2
swift build -c release --product psm >&2
swift build -c release --product psm-actuator >&2
psm=$(swift build -c release --show-bin-path)/psm
mkdir -p out
echo "quickstart: psm inspect Datasets/" >&2
"$psm" inspect Datasets/
echo "quickstart: psm ingest Datasets/ --db out/metrics.sqlite" >&2
"$psm" ingest Datasets/ --db out/metrics.sqlite
echo "quickstart: psm train --config examples/psm.toml (backtest, calibrate, select, publish, report)" >&2
"$psm" train --config examples/psm.toml --once
"$psm" models list --models out/Models
echo "quickstart: report written to out/reports/latest.html" >&2
echo "quickstart: psm demo (train on 10 days of two VM groups, replay the rest through the actuator on a libvirt test-driver node)" >&2
"$psm" demo --out out/demo
echo "quickstart: why the web pool has its size:" >&2
"$(swift build -c release --show-bin-path)/psm-actuator" explain web --config out/demo/psm.toml
