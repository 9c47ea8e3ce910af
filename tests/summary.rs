//! `calfguard summary` and the weekly report on real fixtures: the reported week, flags in
//! plain words, a stale export, units, and `--fail-on` exit codes.

mod common;

use assert_cmd::Command;
use std::fs;
use std::path::Path;

/// The binary (`common::calfguard`) run from the repository's root.
fn calfguard() -> common::Cli {
    let mut cmd = common::calfguard();
    cmd.current_dir(common::root());
    cmd
}

fn stdout(cmd: &mut Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The sample athlete's 2026-W36 ends with a 21.2 km run after a 30-day longest of 12.8 km
/// (OT-SPIKE, medium) and also raises OT-STRAIN (low).
const FLAGGED_WEEK: &str = "2026-W36";

/// `summary` of the sample athlete with its configuration.
fn sample_summary(extra: &[&str]) -> (Option<i32>, String) {
    stdout(
        calfguard()
            .args([
                "summary",
                "fixtures/sample-athlete",
                "--config",
                "fixtures/sample-athlete/calfguard.toml",
                "--quiet",
                "--now",
                "2026-10-26",
            ])
            .args(extra),
    )
}

#[test]
fn summary_leads_with_the_verdict_in_plain_words() {
    let (code, text) = sample_summary(&["--week", FLAGGED_WEEK]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("**Week 2026-W36**, Mon 31 Aug 2026 to Sun 6 Sep 2026."),
        "{text}"
    );
    // The verdict comes first: the headline flag in plain words, the run it is about, the
    // other codes of the week folded into the same line, then evidence and advice once.
    let verdict = text.find("**Verdict: medium.** OT-SPIKE: 1.7 x your longest run of the last 30 days (21.2 km vs 12.8 km), Sun 6 Sep 2026, run at 07:05, 21.2 km. Also this week: OT-STRAIN.").expect(&text);
    let context = text
        .find("Context: 7 runs, 74.0 km in 8 h 44 min moving; longest run 21.2 km")
        .expect(&text);
    let table = text.find("| week |").expect(&text);
    assert!(verdict < context && context < table, "{text}");
    assert!(
        text.contains("acute:chronic load ratio 1.61; distance +58 % on the week before"),
        "{text}"
    );
    assert!(text.contains("Caveats: heat was not judged ("), "{text}");
    // OT-STRAIN is of the headline's family (load): folded, its evidence not repeated.
    assert_eq!(
        text.matches("Evidence: ").count(),
        1,
        "once per code: {text}"
    );
    assert_eq!(text.matches("What to do: ").count(), 1, "{text}");
    // The four weeks before, for comparison.
    for w in ["2026-W32", "2026-W33", "2026-W34", "2026-W35"] {
        assert!(text.contains(&format!("| {w} |")), "{w}: {text}");
    }
    // No coordinates anywhere.
    assert!(!text.contains("lat") && !text.contains("lon="), "{text}");
    // A week without flags says so first.
    let (_, quiet) = sample_summary(&["--week", "2026-W39"]);
    assert!(quiet.contains("**Verdict: no flag this week.**"), "{quiet}");
}

/// 2018-W21 of `fixtures/real` holds the Forerunner 920XT triathlon. Its run leg was called a
/// hard run with no warm-up (WU-NONE) until issue 16: it has 2 minutes at ≥ 88 % HRmax, no surge,
/// and it starts a minute after the bike leg, which is a warm-up whatever its intensity.
#[test]
fn a_triathlon_run_leg_is_no_cold_start() {
    let (code, text) = stdout(calfguard().args([
        "summary",
        "fixtures/real",
        "--quiet",
        "--now",
        "2026-11-23",
        "--week",
        "2018-W21",
        "--fail-on",
        "medium",
    ]));
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("1 run, 9.8 km in 48 min moving"), "{text}");
    assert!(!text.contains("WU-"), "{text}");
}

