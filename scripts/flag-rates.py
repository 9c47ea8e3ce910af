#!/usr/bin/env python3
"""How often calfguard's flags fire on real running histories (issue 16; docs/flags.md).

Python 3.11, standard library only. Two ways to call it:

  # 1. Everything in one command: analyse every athlete folder of a histories root, then measure.
  scripts/flag-rates.py --analyze HISTORIES_ROOT [--reports DIR] [options]

  # 2. Measure report folders already made by `calfguard analyze`.
  scripts/flag-rates.py [options] REPORT[=INPUT] ...

Options:
  --bin FILE      calfguard binary (default target/release/calfguard; with --analyze and no --bin,
                  `cargo build --release --locked` is run first unless --no-build)
  --config FILE   passed to every `analyze` and `summary` run (use the same one analyze used)
  --now DATE      passed to `analyze` and `summary` (only decides which starts are implausibly in
                  the future). Default with --analyze: today (UTC); for given report folders: the
                  day after the newest activity of that report. Give one after the data's end.
  --no-summary    skip the weekly summaries (no binary needed for given report folders)
  --jobs N        summaries run in parallel, each with --threads 1 (default: CPU count)
  --summary-step K  summarise only every K-th week with runs (default 1 = every week; a quick
                  look while iterating: the maximum may then be missed)
  --out FILE      write the Markdown there too (it always goes to stdout)
  --json FILE     write the raw figures as JSON (for before/after comparisons)

--analyze: every sub-folder of HISTORIES_ROOT (sorted, names starting with "." skipped) is one
athlete; `calfguard analyze SUB --out REPORTS/NAME --quiet --now NOW [--config FILE]` writes its
report (REPORTS default target/flag-rates/, each report folder replaced by calfguard as a whole).
Exit code 1 of analyze (some files failed) is accepted; any other non-zero stops the script.

REPORT[=INPUT]: a report folder; the athlete's name is the folder's name. The weekly summaries
need the input the report was made from: INPUT, or by default the deepest folder holding every
source named in its activities.csv and errors.csv (paths as written there, relative to the
current directory).

What it measures, per athlete and pooled (pooled = all athlete-weeks or all runs together):
- weeks with runs: rows of weeks.csv with runs > 0. Percentages of those weeks with any flag,
  with a medium-or-high flag, with a high flag (flags.csv `period`). Flags dated in weeks without
  runs are counted separately ("flags outside run weeks").
- flags a week: median and maximum number of flags over the weeks with runs.
- per flag code: number of flags, weeks flagged (weeks with runs holding the code), flags by
  severity.
- runs (activities.csv, sport running/trail_running/treadmill_running, date_ok): the share of
  runs with heart rate (has_hr) that are `hard`; warm-up verdicts of hard runs (`warmup`; empty
  is counted as unknown).
- HRmax used (athlete.csv) against the per-run maxima (hr_max_bpm of runs): highest, second
  highest, number of runs whose maximum exceeds the HRmax used.
- weekly summary length: `calfguard summary INPUT --week W --now NOW --quiet --threads 1
  [--config FILE]` for every week with runs; words are whitespace-separated tokens holding at
  least one letter or digit (table rules, pipes and bullets do not count). Median, 90th
  percentile (linear interpolation between order statistics, type 7) and maximum.
- the issue-16 targets, measured on the pooled figures.

Example (the histories stay outside the repository: their files carry no licence):
  scripts/flag-rates.py --analyze ../data/histories --now 2026-11-30 --jobs 2 \
      --out ../data/rates.md --json ../data/rates.json
Each summary re-reads the athlete's whole folder: 8 athletes with 859 weeks with runs took about
80 min on two busy cores (--summary-step 4 for a quick look, --no-summary for seconds).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

# calfguard's store (a cache: the summaries of the same files reuse it) goes to a temporary
# folder removed at exit, never the machine's data folder.
_STORE_DIR = tempfile.TemporaryDirectory(prefix="flag-rates-store-")
RUN_ENV = dict(os.environ, XDG_DATA_HOME=_STORE_DIR.name)

REPO = Path(__file__).resolve().parent.parent
RUN_SPORTS = {"running", "trail_running", "treadmill_running"}
SEVERITIES = ("low", "medium", "high")
WARMUPS = ("adequate", "short", "none", "unknown")
WORD = re.compile(r"[0-9A-Za-z\u00c0-\uffff]")

# Issue 16 targets: (key, text, limit, compare) on pooled figures.
TARGETS = (
    ("any_pct", "weeks with any flag", 35.0),
    ("medium_pct", "weeks with a medium or high flag", 15.0),
    ("high_pct", "weeks with a high flag", 5.0),
    ("hard_pct", "runs with HR called hard", 50.0),
    ("words_median", "summary words, median", 250.0),
    ("words_max", "summary words, maximum", 400.0),
)


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def quantile(values: list[float], q: float) -> float | None:
    """Type-7 quantile (linear interpolation between order statistics)."""
    if not values:
        return None
    v = sorted(values)
    h = (len(v) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (h - lo) * (v[hi] - v[lo])


def words(text: str) -> int:
    return sum(1 for tok in text.split() if WORD.search(tok))


def pct(n: int, d: int) -> float | None:
    return 100.0 * n / d if d else None


def fmt_pct(n: int, d: int) -> str:
    p = pct(n, d)
    return "–" if p is None else f"{p:.0f} % ({n})"


def fmt_num(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"


class Athlete:
    """The figures of one report folder."""

    def __init__(self, name: str, report: Path, source: Path | None):
        self.name = name
        self.report = report
        self.input = source
        weeks = read_csv(report / "weeks.csv")
        if not weeks and not (report / "weeks.csv").exists():
            sys.exit(f"flag-rates: {report} has no weeks.csv (not a calfguard report folder?)")
        self.run_weeks = sorted(w["period"] for w in weeks if int(w["runs"] or 0) > 0)
        run_weeks = set(self.run_weeks)
        self.flags = read_csv(report / "flags.csv")
        self.week_sev: dict[str, set[str]] = defaultdict(set)
        self.week_count: Counter[str] = Counter()
        self.outside = 0
        self.codes: dict[str, dict] = {}
        for f in self.flags:
            c = self.codes.setdefault(
                f["code"], {"flags": 0, "weeks": set(), **{s: 0 for s in SEVERITIES}}
            )
            c["flags"] += 1
            c["weeks"].add(f["period"])
            c[f["severity"]] = c.get(f["severity"], 0) + 1
            if f["period"] in run_weeks:
                self.week_sev[f["period"]].add(f["severity"])
                self.week_count[f["period"]] += 1
            else:
                self.outside += 1
        acts = read_csv(report / "activities.csv")
        self.acts = acts
        runs = [a for a in acts if a["sport"] in RUN_SPORTS and a["date_ok"] == "true"]
        self.runs = len(runs)
        hr_runs = [a for a in runs if a["has_hr"] == "true"]
        self.hr_runs = len(hr_runs)
        self.hard_hr = sum(a["hard"] == "true" for a in hr_runs)
        self.hard = sum(a["hard"] == "true" for a in runs)
        self.warmup = Counter(
            (a["warmup"] or "unknown") for a in runs if a["hard"] == "true"
        )
        prof = {r["key"]: r for r in read_csv(report / "athlete.csv")}
        hrm = prof.get("hr_max_bpm", {})
        self.hrmax = float(hrm["value"]) if hrm.get("value") else None
        self.hrmax_source = hrm.get("source", "")
        maxima = sorted(
            (float(a["hr_max_bpm"]) for a in runs if a["hr_max_bpm"]), reverse=True
        )
        self.run_max = maxima[0] if maxima else None
        self.run_max2 = maxima[1] if len(maxima) > 1 else None
        self.above_hrmax = (
            sum(m > self.hrmax for m in maxima) if self.hrmax is not None else 0
        )
        starts = sorted(a["start_local"][:10] for a in acts if a["date_ok"] == "true")
        self.first = starts[0] if starts else ""
        self.last = starts[-1] if starts else ""
        self.words: dict[str, int] = {}

    # week rates
    def n_weeks(self) -> int:
        return len(self.run_weeks)

    def n_any(self) -> int:
        return sum(1 for w in self.run_weeks if self.week_sev.get(w))

    def n_medium(self) -> int:
        return sum(1 for w in self.run_weeks if self.week_sev.get(w, set()) & {"medium", "high"})

    def n_high(self) -> int:
        return sum(1 for w in self.run_weeks if "high" in self.week_sev.get(w, set()))

    def default_now(self) -> str:
        if not self.last:
            return dt.date.today().isoformat()
        return (dt.date.fromisoformat(self.last) + dt.timedelta(days=1)).isoformat()


def common_input(report: Path) -> Path | None:
    """The deepest folder holding every source of the report's activities.csv and errors.csv."""
    paths = []
    for name in ("activities.csv", "errors.csv"):
        for r in read_csv(report / name):
            src = r.get("source", "")
            if src:
                paths.append(os.path.dirname(os.path.abspath(src.split("!")[0])))
    if not paths:
        return None
    return Path(os.path.commonpath(paths))


