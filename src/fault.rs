//! Test seams: named points where the hidden environment variable `CALFGUARD_FAULT` makes the
//! process fail the way a test needs (a kill at a chosen moment, a run held in its analysis, a
//! panicking metric). Without the variable each seam is one environment lookup and does nothing.
//! Every layer may call it; it imports only [`crate::interrupt`].
//!
//! | `CALFGUARD_FAULT` | effect |
//! |---|---|
//! | `<point>` | [`abort_at`]`(point)` aborts the process, as a kill would |
//! | `pause-<point>` | [`pause_at`]`(point)` waits until a signal arrives (at most two minutes) |
//! | `hang-<point>` | [`pause_at`]`(point)` sleeps two minutes whatever arrives |
//! | `panic-<point>:<name>` | [`panic_at`]`(point, source)` panics when `source`'s file name is `name` |
//!
//! Beside it, `CALFGUARD_NO_EXCHANGE` (any value) makes the report folder's swap take the
//! fallback of two renames, as where `renameat2` is missing (`report::folder`).

use std::time::Duration;

/// The variable's name.
pub const VAR: &str = "CALFGUARD_FAULT";

fn value() -> Option<String> {
    std::env::var(VAR).ok()
}

/// Abort the process here when `CALFGUARD_FAULT` is `point` (kill-safety tests).
pub fn abort_at(point: &str) {
    if value().is_some_and(|v| v == point) {
        std::process::abort();
    }
}

/// Hold the run here (interrupt tests): `pause-<point>` waits until a signal sets the interrupt
/// flag (at most two minutes); `hang-<point>` sleeps two minutes whatever arrives (a step that
/// does not poll the flag: only a second signal ends it early).
pub fn pause_at(point: &str) {
    let Some(v) = value() else {
        return;
    };
    let step = Duration::from_millis(10);
    if v.strip_prefix("pause-") == Some(point) {
        for _ in 0..12_000 {
            if crate::interrupt::requested() {
                return;
            }
            std::thread::sleep(step);
        }
    } else if v.strip_prefix("hang-") == Some(point) {
        std::thread::sleep(Duration::from_secs(120));
    }
}

/// Panic here when `CALFGUARD_FAULT` is `panic-<point>:<name>` and the file name of `source`
/// (after the last `/`, `\` or `!`) is `name`: a stand-in for a bug that only one file triggers.
pub fn panic_at(point: &str, source: &str) {
    let Some(v) = value() else {
        return;
    };
    let Some((p, name)) = v.strip_prefix("panic-").and_then(|r| r.split_once(':')) else {
        return;
    };
    let file = source.rsplit(['/', '\\', '!']).next().unwrap_or(source);
    if p == point && file == name {
        panic!("{VAR}: panic at {point} for {file}");
    }
}
