//! Whole exports: Garmin- and Strava-style zips built from the real fixtures must give exactly
//! the activities of the loose files, with every file accounted for.

use calfguard::app::Context;
use calfguard::app::{analyse, Analysis, Options};
use calfguard::ingest::export::Limits;
use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use zip::write::SimpleFileOptions;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real")
}

/// The activity fixtures used here: FIT and GPX files that each give at least one activity.
const FILES: &[&str] = &[
    "pyfitparse_fenix2_run_hr_temp.fit",
    "pyfitparse_fenix5_run_short.fit",
    "pyfitparse_edge810_ride_power.fit",
    "pyfitparse_fr920xt_triathlon_multiple_headers.fit",
    "georust_garminconnect_run_ns3_hr_cad.gpx",
    "phpgpx_endomondo_hike_2seg_hr.gpx",
];

fn ctx() -> Context {
    Context::new(
        DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        None,
    )
}

fn run(paths: &[PathBuf]) -> Analysis {
    analyse(
        paths,
        &ctx(),
        &Options {
            limits: Limits::default(),
            dedup: None,
        },
        &ProgressBar::hidden(),
        &AtomicBool::new(false),
    )
}

fn bytes(name: &str) -> Vec<u8> {
    fs::read(fixtures().join(name)).unwrap()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// What identifies an activity independent of where it was found.
fn keys(a: &Analysis) -> Vec<String> {
    let mut k: Vec<String> = a
        .activities
        .iter()
        .map(|s| {
            format!(
                "{} {} {:?} {}",
                s.start_utc, s.sport, s.distance_m, s.samples
            )
        })
        .collect();
    k.sort();
    k
}

fn loose(dir: &Path) -> Analysis {
    for f in FILES {
        fs::write(dir.join(f), bytes(f)).unwrap();
    }
    run(&[dir.to_path_buf()])
}

fn assert_accounting(a: &Analysis) {
    let c = &a.counts;
    assert_eq!(
        c.found,
        c.analysed + c.skipped + c.failed + c.duplicate,
        "accounting does not add up: {c:?}"
    );
}

#[test]
fn garmin_export_with_nested_zips_matches_loose_files() {
    let tmp = tempfile::tempdir().unwrap();
    let loose_dir = tmp.path().join("loose");
    fs::create_dir(&loose_dir).unwrap();
    let reference = loose(&loose_dir);
    assert_eq!(reference.counts.analysed, FILES.len());

    // Garmin Connect: DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_*.zip hold the FIT
    // files; the rest is JSON and images.
    let fits: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| f.ends_with(".fit"))
        .collect();
    let inner1 = zip_of(&[
        (fits[0].to_string(), bytes(fits[0])),
        (fits[1].to_string(), bytes(fits[1])),
    ]);
    let inner2 = zip_of(
        &fits[2..]
            .iter()
            .map(|f| (f.to_string(), bytes(f)))
            .collect::<Vec<_>>(),
    );
    let mut members = vec![
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip".to_string(),
            inner1,
        ),
        (
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip".to_string(),
            inner2,
        ),
    ];
    for i in 0..5 {
        members.push((
            format!("DI_CONNECT/DI-Connect-Fitness/summarizedActivities_{i}.json"),
            format!("{{\"n\": {i}}}").into_bytes(),
        ));
    }
    members.push((
        "DI_CONNECT/DI-Connect-User/profile.png".to_string(),
        vec![0x89, b'P', b'N', b'G', 1, 2, 3],
    ));
    let export = tmp.path().join("garmin");
    fs::create_dir(&export).unwrap();
    fs::write(export.join("Garmin_Export.zip"), zip_of(&members)).unwrap();
    // The GPX files sit beside the zip, as a user's folder would hold them.
    for f in FILES.iter().filter(|f| f.ends_with(".gpx")) {
        fs::write(export.join(f), bytes(f)).unwrap();
    }

    let a = run(std::slice::from_ref(&export));
    assert_eq!(keys(&a), keys(&reference));
    assert_accounting(&a);
    assert_eq!(a.counts.analysed, FILES.len());
    assert_eq!(a.counts.skipped, 6, "{:?}", a.errors);
    // Noise is one row per archive and reason, with the count.
    let noise: Vec<_> = a
        .errors
        .iter()
        .filter(|e| e.kind.as_str() == "skipped")
        .collect();
    assert_eq!(noise.len(), 1, "{noise:?}");
    assert!(noise[0]
        .reason
        .starts_with("6 files in this archive: not an activity file"));
    // Members are named archive!inner!member.
    let zip_path = export
        .join("Garmin_Export.zip")
        .to_string_lossy()
        .into_owned();
    assert!(a.activities.iter().any(|s| s.source
        == format!(
            "{zip_path}!DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!{}",
            fits[0]
        )));
}

