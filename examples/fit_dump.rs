//! Print what the FIT reader makes of each file given on the command line (debugging aid).
fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        match calfguard::ingest::read_bytes(&path, &bytes) {
            Ok(acts) => {
                for a in acts {
                    let n = a.samples.len();
                    let first = a.samples.iter().find_map(|s| s.time_utc_ms);
                    let last = a.samples.iter().rev().find_map(|s| s.time_utc_ms);
                    let f = |ms: Option<i64>| {
                        ms.and_then(calfguard::model::utc_from_ms)
                            .map(|t| t.to_rfc3339())
                    };
                    println!(
                        "{path}: {} sub={:?} start={} n={n} first={:?} last={:?} dev={:?} dist={:?} timer={:?} el={:?} laps={} off={:?} ath={:?} salv={:?} warn={:?}",
                        a.sport, a.sub_sport, a.start_utc, f(first), f(last), a.device, a.totals.distance_m,
                        a.totals.timer_s, a.totals.elapsed_s, a.laps.len(), a.utc_offset_s, a.athlete, a.salvaged, a.warnings
                    );
                    if std::env::var("DUMP").is_ok() {
                        for s in a.samples.iter().take(3) {
                            println!("   {s:?}");
                        }
                        if let Some(s) = a.samples.iter().rev().find(|s| s.power_w.is_some()) {
                            println!("   last power {s:?}");
                        }
                    }
                }
            }
            Err(e) => println!("{path}: {e}"),
        }
    }
}
