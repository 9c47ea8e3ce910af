//! The interrupt flag is polled inside a file, not only between files: a GPX or FIT file of
//! any size and a zip with many members stop at once when the run is interrupted (issue 13).
//!
//! One test in its own binary, because it sets the process-wide flag that every reader polls.

mod common;

use calfguard::ingest::export::{Leaf, Limits, Walker};
use calfguard::ingest::read_bytes;
use calfguard::model::{ReadError, ReadResult};
use common::{fixtures, zip_of};
use std::fs;
use std::sync::atomic::Ordering;

/// The real Garmin Connect GPX with its track segment repeated `n` times (988 points each).
fn long_gpx(n: usize) -> Vec<u8> {
    let text =
        fs::read_to_string(fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx")).unwrap();
    let start = text.find("<trkseg>").unwrap();
    let end = text.find("</trkseg>").unwrap() + "</trkseg>".len();
    let seg = &text[start..end];
    let mut out = String::with_capacity(text.len() * n);
    out.push_str(&text[..start]);
    for _ in 0..n {
        out.push_str(seg);
    }
    out.push_str(&text[end..]);
    out.into_bytes()
}

/// Samples read, or the reason nothing was.
fn samples_or_reason(r: &ReadResult) -> Result<(usize, Option<String>), String> {
    match r {
        Ok(v) => Ok((
            v.iter().map(|a| a.samples.len()).sum(),
            v.iter()
                .find_map(|a| a.salvaged.as_ref().map(|b| b.reason.clone())),
        )),
        Err(ReadError::Failed { reason, .. } | ReadError::Skipped { reason }) => {
            Err(reason.clone())
        }
    }
}

#[test]
fn readers_and_walker_stop_inside_a_file_once_interrupted() {
    let gpx = long_gpx(100);
    let fit = fs::read(fixtures().join("jkfit_fr965_run_power_stamina.fit")).unwrap();
    let read = |source: &str, bytes: &[u8]| read_bytes(source, bytes);
    let walker = Walker::new(Limits::default(), &read);
    let zip = zip_of(&[
        ("a.fit", fit.clone()),
        ("b.gpx", gpx.clone()),
        ("c.fit", fit.clone()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.gpx");
    fs::write(&big, &gpx).unwrap();

    // Not interrupted: every point of the 98,800 is read; the zip gives three leaves.
    assert!(!calfguard::interrupt::requested());
    let (n, brk) = samples_or_reason(&read_bytes("big.gpx", &gpx)).unwrap();
    assert_eq!((n, brk), (98_800, None));
    let (n, _) = samples_or_reason(&read_bytes("run.fit", &fit)).unwrap();
    assert!(n > 100, "{n}");
    assert_eq!(walker.loose_bytes("x.zip", zip.clone()).len(), 3);
    let fresh = Walker::new(Limits::default(), &read);
    assert!(matches!(
        fresh.file(&big, "big.gpx")[0].leaf,
        Leaf::Content { .. }
    ));

    // Interrupted (as the SIGINT/SIGTERM/SIGHUP handler does): the readers stop at their
    // first check, without reading the rest of the file.
    calfguard::interrupt::flag().store(true, Ordering::SeqCst);
    let walker = Walker::new(Limits::default(), &read);
    for (name, bytes) in [("big.gpx", &gpx), ("run.fit", &fit)] {
        match samples_or_reason(&read_bytes(name, bytes)) {
            Ok((n, brk)) => {
                assert_eq!(n, 0, "{name}: samples read after the interrupt");
                assert_eq!(brk.as_deref(), Some("interrupted"), "{name}");
            }
            Err(reason) => assert!(reason.contains("interrupted"), "{name}: {reason}"),
        }
    }
    // No member of the zip is read; a loose file is not read past its first bytes.
    assert!(walker.loose_bytes("x.zip", zip).is_empty());
    let recs = walker.file(&big, "big.gpx");
    match &recs[0].leaf {
        Leaf::Failed { reason, .. } => assert!(reason.contains("interrupted"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
