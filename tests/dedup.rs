//! The same run from two sources counts once: real runs plus converted copies in another
//! format, the fixture pairs recorded by two devices, and order independence.

mod common;

use calfguard::app::summarize;
use calfguard::app::Analysis;
use calfguard::dedup::{dedup, DedupRules};
use calfguard::gpxwrite::to_gpx;
use calfguard::ingest::read_bytes;
use common::{corpus, ctx, fixtures, run};
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Real recordings with positions and times (runs, rides, a triathlon).
const REAL: &[&str] = &[
    "pyfitparse_fenix2_run_hr_temp.fit",
    "pyfitparse_edge810_ride_power.fit",
    "pyfitparse_stryd_run_devfields.fit",
    "pyfitparse_fr920xt_triathlon_multiple_headers.fit",
    "jkfit_fr965_run_power_stamina.fit",
    "tormoder_fr920xt_run_mornindew_broken.fit",
];

fn rows(a: &Analysis) -> Vec<(String, String, Option<String>)> {
    a.activities
        .iter()
        .map(|s| {
            let name = Path::new(&s.source)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                s.start_utc.to_rfc3339(),
                s.distance_m.map(|d| format!("{d:.2}")),
            )
        })
        .collect()
}

#[test]
fn converted_copies_shifted_by_seconds_count_once() {
    let tmp = tempfile::tempdir().unwrap();
    let originals = tmp.path().join("watch");
    let copies = tmp.path().join("strava");
    fs::create_dir_all(&originals).unwrap();
    fs::create_dir_all(&copies).unwrap();
    let mut n_copies = 0;
    for (i, name) in REAL.iter().enumerate() {
        let bytes = fs::read(fixtures().join(name)).unwrap();
        fs::write(originals.join(name), &bytes).unwrap();
        // Each session as a GPX file, as an app would export it, started a few seconds off.
        let shift_ms = [7_000, -12_000, 3_000][i % 3];
        for (k, a) in read_bytes(name, &bytes).unwrap().iter().enumerate() {
            fs::write(copies.join(format!("{i}_{k}.gpx")), to_gpx(a, shift_ms)).unwrap();
            n_copies += 1;
        }
    }
    let alone = run(std::slice::from_ref(&originals), true);
    let both = run(&[originals.clone(), copies.clone()], true);
    assert_eq!(
        rows(&both),
        rows(&alone),
        "the originals (FIT, richer) are kept"
    );
    assert_eq!(both.counts.duplicate, n_copies);
    assert_eq!(both.counts.analysed, REAL.len());
    let c = &both.counts;
    assert_eq!(c.found, c.analysed + c.skipped + c.failed + c.duplicate);
    for e in both
        .errors
        .iter()
        .filter(|e| e.kind.as_str() == "duplicate")
    {
        assert!(e.source.ends_with(".gpx"), "{e:?}");
        assert!(e.duplicate_of.ends_with(".fit"), "{e:?}");
        assert!(
            e.reason.contains("starts "),
            "evidence in the reason: {e:?}"
        );
    }
    // --keep-duplicates keeps every recording.
    let kept = run(&[originals, copies], false);
    assert_eq!(kept.activities.len(), alone.activities.len() + n_copies);
}

#[test]
fn fixture_pairs_give_one_activity_and_one_duplicate() {
    let Some(corpus) = corpus("the fixture pairs of the shared corpus") else {
        return;
    };
    let sources = fs::read_to_string(corpus.join("SOURCES.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(sources.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (name_c, fmt_c, pair_c) = (col("name"), col("format"), col("pair_group"));
    let mut groups: std::collections::BTreeMap<String, Vec<(String, PathBuf)>> = Default::default();
    for r in reader.records() {
        let r = r.unwrap();
        if !r[pair_c].is_empty() {
            groups.entry(r[pair_c].to_string()).or_default().push((
                r[fmt_c].to_string(),
                corpus.join(&r[fmt_c]).join(&r[name_c]),
            ));
        }
    }
    // The same run recorded in two formats (FIT and GPX or TCX). A group of one format (P5: a
    // GPX and a derived copy with its times removed) is not a recording pair.
    let groups: std::collections::BTreeMap<String, Vec<PathBuf>> = groups
        .into_iter()
        .filter(|(_, files)| files.iter().any(|(f, _)| f != &files[0].0))
        .map(|(g, files)| (g, files.into_iter().map(|(_, p)| p).collect()))
        .collect();
    assert!(groups.len() >= 3, "{groups:?}");
    for (group, files) in groups {
        let a = run(&files, true);
        assert_eq!(a.activities.len(), 1, "{group}: {:?}", rows(&a));
        assert_eq!(
            a.counts.duplicate,
            files.len() - 1,
            "{group}: {:?}",
            a.errors
        );
        assert_eq!(
            a.activities[0].format.as_str(),
            "fit",
            "{group}: the FIT is richest"
        );
    }
}

fn real_summaries() -> Vec<calfguard::metrics::record::ActivityRecord> {
    static BASE: std::sync::OnceLock<Vec<calfguard::metrics::record::ActivityRecord>> =
        std::sync::OnceLock::new();
    BASE.get_or_init(build_summaries).clone()
}

fn build_summaries() -> Vec<calfguard::metrics::record::ActivityRecord> {
    let mut out = Vec::new();
    for (i, name) in REAL.iter().enumerate() {
        let bytes = fs::read(fixtures().join(name)).unwrap();
        for a in read_bytes(name, &bytes).unwrap() {
            out.push(summarize(&a, &ctx()));
            let gpx = to_gpx(&a, 1_000 * i as i64 + 2_000);
            let copy = read_bytes(&format!("copy_{name}.gpx"), gpx.as_bytes())
                .unwrap()
                .remove(0);
            out.push(summarize(&copy, &ctx()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn shuffling_never_changes_which_copy_is_kept(seed in any::<u64>()) {
        let base = real_summaries();
        let reference = dedup(base.clone(), &DedupRules::default());
        let mut shuffled = base;
        // Fisher-Yates with a small deterministic generator from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let out = dedup(shuffled, &DedupRules::default());
        let kept: Vec<&str> = out.kept.iter().map(|a| a.source.as_str()).collect();
        let expected: Vec<&str> = reference.kept.iter().map(|a| a.source.as_str()).collect();
        prop_assert_eq!(kept, expected);
        prop_assert_eq!(out.duplicates.len(), reference.duplicates.len());
    }
}
