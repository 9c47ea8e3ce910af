//! Throughput of the FIT reader: `cargo run --release --example fit_speed [DIR ...]`.
//!
//! Reads every `.fit` file of the given directories (default `fixtures/real`) into memory, then
//! times (a) a plain pass over the bytes (a checksum, the floor for any reader), (b) `read_fit`
//! on each file (the fast record path), (c) `read_fit_reference` (the same reader with `record`
//! messages decoded by fitparser's deserializer) and (d) `fitparser::from_bytes` (every message
//! profile-decoded), each repeated until at least one second has passed, on one thread.
use std::time::{Duration, Instant};

fn main() {
    let mut dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        dirs.push("fixtures/real".to_string());
    }
    let mut files = Vec::new();
    for d in &dirs {
        let Ok(rd) = std::fs::read_dir(d) else {
            eprintln!("cannot read {d}");
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("fit")) {
                if let Ok(b) = std::fs::read(&p) {
                    files.push((p.display().to_string(), b));
                }
            }
        }
    }
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} FIT files, {mb:.2} MB", files.len());

    let time = |f: &mut dyn FnMut() -> u64| {
        let start = Instant::now();
        let mut rounds = 0u32;
        let mut sink = 0u64;
        while start.elapsed() < Duration::from_secs(1) || rounds == 0 {
            sink = sink.wrapping_add(f());
            rounds += 1;
        }
        (
            start.elapsed().as_secs_f64() / f64::from(rounds),
            sink / u64::from(rounds),
        )
    };
    let (t_bytes, s1) = time(&mut || {
        files
            .iter()
            .map(|(_, b)| {
                b.iter()
                    .fold(0u64, |a, x| a.wrapping_mul(31).wrapping_add(u64::from(*x)))
            })
            .fold(0, u64::wrapping_add)
    });
    let (t_read, s2) = time(&mut || {
        files
            .iter()
            .map(|(n, b)| match calfguard::ingest::fit::read_fit(n, b) {
                Ok(acts) => acts.iter().map(|a| a.samples.len() as u64).sum(),
                Err(_) => 0,
            })
            .sum()
    });
    let limits = calfguard::ingest::ReadLimits::default();
    let (t_ref, s4) = time(&mut || {
        files
            .iter()
            .map(
                |(n, b)| match calfguard::ingest::fit::read_fit_reference(n, b, &limits) {
                    Ok(acts) => acts.iter().map(|a| a.samples.len() as u64).sum(),
                    Err(_) => 0,
                },
            )
            .sum()
    });
    // For comparison: fitparser's own `from_bytes`, which runs `decode_message` on every message
    // (and stops at the first error).
    let (t_full, s3) = time(&mut || {
        files
            .iter()
            .map(|(_, b)| fitparser::from_bytes(b).map_or(0, |r| r.len() as u64))
            .sum()
    });
    let n = files.len() as f64;
    println!(
        "reading the bytes: {:8.2} ms per pass, {:9.0} files/s, {:8.1} MB/s (checksum {s1:x})",
        t_bytes * 1e3,
        n / t_bytes,
        mb / t_bytes
    );
    println!(
        "read_fit:          {:8.2} ms per pass, {:9.0} files/s, {:8.1} MB/s ({s2} records per pass)",
        t_read * 1e3,
        n / t_read,
        mb / t_read
    );
    println!(
        "read_fit_reference (records via fitparser): {:8.2} ms per pass, {:9.0} files/s, {:8.1} MB/s ({s4} records per pass)",
        t_ref * 1e3,
        n / t_ref,
        mb / t_ref
    );
    println!(
        "fitparser::from_bytes (all messages decoded): {:8.2} ms per pass, {:9.0} files/s, {:8.1} MB/s ({s3} messages)",
        t_full * 1e3,
        n / t_full,
        mb / t_full
    );
    println!(
        "read_fit is {:.1}x read_fit_reference and {:.1}x fitparser::from_bytes",
        t_ref / t_read,
        t_full / t_read
    );
}
