#!/usr/bin/env bash
# The report-folder and output-safety hostile cases of docs/reliability.md: for each case the
# exit code, the wall time and the peak RSS (GNU time, `/usr/bin/time -v`), with --threads 1
# and 2. Usage: scripts/hostile-report-folder.sh [BIN]   (default target/release/calfguard)
# Prints Markdown table rows. Needs python3 (to build the 290 MB GPX of the interrupt cases).
set -u
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-target/release/calfguard}")
fix=$(realpath fixtures/real)
w=$(mktemp -d)
# The store goes to the temporary folder, never the machine's data folder.
export XDG_DATA_HOME="$w/data"
trap 'rm -rf "$w"' EXIT
cd "$w"

# Inputs: one real run; a 290 MB GPX (the real Garmin Connect track repeated 800 times).
mkdir exp && cp "$fix/pyfitparse_fenix5_run_short.fit" exp/
python3 - "$fix/georust_garminconnect_run_ns3_hr_cad.gpx" big/big.gpx <<'EOF'
import sys, os
text = open(sys.argv[1]).read()
a = text.index("<trkseg>"); b = text.index("</trkseg>") + len("</trkseg>")
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
with open(sys.argv[2], "w") as f:
    f.write(text[:a])
    for _ in range(800):
        f.write(text[a:b])
    f.write(text[b:])
EOF

# row CASE THREADS -- COMMAND...: run under GNU time, print one table row.
row() {
    local name=$1 threads=$2
    shift 3
    /usr/bin/time -v -o time.txt "$@" --threads "$threads" >/dev/null 2>err.txt
    local code=$?
    code=$(sed -n 's/.*Exit status: //p' time.txt)
    local wall rss
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
    printf '| %s | %s | %s | %s | %.1f |\n' "$name" "$threads" "$code" "$wall" "$(echo "$rss/1024" | bc -l)"
}

# sig_row CASE THREADS SIGNAL(S) FAULT -- COMMAND...: start the run, wait until it has made its
# staging folder and has read for DELAY s, send the signal(s), and report the time from the
# (last) signal to the exit.
sig_row() {
    local name=$1 threads=$2 sigs=$3 fault=$4 delay=$5
    shift 6
    rm -f time.txt
    CALFGUARD_FAULT=$fault /usr/bin/time -v -o time.txt "$@" --threads "$threads" >/dev/null 2>err.txt &
    local tpid=$!
    local child=""
    for _ in $(seq 1 2000); do
        child=$(pgrep -P "$tpid" || true)
        [ -n "$child" ] && ls -a | grep -q '^\.r\.staging-' && break
        sleep 0.01
    done
    sleep "$delay"
    local t0 first=1
    for s in $sigs; do
        [ $first = 1 ] || sleep 0.3
        first=0
        kill -s "$s" "$child"
        t0=$(date +%s.%N)
    done
    wait "$tpid"
    local t1
    t1=$(date +%s.%N)
    local code rss
    code=$(sed -n 's/.*Exit status: //p' time.txt)
    [ -z "$code" ] && code=$(sed -n 's/.*Command terminated by signal \([0-9]*\).*/signal \1/p' time.txt)
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
    local lat
    lat=$(echo "$t1 - $t0" | bc -l)
    printf '| %s | %s | %s | %.2f s after the signal | %.1f |\n' "$name" "$threads" "$code" "$lat" "$(echo "$rss/1024" | bc -l)"
}

report() { rm -rf r .r.*; "$bin" analyze exp --out r --quiet >/dev/null 2>&1; }

# Guard: the cases below include `--out /` and `--out ~`; a calfguard from before issue 13 would
# delete them. Refuse to go on unless this binary leaves a foreign folder alone.
mkdir -p probe/docs && echo thesis >probe/docs/thesis.txt
"$bin" analyze exp --out probe --quiet 2>/dev/null
if [ $? -ne 2 ] || [ "$(cat probe/docs/thesis.txt 2>/dev/null)" != thesis ]; then
    echo "this calfguard replaces foreign folders: not running the hostile cases" >&2
    exit 1
fi
mkdir -p home && echo mine >home/.profile