#[test]
fn fail_on_exits_3_only_for_that_severity_in_the_reported_week() {
    let (code, _) = sample_summary(&["--week", FLAGGED_WEEK, "--fail-on", "medium"]);
    assert_eq!(code, Some(3));
    let (code, _) = sample_summary(&["--week", FLAGGED_WEEK, "--fail-on", "high"]);
    assert_eq!(code, Some(0), "the spike is medium");
    // Another week: nothing to fail on.
    let (code, _) = sample_summary(&["--week", "2026-W38", "--fail-on", "medium"]);
    assert_eq!(code, Some(0));
}

#[test]
fn a_stale_export_reports_its_last_week_and_says_where_the_data_ends() {
    // The last complete week before 2026-11-23 is 2026-W47; the newest fixture is from
    // 2026-05-14 (2026-W20): that week is reported, and the summary says why (issue 18).
    let (code, text) = stdout(calfguard().args([
        "summary",
        "fixtures/real",
        "--quiet",
        "--now",
        "2026-11-23",
        "--fail-on",
        "medium",
    ]));
    assert_eq!(code, Some(0));
    assert!(text.contains("**Week 2026-W20**"), "{text}");
    assert!(
        text.contains("Data ends on 2026-05-14, before the last complete week (2026-W47): this is the last week with data."),
        "{text}"
    );
    assert!(text.contains("1 run,"), "{text}");
    // A week asked for with --week after the data is still not reported as an empty week.
    let (code, text) = stdout(calfguard().args([
        "summary",
        "fixtures/real",
        "--quiet",
        "--now",
        "2026-11-23",
        "--week",
        "2026-W47",
    ]));
    assert_eq!(code, Some(0));
    assert!(text.contains("**Week 2026-W47**"), "{text}");
    assert!(
        text.contains("Data ends on 2026-05-14: there is nothing to report"),
        "{text}"
    );
    assert!(
        !text.contains("## Flags"),
        "no empty week is reported: {text}"
    );
}

