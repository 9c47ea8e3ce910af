//! `--units imperial`: every distance, height and temperature a person reads is in miles, feet
//! and °F (summary, page and chart), and text from files is never converted.
//!
//! The hot week is the sample athlete's 2026-W37 with an hourly weather file for that week
//! (`tests/golden/sample-weather-2026-W37.csv`: 27-32 °C in the afternoons, 40-70 % humidity), so
//! WBGT and heat index are in the messages. Its imperial summary is a golden file; each of its
//! numbers is also checked against the metric summary of the same week.

use assert_cmd::Command;
use std::path::Path;

const WEATHER: &str = "tests/golden/sample-weather-2026-W37.csv";

fn calfguard() -> Command {
    let mut cmd = Command::cargo_bin("calfguard").unwrap();
    cmd.env_remove("CALFGUARD_FAULT")
        .env("TZ", "UTC")
        .env("XDG_CONFIG_HOME", "/nonexistent-calfguard-test")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn sample(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "fixtures/sample-athlete",
        "--config",
        "fixtures/sample-athlete/calfguard.toml",
        "--now",
        "2026-10-26",
        "--quiet",
        // Not the person's store (this helper does not isolate the home).
        "--no-store",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn summary(extra: &[&str]) -> String {
    let out = calfguard()
        .arg("summary")
        .args(sample(extra))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Every `<number> <unit>` in `text`, in order, for the units given.
fn numbers_with(text: &str, units: &[&str]) -> Vec<(f64, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for w in words.windows(2) {
        let unit = w[1].trim_end_matches([',', '.', ';', ')']);
        let number = w[0].trim_start_matches('(');
        if let (true, Ok(v)) = (units.contains(&unit), number.parse::<f64>()) {
            out.push((v, unit.to_string()));
        }
    }
    out
}

fn assert_no_metric_units(text: &str, what: &str) {
    for bad in [
        "°C", "min/km", " km ", " km.", " km,", " km)", "(km)", "(m)",
    ] {
        assert!(!text.contains(bad), "{what} holds {bad:?}");
    }
    assert!(
        numbers_with(text, &["m", "km"]).is_empty(),
        "{what}: {:?}",
        numbers_with(text, &["m", "km"])
    );
}

#[test]
fn imperial_summary_of_a_hot_week_with_weather_is_golden() {
    let imperial = summary(&[
        "--week",
        "2026-W37",
        "--weather",
        WEATHER,
        "--units",
        "imperial",
    ]);
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample-summary-imperial-hot.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &imperial).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(imperial, want, "differs from {}", golden.display());
    assert!(
        imperial.contains("HEAT-LONG") && imperial.contains("WBGT"),
        "{imperial}"
    );
    assert_no_metric_units(&imperial, "summary");

    // The same numbers as the metric summary, converted (each side rounded to its decimals).
    let metric = summary(&["--week", "2026-W37", "--weather", WEATHER]);
    let pairs = [("°C", "°F"), ("km", "mi"), ("m", "ft")];
    for (m_unit, i_unit) in pairs {
        let m = numbers_with(&metric, &[m_unit]);
        let i = numbers_with(&imperial, &[i_unit]);
        assert_eq!(m.len(), i.len(), "{m_unit}: {m:?} vs {i:?}");
        assert!(!m.is_empty() || m_unit == "m", "{m_unit}");
        for ((mv, _), (iv, _)) in m.iter().zip(&i) {
            let (want, tolerance) = match m_unit {
                // °C to 0.1 (±0.05 → ±0.09 °F) and °F to 0.1.
                "°C" => (mv * 9.0 / 5.0 + 32.0, 0.15),
                // km to 0.1 (±0.05 km → ±0.032 mi) and mi to 0.1.
                "km" => (mv / 1.609344, 0.09),
                // m to 1 (±0.5 m → ±1.7 ft) and ft to 1.
                _ => (mv / 0.3048, 2.2),
            };
            assert!(
                (iv - want).abs() <= tolerance,
                "{mv} {m_unit} is {iv} {i_unit}, want {want:.3}"
            );
        }
    }
}

#[test]
fn imperial_page_and_chart_hold_no_metric_unit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    calfguard()
        .arg("analyze")
        .args(sample(&["--weather", WEATHER, "--units", "imperial"]))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for file in ["summary.md", "report.html", "weeks.svg"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert_no_metric_units(&text, file);
    }
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains(" °F, black flag, heat index "), "WBGT in °F");
    // The CSV files stay SI and metric whatever the units.
    let flags = std::fs::read_to_string(out.join("flags.csv")).unwrap();
    assert!(flags.contains(" °C, black flag, heat index "), "{flags}");
}

#[test]
fn a_shoe_named_with_a_distance_keeps_its_name() {
    const SHOE: &str = "Trail 10 km racer";
    let tmp = tempfile::tempdir().unwrap();
    let gear = tmp.path().join("shoes.csv");
    std::fs::write(&gear, format!("shoe,from,to\n{SHOE},2026-07-01,\n")).unwrap();
    let gear = gear.to_str().unwrap();
    // 2026-W43: every run of the last 4 weeks in the one pair (FW-SINGLE).
    let imperial = summary(&["--week", "2026-W43", "--gear", gear, "--units", "imperial"]);
    assert!(
        imperial.contains(&format!("were in \"{SHOE}\"")),
        "{imperial}"
    );
    assert!(!imperial.contains("6.2 mi racer"), "{imperial}");
    // 2026-W38: the pair passes the lowered 360 km (FW-KM): its distance is converted, its
    // name is not.
    let imperial = summary(&["--week", "2026-W38", "--gear", gear, "--units", "imperial"]);
    let metric = summary(&["--week", "2026-W38", "--gear", gear]);
    let carried = format!("Shoe \"{SHOE}\" has now carried at least ");
    assert!(
        metric.contains(&format!("{carried}369 km in this export.")),
        "{metric}"
    );
    assert!(
        imperial.contains(&format!("{carried}229.2 mi in this export.")),
        "{imperial}"
    );
    assert!(!imperial.contains("6.2 mi racer"), "{imperial}");
}
