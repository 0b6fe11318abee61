#!/usr/bin/env bash
# Bulk-insert throughput of psm's MetricStore against the sqlite3 shell on the same data.
#
#   bench/ingest-sqlite.sh            # 1000 series x 5000 points = 5M samples, 5 runs each
#   SERIES=100 POINTS=5000 RUNS=3 bench/ingest-sqlite.sh
#   SYNC=NORMAL bench/ingest-sqlite.sh   # both sides at synchronous=NORMAL (default FULL: durable at commit)
#
# Peers (sqlite3 shell, same schema, WAL, synchronous=$SYNC, 64 MiB cache, one transaction):
#   csv-import  `.import --csv` of a long CSV (series,ts,value as integers/real): SQLite's own
#               fastest path from a file, CSV parsing included.
#   sql-insert  INSERT ... SELECT from generate_series: the engine's insert cost alone, no parsing.
# psm: the opt-in test IngestBenchmark (release build) inserting the same number of synthetic
#      samples through MetricStore.insert (no CSV parsing).
# Prints each run and the medians; needs sqlite3 and swift. Set PSM_PACKAGE_DIR to time another
# checkout and SCRATCH to choose the build folder.
set -euo pipefail

SERIES=${SERIES:-1000}
POINTS=${POINTS:-5000}
RUNS=${RUNS:-5}
SYNC=${SYNC:-FULL}
WORK=${WORK:-/tmp/psm-bench-ingest}
ROOT=${PSM_PACKAGE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
SCRATCH=${SCRATCH:-$ROOT/.build-bench}
TOTAL=$((SERIES * POINTS))
CSV=$WORK/long-${SERIES}x${POINTS}.csv

command -v sqlite3 >/dev/null || { echo "ingest-sqlite: sqlite3 is not installed (apt-get install sqlite3)" >&2; exit 1; }
mkdir -p "$WORK"

if [[ ! -s $CSV ]]; then
    echo "generating $CSV ($TOTAL rows)" >&2
    awk -v s="$SERIES" -v p="$POINTS" 'BEGIN {
        print "series_id,timestamp,value"
        for (i = 1; i <= s; i++) for (j = 0; j < p; j++)
            printf "%d,%d,%.6f\n", i, 1700000000 + j * 300, i + sin(j * 0.01) * 10
    }' > "$CSV"
fi

SETUP="PRAGMA journal_mode=WAL; PRAGMA synchronous=$SYNC; PRAGMA cache_size=-65536;
CREATE TABLE samples (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
                      PRIMARY KEY (series, ts)) WITHOUT ROWID;"

now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Runs one peer: $1 label, $2 SQL/dot-commands timed inside one transaction.
peer() {
    local label=$1 body=$2 db=$WORK/peer.sqlite rates=()
    for ((r = 1; r <= RUNS; r++)); do
        rm -f "$db" "$db-wal" "$db-shm"
        sqlite3 "$db" "$SETUP" >/dev/null
        local t0 t1
        t0=$(now)
        printf '%s\n' "PRAGMA synchronous=$SYNC;" "PRAGMA cache_size=-65536;" "BEGIN;" "$body" "COMMIT;" | sqlite3 "$db"
        t1=$(now)
        local n
        n=$(sqlite3 "$db" "SELECT count(*) FROM samples")
        [[ $n == "$TOTAL" ]] || { echo "ingest-sqlite: $label stored $n rows, expected $TOTAL" >&2; exit 1; }
        local rate
        rate=$(awk -v n="$TOTAL" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
        echo "peer $label run $r: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s, $rate samples/s"
        rates+=("$rate")
    done
    echo "peer $label median: $(printf '%s\n' "${rates[@]}" | median) samples/s"
    rm -f "$db" "$db-wal" "$db-shm"
}

peer csv-import ".import --csv --skip 1 $CSV samples"
peer sql-insert "INSERT INTO samples SELECT s.value, 1700000000 + p.value * 300, s.value + sin(p.value * 0.01) * 10
                 FROM generate_series(1, $SERIES) AS s, generate_series(0, $((POINTS - 1))) AS p;"

echo "building psm tests (release)" >&2
# The benchmark tests live in the Benchmarks package (bench/tests.sh). Without PSM_BENCH the
# benchmark is skipped, so this run only builds.
(cd "$ROOT" && BENCH_SCRATCH="$SCRATCH" bench/tests.sh --filter IngestBenchmark >&2)
case $SYNC in
    FULL) DURABILITY=powerLoss ;;
    NORMAL) DURABILITY=process ;;
    *) echo "ingest-sqlite: SYNC must be FULL or NORMAL" >&2; exit 1 ;;
esac
rates=()
for ((r = 1; r <= RUNS; r++)); do
    line=$(cd "$ROOT" && PSM_BENCH=1 PSM_BENCH_SERIES=$SERIES PSM_BENCH_POINTS=$POINTS PSM_BENCH_DIR=$WORK PSM_BENCH_DURABILITY=$DURABILITY \
        BENCH_SCRATCH="$SCRATCH" bench/tests.sh --skip-build --filter IngestBenchmark 2>&1 | grep '^PSM_BENCH insert')
    echo "psm MetricStore.insert run $r: $line"
    rates+=("${line##*samples_per_s=}")
done
echo "psm MetricStore.insert median: $(printf '%s\n' "${rates[@]}" | median) samples/s"
