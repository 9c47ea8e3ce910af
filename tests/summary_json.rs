//! `calfguard summary --format json` (docs/summary-json.md) on the sample athlete: a golden file
//! of its spike week, the numbers against weeks.csv and flags.csv of the same run, the exit
//! code, the way the week was chosen, units and determinism.

mod common;

use serde_json::Value;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// The sample athlete's spike week: OT-SPIKE (medium, the headline) and OT-STRAIN (low).
const SPIKE_WEEK: &str = "2026-W36";

const SAMPLE: [&str; 5] = [
    "fixtures/sample-athlete",
    "--config",
    "fixtures/sample-athlete/calfguard.toml",
    "--now",
    "2026-10-26",
];

/// `calfguard summary` of the sample athlete with `extra`: the exit code and stdout.
fn summary(extra: &[&str]) -> (Option<i32>, String) {
    let mut cmd = common::calfguard();
    cmd.current_dir(common::root());
    cmd.arg("summary").args(SAMPLE).arg("--quiet").args(extra);
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A CSV file as rows of column -> value.
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// A CSV cell as a JSON number (`null` when empty).
fn number(cell: &str) -> Value {
    if cell.is_empty() {
        Value::Null
    } else {
        serde_json::json!(cell.parse::<f64>().unwrap())
    }
}

/// The golden file of the spike week with `--fail-on medium` (exit 3). Regenerate with
/// `UPDATE_GOLDEN=1 cargo test --test summary_json` after an intended change, and review the diff.
#[test]
fn spike_week_json_golden() {
    let (code, text) = summary(&[
        "--week",
        SPIKE_WEEK,
        "--fail-on",
        "medium",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(3), "{text}");
    let path = common::root().join("tests/golden/sample-summary-2026-W36.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&path, &text).unwrap();
    }
    let want = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(text, want, "the JSON summary differs from the golden file");
}

/// The JSON's totals are weeks.csv's row of the week, its flags are flags.csv's rows of the
/// week (headline first, the same headline), from an `analyze` of the same input.
#[test]
fn json_numbers_agree_with_the_csv_files_of_the_same_run() {
    let (code, text) = summary(&["--week", SPIKE_WEEK, "--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let j = json(&text);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let mut cmd = common::calfguard();
    cmd.current_dir(common::root());
    let status = cmd
        .arg("analyze")
        .args(SAMPLE)
        .args(["--quiet", "--week", SPIKE_WEEK, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0));

    let weeks = csv_rows(&out.join("weeks.csv"));
    let w = weeks
        .iter()
        .find(|r| r["period"] == SPIKE_WEEK)
        .expect("the week in weeks.csv");
    let t = &j["totals"];
    for (key, column) in [
        ("runs", "runs"),
        ("distance_m", "distance_m"),
        ("moving_s", "moving_s"),
        ("longest_run_m", "longest_run_m"),
        ("hard_runs", "hard_runs"),
        ("load", "load"),
        ("acwr", "acwr"),
        ("ramp_pct", "ramp_pct"),
        ("steep_descent_m", "steep_descent_m"),
        ("heat_min", "heat_minutes"),
        ("strength_sessions", "strength_sessions"),
    ] {
        let csv = number(&w[column]);
        assert!(t[key].is_number(), "totals.{key} missing: {text}");
        assert_eq!(
            t[key].as_f64(),
            csv.as_f64(),
            "totals.{key} vs weeks.csv {column}"
        );
    }
    assert_eq!(j["week"]["monday"], w["start_date"].as_str());
    // What the Markdown says of the same week (tests/summary.rs): 7 runs, 74.0 km, +58 %.
    assert_eq!(t["runs"], 7);
    assert!((t["distance_m"].as_f64().unwrap() - 73_950.0).abs() < 50.0);
    assert_eq!(t["ramp_pct"].as_f64().map(f64::round), Some(58.0));

    let flags: Vec<HashMap<String, String>> = csv_rows(&out.join("flags.csv"))
        .into_iter()
        .filter(|r| r["period"] == SPIKE_WEEK)
        .collect();
    let jf = j["flags"].as_array().unwrap();
    assert_eq!(jf.len(), flags.len(), "{text}");
    assert!(jf.len() >= 2, "the spike week has OT-SPIKE and OT-STRAIN");
    for f in jf {
        let row = flags
            .iter()
            .find(|r| {
                r["code"] == f["code"].as_str().unwrap() && r["date"] == f["date"].as_str().unwrap()
            })
            .unwrap_or_else(|| panic!("{f} not in flags.csv"));
        assert_eq!(f["severity"].as_str(), Some(row["severity"].as_str()));
        assert_eq!(f["category"].as_str(), Some(row["category"].as_str()));
        assert_eq!(f["value"], number(&row["value"]), "{}", f["code"]);
        assert_eq!(f["threshold"], number(&row["threshold"]), "{}", f["code"]);
        assert_eq!(f["headline"].as_bool(), Some(row["headline"] == "true"));
        assert_eq!(f["advice"].as_str(), Some(row["advice"].as_str()));
        assert_eq!(f["message"].as_str(), Some(row["message"].as_str()));
        let activity = f["activity_source"].as_str().unwrap_or("");
        assert_eq!(activity, row["activity"], "{}", f["code"]);
    }
    // The headline leads the list and is the flag flags.csv marks.
    assert_eq!(j["headline"], jf[0]);
    assert_eq!(j["headline"]["code"], "OT-SPIKE");
    assert_eq!(j["headline"]["severity"], "medium");
    assert_eq!(jf.iter().filter(|f| f["headline"] == true).count(), 1);
    assert!((j["headline"]["activity_distance_m"].as_f64().unwrap() - 21_200.0).abs() < 50.0);
    assert_eq!(j["headline"]["activity_start_local"], "2026-09-06T07:05:07");

    // The file accounting is the run's.
    let files = &j["files"];
    let activities = csv_rows(&out.join("activities.csv")).len();
    assert_eq!(files["activities"].as_u64(), Some(activities as u64));
    let f = |k: &str| files[k].as_u64().unwrap();
    assert_eq!(
        f("found"),
        f("analysed") + f("skipped") + f("failed") + f("duplicate")
    );
}

/// `--format json` exits as the Markdown does, and says which code in `exit_code`.
#[test]
fn json_keeps_the_exit_code() {
    for (fail_on, week, expected) in [
        ("medium", SPIKE_WEEK, 3),
        ("high", SPIKE_WEEK, 0),
        ("medium", "2026-W38", 0),
    ] {
        let args = ["--week", week, "--fail-on", fail_on];
        let (md_code, md) = summary(&args);
        let (code, text) = summary(&[&args[..], &["--format", "json"]].concat());
        assert_eq!(code, Some(expected), "{fail_on} {week}: {text}");
        assert_eq!(md_code, code, "Markdown and JSON exit alike");
        assert!(md.starts_with("# calfguard weekly summary"), "{md}");
        let j = json(&text);
        assert_eq!(j["exit_code"], expected);
        assert_eq!(j["fail_on"], fail_on);
        assert_eq!(j["week"]["label"], week);
        assert_eq!(j["week"]["chosen"], "week_option");
    }
    // Without --fail-on: null, and the default format is Markdown.
    let (code, text) = summary(&["--week", SPIKE_WEEK, "--format", "json"]);
    assert_eq!(code, Some(0));
    assert_eq!(json(&text)["fail_on"], Value::Null);
}

/// The default week, and the last week with data when the export ends before it.
#[test]
fn json_says_how_the_week_was_chosen() {
    let (_, text) = summary(&["--format", "json"]);
    let j = json(&text);
    assert_eq!(j["week"]["chosen"], "default");
    assert_eq!(j["week"]["label"], "2026-W43");
    assert_eq!(j["week"]["default_week"], Value::Null);
    assert_eq!(j["data_end"], "2026-10-25");

    // Data ending on 2026-09-06 (W36) with now in W44: the last week with data, W36.
    let (code, text) = summary(&["--until", "2026-09-06", "--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let j = json(&text);
    assert_eq!(j["week"]["chosen"], "last_with_data");
    assert_eq!(j["week"]["label"], SPIKE_WEEK);
    assert_eq!(j["week"]["default_week"], "2026-W43");
    assert_eq!(j["week"]["sunday"], "2026-09-06");
}

/// Imperial units change the messages only; numbers stay SI. Output is the same for any
/// thread count.
#[test]
fn json_numbers_stay_si_and_output_is_deterministic() {
    let base = ["--week", SPIKE_WEEK, "--format", "json"];
    let (_, metric) = summary(&base);
    let (_, imperial) = summary(&[&base[..], &["--units", "imperial"]].concat());
    let (m, i) = (json(&metric), json(&imperial));
    assert_eq!(m["totals"], i["totals"]);
    assert_eq!(m["headline"]["value"], i["headline"]["value"]);
    assert_eq!(i["units"], "imperial");
    let msg = i["headline"]["message"].as_str().unwrap();
    assert!(msg.contains(" mi"), "{msg}");
    assert!(
        !msg.contains('\\'),
        "plain text, no Markdown escapes: {msg}"
    );
    let (_, one) = summary(&[&base[..], &["--threads", "1"]].concat());
    let (_, two) = summary(&[&base[..], &["--threads", "2"]].concat());
    assert_eq!(one, two);
    assert_eq!(one, metric);
}
