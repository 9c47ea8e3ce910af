//! Every fuzzer crasher in `tests/regressions/` (and a few inline inputs) through every entry
//! point, failing on any panic: also on one that `catch_unwind` in the readers would catch, so
//! that a dependency bug we guard against stays guarded.

mod common;

use calfguard::ingest::export::{Limits, Walker};
use calfguard::ingest::{fit, gpx, read_bytes, tcx};
use calfguard::model::ReadResult;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Count every panic in the process (the tests in this file expect none).
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
    });
}

fn read(source: &str, bytes: &[u8]) -> ReadResult {
    read_bytes(source, bytes)
}

/// Run one input through every entry point; return the number of panics it caused.
fn exercise(name: &str, bytes: &[u8]) -> usize {
    count_panics();
    let before = PANICS.load(Ordering::SeqCst);
    let _ = read_bytes(name, bytes);
    let _ = fit::read_fit(name, bytes);
    let _ = gpx::read_gpx(name, bytes);
    let _ = tcx::read_tcx(name, bytes);
    let walker = Walker::new(Limits::default(), &read);
    let _ = walker.loose_bytes(name, bytes.to_vec());
    PANICS.load(Ordering::SeqCst) - before
}

#[test]
fn fuzzer_crashers_do_not_panic() {
    let dir = common::root().join("tests/regressions");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut bad = Vec::new();
    for p in &names {
        let bytes = std::fs::read(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if exercise(&name, &bytes) > 0 {
            bad.push(name);
        }
    }
    assert!(bad.is_empty(), "panicked on {bad:?}");
}
