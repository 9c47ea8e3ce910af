#!/usr/bin/env bash
# Keep a fuzz corpus small enough to commit: entries over MAX_BYTES (default 4096) are moved to
# OUT_DIR/<target>/ (kept locally, not committed), then `cargo fuzz cmin` minimises the rest.
#   scripts/trim-corpus.sh TARGET [MAX_BYTES] [OUT_DIR]
set -eu
cd "$(dirname "$0")/../fuzz"
t=$1
max=${2:-4096}
out=${3:-/tmp/calfguard-big-corpus}
mkdir -p "$out/$t"
find "corpus/$t" -type f -size +"$max"c -exec mv -t "$out/$t" {} +
cargo fuzz cmin -s none "$t" "corpus/$t" -- -max_len="$max" >"$out/$t.cmin.log" 2>&1
echo "$t: $(ls "corpus/$t" | wc -l) files, $(du -sb --apparent-size "corpus/$t" | cut -f1) bytes"
