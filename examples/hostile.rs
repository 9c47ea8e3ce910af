//! Hostile inputs for the measurements in `docs/reliability.md` ("Hostile exports"): each case
//! is written to a file under OUT_DIR (use a scratch folder such as /tmp; some are large), then
//! `scripts/hostile.sh` runs the release binary on it under `/usr/bin/time -v`.
//!
//! Usage: `cargo run --release --example hostile -- CASE OUT_DIR [N] [SIZE]`
//!
//! | case | what | default N, SIZE |
//! |---|---|---|
//! | `same-start` | a zip of N GPX files that all start at the same second, each a different track (every pair overlaps but is not the same run) | 20000 |
//! | `same-run` | a zip of N GPX files of the same run (same start and track, different creator: distinct bytes) | 20000 |
//! | `long-text` | a zip of N GPX members, each with a `<type>` of SIZE MiB | 60, 8 |
//! | `many-members` | a zip of N tiny GPX members (two points, one hour apart from the next) | 200000 |
//! | `big-gpx` | N loose GPX files of SIZE MB each (one point a second) | 4, 158 |
//! | `gzip-bomb` | one `.gpx.gz` whose GPX head is followed by SIZE MiB of spaces | 1, 2048 |
//! | `text-field` | a folder of N loose GPX files, each with a `<type>` of SIZE MiB | 60, 8 |
//!
//! Every file is generated (never committed); the GPX layout is that of a Garmin Connect export
//! (`fixtures/real/georust_garminconnect_run_ns3_hr_cad.gpx`).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="CREATOR" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <trk>
    <name>hostile</name>
    <type>TYPE</type>
    <trkseg>
