//! Bounded work under hostile exports: thousands of recordings that start at the same second,
//! text fields of megabytes, small zip members that inflate a thousandfold, `/dev/zero` as a
//! configuration file, symbolic links out of the input tree, and XML entities. Each input is
//! generated here, small enough for a debug build; the full-size measurements are in
//! `docs/reliability.md` ("Hostile exports", `scripts/hostile.sh`).

mod common;

use calfguard::app::summarize;
use calfguard::dedup::{dedup, DedupRules, MAX_CANDIDATES};
use calfguard::enrich::strava::parse_activity_list;
use calfguard::ingest::{read_bytes, MAX_TEXT_BYTES};
use calfguard::ledger::ErrorKind;
use calfguard::metrics::record::ActivityRecord;
use common::{assert_accounting, calfguard, ctx, fixtures, run, zip_of};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

/// A GPX in Garmin Connect's layout: `n` points a minute apart from 2024-03-01T07:00:00Z,
/// heading north from (45, `lon`).
fn gpx(creator: &str, kind: &str, n: usize, lon: f64) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx creator=\"{creator}\" version=\"1.1\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\">\n  <trk>\n    <type>{kind}</type>\n    <trkseg>\n"
    );
    for i in 0..n {
        writeln!(
            s,
            "      <trkpt lat=\"{:.6}\" lon=\"{lon:.6}\"><ele>104</ele><time>2024-03-01T07:{i:02}:00Z</time></trkpt>",
            45.0 + i as f64 * 2e-4
        )
        .unwrap();
    }
    s.push_str("    </trkseg>\n  </trk>\n</gpx>\n");
    s
}

// ---------------------------------------------------------------------------------------------
// Duplicate detection: thousands of recordings that start at the same second
// ---------------------------------------------------------------------------------------------

fn real_summary() -> ActivityRecord {
    let name = "pyfitparse_fenix5_run_short.fit";
    let bytes = fs::read(fixtures().join(name)).unwrap();
    let a = read_bytes(name, &bytes).unwrap().remove(0);
    let s = summarize(&a, &ctx());
    assert!(!s.track.is_empty() && s.date_ok, "{s:?}");
    s
}

#[test]
fn identical_starts_are_grouped_in_linear_work() {
    let base = real_summary();
    let n = 3000;
    // The same run, 3,000 times (distinct sources): one group, one kept.
    let copies: Vec<ActivityRecord> = (0..n)
        .map(|i| ActivityRecord {
            source: format!("copy_{i:05}.fit"),
            ..base.clone()
        })
        .collect();
    let out = dedup(copies, &DedupRules::default());
    assert_eq!(out.kept.len(), 1);
    assert_eq!(out.kept[0].source, "copy_00000.fit");
    assert_eq!(out.duplicates.len(), n - 1);
    assert!(out.conflicts.is_empty());
    assert!(out
        .duplicates
        .iter()
        .all(|d| d.kept == "copy_00000.fit" && d.evidence.starts_with("starts +0 s apart")));

    // 3,000 different tracks at the same time: every pair overlaps but none is the same run.
    // At most one conflict row per activity (each names the next one and counts the others).
    let tracks: Vec<ActivityRecord> = (0..n)
        .map(|i| {
            let mut s = ActivityRecord {
                source: format!("track_{i:05}.fit"),
                ..base.clone()
            };
            for p in &mut s.track {
                p.lon_deg += 0.01 * i as f64;
            }
            s
        })
        .collect();
    let out = dedup(tracks, &DedupRules::default());
    assert_eq!(out.kept.len(), n);
    assert!(out.duplicates.is_empty());
    assert_eq!(
        out.conflicts.len(),
        n - 1,
        "one row per activity but the last"
    );
    let first = &out.conflicts[0];
    assert_eq!(
        (first.a.as_str(), first.b.as_str()),
        ("track_00000.fit", "track_00001.fit")
    );
    assert!(
        first.reason.contains("tracks differ")
            && first
                .reason
                .contains(&format!("and at least {} more", MAX_CANDIDATES - 1)),
        "{}",
        first.reason
    );
    // The one before the last overlaps only the last: no count.
    let last = &out.conflicts[n - 2];
    assert!(!last.reason.contains("more overlapping"), "{}", last.reason);

    // Two sports interleaved at the same second: each family is one chain, one group.
    let mixed: Vec<ActivityRecord> = (0..n)
        .map(|i| {
            let mut s = ActivityRecord {
                source: format!("mixed_{i:05}.fit"),
                ..base.clone()
            };
            if i % 2 == 1 {
                s.sport = calfguard::model::Sport::Cycling;
            }
            s
        })
        .collect();
    let out = dedup(mixed, &DedupRules::default());
    assert_eq!(
        out.kept.len(),
        2,
        "one running and one cycling recording kept"
    );
    assert_eq!(out.duplicates.len(), n - 2);
}