#[test]
fn fail_on_follows_the_week_actually_reported() {
    // Data up to the end of the flagged week (the sample athlete's spike week), weeks before now:
    // that week is reported, and its medium flag makes --fail-on medium exit 3, in summary and
    // in analyze alike.
    let args = [
        "fixtures/sample-athlete",
        "--config",
        "fixtures/sample-athlete/calfguard.toml",
        "--quiet",
        "--now",
        "2026-10-26",
        "--until",
        "2026-09-06",
        "--fail-on",
        "medium",
    ];
    let (code, text) = stdout(calfguard().arg("summary").args(args));
    assert!(text.contains(&format!("**Week {FLAGGED_WEEK}**")), "{text}");
    assert_eq!(code, Some(3), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r");
    let out = calfguard()
        .arg("analyze")
        .args(args)
        .arg("--out")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let md = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(md.contains(&format!("**Week {FLAGGED_WEEK}**")), "{md}");
    assert!(md.contains("Data ends on 2026-09-06"), "{md}");
}

#[test]
fn analyze_takes_week_like_summary() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r");
    let sample = [
        "fixtures/sample-athlete",
        "--config",
        "fixtures/sample-athlete/calfguard.toml",
        "--quiet",
        "--now",
        "2026-10-26",
        "--week",
        FLAGGED_WEEK,
    ];
    let out = calfguard()
        .arg("analyze")
        .args(sample)
        .args(["--fail-on", "medium", "--out"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let md = std::fs::read_to_string(report.join("summary.md")).unwrap();
    let (_, printed) = stdout(calfguard().arg("summary").args(sample));
    // The report folder's summary links the chart; otherwise it is what `summary` prints.
    assert!(md.contains(&format!("**Week {FLAGGED_WEEK}**")), "{md}");
    assert_eq!(
        md.lines()
            .filter(|l| !l.contains("weeks.svg"))
            .collect::<Vec<_>>(),
        printed.lines().collect::<Vec<_>>()
    );
    // A week that is not one is a usage error, before anything is read.
    calfguard()
        .args(["analyze", "fixtures/real", "--week", "2026-W60", "--out"])
        .arg(dir.path().join("r2"))
        .assert()
        .code(2);
    assert!(!dir.path().join("r2").exists());
}

#[test]
fn imperial_units_in_the_summary_but_not_in_the_csv() {
    let (_, text) = stdout(calfguard().args([
        "summary",
        "fixtures/real",
        "--quiet",
        "--week",
        "2018-W21",
        "--units",
        "imperial",
    ]));
    assert!(text.contains("1 run, 6.1 mi in 48 min moving"), "{text}");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r");
    calfguard()
        .args([
            "analyze",
            "fixtures/real",
            "--quiet",
            "--units",
            "imperial",
            "--out",
        ])
        .arg(&report)
        .assert()
        .code(0);
    let csv = fs::read_to_string(report.join("activities.csv")).unwrap();
    assert!(csv.contains(",9805.92,"), "distance_m stays in metres");
}

#[test]
fn analyze_writes_summary_chart_and_page_and_fails_on_flags() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r");
    calfguard()
        .args([
            "analyze",
            "fixtures/sample-athlete",
            "--config",
            "fixtures/sample-athlete/calfguard.toml",
            "--quiet",
            "--now",
            "2026-09-07",
            "--fail-on",
            "medium",
            "--out",
        ])
        .arg(&report)
        .assert()
        .code(3);
    for f in [
        "summary.md",
        "weeks.svg",
        "report.html",
        "weeks.csv",
        "flags.csv",
    ] {
        assert!(report.join(f).is_file(), "{f}");
    }
    let md = fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(md.contains("**Week 2026-W36**"), "{md}");
    assert!(
        md.contains("[weeks.svg](weeks.svg)"),
        "summary.md links the chart"
    );
    let html = fs::read_to_string(report.join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("OT-SPIKE"));
    // The page leads with the verdict and names the run each flag is about.
    let verdict = html.find("Verdict: medium.").expect("verdict");
    assert!(verdict < html.find("<svg").unwrap());
    assert!(html.contains("Sun 07:05, 21.2 km"), "the spike's run");
    assert!(!Path::new(&report).join("summary.txt").exists());
}

#[test]
fn since_and_until_limit_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r");
    calfguard()
        .args([
            "analyze",
            "fixtures/real",
            "--quiet",
            "--since",
            "2018-01-01",
            "--until",
            "2019-12-31",
            "--out",
        ])
        .arg(&report)
        .assert()
        .code(0);
    let csv = fs::read_to_string(report.join("activities.csv")).unwrap();
    let starts: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap())
        .collect();
    assert!(!starts.is_empty());
    assert!(
        starts
            .iter()
            .all(|s| s.starts_with("2018") || s.starts_with("2019")),
        "{starts:?}"
    );
}

/// Golden outputs of the sample athlete (`fixtures/sample-athlete`): the summary of its last
/// week in metric and imperial units, with the exit codes. Regenerate with
/// `UPDATE_GOLDEN=1 cargo test --test summary` after an intended change, and review the diff.
#[test]
fn sample_athlete_golden_summaries_and_exit_codes() {
    let cases = [
        ("sample-summary-metric.md", "metric", "high", 0),
        ("sample-summary-imperial.md", "imperial", "low-or-more", 3),
    ];
    for (golden, units, fail_on, expected_code) in cases {
        let mut cmd = calfguard();
        cmd.args([
            "summary",
            "fixtures/sample-athlete",
            "--config",
            "fixtures/sample-athlete/calfguard.toml",
            "--now",
            "2026-10-26",
            "--quiet",
            "--units",
            units,
        ]);
        // W43 has low flags only: --fail-on high passes; --fail-on medium for W36 (OT-SPIKE).
        if fail_on == "high" {
            cmd.args(["--fail-on", "high"]);
        } else {
            cmd.args(["--week", "2026-W36", "--fail-on", "medium"]);
        }
        let (code, text) = stdout(&mut cmd);
        assert_eq!(code, Some(expected_code), "{golden}: {text}");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(golden);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::write(&path, &text).unwrap();
        }
        let want = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
        assert_eq!(text, want, "{golden} differs from the golden file");
    }
}
