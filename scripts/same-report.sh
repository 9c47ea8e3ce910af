#!/usr/bin/env bash
# Same output check for performance work: runs two calfguard binaries (before and after a change)
# on the same inputs with `--no-store --threads 2 --now 2026-11-23` and diffs the report folders.
# Usage: scripts/same-report.sh OLD_BIN NEW_BIN [NAME=PATH[,PATH...]]...
# Default inputs: the fixtures with the shared corpus, the sample athlete (with its configuration),
# and the real history x3cl. Exit code 1 when any report differs.
set -u
[ $# -ge 2 ] || { sed -n 2,6p "$0"; exit 2; }
old=$1 new=$2
shift 2
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
  set -- "fixtures=fixtures,/work/shared/fixtures" \
    "sample=--config,fixtures/sample-athlete/calfguard.toml,fixtures/sample-athlete" \
    "x3cl=/work/data/histories/x3cl"
fi
status=0
for spec in "$@"; do
  name=${spec%%=*}
  IFS=, read -r -a args <<<"${spec#*=}"
  for which in old new; do
    bin=$old
    [ "$which" = new ] && bin=$new
    "$bin" analyze --no-store --threads 2 --quiet --now 2026-11-23 --out "$work/$name-$which" \
      "${args[@]}" >/dev/null 2>&1
    echo $? >"$work/$name-$which.rc"
  done
  if diff -r "$work/$name-old" "$work/$name-new" >/dev/null &&
    cmp -s "$work/$name-old.rc" "$work/$name-new.rc"; then
    echo "$name: identical ($(ls "$work/$name-old" | wc -l) files," \
      "$(($(wc -l <"$work/$name-old/activities.csv") - 1)) activities, exit $(cat "$work/$name-old.rc"))"
  else
    echo "$name: DIFFERENT"
    diff -r "$work/$name-old" "$work/$name-new" | head -20
    status=1
  fi
done
exit $status
