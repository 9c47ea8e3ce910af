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

# Wall and CPU (user + system) seconds of one `analyze` of $dir into report-$1 with the options
# "${@:2}", as "wall cpu".
secs() {
    /usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$bin" analyze "$dir" --out "$work/report-$1" \
        --quiet --threads "$threads" --now 2026-11-23 "${@:2}" >/dev/null 2>&1 || true
    tail -n 1 "$work/time.txt" | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
}
# Median wall and median CPU of "wall cpu" lines.
median() {
    local lines
    lines=$(cat)
    local m=$(( ($(wc -l <<<"$lines") + 1) / 2 ))
    echo "$(cut -d' ' -f1 <<<"$lines" | sort -n | sed -n "${m}p") $(cut -d' ' -f2 <<<"$lines" | sort -n | sed -n "${m}p")"
}

# The machine is shared: wall times swing with other jobs, CPU seconds much less.
printf '%-7s %-7s %-15s %-15s %-15s %-15s %-17s %-17s %s\n' files disk_MB "no_store w/cpu" "cold w/cpu" \
    "warm w/cpu" "new_file w/cpu" "warm/cold w/cpu" "cold/none w/cpu" store_MB
for n in "${counts[@]}"; do
    dir="$work/in-$n"
    if [ ! -d "$dir" ] || [ "$(find "$dir" -type f | wc -l)" -ne "$n" ]; then
        rm -rf "$dir"
        ./target/release/examples/make_corpus "$dir" "$n" "${inputs[@]}" >/dev/null
    fi
    disk=$(du -sm "$dir" | cut -f1)
    db="$work/store-$n.db"
    # --no-store and cold runs alternate, so that both see the same load.
    : >"$work/none.txt"
    : >"$work/cold.txt"
    for _ in $(seq "$runs"); do
        secs none --no-store >>"$work/none.txt"
        rm -f "$db" "$db-wal" "$db-shm"
        secs cold --store "$db" >>"$work/cold.txt"
    done
    read -r none_w none_c < <(median <"$work/none.txt")
    read -r cold_w cold_c < <(median <"$work/cold.txt")
    read -r warm_w warm_c < <(for _ in $(seq "$runs"); do secs warm --store "$db"; done | median)
    same=$(diff -r "$work/report-none" "$work/report-warm" >/dev/null && echo identical || echo DIFFERENT)
    # One new file per timed run: distinct bytes every time (re-timed copies), removed after.
    rm -rf "$work/new"
    ./target/release/examples/make_corpus "$work/new" "$runs" fixtures/real/pyfitparse_fenix5_run_short.fit >/dev/null
    read -r new_w new_c < <(for f in "$work"/new/*/*; do
        cp "$f" "$dir/zz-new-file.fit"
        secs new --store "$db"
        rm -f "$dir/zz-new-file.fit"
    done | median)
    store_mb=$(du -sm "$db" | cut -f1)
    ratio() { echo "scale=2; $1 / $2" | bc; }
    printf '%-7s %-7s %-15s %-15s %-15s %-15s %-17s %-17s %s  (warm report vs --no-store: %s)\n' \
        "$n" "$disk" "$none_w/$none_c" "$cold_w/$cold_c" "$warm_w/$warm_c" "$new_w/$new_c" \
        "$(ratio "$warm_w" "$cold_w")/$(ratio "$warm_c" "$cold_c")" \
        "$(ratio "$cold_w" "$none_w")/$(ratio "$cold_c" "$none_c")" "$store_mb" "$same"
done