#[test]
fn a_zip_of_identical_starts_writes_one_conflict_row_per_activity() {
    let n = 1500;
    let members: Vec<(String, Vec<u8>)> = (0..n)
        .map(|i| {
            let body = gpx(&format!("device {i}"), "running", 30, 7.0 + 0.01 * i as f64);
            (format!("activities/{i:05}.gpx"), body.into_bytes())
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("same-start.zip");
    fs::write(&path, zip_of(&members)).unwrap();
    let a = run(&[path], true);
    assert_accounting(&a);
    assert_eq!(a.counts.analysed, n);
    assert_eq!(a.activities.len(), n);
    let conflicts = a
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Conflict)
        .count();
    assert_eq!(conflicts, n - 1);
    assert_eq!(a.counts.conflicts, n - 1);
    assert_eq!(a.errors.len(), n - 1, "{:?}", &a.errors[..3]);
}

// ---------------------------------------------------------------------------------------------
// Text fields and small members that inflate a thousandfold
// ---------------------------------------------------------------------------------------------

#[test]
fn text_fields_are_cut_while_reading() {
    // The real Garmin Connect GPX with a 2 MiB track type and a 100 KB creator.
    let real =
        fs::read_to_string(fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx")).unwrap();
    let original = read_bytes("real.gpx", real.as_bytes()).unwrap().remove(0);
    let long_type = "é".repeat(1 << 20);
    let text = real
        .replace("<type>running</type>", &format!("<type>{long_type}</type>"))
        .replace(
            "creator=\"Garmin Connect\"",
            &format!("creator=\"{}\"", "c".repeat(100_000)),
        );
    let a = read_bytes("long.gpx", text.as_bytes()).unwrap().remove(0);
    let sub = a.sub_sport.as_deref().unwrap();
    assert!(
        sub.len() <= MAX_TEXT_BYTES && sub.len() > MAX_TEXT_BYTES - 2,
        "{}",
        sub.len()
    );
    assert!(sub.chars().all(|c| c == 'é'), "cut at a character boundary");
    assert_eq!(a.device.as_deref().map(str::len), Some(MAX_TEXT_BYTES));
    for w in ["sub_sport (GPX track type)", "device (GPX creator)"] {
        assert!(
            a.warnings
                .iter()
                .any(|x| x == &format!("{w} longer than 256 bytes: cut")),
            "{w}: {:?}",
            a.warnings
        );
    }
    assert_eq!(a.samples.len(), original.samples.len());

    // A TCX device name of a megabyte.
    let tcx = tcx_doc(&"n".repeat(1 << 20), "");
    let a = read_bytes("long.tcx", tcx.as_bytes()).unwrap().remove(0);
    assert_eq!(a.device.as_deref().map(str::len), Some(MAX_TEXT_BYTES));
    assert!(a
        .warnings
        .iter()
        .any(|w| w == "device (TCX Creator/Name) longer than 256 bytes: cut"));

    // Strava's list: a gear name of 10 KB is cut; a file name of 10 KB is no file.
    let csv = format!(
        "Activity ID,Activity Type,Activity Gear,Filename\n1,Run,{},activities/1.gpx\n2,Run,x,{}\n",
        "g".repeat(10_000),
        "f".repeat(10_000)
    );
    let list = parse_activity_list("export.zip!activities.csv", csv.as_bytes()).unwrap();
    assert_eq!(list.len(), 1);
    let e = &list["export.zip!activities/1.gpx"];
    assert_eq!(e.gear.as_deref().map(str::len), Some(MAX_TEXT_BYTES));
    assert!(e.cut);
}

#[test]
fn small_members_that_inflate_a_thousandfold_are_refused() {
    // Four GPX members with a 4 MiB track type each: about 4 KB compressed, far under the
    // 16 MiB below which members used to skip the ratio check.
    let long = "x".repeat(4 << 20);
    let members: Vec<(String, Vec<u8>)> = (0..4)
        .map(|i| {
            let body = gpx(&format!("d{i}"), &long, 5, 7.0);
            (format!("activities/{i}.gpx"), body.into_bytes())
        })
        .collect();
    let z = zip_of(&members);
    assert!(z.len() < 100_000, "{}", z.len());
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long-text.zip");
    fs::write(&path, z).unwrap();
    // A normal member next to them is read.
    fs::write(tmp.path().join("ok.gpx"), gpx("ok", "running", 5, 7.0)).unwrap();
    let a = run(&[tmp.path().to_path_buf()], false);
    assert_accounting(&a);
    assert_eq!(a.counts.failed, 4, "{:?}", a.errors);
    assert_eq!(a.counts.analysed, 1);
    assert!(
        a.errors
            .iter()
            .all(|e| e.reason.contains("ratio over 200: a decompression bomb?")),
        "{:?}",
        a.errors
    );
}

// ---------------------------------------------------------------------------------------------
// --config, --weather, --gear
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn dev_zero_as_config_weather_or_gear_is_refused_at_once() {
    let out = tempfile::tempdir().unwrap();
    let input = fixtures().join("pyfitparse_fenix5_run_short.fit");
    for flag in ["--config", "--weather", "--gear"] {
        let o = calfguard()
            .arg("analyze")
            .arg(&input)
            .args([flag, "/dev/zero", "--quiet", "--out"])
            .arg(out.path().join("r"))
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("larger than the limit of"), "{flag}: {err}");
        assert!(err.len() < 400, "{flag}: {err}");
    }
}

#[test]
fn errors_quote_at_most_about_a_hundred_characters_of_a_value() {
    let dir = tempfile::tempdir().unwrap();
    let long = "y".repeat(50_000);
    let cases = [
        ("config", format!("[athlete]\nsex = \"{long}\"\n")),
        ("config", format!("[athlete]\n{long} = 1\n")),
        ("config", format!("[athlete]\ntime_zone = \"{long}\"\n")),
        (
            "weather",
            format!("time,temp_c,rh_pct\n2026-07-01T10:00Z,{long},50\n"),
        ),
        ("gear", format!("shoe,from,to\nA,{long},\n")),
        ("gear", format!("shoe,from,to\n{long},2026-01-01,\n")),
    ];
    let input = fixtures().join("pyfitparse_fenix5_run_short.fit");
    for (i, (kind, text)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("{i}.{kind}"));
        fs::write(&file, text).unwrap();
        let o = calfguard()
            .arg("analyze")
            .arg(&input)
            .arg(format!("--{kind}"))
            .arg(&file)
            .args(["--quiet", "--out"])
            .arg(dir.path().join("r"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{kind} {i}: {err}");
        assert!(
            err.len() < 400 && err.contains("yyyy") && err.contains("more characters"),
            "{kind} {i}: {} bytes: {}",
            err.len(),
            &err[..err.len().min(500)]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Symbolic links
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn links_out_of_the_inputs_are_not_followed_and_a_file_is_read_once() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    let input = root.path().join("input");
    let outside = root.path().join("outside");
    fs::create_dir_all(input.join("sub")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    let copy = |name: &str, to: &Path| fs::copy(fixtures().join(name), to).unwrap();
    copy("pyfitparse_fenix5_run_short.fit", &input.join("run.fit"));
    copy(
        "pyfitparse_fenix2_run_hr_temp.fit",
        &outside.join("far.fit"),
    );
    copy(
        "georust_garminconnect_run_ns3_hr_cad.gpx",
        &outside.join("linked.gpx"),
    );
    // A link to a folder outside the input: not followed. A link to a folder inside: walked
    // once. Two links to one file outside, and two names of one file inside: one file each.
    symlink(&outside, input.join("sub/away")).unwrap();
    symlink(input.join("sub"), input.join("again")).unwrap();
    symlink(outside.join("linked.gpx"), input.join("a.gpx")).unwrap();
    symlink(outside.join("linked.gpx"), input.join("sub/b.gpx")).unwrap();
    symlink(input.join("run.fit"), input.join("sub/run-link.fit")).unwrap();
    fs::hard_link(input.join("run.fit"), input.join("sub/run-hard.fit")).unwrap();

    let a = run(std::slice::from_ref(&input), false);
    assert_accounting(&a);
    let sources: Vec<&str> = a.activities.iter().map(|s| s.source.as_str()).collect();
    assert_eq!(a.counts.analysed, 2, "{sources:?} {:?}", a.errors);
    assert_eq!(a.counts.duplicate, 0, "{:?}", a.errors);
    assert!(
        !sources.iter().any(|s| s.contains("far.fit")),
        "{sources:?}"
    );
    let skipped: Vec<_> = a
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1, "{:?}", a.errors);
    assert!(skipped[0].source.ends_with("away"), "{skipped:?}");
    assert!(
        skipped[0]
            .reason
            .contains("outside the inputs: not followed"),
        "{skipped:?}"
    );
    // The folder outside, named as an input itself, is read.
    let b = run(&[input, outside], false);
    assert_eq!(b.counts.analysed, 3, "{:?}", b.errors);
    assert!(b.errors.iter().all(|e| e.kind != ErrorKind::Skipped));
}

// ---------------------------------------------------------------------------------------------
// XML entities
// ---------------------------------------------------------------------------------------------

/// A TCX in Garmin Connect's layout (`gc_fr15_run_10k.tcx` of the shared corpus), with three
/// trackpoints, device name `device` and a prolog `head`.
fn tcx_doc(device: &str, head: &str) -> String {
    let mut points = String::new();
    for i in 0..3 {
        write!(
            points,
            "\n          <Trackpoint>\n            <Time>2014-10-11T18:08:{:02}.000Z</Time>\n            <Position>\n              <LatitudeDegrees>-34.90{i}</LatitudeDegrees>\n              <LongitudeDegrees>-57.94</LongitudeDegrees>\n            </Position>\n            <DistanceMeters>{}</DistanceMeters>\n          </Trackpoint>",
            45 + i,
            i * 5
        )
        .unwrap();
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{head}<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Activities>\n    <Activity Sport=\"Running\">\n      <Id>2014-10-11T18:08:45.000Z</Id>\n      \
         <Lap StartTime=\"2014-10-11T18:08:45.000Z\">\n        <TotalTimeSeconds>212.152</TotalTimeSeconds>\n        <DistanceMeters>10.0</DistanceMeters>\n        \
         <Track>{points}\n        </Track>\n      </Lap>\n      <Creator xsi:type=\"Device_t\">\n        <Name>{device}</Name>\n        <UnitId>3885435205</UnitId>\n      \
         </Creator>\n    </Activity>\n  </Activities>\n</TrainingCenterDatabase>\n"
    )
}

const DTD: &str = "<!DOCTYPE gpx [\n  <!ENTITY brand \"Garmin\">\n  <!ENTITY lol \"lol\">\n  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n  <!ENTITY ext SYSTEM \"file:///etc/passwd\">\n  <!-- a comment with ] and > in it -->\n]>\n";

#[test]
fn a_gpx_with_an_internal_dtd_subset_is_read_without_expanding_entities() {
    let real =
        fs::read_to_string(fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx")).unwrap();
    let original = read_bytes("real.gpx", real.as_bytes()).unwrap().remove(0);
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(real.starts_with(decl));
    let with_dtd = real
        .replacen(decl, &format!("{decl}{DTD}"), 1)
        .replace("<name>casual stroll</name>", "<name>&lol2;</name>");
    let a = read_bytes("dtd.gpx", with_dtd.as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(a.samples.len(), original.samples.len());
    assert_eq!(a.sport, original.sport);
    assert_eq!(a.device.as_deref(), Some("Garmin Connect"));
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("DOCTYPE entity declarations ignored")),
        "{:?}",
        a.warnings
    );
    // The same through the walker, as a loose file and gzipped: an activity, not skipped.
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("dtd.gpx"), &with_dtd).unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let other = with_dtd.replacen("<ele>104</ele>", "<ele>104.0</ele>", 1);
    e.write_all(other.as_bytes()).unwrap();
    fs::write(tmp.path().join("dtd.gpx.gz"), e.finish().unwrap()).unwrap();
    let r = run(&[tmp.path().to_path_buf()], false);
    assert_eq!(r.counts.analysed, 2, "{:?}", r.errors);
}

#[test]
fn entities_are_decoded_the_same_way_in_every_field() {
    let value = "&lt;script&gt; &amp; &#x41;&#66; &brand; &quot;x&apos;";
    let want = "<script> & AB &brand; \"x'";
    // GPX: the creator attribute and the track type.
    let real =
        fs::read_to_string(fixtures().join("georust_garminconnect_run_ns3_hr_cad.gpx")).unwrap();
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let gpx = real
        .replacen(decl, &format!("{decl}{DTD}"), 1)
        .replace(
            "creator=\"Garmin Connect\"",
            &format!("creator=\"{value}\""),
        )
        .replace("<type>running</type>", &format!("<type>{value}</type>"));
    let a = read_bytes("e.gpx", gpx.as_bytes()).unwrap().remove(0);
    assert_eq!(a.device.as_deref(), Some(want));
    assert_eq!(a.sub_sport.as_deref(), Some(want));
    // TCX: the device name, also in CDATA (not decoded there, as XML says).
    let a = read_bytes("e.tcx", tcx_doc(value, "").as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(a.device.as_deref(), Some(want));
    let a = read_bytes("c.tcx", tcx_doc("<![CDATA[a &amp; b]]>", "").as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(a.device.as_deref(), Some("a &amp; b"));
    // Plain names are unchanged, surrounding whitespace dropped.
    let a = read_bytes("p.tcx", tcx_doc(" Forerunner 15 ", "").as_bytes())
        .unwrap()
        .remove(0);
    assert_eq!(a.device.as_deref(), Some("Forerunner 15"));
}
