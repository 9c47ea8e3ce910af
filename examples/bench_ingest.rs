//! Throughput of the parser layer on one core, next to a plain read of the same bytes.
//!
//! Usage: `cargo run --release --example bench_ingest -- DIR [ROUNDS]`
//!
//! For every file under DIR (recursively) it measures, on one thread, best of ROUNDS (default 3):
//! 1. a plain read of the bytes (`fs::read`), the floor;
//! 2. for FIT files, fitparser alone: its full decode (`fitparser::from_bytes`, every message
//!    profile-decoded) and its stream deserializer alone (`deserialize_next`, no decoding);
//! 3. for FIT files, our reader with `record` messages decoded by fitparser's deserializer
//!    (`read_fit_reference`, the reader before the fast path);
//! 4. `ingest::read_bytes` (read + parse into `Activity` values), per format: for FIT the fast
//!    record path;
//! 5. read + parse + `summarize` (what the pipeline does per file).
//!
//! It prints files/s and MB/s per CPU second of the measuring thread (one core's throughput, also
//! on a loaded machine) and MB/s of wall time, for each, per format, and for FIT the ratios of the fast path to
//! fitparser and to the official Garmin FIT SDK for Python (1.4 MB/s, measured on one core for
//! issue 15, see `docs/performance.md`; `scripts/fit_sdk_speed.py` measures it again).

use calfguard::app::{summarize, Context};
use calfguard::ingest::{detect_format, read_bytes};
use calfguard::model::Format;
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

/// CPU time of this thread: on a shared machine it says what one core did, whatever the load.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` into the valid pointer given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Best of `rounds`: (wall time, CPU time of this thread).
fn best<F: FnMut()>(rounds: usize, mut f: F) -> (Duration, Duration) {
    (0..rounds)
        .map(|_| {
            let (t, c) = (Instant::now(), thread_cpu());
            f();
            (t.elapsed(), thread_cpu() - c)
        })
        .min()
        .unwrap_or_default()
}

/// The official Garmin FIT SDK for Python (`garmin-fit-sdk`), MB/s on one core, as recorded in
/// `docs/performance.md`.
const GARMIN_PYTHON_SDK_MB_S: f64 = 1.4;

/// MB per CPU second.
fn mb_s(bytes: usize, (_, cpu): (Duration, Duration)) -> f64 {
    bytes as f64 / 1e6 / cpu.as_secs_f64()
}

/// The CPU-time figure is what one core does (on an idle machine both columns agree).
fn line(label: &str, n: usize, bytes: usize, (wall, cpu): (Duration, Duration)) {
    let s = cpu.as_secs_f64();
    println!(
        "{label:<46} {n:>6} files {:>7.1} MB {:>8.3} s CPU {:>7.0} files/s {:>7.1} MB/s (wall {:>6.1} MB/s)",
        bytes as f64 / 1e6,
        s,
        n as f64 / s,
        bytes as f64 / 1e6 / s,
        bytes as f64 / 1e6 / wall.as_secs_f64()
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
    println!(
        "one thread, best of {rounds} rounds, warm page cache; MB/s per CPU second of the thread"
    );
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
        let mut fit_times = None;
        if *format == "fit" {
            let full = best(rounds, || {
                for p in files {
                    let b = fs::read(p).unwrap_or_default();
                    let _ = std::hint::black_box(fitparser::from_bytes(&b));
                }
            });
            line(
                "fit: read + fitparser full decode (from_bytes)",
                n,
                total,
                full,
            );
            let de = best(rounds, || {
                for p in files {
                    let b = fs::read(p).unwrap_or_default();
                    std::hint::black_box(fit_deserialize_only(&b));
                }
            });
            line("fit: read + fitparser deserialize_next only", n, total, de);
            let limits = calfguard::ingest::ReadLimits::default();
            let reference = best(rounds, || {
                for p in files {
                    let b = fs::read(p).unwrap_or_default();
                    let _ = std::hint::black_box(calfguard::ingest::fit::read_fit_reference(
                        &p.to_string_lossy(),
                        &b,
                        &limits,
                    ));
                }
            });
            line(
                "fit: read + reader, records via fitparser",
                n,
                total,
                reference,
            );
            fit_times = Some((full, de, reference));
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
        if let Some((full, de, reference)) = fit_times {
            let fast = mb_s(total, parse);
            println!(
                "fit: fast-path reader is {:.1}x fitparser's full decode, {:.1}x its bare \
                 deserializer, {:.1}x the reader with records via fitparser, {:.0}x the Garmin \
                 Python SDK ({GARMIN_PYTHON_SDK_MB_S} MB/s); with the summary {:.0}x the SDK",
                fast / mb_s(total, full),
                fast / mb_s(total, de),
                fast / mb_s(total, reference),
                fast / GARMIN_PYTHON_SDK_MB_S,
                mb_s(total, reduce) / GARMIN_PYTHON_SDK_MB_S,
            );
        }
    }
}
