//! Cross-check against the `gpx` crate (kept as a dev-dependency for this): on every GPX
//! fixture it can read, our track points, their times (to the millisecond) and elevations and
//! positions (to 1e-9) agree with it. Files it rejects are listed and skipped. Runs on
//! `fixtures/real` and, when `CALFGUARD_CORPUS` is set, on `$CALFGUARD_CORPUS/gpx`.

mod common;

use std::path::PathBuf;

use calfguard::ingest::gpx::read_gpx;
use calfguard::model::ReadError;

fn gpx_files() -> Vec<PathBuf> {
    let mut dirs = vec![common::fixtures()];
    if let Some(c) = common::corpus("the gpx-crate cross-check of the corpus's GPX files") {
        dirs.push(c.join("gpx"));
    }
    let mut v = Vec::new();
    for d in dirs {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "gpx") {
                v.push(e.path());
            }
        }
    }
    v.sort();
    v
}

#[test]
fn points_times_elevations_agree_with_gpx_crate() {
    let mut compared = 0;
    for path in gpx_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let theirs = match gpx::read(&bytes[..]) {
            Ok(g) => g,
            Err(e) => {
                eprintln!("{name}: gpx crate cannot read it ({e}); skipped");
                continue;
            }
        };
        let their_pts: Vec<&gpx::Waypoint> = theirs
            .tracks
            .iter()
            .flat_map(|t| &t.segments)
            .flat_map(|s| &s.points)
            .collect();
        let ours = match read_gpx(&name, &bytes) {
            Ok(mut acts) => acts.remove(0).samples,
            Err(ReadError::Skipped { reason }) => {
                // Only files without (enough) times or points are skipped.
                let timed = their_pts.iter().filter(|p| p.time.is_some()).count();
                assert!(
                    timed < 2,
                    "{name}: skipped ({reason}) but gpx crate has {timed} timed points"
                );
                eprintln!(
                    "{name}: skipped by us ({reason}), gpx crate agrees: {timed} timed points"
                );
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(ours.len(), their_pts.len(), "{name}: point count");
        for (i, (o, t)) in ours.iter().zip(&their_pts).enumerate() {
            let t_ms = t.time.and_then(|t| t.format().ok()).map(|s| {
                chrono::DateTime::parse_from_rfc3339(&s)
                    .unwrap_or_else(|e| panic!("{name}: {s}: {e}"))
                    .timestamp_millis()
            });
            assert_eq!(o.time_utc_ms, t_ms, "{name}: point {i} time");
            match (o.altitude_m, t.elevation) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-9, "{name}: point {i} ele {a} vs {b}")
                }
                (a, b) => assert_eq!(a, b, "{name}: point {i} ele"),
            }
            let p = t.point();
            assert!(
                (o.lat_deg.unwrap() - p.y()).abs() < 1e-9,
                "{name}: point {i} lat"
            );
            assert!(
                (o.lon_deg.unwrap() - p.x()).abs() < 1e-9,
                "{name}: point {i} lon"
            );
        }
        compared += 1;
    }
    eprintln!("{compared} GPX files compared with the gpx crate");
    assert!(compared >= 5);
}
