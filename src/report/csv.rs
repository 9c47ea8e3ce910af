//! The CSV files of the report: `activities.csv`, `errors.csv`, `weeks.csv`, `months.csv`,
//! `flags.csv` and `athlete.csv`. Every column named here is a contract that users' scripts rely
//! on: later versions add columns, never rename or drop them. Numbers are SI (the unit is in the
//! column name) whatever `--units` says; text taken from files is spreadsheet-safe
//! ([`text_cell`]).

use super::format::{num, render};
use crate::athlete::{Origin, Profile};
use crate::flags::Flag;
use crate::ledger::ErrorRow;
use crate::metrics::record::ActivityRecord;
use crate::model::Sex;
use crate::periods::{Month, Totals, Week};
use crate::units::Units;
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
    "hard_hr_min",
    "surges",
    "race",
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
        w.write_record(activity_record(a))?;
    }
    w.flush()
}

/// The `activities.csv` record of one activity ([`ACTIVITY_COLUMNS`]).
pub fn activity_record(a: &ActivityRecord) -> Vec<String> {
    {
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
            num(m.hard_hr_min, 1),
            m.surges.map_or(String::new(), |n| n.to_string()),
            opt_flag(m.race),
        ]);
        record
    }
}

/// Write `athlete.csv`: `key, value, unit, source, note`, one row per profile value.
pub fn write_athlete(path: &Path, profile: &Profile) -> io::Result<()> {
    let rows = athlete_rows(profile);
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(["key", "value", "unit", "source", "note"])?;
    for [key, value, unit, source, note] in &rows {
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
pub const FLAG_COLUMNS: [&str; 15] = [
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
    "headline",
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
        text_cell(&render(&f.message, Units::Metric)),
        f.code.advice().to_string(),
        f.headline.to_string(),
    ]
}

/// Write `weeks.csv`; `weeks` in period order as [`crate::periods::build()`] makes them.
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
        w.write_record(month_record(m))?;
    }
    w.flush()
}

/// The `months.csv` record of one month.
pub fn month_record(m: &Month) -> Vec<String> {
    let mut r = vec![m.period.clone(), m.start_date.to_string()];
    r.extend(totals_fields(&m.totals));
    r.push(fixed(m.ramp_pct, 1));
    r
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

/// The rows of `athlete.csv`: `key, value, unit, source, note`.
fn athlete_rows(p: &Profile) -> Vec<[String; 5]> {
    let row = |k: &str, v: String, unit: &str, o: Origin, note: &str| {
        [
            k.to_string(),
            v,
            unit.to_string(),
            o.as_str().to_string(),
            note.to_string(),
        ]
    };
    vec![
        row(
            "name",
            p.name.clone().unwrap_or_default(),
            "",
            if p.name.is_some() {
                Origin::Config
            } else {
                Origin::Unknown
            },
            "",
        ),
        row(
            "hr_max_bpm",
            num(p.hr_max_bpm.value, 1),
            "bpm",
            p.hr_max_bpm.origin,
            &p.hr_max_bpm.note,
        ),
        row(
            "hr_rest_bpm",
            num(p.hr_rest_bpm.value, 1),
            "bpm",
            p.hr_rest_bpm.origin,
            &p.hr_rest_bpm.note,
        ),
        row(
            "sex",
            match p.sex.value {
                Some(Sex::Female) => "female".into(),
                Some(Sex::Male) => "male".into(),
                None => String::new(),
            },
            "",
            p.sex.origin,
            &p.sex.note,
        ),
        row(
            "birth_year",
            p.birth_year
                .value
                .map(|y| y.to_string())
                .unwrap_or_default(),
            "",
            p.birth_year.origin,
            &p.birth_year.note,
        ),
        row(
            "weight_kg",
            num(p.weight_kg.value, 1),
            "kg",
            p.weight_kg.origin,
            &p.weight_kg.note,
        ),
        row(
            "height_cm",
            num(p.height_cm.value, 1),
            "cm",
            p.height_cm.origin,
            &p.height_cm.note,
        ),
        row(
            "threshold_pace_s_per_km",
            num(p.threshold_pace_s_per_km.value, 1),
            "s/km",
            p.threshold_pace_s_per_km.origin,
            &p.threshold_pace_s_per_km.note,
        ),
    ]
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
