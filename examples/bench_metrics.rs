//! Cost of the per-activity reduction (`summary::summarize`: every per-activity metric) next to
//! the reader, on one thread, in wall-clock and in CPU time.
//!
//! Usage: `cargo run --release --example bench_metrics -- DIR [ROUNDS]`
//!
//! For every file under DIR (recursively), per format, best of ROUNDS (default 5):
//! 1. `reader`: `fs::read` + `ingest::read_bytes`;
//! 2. `reader + summary`: the same, then `summarize` of every activity (what the pipeline does
//!    per file, as `examples/bench_ingest.rs` measures it);
//! 3. `summary only`: `summarize` over activities parsed beforehand (their samples come from
//!    memory, not from the cache the reader just filled).
//!
//! Each line gives the wall-clock time and the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`):
//! on a shared machine the CPU time is the steadier figure (time spent waiting for a core is
//! not in it). MB/s are of the files' bytes, per CPU second.

use calfguard::app::{summarize, Context};
use calfguard::ingest::read_bytes;
use calfguard::model::{Activity, Format};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// CPU time of this thread, seconds.
fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid, exclusively borrowed `ts`.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Best of `rounds` runs of `f`: (wall seconds, CPU seconds), each the minimum over the rounds.
fn best(rounds: usize, mut f: impl FnMut()) -> (f64, f64) {
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..rounds {
        let (t, c) = (Instant::now(), thread_cpu_s());
        f();
        cpu = cpu.min(thread_cpu_s() - c);
        wall = wall.min(t.elapsed().as_secs_f64());
    }
    (wall, cpu)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().expect("usage: bench_metrics DIR [ROUNDS]"));
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut paths = Vec::new();
    files_under(&dir, &mut paths);
    // format -> (paths, bytes, activities)
    let mut by_format: BTreeMap<&'static str, (Vec<PathBuf>, usize, Vec<Activity>)> =
        BTreeMap::new();
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
        e.0.push(p.clone());
        e.1 += bytes.len();
        e.2.extend(acts);
    }
    let ctx = Context::new(chrono::Utc::now(), None);
    // The time-zone finder is built on first use: not part of any measurement.
    if let Some(a) = by_format.values().flat_map(|e| e.2.first()).next() {
        summarize(a, &ctx);
    }
    println!("one thread, best of {rounds} rounds; MB/s per CPU second");
    for (format, (files, bytes, acts)) in &by_format {
        let (n, mb) = (files.len(), *bytes as f64 / 1e6);
        let samples: usize = acts.iter().map(|a| a.samples.len()).sum();
        println!("{format}: {n} files, {mb:.1} MB, {samples} samples");
        let line = |label: &str, (wall, cpu): (f64, f64)| {
            println!(
                "  {label:<18} wall {wall:>7.3} s  cpu {cpu:>7.3} s  {:>7.1} MB/s  {:>6.1} ns/sample  {:>6.3} s per 1,000 files",
                mb / cpu,
                cpu * 1e9 / samples.max(1) as f64,
                cpu * 1000.0 / n.max(1) as f64
            );
        };
        let reader = best(rounds, || {
            for p in files {
                let b = fs::read(p).unwrap_or_default();
                let _ = std::hint::black_box(read_bytes(&p.to_string_lossy(), &b));
            }
        });
        line("reader", reader);
        let both = best(rounds, || {
            for p in files {
                let b = fs::read(p).unwrap_or_default();
                if let Ok(acts) = read_bytes(&p.to_string_lossy(), &b) {
                    for a in &acts {
                        std::hint::black_box(summarize(a, &ctx));
                    }
                }
            }
        });
        line("reader + summary", both);
        let only = best(rounds, || {
            for a in acts {
                std::hint::black_box(summarize(a, &ctx));
            }
        });
        line("summary only", only);
    }
}
