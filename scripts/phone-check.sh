#!/bin/sh
# Screenshots of a report.html at phone and desktop widths with headless Chromium (issue 18
# item 7: tables scroll inside their box, the chart scales), to look at.
#
#   scripts/phone-check.sh REPORT_DIR [OUT_DIR]
#
# Writes OUT_DIR/report-420.png and OUT_DIR/report-1400.png (OUT_DIR default: REPORT_DIR), to
# look at: at 420 px no text may be cut off at the right edge and wide tables scroll inside
# their box. Needs `chromium` (Debian package) on PATH.
set -eu
report=${1:?usage: scripts/phone-check.sh REPORT_DIR [OUT_DIR]}
out=${2:-$report}
page="file://$(cd "$report" && pwd)/report.html"
mkdir -p "$out"
command -v chromium >/dev/null || { echo "chromium is not installed" >&2; exit 2; }
for w in 420 1400; do
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$w,2400" --screenshot="$out/report-$w.png" "$page" 2>/dev/null
  test -s "$out/report-$w.png" || { echo "no screenshot at width $w" >&2; exit 1; }
  echo "width $w: screenshot $out/report-$w.png"
done
