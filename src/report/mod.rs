//! Reporters: pure data in, files out. Every column named here is a contract that users'
//! scripts rely on: later versions add columns, never rename or drop them.

pub mod chart;
pub mod folder;
pub mod html;

use crate::summary::ActivitySummary;
use std::io;
use std::path::Path;

/// The columns of `activities.csv`, in order.
pub const ACTIVITY_COLUMNS: &[&str] = &[
    "source",
    "format",
    "sport",
    "sub_sport",
    "start_utc",
    "start_local",
    "utc_offset_s",
    "tz_source",
    "date_ok",
    "device",
    "elapsed_s",
    "timer_s",
    "distance_m",
    "samples",
    "has_hr",
    "has_position",
    "has_altitude",
    "has_temperature",
    "salvaged",
    "warnings",
    "gear",
];

/// The columns of `errors.csv`, in order.
pub const ERROR_COLUMNS: &[&str] = &["source", "kind", "reason", "position", "duplicate_of"];

/// What happened to a file that is not simply analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// Nothing usable could be read.
    Failed,
    /// Not an activity.
    Skipped,
    /// Kept what came before a break (also in activities.csv).
    Salvaged,
    /// Same content as another file, or the same run as a richer recording: analysed once.
    Duplicate,
    /// Overlaps another recording in time but is not the same run: both kept.
    Conflict,
}

impl ErrorKind {
    /// The name used in `errors.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Failed => "failed",
            ErrorKind::Skipped => "skipped",
            ErrorKind::Salvaged => "salvaged",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Conflict => "conflict",
        }
    }
}

/// One row of `errors.csv`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ErrorRow {
    /// The file (or archive member).
    pub source: String,
    /// What happened.
    pub kind: ErrorKind,
    /// Why, in plain words.
    pub reason: String,
    /// Where in the file (`byte 0x..`, `line L:C`), if known.
    pub position: String,
    /// For duplicates: the source that was analysed instead.
    pub duplicate_of: String,
}

/// Format a number with at most `decimals` decimals, trailing zeros trimmed; empty for
/// `None`, NaN or infinity, so no non-finite value ever reaches a CSV.
pub fn num(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            if s == "-0" {
                "0".to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Write `activities.csv`; `rows` must already be sorted (start, then source).
pub fn write_activities(path: &Path, rows: &[ActivitySummary]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(ACTIVITY_COLUMNS)?;
    for a in rows {
        let record: Vec<String> = vec![
            a.source.clone(),
            a.format.as_str().to_string(),
            a.sport.as_str().to_string(),
            a.sub_sport.clone().unwrap_or_default(),
            a.start_utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            a.start_local().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            a.utc_offset_s.map(|o| o.to_string()).unwrap_or_default(),
            a.tz_source.as_str().to_string(),
            flag(a.date_ok).to_string(),
            a.device.clone().unwrap_or_default(),
            num(a.elapsed_s, 3),
            num(a.timer_s, 3),
            num(a.distance_m, 2),
            a.samples.to_string(),
            flag(a.has_hr).to_string(),
            flag(a.has_position).to_string(),
            flag(a.has_altitude).to_string(),
            flag(a.has_temperature).to_string(),
            flag(a.salvaged).to_string(),
            a.warnings.join("; "),
            a.gear.clone().unwrap_or_default(),
        ];
        w.write_record(&record)?;
    }
    w.flush()
}

/// Write `errors.csv`; `rows` must already be sorted.
pub fn write_errors(path: &Path, rows: &[ErrorRow]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(ERROR_COLUMNS)?;
    for e in rows {
        w.write_record([
            e.source.as_str(),
            e.kind.as_str(),
            e.reason.as_str(),
            e.position.as_str(),
            e.duplicate_of.as_str(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_finite_and_trimmed() {
        assert_eq!(num(Some(10000.0), 2), "10000");
        assert_eq!(num(Some(1.23456), 3), "1.235");
        assert_eq!(num(Some(-0.0001), 2), "0");
        assert_eq!(num(Some(f64::NAN), 2), "");
        assert_eq!(num(Some(f64::INFINITY), 2), "");
        assert_eq!(num(None, 2), "");
    }
}
