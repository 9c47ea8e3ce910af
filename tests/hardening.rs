//! Resource limits and hostile inputs: XML entities, deep nesting, gigantic attributes, FIT
//! headers that claim gigabytes, 255-field definitions, the per-activity sample cap, out-of-range
//! values, zip members that lie about their sizes, symlink loops and unreadable files.

mod common;

use calfguard::ingest::export::{Leaf, Limits, Walker};
use calfguard::ingest::fit::{read_fit, read_fit_with};
use calfguard::ingest::gpx::{read_gpx, read_gpx_with};
use calfguard::ingest::tcx::{read_tcx, read_tcx_with};
use calfguard::ingest::{read_bytes, ReadLimits};
use calfguard::model::{Activity, ReadError, ReadResult};
use common::{calfguard, crc16, fixtures, zip_of};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;

fn one(r: ReadResult) -> Activity {
    match r {
        Ok(mut v) if v.len() == 1 => v.remove(0),
        other => panic!("want one activity, got {other:?}"),
    }
}

fn failed_reason(r: ReadResult) -> String {
    match r {
        Err(ReadError::Failed { reason, .. }) => reason,
        other => panic!("want a failure, got {other:?}"),
    }
}

/// GPX track points, one a second from 2020-01-01T00:00:00Z, heading north.
fn gpx_points(out: &mut String, from: usize, n: usize, ext: &str) {
    for i in from..from + n {
        let lat = 45.0 + i as f64 * 1e-5;
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        let d = 1 + i / 86_400;
        writeln!(
            out,
            "<trkpt lat=\"{lat:.6}\" lon=\"7.0\"><time>2020-01-{d:02}T{h:02}:{m:02}:{s:02}Z</time>{ext}</trkpt>"
        )
        .unwrap();
    }
}

fn gpx_doc(points: &str, head: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n{head}<gpx version=\"1.1\" creator=\"t\"><trk><type>running</type><trkseg>\n{points}</trkseg></trk></gpx>\n"
    )
}

fn tcx_doc(points: &str, head: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n{head}<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Id>2020-01-01T00:00:00Z</Id>\
         <Lap StartTime=\"2020-01-01T00:00:00Z\"><TotalTimeSeconds>100</TotalTimeSeconds><Track>{points}</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    )
}

fn tcx_points(n: usize, inner: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        write!(
            s,
            "<Trackpoint><Time>2020-01-01T00:{:02}:{:02}Z</Time><DistanceMeters>{i}</DistanceMeters>{inner}</Trackpoint>",
            i / 60 % 60,
            i % 60
        )
        .unwrap();
    }
    s
}

// ---------------------------------------------------------------------------------------------
// XML
// ---------------------------------------------------------------------------------------------

const LAUGHS: &str = "<!DOCTYPE gpx [\n<!ENTITY lol \"lol\">\n<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n<!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n<!ENTITY ext SYSTEM \"file:///etc/passwd\">\n]>\n";

#[test]
fn entity_declarations_are_never_expanded() {
    let mut pts = String::new();
    gpx_points(
        &mut pts,
        0,
        3,
        "<extensions><hr>&lol9;</hr><cad>&ext;</cad></extensions>",
    );
    let a = one(read_gpx("laughs.gpx", gpx_doc(&pts, LAUGHS).as_bytes()));
    assert_eq!(a.samples.len(), 3);
    assert!(a
        .samples
        .iter()
        .all(|s| s.hr_bpm.is_none() && s.cadence_spm.is_none()));
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("entity declarations ignored")),
        "{:?}",
        a.warnings
    );
    assert_eq!(a.device.as_deref(), Some("t"));

    let tcx = tcx_doc(
        &tcx_points(3, "<HeartRateBpm><Value>&lol9;</Value></HeartRateBpm>"),
        LAUGHS,
    );
    let a = one(read_tcx("laughs.tcx", tcx.as_bytes()));
    assert_eq!(a.samples.len(), 3);
    assert!(a.samples.iter().all(|s| s.hr_bpm.is_none()));
    assert!(a
        .warnings
        .iter()
        .any(|w| w.contains("entity declarations ignored")));
}

