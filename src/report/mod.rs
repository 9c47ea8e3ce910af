//! Reporters: pure data in, files out. Every column named here is a contract that users'
//! scripts rely on: later versions add columns, never rename or drop them.

pub mod chart;
pub mod folder;
pub mod html;
pub mod summary;

use crate::ledger::ErrorRow;
use crate::metrics::record::ActivityRecord;
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
    "moving_s",
    "pace_s_per_km",
    "ascent_m",
    "descent_m",
    "elevation_source",
    "steep_descent_m",
    "steep_descent_dist_m",
    "steep_descent_s",
    "hr_avg_bpm",
    "hr_max_bpm",
    "zone1_s",
    "zone2_s",
    "zone3_s",
    "zone4_s",
    "zone5_s",
    "trimp",
    "trimp_edwards",
    "load",
    "load_source",
    "hard",
    "warmup",
    "warmup_hr_pct",
    "temp_avg_c",
    "temp_max_c",
    "temp_source",
    "hot",
    "heat_minutes",
    "heat_index_c",
    "wbgt_c",
    "heat_band",
    "sweat_loss_l",
    "sweat_loss_pct",
    "electrolytes",
    "cadence_spm",
];

/// The columns of `errors.csv`, in order.
pub const ERROR_COLUMNS: &[&str] = &["source", "kind", "reason", "position", "duplicate_of"];

/// A text cell whose content comes from a file (a file name, device, sport, shoe, a warning
/// quoting the file), made safe for spreadsheets (CSV formula injection, OWASP's rule): a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that
/// Excel, LibreOffice and Google Sheets show it as text instead of running it as a formula.
/// Only text columns go through this; numbers (also negative ones) are written as they are.
pub fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
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

/// Write `activities.csv`; `rows` must already be sorted (start, then source). Text from files
/// is written as spreadsheet-safe text ([`text_cell`]).
pub fn write_activities(path: &Path, rows: &[ActivityRecord]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(ACTIVITY_COLUMNS)?;
    for a in rows {
        let record: Vec<String> = vec![
            text_cell(&a.source),
            a.format.as_str().to_string(),
            text_cell(a.sport.as_str()),
            text_cell(a.sub_sport.as_deref().unwrap_or_default()),
            a.start_utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            a.start_local().format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            a.utc_offset_s.map(|o| o.to_string()).unwrap_or_default(),
            a.tz_source.as_str().to_string(),
            flag(a.date_ok).to_string(),
            text_cell(a.device.as_deref().unwrap_or_default()),
            num(a.elapsed_s, 3),
            num(a.timer_s, 3),
            num(a.distance_m, 2),
            a.samples.to_string(),
            flag(a.has_hr).to_string(),
            flag(a.has_position).to_string(),
            flag(a.has_altitude).to_string(),
            flag(a.has_temperature).to_string(),
            flag(a.salvaged).to_string(),
            text_cell(
                &a.warnings
                    .all()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            text_cell(a.gear.as_deref().unwrap_or_default()),
        ];
        let m = &a.m;
        let opt_flag = |b: Option<bool>| b.map(|b| flag(b).to_string()).unwrap_or_default();
        let zone = |i: usize| num(m.zones_s.map(|z| z[i]), 1);
        let mut record = record;
        record.extend([
            num(m.moving_s, 1),
            num(m.pace_s_per_km, 1),
            num(m.ascent_m, 1),
            num(m.descent_m, 1),
            m.elevation_source.map_or("", |s| s.as_str()).to_string(),
            num(m.steep_descent_m, 1),
            num(m.steep_descent_dist_m, 1),
            num(m.steep_descent_s, 1),
            num(m.hr_avg_bpm, 1),
            num(m.hr_max_bpm, 1),
            zone(0),
            zone(1),
            zone(2),
            zone(3),
            zone(4),
            num(m.trimp, 1),
            num(m.trimp_edwards, 1),
            num(m.load, 1),
            m.load_source
                .map(|s| s.as_str())
                .unwrap_or_default()
                .to_string(),
            opt_flag(m.hard),
            m.warmup.map_or("", |s| s.as_str()).to_string(),
            num(m.warmup_hr_pct, 1),
            num(m.temp_avg_c, 1),
            num(m.temp_max_c, 1),
            m.temp_source.map_or("", |s| s.as_str()).to_string(),
            opt_flag(m.hot),
            num(m.heat_minutes, 1),
            num(m.heat_index_c, 1),
            num(m.wbgt_c, 1),
            m.heat_band.map_or("", |b| b.as_str()).to_string(),
            num(m.sweat_loss_l, 2),
            num(m.sweat_loss_pct, 2),
            opt_flag(m.electrolytes),
            num(m.cadence_spm, 1),
        ]);
        w.write_record(&record)?;
    }
    w.flush()
}

/// Write `athlete.csv`: `key, value, unit, source, note`.
pub fn write_athlete(path: &Path, rows: &[[String; 5]]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["key", "value", "unit", "source", "note"])?;
    for [key, value, unit, source, note] in rows {
        // The value is a number or a text (the athlete's name from the configuration).
        let value = if value.parse::<f64>().is_ok() {
            value.clone()
        } else {
            text_cell(value)
        };
        w.write_record([key, &value, unit, source, &text_cell(note)])?;
    }
    w.flush()
}

/// Write `errors.csv`; `rows` must already be sorted.
pub fn write_errors(path: &Path, rows: &[ErrorRow]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(ERROR_COLUMNS)?;
    for e in rows {
        w.write_record([
            text_cell(&e.source).as_str(),
            e.kind.as_str(),
            text_cell(&e.reason).as_str(),
            text_cell(&e.position).as_str(),
            text_cell(&e.duplicate_of).as_str(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_get_a_quote() {
        for bad in ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert_eq!(text_cell(bad), format!("'{bad}"));
        }
        for good in ["run.fit", "Garmin =x", "", "'quoted"] {
            assert_eq!(text_cell(good), good);
        }
    }

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
