#!/usr/bin/env bash
# Run the fuzz targets one after another, one libFuzzer process at a time (no sanitizer: stable
# toolchain), each for SECONDS (default 600). Local extra seeds may be given in SEEDS_DIR/<target>/
# (read, never written: only fuzz/corpus/<target>/ receives new entries).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]        logs in ${LOG_DIR:-/tmp/calfguard-fuzz}/<target>.log
#
# Every target is built first, once: a failed build stops the script with exit 1 and the end of
# the build log, before any fuzzing. After a crash the target is restarted for the remaining
# time (at most 3 times); crashers land in fuzz/artifacts/<target>/.
set -u
cd "$(dirname "$0")/../fuzz"
secs=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fit gpx tcx read_bytes walker)
log_dir=${LOG_DIR:-/tmp/calfguard-fuzz}
mkdir -p "$log_dir"
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2
    exit 1
fi
for t in "${targets[@]}"; do
    if ! cargo fuzz build -s none "$t" >"$log_dir/$t.build.log" 2>&1; then
        echo "fuzz.sh: building fuzz target '$t' failed; the end of $log_dir/$t.build.log:" >&2
        tail -n 20 "$log_dir/$t.build.log" >&2
        exit 1
    fi
done
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t"
    extra=()
    [ -n "${SEEDS_DIR:-}" ] && [ -d "$SEEDS_DIR/$t" ] && extra=("$SEEDS_DIR/$t")
    start=$(date +%s)
    for attempt in 1 2 3 4; do
        left=$((secs - ($(date +%s) - start)))
        [ "$left" -le 5 ] && break
        echo "=== $t attempt $attempt, $left s" >>"$log_dir/$t.log"
        cargo fuzz run -s none "$t" "corpus/$t" "${extra[@]}" -- \
            -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 >>"$log_dir/$t.log" 2>&1
        rc=$?
        echo "=== $t exit $rc" >>"$log_dir/$t.log"
        [ "$rc" -eq 0 ] && break
    done
done