def run_summary(args, athlete: Athlete, week: str, now: str) -> tuple[str, str, int]:
    cmd = [str(args.bin), "summary", str(athlete.input), "--week", week, "--now", now,
           "--quiet", "--threads", "1"]
    if args.config:
        cmd += ["--config", str(args.config)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=RUN_ENV)
    if p.returncode not in (0, 1):
        sys.exit(f"flag-rates: `{' '.join(cmd)}` exited {p.returncode}: {p.stderr.strip()}")
    return athlete.name, week, words(p.stdout)


def analyze_root(args) -> list[tuple[str, Path, Path]]:
    root = Path(args.analyze)
    reports = Path(args.reports) if args.reports else REPO / "target" / "flag-rates"
    reports.mkdir(parents=True, exist_ok=True)
    out = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        rep = reports / sub.name
        cmd = [str(args.bin), "analyze", str(sub), "--out", str(rep), "--quiet", "--now", args.now]
        if args.config:
            cmd += ["--config", str(args.config)]
        print(f"flag-rates: analyse {sub.name}", file=sys.stderr)
        p = subprocess.run(cmd, capture_output=True, text=True, env=RUN_ENV)
        if p.returncode not in (0, 1):
            sys.exit(f"flag-rates: `{' '.join(cmd)}` exited {p.returncode}: {p.stderr.strip()}")
        out.append((sub.name, rep, sub))
    if not out:
        sys.exit(f"flag-rates: no athlete folders in {root}")
    return out


