//! What the chart shows: one column per week (or month), in display units, and which columns
//! get a date label. Pure data; [`super::draw`] draws it.

use super::{MAX_WEEKS, MAX_X_LABELS};
use crate::flags::{Flag, NotJudged, Severity};
use crate::periods::{Month, Week};
use crate::report::format;
use crate::units::Units;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// One column of the chart, in display units.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Column {
    pub(super) start: NaiveDate,
    pub(super) distance: f64,
    pub(super) longest: f64,
    pub(super) descent: f64,
    pub(super) heat_min: f64,
    pub(super) acwr: Option<f64>,
    pub(super) severity: Option<Severity>,
}

/// What will be drawn: the columns and how the time axis is labelled.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Plan {
    pub(super) monthly: bool,
    pub(super) columns: Vec<Column>,
    /// Column indices that get a date label.
    pub(super) labelled: Vec<usize>,
    /// Label format (`chrono` strftime).
    pub(super) label_format: &'static str,
    pub(super) distance_unit: &'static str,
    pub(super) descent_unit: &'static str,
    /// When some columns' heat was not judged (their bars are left out): the note drawn in the
    /// heat strip, e.g. "heat not judged in 16 weeks: the wrist sensor reads skin heat, ...".
    pub(super) heat_note: Option<String>,
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

pub(super) fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MAX)
}

/// Index of the column holding `date`, if any; `starts` sorted, `end(i)` exclusive.
pub(super) fn column_of(
    starts: &[NaiveDate],
    date: NaiveDate,
    end: impl Fn(NaiveDate) -> NaiveDate,
) -> Option<usize> {
    let i = starts.partition_point(|s| *s <= date).checked_sub(1)?;
    (date < end(starts[i])).then_some(i)
}

pub(super) fn plan(
    weeks: &[Week],
    months: &[Month],
    flags: &[Flag],
    not_judged: &[NotJudged],
    units: Units,
) -> Plan {
    let monthly = weeks.len() > MAX_WEEKS && !months.is_empty();
    // Weeks whose heat was not judged (by ISO label), and why.
    let mut unjudged: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in not_judged.iter().filter(|n| n.is_heat()) {
        unjudged
            .entry(n.period.as_str())
            .or_default()
            .push(n.why.as_str());
    }
    let unjudged_weeks: Vec<&Week> = weeks
        .iter()
        .filter(|w| unjudged.contains_key(w.period.as_str()))
        .collect();
    let mut columns: Vec<Column> = if monthly {
        let mut ms: Vec<&Month> = months.iter().collect();
        ms.sort_by_key(|m| m.start_date);
        ms.iter()
            .map(|m| {
                let end = next_month(m.start_date);
                // A month's ratio: the highest Sunday ratio of the weeks starting in it.
                let acwr = weeks
                    .iter()
                    .filter(|w| w.start_date >= m.start_date && w.start_date < end)
                    .filter_map(|w| w.acwr.filter(|a| a.is_finite()))
                    .fold(None, |acc: Option<f64>, a| {
                        Some(acc.map_or(a, |b| b.max(a)))
                    });
                let mut c = column(m.start_date, &m.totals, acwr, units);
                // A month's heat minutes are its own total: any week touching the month whose
                // heat was not judged leaves the whole month without a bar.
                let touched = unjudged_weeks.iter().any(|w| {
                    w.start_date < end && w.start_date + chrono::Duration::days(7) > m.start_date
                });
                if touched {
                    c.heat_min = 0.0;
                }
                c
            })
            .collect()
    } else {
        let mut ws: Vec<&Week> = weeks.iter().collect();
        ws.sort_by_key(|w| w.start_date);
        ws.iter()
            .map(|w| {
                let mut c = column(w.start_date, &w.totals, w.acwr, units);
                if unjudged.contains_key(w.period.as_str()) {
                    c.heat_min = 0.0;
                }
                c
            })
            .collect()
    };
    let heat_note = (!unjudged_weeks.is_empty()).then(|| {
        let reasons: BTreeSet<&str> = unjudged_weeks
            .iter()
            .flat_map(|w| unjudged[w.period.as_str()].iter().copied())
            .collect();
        let n = unjudged_weeks.len();
        format!(
            "heat not judged in {n} week{}: {}",
            if n == 1 { "" } else { "s" },
            reasons.into_iter().collect::<Vec<_>>().join("; ")
        )
    });
    let starts: Vec<NaiveDate> = columns.iter().map(|c| c.start).collect();
    for f in flags {
        let i = if monthly {
            column_of(&starts, f.date, next_month)
        } else {
            column_of(&starts, f.date, |s| s + chrono::Duration::days(7))
        };
        if let Some(i) = i {
            let c = &mut columns[i];
            c.severity = Some(c.severity.map_or(f.severity, |s| s.max(f.severity)));
        }
    }
    let (labelled, label_format) = labels(&starts, monthly);
    Plan {
        monthly,
        columns,
        labelled,
        label_format,
        distance_unit: format::distance_unit(units),
        descent_unit: format::elevation_unit(units),
        heat_note,
    }
}

pub(super) fn column(
    start: NaiveDate,
    t: &crate::periods::Totals,
    acwr: Option<f64>,
    units: Units,
) -> Column {
    Column {
        start,
        distance: format::distance_value(finite(t.distance_m), units),
        longest: format::distance_value(finite(t.longest_run_m), units),
        descent: format::elevation_value(finite(t.steep_descent_m), units),
        heat_min: finite(t.heat_minutes),
        acwr: acwr.filter(|a| a.is_finite()),
        severity: None,
    }
}

/// Which columns get a date label: every `step`-th, with `step` the smallest of a few calendar
/// strides that keeps at most [`MAX_X_LABELS`] labels; months are aligned to the calendar
/// (quarters, half-years, years).
pub(super) fn labels(starts: &[NaiveDate], monthly: bool) -> (Vec<usize>, &'static str) {
    let strides: &[usize] = if monthly {
        &[1, 2, 3, 6, 12, 24, 60, 120, 240]
    } else {
        &[1, 2, 4, 8, 13, 26, 52]
    };
    let pick = |step: usize| -> Vec<usize> {
        (0..starts.len())
            .filter(|&i| {
                if monthly {
                    let m = starts[i].year() as i64 * 12 + starts[i].month0() as i64;
                    m.rem_euclid(step as i64) == 0
                } else {
                    i % step == 0
                }
            })
            .collect()
    };
    for &step in strides {
        let l = pick(step);
        if l.len() <= MAX_X_LABELS {
            let format = if monthly && step % 12 == 0 {
                "%Y"
            } else if monthly {
                "%Y-%m"
            } else {
                "%Y-%m-%d"
            };
            return (l, format);
        }
    }
    // More than MAX_X_LABELS × 240 months: label evenly.
    let step = starts.len().div_ceil(MAX_X_LABELS);
    ((0..starts.len()).step_by(step).collect(), "%Y")
}