#[test]
fn deep_nesting_is_a_clear_error() {
    let n = 100_000;
    let deep = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    let gpx = gpx_doc("", "").replace("<trk>", &format!("{deep}<trk>"));
    let r = failed_reason(read_bytes("deep.gpx", gpx.as_bytes()));
    assert!(r.contains("nested deeper than 256"), "{r}");
    let tcx = tcx_doc("", "").replace("<Activities>", &format!("<Activities>{deep}"));
    let r = failed_reason(read_bytes("deep.tcx", tcx.as_bytes()));
    assert!(r.contains("nested deeper than 256"), "{r}");
    // Points before the deep part are kept (salvaged).
    let mut pts = String::new();
    gpx_points(&mut pts, 0, 5, "");
    let gpx = gpx_doc(&format!("{pts}{deep}"), "");
    let a = one(read_bytes("deep2.gpx", gpx.as_bytes()));
    assert_eq!(a.samples.len(), 5);
    assert!(a
        .salvaged
        .as_ref()
        .unwrap()
        .reason
        .contains("nested deeper"));
}

#[test]
fn gigantic_attribute_is_a_clear_error() {
    let big = "x".repeat(50 << 20);
    let gpx = gpx_doc("", "").replace("<trk>", &format!("<trk><name attr=\"{big}\"/>"));
    let r = failed_reason(read_bytes("attr.gpx", gpx.as_bytes()));
    assert!(r.contains("XML start tag of 5242"), "{r}");
    let tcx = tcx_doc("", "").replace("<Activities>", &format!("<Activities note=\"{big}\">"));
    let r = failed_reason(read_bytes("attr.tcx", tcx.as_bytes()));
    assert!(r.contains("over the limit of 1048576 bytes"), "{r}");
}

// ---------------------------------------------------------------------------------------------
// FIT
// ---------------------------------------------------------------------------------------------

/// A FIT file of `n` records (timestamp, heart rate, temperature), with an optional declared
/// data size instead of the real one.
fn fit_records(n: u32, hr: u8, temp: i8, declared: Option<u32>) -> Vec<u8> {
    let mut d = Vec::new();
    // file_id: type activity
    d.extend_from_slice(&[0x40, 0, 0, 0, 0, 1, 0, 1, 0x00, 0, 4]);
    // record: timestamp (253, uint32), heart_rate (3, uint8), temperature (13, sint8)
    d.extend_from_slice(&[0x41, 0, 0, 20, 0, 3, 253, 4, 0x86, 3, 1, 0x02, 13, 1, 0x01]);
    for i in 0..n {
        d.push(1);
        d.extend_from_slice(&(1_000_000_000 + i).to_le_bytes());
        d.push(hr);
        d.push(temp as u8);
    }
    let mut out = vec![14u8, 0x20, 0x08, 0x08];
    out.extend_from_slice(&declared.unwrap_or(d.len() as u32).to_le_bytes());
    out.extend_from_slice(b".FIT");
    let h = crc16(&out);
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&d);
    let c = crc16(&out);
    out.extend_from_slice(&c.to_le_bytes());
    out
}

#[test]
fn fit_header_claiming_gigabytes_is_not_allocated() {
    let bytes = fit_records(10, 150, 20, Some(u32::MAX));
    let t = std::time::Instant::now();
    let a = one(read_fit("huge.fit", &bytes));
    assert!(t.elapsed().as_secs() < 5);
    assert_eq!(a.samples.len(), 10);
    // Reported as broken where the real data ends.
    assert!(a.salvaged.is_some());
}

#[test]
fn fit_definition_with_255_fields_decodes() {
    let mut d = Vec::new();
    d.extend_from_slice(&[0x40, 0, 0, 0, 0, 1, 0, 1, 0x00, 0, 4]);
    // record with 255 one-byte fields: the timestamp is a 4-byte field among them.
    d.extend_from_slice(&[0x41, 0, 0, 20, 0, 255]);
    d.extend_from_slice(&[253, 4, 0x86]);
    for f in 0..254u8 {
        d.extend_from_slice(&[f, 1, 0x02]);
    }
    for i in 0..3u32 {
        d.push(1);
        d.extend_from_slice(&(1_000_000_000 + i).to_le_bytes());
        let mut vals = vec![0u8; 254];
        vals[3] = 140; // heart_rate
        d.extend_from_slice(&vals);
    }
    let mut out = vec![14u8, 0x20, 0x08, 0x08];
    out.extend_from_slice(&(d.len() as u32).to_le_bytes());
    out.extend_from_slice(b".FIT");
    let h = crc16(&out);
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&d);
    let c = crc16(&out);
    out.extend_from_slice(&c.to_le_bytes());
    let a = one(read_fit("wide.fit", &out));
    assert_eq!(a.samples.len(), 3);
    assert!(a.samples.iter().all(|s| s.hr_bpm == Some(140.0)));
}