echo "| case | threads | exit | wall time | peak RSS MB |"
echo "|---|---:|---:|---|---:|"
for t in 1 2; do
    mkdir -p d/docs && echo thesis >d/docs/thesis.txt
    row "--out a folder that is not a report (d/docs/thesis.txt)" $t -- "$bin" analyze exp --out d --quiet
    row "--out equal to the input folder" $t -- "$bin" analyze exp --out exp --quiet
    row "--out inside the input folder (not existing yet)" $t -- "$bin" analyze exp --out exp/a/r --quiet
    row "--out holding the input" $t -- "$bin" analyze exp/pyfitparse_fenix5_run_short.fit --out exp --quiet
    row "--out an input file" $t -- "$bin" analyze exp/pyfitparse_fenix5_run_short.fit --out exp/pyfitparse_fenix5_run_short.fit --quiet
    row "--out ." $t -- "$bin" analyze exp --out . --quiet
    row "--out ~ (home folder)" $t -- env HOME="$w/home" "$bin" analyze exp --out "$w/home" --quiet
    row "--out /" $t -- "$bin" analyze exp --out / --quiet
    report && echo mine >r/notes.txt
    row "report with a file dropped in (r/notes.txt)" $t -- "$bin" analyze exp --out r --quiet
    report && for n in .r.staging-backup .r.old .r.staging-123 .r.old-77; do mkdir "$n" && echo k >"$n/keep"; done
    row "siblings named like leftovers, not ours (kept)" $t -- "$bin" analyze exp --out r --quiet
    for n in .r.staging-backup .r.old .r.staging-123 .r.old-77; do [ -e "$n/keep" ] || echo "$n LOST" >&2; done
    report && mkdir -p empty && rm -rf empty/*
    row "no activity: empty folder" $t -- "$bin" analyze empty --out r --quiet
    row "no activity: --since after --until" $t -- "$bin" analyze exp --out r --since 2030-01-01 --until 2020-01-01 --quiet
    mkdir -p notes && echo hello >notes/a.txt && echo x >notes/b.json
    row "no activity: only non-activity files" $t -- "$bin" analyze notes --out r --quiet
    row "summary: no activity" $t -- "$bin" summary notes --quiet
    report && mkdir -p inp && rm -rf inp/* && cp -r r inp/old && cp "$fix/pyfitparse_edge810_ride_power.fit" inp/
    row "a report folder inside the input tree (skipped)" $t -- "$bin" analyze inp --out r2 --quiet
    mkdir -p names && cp "$fix/pyfitparse_fenix5_run_short.fit" "names/run$(printf '\xfe').fit" && cp "$fix/pyfitparse_fenix5_run_short.fit" "names/run$(printf '\xff').fit"
    row "two names differing only in an invalid byte" $t -- "$bin" analyze names --out r3 --quiet
    mkdir -p inj && sed 's/creator="Garmin Connect"/creator="=HYPERLINK(1)"/' "$fix/georust_garminconnect_run_ns3_hr_cad.gpx" >"inj/=run.gpx"
    row "CSV formula in creator and file name" $t -- "$bin" analyze inj --out r4 --quiet
    report
    sig_row "SIGINT while reading a 290 MB GPX" $t INT "" 1.0 -- "$bin" analyze big --out r --quiet
    sig_row "SIGTERM while reading a 290 MB GPX" $t TERM "" 1.0 -- "$bin" analyze big --out r --quiet
    sig_row "SIGHUP while reading a 290 MB GPX" $t HUP "" 1.0 -- "$bin" analyze big --out r --quiet
    sig_row "second Ctrl-C in a step that does not poll" $t "INT INT" hang-analysis 0.2 -- "$bin" analyze exp --out r --quiet
    CALFGUARD_FAULT=pause-analysis "$bin" analyze exp --out r --quiet 2>/dev/null &
    first=$!
    for _ in $(seq 1 500); do [ -e .r.lock ] && break; sleep 0.01; done
    row "second run on the same --out (lock held)" $t -- "$bin" analyze exp --out r --quiet
    kill -INT $first; wait $first
    # Sanity: nothing of the user's was touched.
    [ "$(cat d/docs/thesis.txt)" = thesis ] || echo "THESIS LOST" >&2
    [ "$(cat home/.profile)" = mine ] || echo "HOME LOST" >&2
done
