#!/usr/bin/env bash
# Peak RSS of `calfguard analyze` over 100, 1,000 and 10,000 distinct activity files
# (docs/performance.md, "Memory"). Files are made with examples/make_corpus.rs from four real
# fixtures (no truncated or bad-CRC ones), taken in turn, copy k re-timed by k + 1 days.
#
#   scripts/memory.sh [WORK_DIR] [COUNTS...]      default WORK_DIR /tmp/calfguard-mem, COUNTS 100 1000 10000
#
# 10,000 files take about 1.8 GB of disk in WORK_DIR (check `df -h`).
set -eu
cd "$(dirname "$0")/.."
work=${1:-/tmp/calfguard-mem}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(100 1000 10000)
inputs=(
    fixtures/real/pyfitparse_fenix2_run_hr_temp.fit
    fixtures/real/pyfitparse_edge810_ride_power.fit
    fixtures/real/pyfitparse_zwift_virtual_ride.fit
    fixtures/real/georust_garminconnect_run_ns3_hr_cad.gpx
)
cargo build --release --quiet --bin calfguard --example make_corpus
mkdir -p "$work"
printf '%-8s %-10s %-14s %-10s %s\n' files disk_MB peak_rss_MB wall_s threads
for n in "${counts[@]}"; do
    dir="$work/in-$n"
    if [ ! -d "$dir" ] || [ "$(find "$dir" -type f | wc -l)" -ne "$n" ]; then
        rm -rf "$dir"
        ./target/release/examples/make_corpus "$dir" "$n" "${inputs[@]}" >/dev/null
    fi
    disk=$(du -sm "$dir" | cut -f1)
    for threads in ${THREADS:-1 2}; do
        rm -rf "$work/report"
        /usr/bin/time -v ./target/release/calfguard analyze --no-store "$dir" --out "$work/report" --quiet \
            --threads "$threads" 2>"$work/time.txt" >/dev/null || true
        rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/time.txt")
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
        printf '%-8s %-10s %-14s %-10s %s\n' "$n" "$disk" "$rss" "$wall" "$threads"
    done
done