// ---------------------------------------------------------------------------------------------
// Sample cap
// ---------------------------------------------------------------------------------------------

fn small_cap() -> ReadLimits {
    ReadLimits {
        max_samples: 1000,
        ..ReadLimits::default()
    }
}

#[test]
fn sample_cap_keeps_the_first_samples_and_the_totals() {
    let mut pts = String::new();
    gpx_points(&mut pts, 0, 5000, "");
    let a = one(read_gpx_with(
        "cap.gpx",
        gpx_doc(&pts, "").as_bytes(),
        &small_cap(),
    ));
    assert_eq!(a.samples.len(), 1000);
    assert_eq!(a.totals.elapsed_s, Some(4999.0));
    let full = one(read_gpx("cap.gpx", gpx_doc(&pts, "").as_bytes()));
    assert_eq!(full.samples.len(), 5000);
    assert_eq!(a.totals.distance_m, full.totals.distance_m);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("more than 1000 samples") && w.contains("4000 later")),
        "{:?}",
        a.warnings
    );

    let tcx = tcx_doc(&tcx_points(3000, ""), "");
    let a = one(read_tcx_with("cap.tcx", tcx.as_bytes(), &small_cap()));
    assert_eq!(a.samples.len(), 1000);
    assert_eq!(a.totals.elapsed_s, Some(2999.0));
    assert!(a.warnings.iter().any(|w| w.contains("2000 later")));

    let fit = fit_records(2500, 150, 20, None);
    let a = one(read_fit_with("cap.fit", &fit, &small_cap()));
    assert_eq!(a.samples.len(), 1000);
    assert_eq!(a.totals.elapsed_s, Some(2499.0));
    assert!(a.warnings.iter().any(|w| w.contains("1500 later")));
}

// ---------------------------------------------------------------------------------------------
// Out-of-range values
// ---------------------------------------------------------------------------------------------

