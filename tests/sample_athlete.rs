//! The committed sample athlete (`fixtures/sample-athlete`) is exactly what the generator in
//! `examples/sample_athlete.rs` writes: regenerate into a temporary folder and compare every file
//! byte for byte, so the generator and the fixture never drift apart.

mod common;
#[allow(dead_code)]
#[path = "../examples/sample_athlete.rs"]
mod sample_athlete;

use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, by path relative to `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn regenerated_sample_athlete_is_byte_identical_to_the_fixture() {
    let root = common::root();
    let tmp = tempfile::tempdir().unwrap();
    let written = sample_athlete::generate(&root.join("fixtures/real"), tmp.path()).unwrap();
    let fresh = files(tmp.path());
    let committed = files(&root.join("fixtures/sample-athlete"));
    assert_eq!(written.files, fresh.len());
    let fresh_names: Vec<_> = fresh.keys().collect();
    let committed_names: Vec<_> = committed.keys().collect();
    assert_eq!(
        fresh_names, committed_names,
        "file lists differ: regenerate with `cargo run --release --example sample_athlete -- fixtures/sample-athlete`"
    );
    for (name, bytes) in &fresh {
        assert!(
            bytes == &committed[name],
            "{name} differs from the committed fixture: regenerate with \
             `cargo run --release --example sample_athlete -- fixtures/sample-athlete`"
        );
    }
    // The folder stays small enough for the repository.
    let total: usize = fresh.values().map(Vec::len).sum();
    assert!(total < 15_000_000, "{total} bytes");
}

/// Every flag code the sample athlete is built to raise (see docs/sample-athlete.md).
const CODES: [&str; 17] = [
    "OT-SPIKE",
    "OT-RAMP10",
    "OT-RAMP2W",
    "OT-ACWR",
    "OT-MONOTONY",
    "OT-STRAIN",
    "WU-NONE",
    "WU-SHORT",
    "HEAT-LONG",
    "HEAT-SWEAT",
    "HEAT-ACCLIM",
    "EL-LONG",
    "DH-SPIKE",
    "DH-NEW",
    "ST-LOW",
    "FW-SINGLE",
    "FW-KM",
];

#[test]
fn sample_athlete_raises_every_flag_and_no_file_fails() {
    let root = common::root();
    let dir = root.join("fixtures/sample-athlete");
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report");
    common::calfguard()
        .arg("analyze")
        .arg(&dir)
        .arg("--config")
        .arg(dir.join("calfguard.toml"))
        .arg("--out")
        .arg(&report)
        .args(["--now", "2026-11-23"])
        .assert()
        .success();
    let flags = std::fs::read_to_string(report.join("flags.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(flags.as_bytes());
    let code_col = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "code")
        .unwrap();
    let raised: std::collections::BTreeSet<String> = rows
        .records()
        .map(|r| r.unwrap()[code_col].to_string())
        .collect();
    for code in CODES {
        assert!(
            raised.contains(code),
            "{code} not raised; raised: {raised:?}"
        );
    }
    // FW-NEW (new pair carrying most of a week) is raised in 2026-W33 once the rule exists.
    if include_str!("../src/flags/mod.rs").contains("\"FW-NEW\"") {
        assert!(
            raised.contains("FW-NEW"),
            "FW-NEW not raised; raised: {raised:?}"
        );
    }
    // Only the two non-activity files are skipped; nothing fails.
    let errors = std::fs::read_to_string(report.join("errors.csv")).unwrap();
    let kinds: Vec<&str> = errors
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["skipped", "skipped"], "{errors}");
}