#[test]
fn strava_export_with_gz_members_and_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let loose_dir = tmp.path().join("loose");
    fs::create_dir(&loose_dir).unwrap();
    let reference = loose(&loose_dir);

    let mut members = Vec::new();
    let mut list = String::from(
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename\n",
    );
    for (i, f) in FILES.iter().enumerate() {
        let ext = f.rsplit('.').next().unwrap();
        // Half gzipped, half plain, as Strava exports mix them.
        let (name, data) = if i % 2 == 0 {
            (format!("activities/{i}.{ext}.gz"), gz(&bytes(f)))
        } else {
            (format!("activities/{i}.{ext}"), bytes(f))
        };
        list.push_str(&format!(
            "{i},\"Jan {i}, 2020\",Run {i},Run,Shoe {i},{name}\n"
        ));
        members.push((name, data));
    }
    // A byte-identical copy under another name, and a broken file.
    members.push(("activities/copy.fit".to_string(), bytes(FILES[0])));
    members.push((
        "activities/broken.fit.gz".to_string(),
        gz(&[14, 0x10, 0, 0, 1, 0, 0, 0, b'.', b'F', b'I', b'T', 0, 0]),
    ));
    members.push(("activities.csv".to_string(), list.into_bytes()));
    members.push(("profile.csv".to_string(), b"a,b\n".to_vec()));
    let export = tmp.path().join("export_123.zip");
    fs::write(&export, zip_of(&members)).unwrap();

    let a = run(std::slice::from_ref(&export));
    assert_eq!(keys(&a), keys(&reference));
    assert_accounting(&a);
    assert_eq!(a.counts.duplicate, 1);
    let dup = a
        .errors
        .iter()
        .find(|e| e.kind.as_str() == "duplicate")
        .unwrap();
    let zip_path = export.to_string_lossy().into_owned();
    // The first by sorted source is kept: activities/0.fit.gz < activities/copy.fit.
    assert_eq!(dup.source, format!("{zip_path}!activities/copy.fit"));
    assert_eq!(dup.duplicate_of, format!("{zip_path}!activities/0.fit.gz"));
    assert_eq!(a.counts.failed, 1, "{:?}", a.errors);
    // The gear column of activities.csv is kept for every activity of a listed file.
    let first = a
        .activities
        .iter()
        .find(|s| s.source.ends_with("activities/0.fit.gz"))
        .unwrap();
    assert_eq!(first.gear.as_deref(), Some("Shoe 0"));
}

#[test]
fn copies_are_resolved_the_same_whatever_the_order() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["b.fit", "a.fit", "c/z.fit"] {
        let p = tmp.path().join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes(FILES[1])).unwrap();
    }
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let a = pool.install(|| run(&[tmp.path().join("c"), tmp.path().to_path_buf()]));
        assert_eq!(a.activities.len(), 1);
        assert!(
            a.activities[0].source.ends_with("a.fit"),
            "{}",
            a.activities[0].source
        );
        assert_eq!(a.counts.duplicate, 2);
        assert_accounting(&a);
    }
}

#[test]
fn bombs_and_deep_nesting_are_per_file_errors() {
    let tmp = tempfile::tempdir().unwrap();
    // 64 MiB of zeros: a tiny gzip that inflates past the ratio limit.
    let zeros = vec![0u8; 64 << 20];
    fs::write(tmp.path().join("bomb.fit.gz"), gz(&zeros)).unwrap();
    fs::write(
        tmp.path().join("bomb.zip"),
        zip_of(&[("x.fit".to_string(), zeros)]),
    )
    .unwrap();
    // Six levels of zips around a real file.
    let mut nested = zip_of(&[("run.fit".to_string(), bytes(FILES[1]))]);
    for level in 0..6 {
        nested = zip_of(&[(format!("level{level}.zip"), nested)]);
    }
    fs::write(tmp.path().join("nested.zip"), nested).unwrap();
    fs::write(tmp.path().join("ok.fit"), bytes(FILES[1])).unwrap();
    let a = run(&[tmp.path().to_path_buf()]);
    assert_accounting(&a);
    assert_eq!(a.counts.analysed, 1);
    assert_eq!(a.counts.failed, 3, "{:?}", a.errors);
    let reasons: Vec<&str> = a.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .filter(|r| r.contains("decompression bomb"))
            .count()
            == 2,
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("nested too deep")),
        "{reasons:?}"
    );
}