#[test]
fn out_of_range_and_non_finite_values_are_dropped() {
    let bad = [
        "<ele>NaN</ele>",
        "<ele>9500</ele>",
        "<ele>-1e400</ele>",
        "<extensions><hr>300</hr></extensions>",
        "<extensions><hr>10</hr></extensions>",
        "<extensions><atemp>85</atemp></extensions>",
        "<extensions><cad>400</cad></extensions>",
        "<speed>150</speed>",
        "<extensions><power>inf</power></extensions>",
    ];
    let mut pts = String::new();
    gpx_points(
        &mut pts,
        0,
        1,
        "<ele>100</ele><extensions><hr>150</hr><atemp>20</atemp><cad>85</cad></extensions>",
    );
    for (i, b) in bad.iter().enumerate() {
        gpx_points(&mut pts, i + 1, 1, b);
    }
    pts.push_str("<trkpt lat=\"95\" lon=\"7\"><time>2020-01-01T01:00:00Z</time></trkpt>\n");
    pts.push_str("<trkpt lat=\"45\" lon=\"-200\"><time>2020-01-01T01:00:01Z</time></trkpt>\n");
    let a = one(read_gpx("range.gpx", gpx_doc(&pts, "").as_bytes()));
    let s0 = &a.samples[0];
    assert_eq!(
        (s0.altitude_m, s0.hr_bpm, s0.temp_c, s0.cadence_spm),
        (Some(100.0), Some(150.0), Some(20.0), Some(170.0))
    );
    for s in &a.samples[1..] {
        assert_eq!(
            (
                s.altitude_m,
                s.hr_bpm,
                s.temp_c,
                s.cadence_spm,
                s.speed_mps,
                s.power_w
            ),
            (None, None, None, None, None, None),
            "{s:?}"
        );
    }
    let n = a.samples.len();
    assert!(a.samples[n - 2..]
        .iter()
        .all(|s| s.lat_deg.is_none() && s.lon_deg.is_none()));
    // 9500 m, 300 and 10 bpm, 85 °C, 400 spm (200 strides doubled), 150 m/s; NaN, -1e400
    // and inf are not numbers at all.
    assert!(
        a.warnings.iter().any(|w| w.contains("6 out-of-range")),
        "{:?}",
        a.warnings
    );

    let tcx = tcx_doc(
        &tcx_points(2, "<HeartRateBpm><Value>400</Value></HeartRateBpm><AltitudeMeters>-900</AltitudeMeters><Position><LatitudeDegrees>45</LatitudeDegrees><LongitudeDegrees>181</LongitudeDegrees></Position>"),
        "",
    );
    let a = one(read_tcx("range.tcx", tcx.as_bytes()));
    assert!(a
        .samples
        .iter()
        .all(|s| s.hr_bpm.is_none() && s.altitude_m.is_none() && s.lat_deg.is_none()));
    assert!(
        a.warnings.iter().any(|w| w.contains("out-of-range")),
        "{:?}",
        a.warnings
    );

    let a = one(read_fit("range.fit", &fit_records(3, 10, 100, None)));
    assert!(a
        .samples
        .iter()
        .all(|s| s.hr_bpm.is_none() && s.temp_c.is_none()));
    assert!(
        a.warnings.iter().any(|w| w.contains("6 out-of-range")),
        "{:?}",
        a.warnings
    );
    // 0 bpm is "no sensor": dropped without a warning.
    let a = one(read_fit("nohr.fit", &fit_records(3, 0, 20, None)));
    assert!(a
        .samples
        .iter()
        .all(|s| s.hr_bpm.is_none() && s.temp_c == Some(20.0)));
    assert!(
        !a.warnings.iter().any(|w| w.contains("out-of-range")),
        "{:?}",
        a.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// Archives
// ---------------------------------------------------------------------------------------------

fn read(source: &str, bytes: &[u8]) -> ReadResult {
    read_bytes(source, bytes)
}

/// Overwrite the uncompressed size of every local and central header with `size`.
fn lie_about_size(zip: &mut [u8], size: u32) {
    let mut i = 0;
    while i + 4 <= zip.len() {
        match &zip[i..i + 4] {
            b"PK\x03\x04" => zip[i + 22..i + 26].copy_from_slice(&size.to_le_bytes()),
            b"PK\x01\x02" => zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes()),
            _ => {}
        }
        i += 1;
    }
}

fn failures<T>(recs: &[calfguard::ingest::export::LeafRecord<T>]) -> Vec<String> {
    recs.iter()
        .filter_map(|r| match &r.leaf {
            Leaf::Failed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn zip_member_that_lies_about_its_size_is_bounded() {
    // 64 MiB of a FIT-looking member compressed to ~64 KiB, declared as 4 KiB.
    let mut data = fs::read(fixtures().join("pyfitparse_fenix5_run_short.fit")).unwrap();
    data.resize(64 << 20, 0);
    let mut z = zip_of(&[("bomb.fit", data.clone())]);
    lie_about_size(&mut z, 4096);
    let walker = Walker::new(Limits::default(), &read);
    // The declared size is not trusted: the member is inflated until the running ratio
    // (over 200 once past 1 MiB) refuses it, so nothing near 64 MiB is held.
    let recs = walker.loose_bytes("bomb.zip", z.clone());
    assert_eq!(recs.len(), 1);
    let f = failures(&recs);
    assert!(f.len() == 1 && f[0].contains("ratio over 200"), "{f:?}");
    assert!(recs[0].bytes <= 4096, "{:?}", recs[0].bytes);

    // The same member claiming more compressed bytes than the archive has.
    let mut i = 0;
    while i + 4 <= z.len() {
        if &z[i..i + 4] == b"PK\x01\x02" {
            z[i + 20..i + 24].copy_from_slice(&(1u32 << 30).to_le_bytes());
        }
        i += 1;
    }
    let recs = walker.loose_bytes("liar.zip", z);
    let f = failures(&recs);
    assert!(f.len() == 1, "{f:?}");

    // A gzip bomb: 64 MiB of zeros, a ratio far over 200.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&data).unwrap();
    let recs = walker.loose_bytes("bomb.fit.gz", e.finish().unwrap());
    let f = failures(&recs);
    assert!(f.len() == 1 && f[0].contains("ratio over 200"), "{f:?}");
}

// ---------------------------------------------------------------------------------------------
// Folders: symlink loops and unreadable files, through the CLI
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn symlink_loop_and_unreadable_file_do_not_stop_the_batch() {
    use std::os::unix::fs::PermissionsExt;
    let input = tempfile::tempdir().unwrap();
    let sub = input.path().join("sub");
    fs::create_dir(&sub).unwrap();
    fs::copy(
        fixtures().join("pyfitparse_fenix5_run_short.fit"),
        sub.join("run.fit"),
    )
    .unwrap();
    std::os::unix::fs::symlink(input.path(), sub.join("loop")).unwrap();
    std::os::unix::fs::symlink(sub.join("self"), sub.join("self")).unwrap();
    let locked = input.path().join("locked.fit");
    fs::copy(
        fixtures().join("pyfitparse_fr70_run_compressed_timestamps.fit"),
        &locked,
    )
    .unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let root_can_read = fs::read(&locked).is_ok();

    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r");
    let assert = calfguard()
        .arg("analyze")
        .arg(input.path())
        .arg("--out")
        .arg(&report)
        .arg("--quiet")
        .timeout(std::time::Duration::from_secs(120))
        .assert();
    let output = assert.get_output();
    let code = output.status.code();
    let errors = fs::read_to_string(report.join("errors.csv")).unwrap_or_default();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    assert!(matches!(code, Some(0 | 1)), "{output:?}");
    let summary = fs::read_to_string(report.join("activities.csv")).unwrap();
    assert!(summary.contains("run.fit"), "{summary}");
    // The self-loop symlink is one failed (unreadable) entry; the loop back to the root is not
    // walked twice.
    assert_eq!(summary.matches("run.fit").count(), 1, "{summary}");
    assert!(errors.contains("self"), "{errors}");
    if root_can_read {
        println!(
            "note: running as root, chmod 000 does not stop reading; unreadable-file check skipped"
        );
        assert!(summary.contains("locked.fit"), "{summary}");
    } else {
        assert!(
            errors.contains("locked.fit") && errors.contains("cannot read"),
            "{errors}"
        );
    }
}

#[test]
fn activities_laps_and_warnings_per_file_are_capped() {
    // 300 TCX activities: the first 256 are kept, the last kept one says how many were not.
    let one_act = "<Activity Sport=\"Running\"><Id>2020-01-01T00:00:00Z</Id><Lap StartTime=\"2020-01-01T00:00:00Z\"><TotalTimeSeconds>1</TotalTimeSeconds></Lap></Activity>";
    let tcx = format!(
        "<TrainingCenterDatabase><Activities>{}</Activities></TrainingCenterDatabase>",
        one_act.repeat(300)
    );
    let acts = read_tcx("many.tcx", tcx.as_bytes()).unwrap();
    assert_eq!(acts.len(), calfguard::ingest::MAX_ACTIVITIES_PER_FILE);
    assert!(acts
        .last()
        .unwrap()
        .warnings
        .iter()
        .any(|w| w.contains("44 later ones not kept")));

    // FIT records whose time jumps back and forth: at most MAX_WARNINGS jump warnings and one
    // count of the rest.
    let mut d = Vec::new();
    d.extend_from_slice(&[0x40, 0, 0, 0, 0, 1, 0, 1, 0x00, 0, 4]);
    d.extend_from_slice(&[0x41, 0, 0, 20, 0, 1, 253, 4, 0x86]);
    for i in 0..1000u32 {
        d.push(1);
        let t = 1_000_000_000 + i + if i % 2 == 1 { 10_000_000 } else { 0 };
        d.extend_from_slice(&t.to_le_bytes());
    }
    let mut out = vec![12u8, 0x20, 0x08, 0x08];
    out.extend_from_slice(&(d.len() as u32).to_le_bytes());
    out.extend_from_slice(b".FIT");
    out.extend_from_slice(&d);
    let c = crc16(&out);
    out.extend_from_slice(&c.to_le_bytes());
    let a = one(read_fit("jumps.fit", &out));
    assert_eq!(a.samples.len(), 1000);
    assert!(a.warnings.len() < 60, "{}", a.warnings.len());
    assert!(
        a.warnings.iter().any(|w| w.contains("more time jump(s)")),
        "{:?}",
        a.warnings
    );
}
