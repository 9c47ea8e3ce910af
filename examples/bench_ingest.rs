//! Throughput of the parser layer on one core, next to a plain read of the same bytes.
//!
//! Usage: `cargo run --release --example bench_ingest -- DIR [ROUNDS]`
//!
//! For every file under DIR (recursively) it measures, on one thread, best of ROUNDS (default 3):
//! 1. a plain read of the bytes (`fs::read`), the floor;
//! 2. fitparser's stream deserializer alone over FIT files (`deserialize_next`, no decoding), the
//!    part of fitparser we cannot avoid;
//! 3. `ingest::read_bytes` (read + parse into `Activity` values), per format;
//! 4. read + parse + `summarize` (what the pipeline does per file).
//!
//! It prints files/s and MB/s for each, per format.

use calfguard::ingest::{detect_format, read_bytes};
use calfguard::model::Format;
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

fn best<F: FnMut()>(rounds: usize, mut f: F) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn line(label: &str, n: usize, bytes: usize, d: Duration) {
    let s = d.as_secs_f64();
    println!(
        "{label:<44} {n:>6} files {:>8.1} MB {:>9.3} s {:>9.0} files/s {:>8.1} MB/s",
        bytes as f64 / 1e6,
        s,
        n as f64 / s,
        bytes as f64 / 1e6 / s
    );
}

fn fit_deserialize_only(bytes: &[u8]) -> usize {
    let mut p = fitparser::de::FitStreamProcessor::new();
    let mut rest = bytes;
    let mut n = 0;
    while !rest.is_empty() {
        match p.deserialize_next(rest) {
            Ok((r, obj)) => {
                if let fitparser::de::FitObject::Crc(_) = obj {
                    p.reset();
                }
                rest = r;
                n += 1;
            }
            Err(_) => break,
        }
    }
    n
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("usage: bench_ingest DIR [ROUNDS]"));
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut paths = Vec::new();
    files_under(&dir, &mut paths);
    let mut by_format: BTreeMap<&'static str, Vec<PathBuf>> = BTreeMap::new();
    for p in &paths {
        let head = fs::read(p).unwrap_or_default();
        let f = match detect_format(&head) {
            Some(Format::Fit) => "fit",
            Some(Format::Gpx) => "gpx",
            Some(Format::Tcx) => "tcx",
            None => continue,
        };
        by_format.entry(f).or_default().push(p.clone());
    }
    let ctx = Context::new(chrono::Utc::now(), None);
    println!("one thread, best of {rounds} rounds, warm page cache");
    for (format, files) in &by_format {
        let total: usize = files
            .iter()
            .map(|p| fs::metadata(p).map(|m| m.len() as usize).unwrap_or(0))
            .sum();
        let n = files.len();
        let read = best(rounds, || {
            for p in files {
                std::hint::black_box(fs::read(p).unwrap_or_default());
            }
        });
        line(&format!("{format}: plain read"), n, total, read);
        if *format == "fit" {
            let de = best(rounds, || {
                for p in files {
                    let b = fs::read(p).unwrap_or_default();
                    std::hint::black_box(fit_deserialize_only(&b));
                }
            });
            line("fit: read + fitparser deserialize_next only", n, total, de);
        }
        let parse = best(rounds, || {
            for p in files {
                let b = fs::read(p).unwrap_or_default();
                let _ = std::hint::black_box(read_bytes(&p.to_string_lossy(), &b));
            }
        });
        line(
            &format!("{format}: read + calfguard reader"),
            n,
            total,
            parse,
        );
        let reduce = best(rounds, || {
            for p in files {
                let b = fs::read(p).unwrap_or_default();
                if let Ok(acts) = read_bytes(&p.to_string_lossy(), &b) {
                    for a in &acts {
                        std::hint::black_box(summarize(a, &ctx));
                    }
                }
            }
        });
        line(
            &format!("{format}: read + reader + summary"),
            n,
            total,
            reduce,
        );
    }
}
