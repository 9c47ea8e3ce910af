//! CSV writers for `weeks.csv`, `months.csv` and `flags.csv`. Column names and order are a
//! contract (docs/periods.md, docs/flags.md).

use super::{Month, Totals, Week};
use crate::flags::Flag;
use crate::report::text_cell;
use std::io;
use std::path::Path;

/// `weeks.csv` columns, in order.
pub const WEEK_COLUMNS: [&str; 25] = [
    "period",
    "start_date",
    "runs",
    "distance_m",
    "moving_s",
    "load",
    "load_coverage",
    "longest_run_m",
    "hard_runs",
    "steep_descent_m",
    "heat_minutes",
    "hot_long_runs",
    "strength_sessions",
    "rest_days",
    "ramp_pct",
    "two_week_ramp_pct",
    "acwr",
    "acwr_max",
    "acwr_rolling",
    "monotony",
    "strain",
    "ctl",
    "atl",
    "tsb",
    "flags",
];

/// `months.csv` columns, in order.
pub const MONTH_COLUMNS: [&str; 15] = [
    "period",
    "start_date",
    "runs",
    "distance_m",
    "moving_s",
    "load",
    "load_coverage",
    "longest_run_m",
    "hard_runs",
    "steep_descent_m",
    "heat_minutes",
    "hot_long_runs",
    "strength_sessions",
    "rest_days",
    "ramp_pct",
];

/// `flags.csv` columns, in order.
pub const FLAG_COLUMNS: [&str; 14] = [
    "period",
    "date",
    "code",
    "category",
    "severity",
    "value",
    "threshold",
    "window",
    "coverage",
    "evidence",
    "source",
    "activity",
    "message",
    "advice",
];

/// A number with exactly `decimals` decimals; empty for `None`, NaN or infinity, and `0`
/// (never `-0`) for values that round to zero.
pub fn fixed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                s[1..].to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

fn totals_fields(t: &Totals) -> Vec<String> {
    vec![
        t.runs.to_string(),
        fixed(Some(t.distance_m), 1),
        fixed(Some(t.moving_s), 0),
        fixed(Some(t.load), 1),
        fixed(t.load_coverage, 3),
        fixed(Some(t.longest_run_m), 1),
        t.hard_runs.to_string(),
        fixed(Some(t.steep_descent_m), 1),
        fixed(Some(t.heat_minutes), 1),
        t.hot_long_runs.to_string(),
        t.strength_sessions.to_string(),
        t.rest_days.to_string(),
    ]
}

/// The `weeks.csv` record of one week.
pub fn week_record(w: &Week) -> Vec<String> {
    let mut r = vec![w.period.clone(), w.start_date.to_string()];
    r.extend(totals_fields(&w.totals));
    r.extend([
        fixed(w.ramp_pct, 1),
        fixed(w.two_week_ramp_pct, 1),
        fixed(w.acwr, 3),
        fixed(w.acwr_max, 3),
        fixed(w.acwr_rolling, 3),
        fixed(w.monotony, 3),
        fixed(w.strain, 1),
        fixed(Some(w.ctl), 2),
        fixed(Some(w.atl), 2),
        fixed(Some(w.tsb), 2),
        w.flags.join(";"),
    ]);
    r
}

/// The `flags.csv` record of one flag. The activity (a file name) and the message (which may
/// quote a shoe name) are written as spreadsheet-safe text ([`text_cell`]).
pub fn flag_record(f: &Flag) -> Vec<String> {
    vec![
        f.period.clone(),
        f.date.to_string(),
        f.code.as_str().to_string(),
        f.code.category().as_str().to_string(),
        f.severity.as_str().to_string(),
        fixed(f.value, 2),
        fixed(f.threshold, 2),
        f.window.clone(),
        fixed(f.coverage, 3),
        f.code.evidence().to_string(),
        f.code.source().to_string(),
        text_cell(&f.activity),
        text_cell(&f.message),
        f.code.advice().to_string(),
    ]
}

/// Write `weeks.csv`; `weeks` in period order as [`super::build()`] makes them.
pub fn write_weeks(path: &Path, weeks: &[Week]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(WEEK_COLUMNS)?;
    for week in weeks {
        w.write_record(week_record(week))?;
    }
    w.flush()
}

/// Write `months.csv`.
pub fn write_months(path: &Path, months: &[Month]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(MONTH_COLUMNS)?;
    for m in months {
        let mut r = vec![m.period.clone(), m.start_date.to_string()];
        r.extend(totals_fields(&m.totals));
        r.push(fixed(m.ramp_pct, 1));
        w.write_record(r)?;
    }
    w.flush()
}

/// Write `flags.csv`; `flags` sorted as [`crate::flags::analyse`] returns them.
pub fn write_flags(path: &Path, flags: &[Flag]) -> io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(FLAG_COLUMNS)?;
    for f in flags {
        w.write_record(flag_record(f))?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_never_writes_non_finite_or_negative_zero() {
        assert_eq!(fixed(Some(1.0), 2), "1.00");
        assert_eq!(fixed(Some(1.23456), 3), "1.235");
        assert_eq!(fixed(Some(-0.0001), 2), "0.00");
        assert_eq!(fixed(Some(-0.0), 0), "0");
        assert_eq!(fixed(Some(-1.5), 1), "-1.5");
        assert_eq!(fixed(Some(f64::NAN), 2), "");
        assert_eq!(fixed(Some(f64::NEG_INFINITY), 2), "");
        assert_eq!(fixed(None, 2), "");
    }
}