def pooled_words(athletes: list[Athlete]) -> list[int]:
    return [n for a in athletes for n in a.words.values()]


def figures(athletes: list[Athlete]) -> dict:
    """Pooled figures, the ones the targets are checked on."""
    weeks = sum(a.n_weeks() for a in athletes)
    w = pooled_words(athletes)
    hr = sum(a.hr_runs for a in athletes)
    return {
        "weeks": weeks,
        "any_pct": pct(sum(a.n_any() for a in athletes), weeks),
        "medium_pct": pct(sum(a.n_medium() for a in athletes), weeks),
        "high_pct": pct(sum(a.n_high() for a in athletes), weeks),
        "hard_pct": pct(sum(a.hard_hr for a in athletes), hr),
        "words_median": statistics.median(w) if w else None,
        "words_p90": quantile(w, 0.9),
        "words_max": max(w) if w else None,
    }


def overview_row(label: str, athletes: list[Athlete], summaries: bool) -> str:
    weeks = sum(a.n_weeks() for a in athletes)
    hr = sum(a.hr_runs for a in athletes)
    hard = sum(a.hard_hr for a in athletes)
    wu = Counter()
    for a in athletes:
        wu.update(a.warmup)
    per_week = [a.week_count.get(w, 0) for a in athletes for w in a.run_weeks]
    cells = [
        label,
        str(weeks),
        fmt_pct(sum(a.n_any() for a in athletes), weeks),
        fmt_pct(sum(a.n_medium() for a in athletes), weeks),
        fmt_pct(sum(a.n_high() for a in athletes), weeks),
        f"{statistics.median(per_week):.0f} / {max(per_week)}" if per_week else "–",
        str(sum(a.outside for a in athletes)),
        f"{hr} of {sum(a.runs for a in athletes)}",
        fmt_pct(hard, hr),
        " / ".join(str(wu.get(k, 0)) for k in WARMUPS),
    ]
    if summaries:
        w = pooled_words(athletes)
        cells.append(
            f"{fmt_num(statistics.median(w) if w else None)} / {fmt_num(quantile(w, 0.9))} / "
            f"{fmt_num(max(w) if w else None)}"
        )
    return "| " + " | ".join(cells) + " |"


