#!/usr/bin/env bash
# Fuzzes psm's input readers with psm-fuzz (docs/fuzzing.md).
#
#   scripts/fuzz.sh --ci                                   # the short deterministic stage scripts/test.sh runs
#   scripts/fuzz.sh --release --executions 10000000 --target csv-long [--target …] [--jobs 2] [--keep-going]
#   scripts/fuzz.sh --replay TARGET FILE…                  # run saved inputs once, with the Swift runtime's trap message
#
# A long run runs psm-fuzz in a child process per target: when it dies of a signal (a trap, an
# abort, a segfault or the per-input alarm of a hang) the input it was running is saved as
# Tests/Fuzz/crashes/TARGET/crash-<sha1>, and the run stops (or, with --keep-going, goes on with
# the next seed for the executions left, up to 10 crashes per target). One line per target
# is appended to out/fuzz/results.txt: executions, seconds, exec/s, crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=() executions=100000 seed=1 release=0 build=1 timeout=10 keep_going=0 jobs=1 ci=0 ci_executions=5000
replay=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=("$2"); shift 2 ;;
    --executions) executions="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --release) release=1; shift ;;
    --skip-build) build=0; shift ;;
    --timeout) timeout="$2"; shift 2 ;;
    --keep-going) keep_going=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --ci) ci=1; shift ;;
    --ci-executions) ci_executions="$2"; shift 2 ;;
    --replay) shift; replay=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Repeatable runs: Swift's per-process hash seed would otherwise reorder dictionaries.
export SWIFT_DETERMINISTIC_HASHING=1

if [ "$release" = 1 ]; then
  # Optimised, with testable imports (psm-fuzz reaches internal decoders); its own scratch
  # directory so that the normal release build's flags are left alone.
  scratch=.build-fuzz
  if [ "$build" = 1 ]; then
    swift build -c release --scratch-path "$scratch" -Xswiftc -enable-testing --product psm-fuzz >&2
  fi
  bin="$(swift build -c release --scratch-path "$scratch" -Xswiftc -enable-testing --show-bin-path)/psm-fuzz"
else
  if [ "$build" = 1 ]; then swift build --product psm-fuzz >&2; fi
  bin="$(swift build --show-bin-path)/psm-fuzz"
fi

if [ "${#replay[@]}" -gt 0 ]; then
  exec "$bin" replay --target "${replay[0]}" "${replay[@]:1}"
fi

if [ "$ci" = 1 ]; then
  # Every target: its stored corpus, every saved crash input, then $ci_executions mutated inputs
  # from a fixed seed. A crash fails the stage and says where the input is.
  exec "$bin" ci --root Tests/Fuzz --seed "$seed" --executions "$ci_executions" --timeout "$timeout"
fi

if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <("$bin" list | cut -f1)
fi

mkdir -p out/fuzz
fuzz_target() {
  local target="$1" remaining="$executions" s="$seed" crashes=0 done_total=0 rc
  local work="out/fuzz/$target" started
  mkdir -p "$work"
  started=$(date +%s)
  while [ "$remaining" -gt 0 ]; do
    rm -f "$work/crash" "$work/status"
    set +e
    nice -n 10 "$bin" run --target "$target" --corpus "Tests/Fuzz/corpus/$target" --seed "$s" \
      --executions "$remaining" --timeout "$timeout" --crash-file "$work/crash" --status-file "$work/status" \
      >>"$work/log" 2>&1
    rc=$?
    set -e
    local done_now
    done_now=$(sed -n 's/^mutated=//p' "$work/status" 2>/dev/null || true)
    done_now=${done_now:-0}
    done_total=$((done_total + done_now))
    remaining=$((remaining - done_now))
    [ "$rc" = 0 ] && break
    if [ ! -e "$work/crash" ]; then
      echo "fuzz.sh: $target: psm-fuzz exited with $rc without a crash input (see $work/log)" >&2
      return 1
    fi
    crashes=$((crashes + 1))
    local sum dir
    sum=$(sha1sum "$work/crash" | cut -c1-16)
    dir="Tests/Fuzz/crashes/$target"
    mkdir -p "$dir"
    mv "$work/crash" "$dir/crash-$sum"
    echo "fuzz.sh: $target: CRASH (exit $rc, signal $((rc - 128))) with seed $s; input saved as $dir/crash-$sum" >&2
    echo "          reproduce: scripts/fuzz.sh --replay $target $dir/crash-$sum" >&2
    if [ "$keep_going" = 0 ] || [ "$crashes" -ge 10 ]; then break; fi
    s=$((s + 1))
  done
  local seconds=$(( $(date +%s) - started ))
  # Executions done before a crash are counted up to the last progress report (every ~30 s).
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) target=$target seed=$seed mutated_executions=$done_total seconds=$seconds"
  line="$line exec_per_s=$(( done_total / (seconds > 0 ? seconds : 1) )) crashes=$crashes build=$([ "$release" = 1 ] && echo release || echo debug)"
  echo "$line" | tee -a out/fuzz/results.txt
  echo "$crashes" >"$work/crashes"
}

for t in "${targets[@]}"; do rm -f "out/fuzz/$t/crashes"; done
for t in "${targets[@]}"; do
  if [ "$jobs" -le 1 ]; then
    fuzz_target "$t" || echo 1 >"out/fuzz/$t/crashes"
  else
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
    ( fuzz_target "$t" || echo 1 >"out/fuzz/$t/crashes" ) &
  fi
done
wait
for t in "${targets[@]}"; do
  [ "$(cat "out/fuzz/$t/crashes" 2>/dev/null || echo 1)" = 0 ] || exit 1
done
