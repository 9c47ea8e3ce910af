//! Memory under hostile exports, measured with a counting allocator (this test binary only):
//! a gzip bomb is refused before much is inflated, the whole-run budget bounds the bytes of
//! files held at once whatever the thread count, and the members of a zip are inflated without
//! a large allocation each (the per-thread inflater is reused). The tests take a lock so that
//! each measures only itself. Full-size runs: `docs/reliability.md`, `scripts/hostile.sh`.

mod common;

use calfguard::ingest::export::{Leaf, Limits, Walker};
use common::gz;
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Allocations of at least `BIG` bytes.
static BIG_ALLOCS: AtomicUsize = AtomicUsize::new(0);
const BIG: usize = 16 << 10;

fn grew(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
            if layout.size() >= BIG {
                BIG_ALLOCS.fetch_add(1, Ordering::Relaxed);
            }
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
            if layout.size() >= BIG {
                BIG_ALLOCS.fetch_add(1, Ordering::Relaxed);
            }
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
            if new_size >= BIG && layout.size() < BIG {
                BIG_ALLOCS.fetch_add(1, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

static SERIAL: Mutex<()> = Mutex::new(());

/// Run `f`; return its result and the most bytes it held at once beyond what was held before.
fn peak_of<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let r = f();
    (r, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

fn len_reader(_: &str, bytes: &[u8]) -> usize {
    bytes.len()
}

fn failure<T>(recs: &[calfguard::ingest::export::LeafRecord<T>]) -> Option<String> {
    recs.iter().find_map(|r| match &r.leaf {
        Leaf::Failed { reason, .. } => Some(reason.clone()),
        _ => None,
    })
}

/// A GPX of two points, starting `k` hours after 2001-01-01 (distinct bytes for each `k`).
fn tiny_gpx(k: usize) -> String {
    let t = |m: usize| {
        let s = 978_307_200 + k as i64 * 3600 + m as i64 * 60;
        chrono::DateTime::from_timestamp(s, 0)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    format!(
        "<?xml version=\"1.0\"?>\n<gpx creator=\"m\" version=\"1.1\"><trk><type>running</type><trkseg>\
         <trkpt lat=\"45\" lon=\"7\"><time>{}</time></trkpt><trkpt lat=\"45.001\" lon=\"7\"><time>{}</time></trkpt>\
         </trkseg></trk></gpx>\n",
        t(0),
        t(1)
    )
}

#[test]
fn a_gzip_bomb_is_refused_after_about_a_megabyte() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // 64 MiB of zeros behind a GPX head: about 64 KB of gzip, a ratio of about 1,000.
    let mut data = b"<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><trkseg>".to_vec();
    data.resize(64 << 20, b' ');
    let bomb = gz(&data);
    drop(data);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let walker = Walker::new(Limits::default(), &len_reader);
    let (recs, peak) = peak_of(|| walker.loose_bytes("bomb.gpx.gz", bomb));
    let reason = failure(&recs).expect("refused");
    assert!(reason.contains("ratio over 200"), "{reason}");
    // Before: inflation went on to 16 MiB (the ratio floor), in a vector that doubled to 32 MiB.
    assert!(peak < 4 << 20, "held {peak} bytes");
}

#[test]
fn the_run_budget_bounds_the_bytes_in_flight_whatever_the_threads() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Eight GPX files of about 600 KB.
    let mut paths = Vec::new();
    for k in 0..8 {
        let mut s = String::from(
            "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><type>running</type><trkseg>\n",
        );
        for i in 0..8_000 {
            writeln!(
                s,
                "<trkpt lat=\"{:.6}\" lon=\"7\"><time>2020-01-{:02}T{:02}:{:02}:{:02}Z</time></trkpt>",
                45.0 + i as f64 * 1e-5,
                k + 1,
                i / 3600,
                i / 60 % 60,
                i % 60
            )
            .unwrap();
        }
        s.push_str("</trkseg></trk></gpx>\n");
        let p = dir.path().join(format!("{k}.gpx"));
        std::fs::write(&p, s).unwrap();
        paths.push(p);
    }
    let size = std::fs::metadata(&paths[0]).unwrap().len();
    assert!(size > 500_000, "{size}");
    let slow_reader = |_: &str, bytes: &[u8]| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        bytes.len()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    let walk = |limits: Limits| {
        let walker = Walker::new(limits, &slow_reader);
        let (lens, peak_heap) = peak_of(|| {
            use rayon::prelude::*;
            pool.install(|| {
                paths
                    .par_iter()
                    .flat_map_iter(|p| walker.file(p, &p.to_string_lossy()))
                    .map(|r| r.bytes)
                    .collect::<Vec<u64>>()
            })
        });
        (lens, walker.peak_in_flight(), peak_heap)
    };
    let budget = size + size / 2;
    let (lens, in_flight, heap) = walk(Limits {
        max_in_flight_bytes: budget,
        ..Limits::default()
    });
    assert_eq!(lens, vec![size; 8]);
    // One file at a time: two never fit in the budget.
    assert!(in_flight <= budget, "{in_flight} > {budget}");
    assert!(heap < (2 * size) as usize + (1 << 20), "heap {heap}");
    // A file larger than the budget is read alone, not refused.
    let (lens, in_flight, _) = walk(Limits {
        max_in_flight_bytes: 1000,
        ..Limits::default()
    });
    assert_eq!(lens, vec![size; 8]);
    assert_eq!(in_flight, size);
}

#[test]
fn zip_members_are_inflated_without_a_large_allocation_each() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let n = 3000;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for k in 0..n {
        w.start_file(format!("activities/{k:05}.gpx"), opts)
            .unwrap();
        w.write_all(tiny_gpx(k).as_bytes()).unwrap();
        w.start_file(format!("meta/{k:05}.json"), opts).unwrap();
        w.write_all(format!("{{\"id\": {k}}}").as_bytes()).unwrap();
    }
    let z = w.finish().unwrap().into_inner();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let walker = Walker::new(Limits::default(), &len_reader);
    let big_before = BIG_ALLOCS.load(Ordering::Relaxed);
    let recs = pool.install(|| walker.loose_bytes("export.zip", z));
    let big = BIG_ALLOCS.load(Ordering::Relaxed) - big_before;
    assert_eq!(recs.len(), 2 * n);
    let parsed = recs
        .iter()
        .filter(|r| matches!(r.leaf, Leaf::Content { .. }))
        .count();
    assert_eq!(parsed, n);
    // Before: a deflate state and window (about 45 KB) for every member, twice for each
    // activity (sniff, then read), about 9,000 here; now one per thread, and the vectors that
    // collect the records.
    assert!(big < 100, "{big} allocations of 16 KiB or more");
}
