#!/usr/bin/env bash
# Throughput benchmarks for docs/performance.md. Needs hyperfine (apt-get install hyperfine) and
# python3 (for zipping). Usage: scripts/bench.sh [COPIES]   (default 1000)
# Builds, in target/bench/, a corpus of COPIES distinct FIT files and COPIES/2 distinct GPX and
# TCX-free files re-timed from the real fixtures (examples/make_corpus.rs), then measures:
#   1. the parser layer on one core next to a plain read (examples/bench_ingest.rs): for FIT,
#      fitparser's full decode, its bare deserializer, the reader with records via fitparser and
#      the fast record path on the same files, and their ratio to the Garmin Python SDK; then
#      the same FIT comparison on the real fixtures (examples/fit_speed.rs);
#   2. `calfguard analyze` end to end on the loose corpus with 1 and 2 threads, and `cat` of the
#      same bytes;
#   3. the same corpus as one zip (a Garmin-style export), with 1 and 2 threads;
#   4. a real-history-sized corpus (~360 MB, two thirds GPX: 570 FIT + 545 GPX files, the size and
#      mix of the real running histories measured in docs/flags.md) with 1 and 2 threads, and the
#      CPU time and peak memory of each (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-1000}"
cargo build --release --quiet --examples
cargo build --release --quiet
bin=target/release/calfguard
out=target/bench
rm -rf "$out" && mkdir -p "$out"
fit=$(ls fixtures/real/*.fit | grep -v -E 'truncated|bad_crc')
gpx=$(ls fixtures/real/*.gpx | grep -v -E 'broken|notimes|mojstrovka')
target/release/examples/make_corpus "$out/fit" "$copies" $fit
target/release/examples/make_corpus "$out/gpx" $((copies / 2)) $gpx
echo "== parser layer, one core"
target/release/examples/bench_ingest "$out/fit" 3 2>/dev/null
target/release/examples/bench_ingest "$out/gpx" 3 2>/dev/null
target/release/examples/fit_speed fixtures/real 2>/dev/null
echo "== end to end, loose files"
du -sh "$out/fit" "$out/gpx"
hyperfine --warmup 1 --runs 3 \
  "find $out/fit $out/gpx -type f -exec cat {} + > /dev/null" \
  "$bin analyze --no-store $out/fit $out/gpx --quiet --threads 1 --out $out/report1 --now 2026-11-23" \
  "$bin analyze --no-store $out/fit $out/gpx --quiet --threads 2 --out $out/report2 --now 2026-11-23"
echo "== end to end, one export zip"
python3 - "$out" <<'PY'
import os, sys, zipfile
out = sys.argv[1]
with zipfile.ZipFile(os.path.join(out, "export.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for d in ("fit", "gpx"):
        for root, _, files in os.walk(os.path.join(out, d)):
            for f in sorted(files):
                p = os.path.join(root, f)
                z.write(p, os.path.relpath(p, out))
PY
ls -la "$out/export.zip"
hyperfine --warmup 1 --runs 3 \
  "$bin analyze --no-store $out/export.zip --quiet --threads 1 --out $out/report-zip1 --now 2026-11-23" \
  "$bin analyze --no-store $out/export.zip --quiet --threads 2 --out $out/report-zip2 --now 2026-11-23"
echo "== end to end, history-sized corpus (~360 MB, 2/3 GPX)"
make_h() { target/release/examples/make_corpus "$out/hist/$1" "$2" $3 >/dev/null; }
make_h fit 570 "$fit"
make_h gpx 545 "$gpx"
du -sh "$out/hist/fit" "$out/hist/gpx"
hyperfine --warmup 1 --runs 5 \
  "$bin analyze --no-store $out/hist --quiet --threads 1 --out $out/report-h1 --now 2026-11-23" \
  "$bin analyze --no-store $out/hist --quiet --threads 2 --out $out/report-h2 --now 2026-11-23"
for t in 1 2; do
  /usr/bin/time -f "threads $t: %e s wall, %U s user, %S s sys, %M KB peak" \
    "$bin" analyze --no-store "$out/hist" --quiet --threads "$t" --out "$out/report-h$t" --now 2026-11-23
done
cmp <(cd "$out/report-h1" && cat activities.csv weeks.csv flags.csv) \
  <(cd "$out/report-h2" && cat activities.csv weeks.csv flags.csv) && echo "same report for 1 and 2 threads"
