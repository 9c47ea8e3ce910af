//! Benchmark of the per-activity sample cap: a GPX with tens of millions of points, streamed to
//! a temporary file from a generator (never committed), then read with `read_bytes`.
//!
//! Usage: `cargo run --release --example many_points -- [POINTS]` (default 10,000,000).
//! Prints the points kept, the warning, the totals, wall time and peak RSS (Linux `VmHWM`).

use std::io::{BufWriter, Write};
use std::time::Instant;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> std::io::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("POINTS must be a number"))
        .unwrap_or(10_000_000);
    let tmp = tempfile::NamedTempFile::new()?;
    let t = Instant::now();
    {
        let mut w = BufWriter::new(tmp.as_file());
        writeln!(
            w,
            "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"many_points\"><trk><type>running</type><trkseg>"
        )?;
        let t0 = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").unwrap();
        for i in 0..n {
            let time = t0 + chrono::Duration::seconds(i as i64);
            let lat = 45.0 + (i % 100_000) as f64 * 1e-5;
            writeln!(
                w,
                "<trkpt lat=\"{lat:.5}\" lon=\"7\"><time>{}</time></trkpt>",
                time.format("%Y-%m-%dT%H:%M:%SZ")
            )?;
        }
        writeln!(w, "</trkseg></trk></gpx>")?;
        w.flush()?;
    }
    let size = tmp.as_file().metadata()?.len();
    println!(
        "generated {n} points, {:.0} MB, in {:.1} s",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mb();
    let bytes = std::fs::read(tmp.path())?;
    let t = Instant::now();
    let result = calfguard::ingest::read_bytes("many.gpx", &bytes);
    let secs = t.elapsed().as_secs_f64();
    match result {
        Ok(acts) => {
            for a in &acts {
                println!(
                    "kept {} samples; elapsed {:?} s; distance {:.0} m; warnings {:?}",
                    a.samples.len(),
                    a.totals.elapsed_s,
                    a.totals.distance_m.unwrap_or(0.0),
                    a.warnings
                );
            }
        }
        Err(e) => println!("error: {e}"),
    }
    println!(
        "read in {secs:.1} s; peak RSS {:.0} MB (before reading: {:.0} MB; the file itself: {:.0} MB)",
        peak_rss_mb().unwrap_or(f64::NAN),
        rss_before.unwrap_or(f64::NAN),
        size as f64 / 1048576.0
    );
    Ok(())
}
