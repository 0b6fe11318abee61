#!/usr/bin/env bash
# LSTM training throughput and single-forecast latency, psm (Swift, OpenBLAS) and PyTorch side
# by side on identical shapes, on 1 and 2 threads, interleaved so that both see the same load.
#   bench/lstm.sh [REPEATS]      (default 3; each run is itself the median of 5 rounds)
# Needs the peer venv:  python3 -m venv bench/peers/.venv &&
#   bench/peers/.venv/bin/pip install -r bench/peers/requirements-lstm.txt
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
out=$(mktemp)
lscpu | grep 'Model name' | tee -a "$out"
bench/tests.sh --filter LSTMBenchmarkTests >/dev/null   # builds; without PSM_BENCH the suite is skipped
for r in $(seq "$repeats"); do
  for t in 1 2; do
    PSM_BENCH=1 PSM_BENCH_MEMORY=0 PSM_BENCH_THREADS=$t \
      bench/tests.sh --skip-build --filter 'LSTMBenchmarkTests/trainingThroughput' 2>&1 \
      | grep '^BENCH' | tee -a "$out"
    bench/peers/.venv/bin/python bench/peers/lstm_bench.py --threads "$t" | tee -a "$out"
  done
done
# Memory: 1,000 series × 4,000 points, one short epoch, peak RSS of the whole test process.
PSM_BENCH=1 bench/tests.sh --skip-build --filter 'LSTMBenchmarkTests/memory' 2>&1 \
  | grep '^BENCH' | tee -a "$out"
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l[6:]) for l in open(sys.argv[1]) if l.startswith("BENCH ")]
def med(side, t, key):
    v = [r[key] for r in rows if r["side"] == side and r.get("threads") == t and key in r]
    return statistics.median(v) if v else float("nan")
print("\nthreads | psm seq/s | torch seq/s | ratio | psm latency ms | torch latency ms | GEMM GFLOP/s in training | sgemm alone GFLOP/s | GEMM share")
for t in (1, 2):
    s, p = med("swift", t, "sequences_per_s"), med("pytorch", t, "sequences_per_s")
    print(f"{t} | {s:.0f} | {p:.0f} | {s/p:.2f} | {med('swift', t, 'forecast_latency_ms'):.3f} | "
          f"{med('pytorch', t, 'forecast_latency_ms'):.3f} | {med('swift', t, 'gemm_rate_in_training_gflops'):.1f} | "
          f"{med('swift', t, 'sgemm_alone_same_shapes_gflops'):.1f} | {med('swift', t, 'gemm_share_of_step'):.2f}")
for r in rows:
    if r.get("test") == "memory_1000x4000":
        print(f"memory 1000x4000: peak RSS {r['peak_rss_mib']:.0f} MiB, {r['seconds']:.1f} s")
PY
rm -f "$out"
