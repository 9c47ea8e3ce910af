//! Cost of the per-activity reduction alone (`summary::summarize`: every per-activity metric),
//! on activities already read into memory, so the figure does not include the readers.
//!
//! Usage: `cargo run --release --example bench_metrics -- DIR [ROUNDS]`
//!
//! Every file under DIR (recursively) is read and parsed once, then `summarize` runs over all of
//! its activities on one thread, best of ROUNDS (default 5). Prints, per format, the time, the
//! samples per second and the cost per 1,000 files.

use calfguard::ingest::read_bytes;
use calfguard::model::{Activity, Format};
use calfguard::summary::{summarize, Context};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("cannot read DIR")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("usage: bench_metrics DIR [ROUNDS]"));
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut paths = Vec::new();
    files_under(&dir, &mut paths);
    // format -> (files, bytes, activities)
    let mut by_format: BTreeMap<&'static str, (usize, usize, Vec<Activity>)> = BTreeMap::new();
    for p in &paths {
        let bytes = fs::read(p).unwrap_or_default();
        let Ok(acts) = read_bytes(&p.to_string_lossy(), &bytes) else {
            continue;
        };
        let Some(first) = acts.first() else { continue };
        let f = match first.format {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
        };
        let e = by_format.entry(f).or_default();
        e.0 += 1;
        e.1 += bytes.len();
        e.2.extend(acts);
    }
    let ctx = Context::new(chrono::Utc::now(), None);
    println!("summarize only (activities already parsed), one thread, best of {rounds} rounds");
    for (format, (files, bytes, acts)) in &by_format {
        let samples: usize = acts.iter().map(|a| a.samples.len()).sum();
        let d = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                for a in acts {
                    std::hint::black_box(summarize(a, &ctx));
                }
                t.elapsed()
            })
            .min()
            .unwrap_or(Duration::ZERO);
        let s = d.as_secs_f64();
        println!(
            "{format}: {files:>5} files {:>7.1} MB {samples:>9} samples {s:>8.3} s {:>8.1} ns/sample {:>7.3} s per 1,000 files {:>8.1} MB/s",
            *bytes as f64 / 1e6,
            s * 1e9 / samples.max(1) as f64,
            s * 1000.0 / (*files).max(1) as f64,
            *bytes as f64 / 1e6 / s
        );
    }
}
