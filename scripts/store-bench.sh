#!/usr/bin/env bash
# Times of `calfguard analyze` with the store (docs/performance.md, "The store"): without a
# store, cold (a new store), warm (nothing changed) and with one new file, over 1,000 and
# 10,000 distinct files, and a check that the warm report is byte-identical to --no-store's.
# Files are made with examples/make_corpus.rs from the sample athlete's GPX files and four real
# FIT/GPX fixtures, taken in turn, copy k re-timed by k + 1 days.
#
#   scripts/store-bench.sh [WORK_DIR] [COUNTS...]   default /tmp/calfguard-store, COUNTS 1000 10000
#
# Env: THREADS (default 2), RUNS (timed runs per case, default 3; the median is printed).
# 10,000 files take about 1 GB of disk in WORK_DIR.
set -eu
cd "$(dirname "$0")/.."
work=${1:-/tmp/calfguard-store}
shift || true
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1000 10000)
threads=${THREADS:-2}
runs=${RUNS:-3}
inputs=(fixtures/sample-athlete/activities/*.gpx
    fixtures/real/pyfitparse_fenix2_run_hr_temp.fit
    fixtures/real/pyfitparse_edge810_ride_power.fit
    fixtures/real/pyfitparse_zwift_virtual_ride.fit
    fixtures/real/georust_garminconnect_run_ns3_hr_cad.gpx)
cargo build --release --quiet --bin calfguard --example make_corpus
bin=./target/release/calfguard
mkdir -p "$work"
# Never the machine's configuration or store.
export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"

# Wall seconds of one run of "$@".
secs() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { "$bin" analyze "$dir" --out "$work/report-$1" --quiet --threads "$threads" --now 2026-11-23 "${@:2}"; }

printf '%-7s %-8s %-9s %-8s %-8s %-9s %-8s %-8s %s\n' files disk_MB no_store cold warm new_file warm/cold cold/none store_MB
for n in "${counts[@]}"; do
    dir="$work/in-$n"
    if [ ! -d "$dir" ] || [ "$(find "$dir" -type f | wc -l)" -ne "$n" ]; then
        rm -rf "$dir"
        ./target/release/examples/make_corpus "$dir" "$n" "${inputs[@]}" >/dev/null
    fi
    disk=$(du -sm "$dir" | cut -f1)
    db="$work/store-$n.db"
    none=$(for _ in $(seq "$runs"); do secs run none --no-store; done | median)
    cold=$(for _ in $(seq "$runs"); do rm -f "$db" "$db-wal" "$db-shm"; secs run cold --store "$db"; done | median)
    warm=$(for _ in $(seq "$runs"); do secs run warm --store "$db"; done | median)
    cmp_out=$(diff -r "$work/report-none" "$work/report-warm" && echo identical || echo DIFFERENT)
    # One new file per timed run: distinct bytes every time (re-timed copies), removed after.
    rm -rf "$work/new"
    ./target/release/examples/make_corpus "$work/new" "$runs" fixtures/real/pyfitparse_fenix5_run_short.fit >/dev/null
    new=$(for f in "$work"/new/*/*; do
        cp "$f" "$dir/zz-new-file.fit"
        secs run new --store "$db"
        rm -f "$dir/zz-new-file.fit"
    done | median)
    store_mb=$(du -sm "$db" | cut -f1)
    printf '%-7s %-8s %-9.2f %-8.2f %-8.2f %-9.2f %-8.2f %-8.2f %s  (warm report vs --no-store: %s)\n' \
        "$n" "$disk" "$none" "$cold" "$warm" "$new" \
        "$(echo "$warm / $cold" | bc -l)" "$(echo "$cold / $none" | bc -l)" "$store_mb" "$cmp_out"
done