def markdown(athletes: list[Athlete], summaries: bool, version: str, config, step: int = 1) -> str:
    L = []
    L.append(f"### Flag rates on real histories ({version})")
    L.append("")
    L.append(
        f"{len(athletes)} athlete{'s' if len(athletes) != 1 else ''}, {sum(a.n_weeks() for a in athletes)} weeks with runs, "
        f"{sum(a.runs for a in athletes)} runs. Config: {config or 'none (defaults)'}. "
        "Made with `scripts/flag-rates.py`."
        + ("" if not summaries or step == 1 else f" Summaries of every {step}th week with runs only.")
    )
    L.append("")
    head = ("| athlete | weeks with runs | any flag | medium or high | high | flags a week "
            "(median / max) | flags outside run weeks | runs with HR | hard (of runs with HR) "
            "| warm-up of hard runs (adequate / short / none / unknown) |")
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    if summaries:
        head += " summary words (median / p90 / max) |"
        rule += "---:|"
    L += [head, rule]
    for a in athletes:
        L.append(overview_row(a.name, [a], summaries))
    L.append(overview_row("**pooled**", athletes, summaries))
    L.append("")

    # per code, pooled
    codes = sorted({c for a in athletes for c in a.codes})
    total_weeks = sum(a.n_weeks() for a in athletes)
    L.append("#### Per code, pooled")
    L.append("")
    L.append("| code | flags | weeks flagged | % of weeks with runs | low | medium | high |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for code in codes:
        n = sum(a.codes.get(code, {}).get("flags", 0) for a in athletes)
        wk = sum(len(a.codes[code]["weeks"] & set(a.run_weeks)) for a in athletes if code in a.codes)
        sev = [sum(a.codes.get(code, {}).get(s, 0) for a in athletes) for s in SEVERITIES]
        p = pct(wk, total_weeks)
        L.append(
            f"| {code} | {n} | {wk} | {'–' if p is None else f'{p:.0f} %'} | "
            + " | ".join(str(s) for s in sev)
            + " |"
        )
    L.append("")
    L.append("#### Per code and athlete: flags (weeks flagged), by severity low / medium / high")
    L.append("")
    L.append("| code | " + " | ".join(a.name for a in athletes) + " |")
    L.append("|---|" + "---:|" * len(athletes))
    for code in codes:
        cells = []
        for a in athletes:
            c = a.codes.get(code)
            if not c:
                cells.append("–")
                continue
            wk = len(c["weeks"] & set(a.run_weeks))
            sev = " / ".join(str(c[s]) for s in SEVERITIES)
            cells.append(f"{c['flags']} ({wk}) {sev}")
        L.append(f"| {code} | " + " | ".join(cells) + " |")
    L.append("")

    L.append("#### HRmax used against the runs' own maxima")
    L.append("")
    L.append("| athlete | data | HRmax used | source | highest run maximum | second highest | "
             "runs above the HRmax used |")
    L.append("|---|---|---:|---|---:|---:|---:|")
    for a in athletes:
        L.append(
            f"| {a.name} | {a.first} to {a.last} | {fmt_num(a.hrmax)} | {a.hrmax_source} | "
            f"{fmt_num(a.run_max)} | {fmt_num(a.run_max2)} | {a.above_hrmax} of {a.hr_runs} |"
        )
    L.append("")

    fig = figures(athletes)
    L.append("#### Issue 16 targets (pooled)")
    L.append("")
    L.append("| target | limit | measured | met |")
    L.append("|---|---:|---:|---|")
    for key, text, limit in TARGETS:
        v = fig.get(key)
        if v is None:
            L.append(f"| {text} | {limit:g} | not measured | – |")
            continue
        unit = "" if key.startswith("words") else " %"
        L.append(f"| {text} | ≤ {limit:g}{unit} | {v:.0f}{unit} | {'yes' if v <= limit else 'no'} |")
    L.append("")
    return "\n".join(L)


def to_json(athletes: list[Athlete], version: str) -> dict:
    out = {"version": version, "pooled": figures(athletes), "athletes": {}}
    for a in athletes:
        out["athletes"][a.name] = {
            "first": a.first,
            "last": a.last,
            "weeks_with_runs": a.n_weeks(),
            "weeks_any": a.n_any(),
            "weeks_medium_or_high": a.n_medium(),
            "weeks_high": a.n_high(),
            "flags_outside_run_weeks": a.outside,
            "runs": a.runs,
            "runs_with_hr": a.hr_runs,
            "hard_with_hr": a.hard_hr,
            "hard": a.hard,
            "warmup_of_hard_runs": {k: a.warmup.get(k, 0) for k in WARMUPS},
            "hr_max_used": a.hrmax,
            "hr_max_source": a.hrmax_source,
            "run_hr_max_highest": a.run_max,
            "run_hr_max_second": a.run_max2,
            "runs_above_hr_max": a.above_hrmax,
            "codes": {
                c: {**{k: v for k, v in d.items() if k != "weeks"},
                    "weeks": sorted(d["weeks"]),
                    "run_weeks_flagged": len(d["weeks"] & set(a.run_weeks))}
                for c, d in sorted(a.codes.items())
            },
            "flags_per_week": {w: a.week_count.get(w, 0) for w in a.run_weeks},
            "summary_words": dict(sorted(a.words.items())),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("reports_in", nargs="*", metavar="REPORT[=INPUT]")
    ap.add_argument("--analyze", metavar="HISTORIES_ROOT")
    ap.add_argument("--reports", metavar="DIR")
    ap.add_argument("--bin", metavar="FILE")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--config", metavar="FILE")
    ap.add_argument("--now", metavar="DATE")
    ap.add_argument("--no-summary", action="store_true")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--summary-step", type=int, default=1)
    ap.add_argument("--out", metavar="FILE")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    if bool(args.analyze) == bool(args.reports_in):
        ap.error("give either --analyze HISTORIES_ROOT or report folders")

    default_bin = args.bin is None
    args.bin = Path(args.bin) if args.bin else REPO / "target" / "release" / "calfguard"
    needs_bin = bool(args.analyze) or not args.no_summary
    if args.analyze and default_bin and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=REPO, check=True)
    if needs_bin and not args.bin.exists():
        sys.exit(f"flag-rates: no binary at {args.bin} (cargo build --release --locked, or --bin)")
    if args.config:
        args.config = Path(args.config).resolve()

    if args.analyze:
        args.now = args.now or dt.datetime.now(dt.timezone.utc).date().isoformat()
        triples = analyze_root(args)
    else:
        triples = []
        for item in args.reports_in:
            rep, _, inp = item.partition("=")
            rep_p = Path(rep)
            inp_p = Path(inp) if inp else common_input(rep_p)
            triples.append((rep_p.resolve().name, rep_p, inp_p))

    names = [n for n, _, _ in triples]
    if len(set(names)) != len(names):
        sys.exit(f"flag-rates: two report folders share a name: {sorted(names)}")
    athletes = [Athlete(n, r, i) for n, r, i in triples]
    summaries = not args.no_summary
    if summaries:
        jobs = []
        for a in athletes:
            if a.input is None or not a.input.exists():
                sys.exit(f"flag-rates: no input for {a.report} (give REPORT=INPUT or --no-summary)")
            now = args.now or a.default_now()
            jobs += [(a, w, now) for w in a.run_weeks[:: max(1, args.summary_step)]]
        by_name = {a.name: a for a in athletes}
        print(f"flag-rates: {len(jobs)} weekly summaries", file=sys.stderr)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for k, (name, week, n) in enumerate(
                pool.map(lambda j: run_summary(args, *j), jobs), start=1
            ):
                by_name[name].words[week] = n
                if k % 50 == 0 or k == len(jobs):
                    print(f"flag-rates: {k}/{len(jobs)} summaries", file=sys.stderr)

    version = "calfguard"
    if needs_bin and args.bin.exists():
        p = subprocess.run([str(args.bin), "--version"], capture_output=True, text=True)
        version = p.stdout.strip() or version
    try:
        rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        if rev:
            version += f"; repository at {rev}"
    except OSError:
        pass

    md = markdown(athletes, summaries, version,
                  args.config.name if args.config else None, max(1, args.summary_step))
    print(md)
    if args.out:
        Path(args.out).write_text(md + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(
            json.dumps(to_json(athletes, version), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
