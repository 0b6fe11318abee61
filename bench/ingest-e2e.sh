#!/usr/bin/env bash
# End-to-end ingest: `psm ingest` (CSV parse + validate + regularise + SQLite insert) against the
# sqlite3 shell's `.import --csv` of the same long CSV into the same WAL, WITHOUT ROWID schema,
# both in one transaction at synchronous=FULL. Runs interleaved; prints each run and the medians.
#
#   bench/ingest-e2e.sh                       # 1000 series x 5000 points = 5M samples, 5 runs
#   SERIES=100 POINTS=5000 RUNS=3 bench/ingest-e2e.sh
# Builds psm in release into .build-rel (override with SCRATCH).
set -euo pipefail
SERIES=${SERIES:-1000}
POINTS=${POINTS:-5000}
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/psm-bench-ingest}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${SCRATCH:-$ROOT/.build-rel}
TOTAL=$((SERIES * POINTS))
CSV=$WORK/long-${SERIES}x${POINTS}.csv
mkdir -p "$WORK"
if [[ ! -s $CSV ]]; then
    echo "generating $CSV ($TOTAL rows)" >&2
    awk -v s="$SERIES" -v p="$POINTS" 'BEGIN {
        print "series_id,timestamp,value"
        for (i = 1; i <= s; i++) for (j = 0; j < p; j++)
            printf "%d,%d,%.6f\n", i, 1700000000 + j * 300, i + sin(j * 0.01) * 10
    }' > "$CSV"
fi
swift build -c release --scratch-path "$SCRATCH" --product psm >&2
PSM=$SCRATCH/release/psm
now() { date +%s.%N; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
psm_rates=() peer_rates=()
for ((r = 1; r <= RUNS; r++)); do
    db=$WORK/psm.sqlite; rm -f "$db" "$db-wal" "$db-shm"
    t0=$(now); "$PSM" ingest "$CSV" --db "$db" --diagnostics 0 >/dev/null; t1=$(now)
    n=$(sqlite3 "$db" "SELECT count(*) FROM samples")
    [[ $n == "$TOTAL" ]] || { echo "psm stored $n samples, expected $TOTAL" >&2; exit 1; }
    psm_rates+=("$(echo "$TOTAL / ($t1 - $t0) / 1000000" | bc -l)")
    db=$WORK/peer.sqlite; rm -f "$db" "$db-wal" "$db-shm"
    sqlite3 "$db" "PRAGMA journal_mode=WAL; CREATE TABLE samples (series INTEGER NOT NULL, ts INTEGER NOT NULL,
        value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;" >/dev/null
    t0=$(now)
    printf '%s\n' "PRAGMA synchronous=FULL;" "PRAGMA cache_size=-65536;" "BEGIN;" \
        ".import --csv --skip 1 $CSV samples" "COMMIT;" | sqlite3 "$db"
    t1=$(now)
    peer_rates+=("$(echo "$TOTAL / ($t1 - $t0) / 1000000" | bc -l)")
    printf 'run %d: psm ingest %.2f M samples/s, sqlite3 .import %.2f M samples/s\n' "$r" "${psm_rates[-1]}" "${peer_rates[-1]}"
done
pm=$(printf '%s\n' "${psm_rates[@]}" | median); qm=$(printf '%s\n' "${peer_rates[@]}" | median)
printf 'median: psm ingest %.2f M samples/s, sqlite3 .import %.2f M samples/s, ratio %.2f\n' "$pm" "$qm" "$(echo "$pm / $qm" | bc -l)"
