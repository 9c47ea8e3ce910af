//! A panic inside a metric fails that one file (a `failed` row in errors.csv naming it as a bug)
//! and the batch goes on: `CALFGUARD_FAULT=panic-metrics:<file name>` panics in the reduction of
//! that file's activities only.

use std::path::Path;

fn analyze(fault: Option<&str>, out: &Path) -> std::process::Output {
    let mut cmd = assert_cmd::Command::cargo_bin("calfguard").unwrap();
    cmd.env_remove("CALFGUARD_FAULT")
        .env("TZ", "UTC")
        .env("XDG_CONFIG_HOME", "/nonexistent-calfguard-test")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "analyze",
            "fixtures/real",
            "--quiet",
            // Not the person's store, and every run reads its files (a cached record would
            // skip the injected panic).
            "--no-store",
            "--now",
            "2026-11-23",
            "--out",
        ])
        .arg(out);
    if let Some(f) = fault {
        cmd.env("CALFGUARD_FAULT", f);
    }
    cmd.output().unwrap()
}

fn rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_panicking_metric_fails_one_file_and_the_batch_goes_on() {
    const VICTIM: &str = "pyfitparse_fenix2_run_hr_temp.fit";
    let tmp = tempfile::tempdir().unwrap();
    let clean = analyze(None, &tmp.path().join("clean"));
    let broken = analyze(
        Some(&format!("panic-metrics:{VICTIM}")),
        &tmp.path().join("broken"),
    );
    // Without the fault no file fails (exit 0); with it one does (exit 1) and the report is
    // written all the same.
    assert_eq!(clean.status.code(), Some(0), "{clean:?}");
    assert_eq!(broken.status.code(), Some(1), "{broken:?}");

    let activities = |dir: &str| rows(&tmp.path().join(dir).join("activities.csv"));
    let (before, after) = (activities("clean"), activities("broken"));
    let victim = |r: &csv::StringRecord| r[0].ends_with(VICTIM);
    assert_eq!(before.iter().filter(|r| victim(r)).count(), 1);
    assert_eq!(after.iter().filter(|r| victim(r)).count(), 0);
    // Every other activity is still there, unchanged.
    let others: Vec<_> = before.into_iter().filter(|r| !victim(r)).collect();
    assert_eq!(others, after);

    let errors = rows(&tmp.path().join("broken").join("errors.csv"));
    let row = errors
        .iter()
        .find(|r| r[0].ends_with(VICTIM))
        .expect("an errors.csv row for the file");
    assert_eq!(&row[1], "failed");
    assert!(
        row[2].starts_with("internal error while analysing the file (a calfguard bug")
            && row[2].contains("panic at metrics"),
        "{row:?}"
    );
    let before = rows(&tmp.path().join("clean").join("errors.csv")).len();
    assert_eq!(errors.len(), before + 1);
}
