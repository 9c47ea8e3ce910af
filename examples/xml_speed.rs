//! Throughput of calfguard's GPX/TCX readers against a bare quick-xml token scan of the same
//! bytes (the floor any streaming reader pays), and, for GPX, against the `gpx` crate (a DOM-like
//! reader that builds its own structs).
//!
//! Run: `cargo run --release --example xml_speed -- <files...>`

use std::time::{Duration, Instant};

/// Count the events of a plain `quick_xml::Reader` over the bytes: no decoding, no allocation.
fn bare_scan(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut n = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => n += 1,
        }
    }
    n
}

/// Run `f` repeatedly for at least `budget` (and at least 3 times); best time of one run.
fn best_of(budget: Duration, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let start = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0;
    let mut out = 0;
    while runs < 3 || start.elapsed() < budget {
        let t = Instant::now();
        out = std::hint::black_box(f());
        best = best.min(t.elapsed());
        runs += 1;
    }
    (best, out)
}

fn mbps(len: usize, d: Duration) -> f64 {
    len as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    // `--ours-only`: time only calfguard's readers (for profiling).
    let ours_only = files.iter().any(|f| f == "--ours-only");
    files.retain(|f| f != "--ours-only");
    if files.is_empty() {
        eprintln!("usage: xml_speed <file.gpx|file.tcx>...");
        std::process::exit(2);
    }
    let budget = Duration::from_millis(300);
    let (mut total_bytes, mut total_scan, mut total_ours) =
        (0usize, Duration::ZERO, Duration::ZERO);
    println!(
        "{:<48} {:>8} {:>10} {:>10} {:>7} {:>10} {:>6}",
        "file", "KB", "scan MB/s", "ours MB/s", "ratio", "gpx MB/s", "points"
    );
    for path in files {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        let (scan, _) = if ours_only {
            (Duration::from_nanos(1), 0)
        } else {
            best_of(budget, || bare_scan(&bytes))
        };
        let is_tcx =
            calfguard::ingest::detect_format(&bytes) == Some(calfguard::model::Format::Tcx);
        let (ours, points) = best_of(budget, || {
            let r = if is_tcx {
                calfguard::ingest::tcx::read_tcx(&name, &bytes)
            } else {
                calfguard::ingest::gpx::read_gpx(&name, &bytes)
            };
            r.map(|acts| acts.iter().map(|a| a.samples.len()).sum())
                .unwrap_or(0)
        });
        let gpx_crate = if is_tcx || ours_only {
            "-".to_string()
        } else {
            let (d, ok) = best_of(budget, || usize::from(gpx::read(&bytes[..]).is_ok()));
            if ok == 1 {
                format!("{:.1}", mbps(bytes.len(), d))
            } else {
                "error".to_string()
            }
        };
        total_bytes += bytes.len();
        total_scan += scan;
        total_ours += ours;
        println!(
            "{:<48} {:>8.0} {:>10.1} {:>10.1} {:>7.2} {:>10} {:>6}",
            name,
            bytes.len() as f64 / 1024.0,
            mbps(bytes.len(), scan),
            mbps(bytes.len(), ours),
            ours.as_secs_f64() / scan.as_secs_f64(),
            gpx_crate,
            points
        );
    }
    if !ours_only {
        println!(
            "{:<48} {:>8.0} {:>10.1} {:>10.1} {:>7.2}",
            "all files (total bytes / total time)",
            total_bytes as f64 / 1024.0,
            mbps(total_bytes, total_scan),
            mbps(total_bytes, total_ours),
            total_ours.as_secs_f64() / total_scan.as_secs_f64()
        );
    }
}