"#;
const TAIL: &str = "    </trkseg>\n  </trk>\n</gpx>\n";

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("time in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// 2024-03-01T07:00:00Z.
const T0: i64 = 1_709_276_400;

fn point(out: &mut String, t: i64, lat: f64, lon: f64, hr: u32) {
    use std::fmt::Write as _;
    let _ = write!(
        out,
        "      <trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\">\n        <ele>104</ele>\n        <time>{}</time>\n        <extensions><ns3:TrackPointExtension><ns3:hr>{hr}</ns3:hr></ns3:TrackPointExtension></extensions>\n      </trkpt>\n",
        iso(t)
    );
}

/// A GPX of `n` points `step_s` apart from `t0`, heading north from (lat, lon).
fn gpx(creator: &str, kind: &str, t0: i64, n: usize, step_s: i64, lat: f64, lon: f64) -> String {
    let mut s = HEAD.replace("CREATOR", creator).replace("TYPE", kind);
    for i in 0..n {
        point(
            &mut s,
            t0 + i as i64 * step_s,
            lat + i as f64 * 2e-4,
            lon,
            120 + (i % 40) as u32,
        );
    }
    s.push_str(TAIL);
    s
}

fn zip_writer(path: &Path) -> zip::ZipWriter<BufWriter<File>> {
    zip::ZipWriter::new(BufWriter::new(File::create(path).expect("create zip")))
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: hostile CASE OUT_DIR [N] [SIZE]");
        std::process::exit(2);
    };
    let num = |i: usize, default: usize| -> usize {
        args.get(i)
            .map(|a| a.parse().expect("a number"))
            .unwrap_or(default)
    };
    let out = Path::new(out);
    fs::create_dir_all(out).expect("create OUT_DIR");
    let written = match case.as_str() {
        "same-start" | "same-run" => {
            let n = num(3, 20_000);
            let path = out.join(format!("{case}-{n}.zip"));
            let mut z = zip_writer(&path);
            for i in 0..n {
                // 30 points a minute apart: a 29-minute run. `same-start`: each track 0.01°
                // (about 800 m) east of the previous one; `same-run`: one track.
                let lon = if case == "same-start" {
                    7.0 + 0.01 * i as f64
                } else {
                    7.0
                };
                let body = gpx(&format!("device {i}"), "running", T0, 30, 60, 45.0, lon);
                z.start_file(format!("activities/{i:06}.gpx"), deflated())
                    .expect("member");
                z.write_all(body.as_bytes()).expect("write");
            }
            z.finish().expect("finish");
            path
        }
        "long-text" => {
            let (n, mib) = (num(3, 60), num(4, 8));
            let path = out.join(format!("long-text-{n}x{mib}MiB.zip"));
            let mut z = zip_writer(&path);
            let long = "x".repeat(mib << 20);
            for i in 0..n {
                let body = gpx(
                    &format!("device {i}"),
                    &long,
                    T0 + i as i64 * 86_400,
                    30,
                    60,
                    45.0,
                    7.0,
                );
                z.start_file(format!("activities/{i:04}.gpx"), deflated())
                    .expect("member");
                z.write_all(body.as_bytes()).expect("write");
            }
            z.finish().expect("finish");
            path
        }
        "text-field" => {
            let (n, mib) = (num(3, 60), num(4, 8));
            let dir = out.join(format!("text-field-{n}x{mib}MiB"));
            fs::create_dir_all(&dir).expect("mkdir");
            let long = "x".repeat(mib << 20);
            for i in 0..n {
                let body = gpx(
                    &format!("device {i}"),
                    &long,
                    T0 + i as i64 * 86_400,
                    30,
                    60,
                    45.0,
                    7.0,
                );
                fs::write(dir.join(format!("{i:04}.gpx")), body).expect("write");
            }
            dir
        }
        "many-members" => {
            let n = num(3, 200_000);
            let path = out.join(format!("many-members-{n}.zip"));
            let mut z = zip_writer(&path);
            // From 2001-01-01, one a hour apart: distinct starts, no overlaps.
            let t0 = 978_307_200;
            for i in 0..n {
                let body = gpx("m", "running", t0 + i as i64 * 3600, 2, 60, 45.0, 7.0);
                z.start_file(format!("a/{i:07}.gpx"), deflated())
                    .expect("member");
                z.write_all(body.as_bytes()).expect("write");
            }
            z.finish().expect("finish");
            path
        }
        "big-gpx" => {
            let (n, mb) = (num(3, 4), num(4, 158));
            let dir = out.join(format!("big-gpx-{n}x{mb}MB"));
            fs::create_dir_all(&dir).expect("mkdir");
            for k in 0..n {
                let path = dir.join(format!("big-{k}.gpx"));
                let mut w = BufWriter::new(File::create(&path).expect("create"));
                let t0 = T0 + k as i64 * 7 * 86_400;
                w.write_all(
                    HEAD.replace("CREATOR", "big")
                        .replace("TYPE", "running")
                        .as_bytes(),
                )
                .expect("write");
                let mut written = 0usize;
                let mut i = 0i64;
                let mut s = String::new();
                while written < mb * 1_000_000 {
                    s.clear();
                    point(&mut s, t0 + i, 45.0 + (i % 100_000) as f64 * 1e-5, 7.0, 130);
                    w.write_all(s.as_bytes()).expect("write");
                    written += s.len();
                    i += 1;
                }
                w.write_all(TAIL.as_bytes()).expect("write");
            }
            dir
        }
        "gzip-bomb" => {
            let mib = num(4, 2048);
            let path = out.join(format!("gzip-bomb-{mib}MiB.gpx.gz"));
            let mut e = flate2::write::GzEncoder::new(
                BufWriter::new(File::create(&path).expect("create")),
                flate2::Compression::best(),
            );
            e.write_all(
                gpx("bomb", "running", T0, 3, 60, 45.0, 7.0)
                    .replace(TAIL, "")
                    .as_bytes(),
            )
            .expect("write");
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..mib {
                e.write_all(&spaces).expect("write");
            }
            e.write_all(TAIL.as_bytes()).expect("write");
            e.finish().expect("finish").flush().expect("flush");
            path
        }
        other => {
            eprintln!("unknown case '{other}'");
            std::process::exit(2);
        }
    };
    println!("{}", written.display());
}
