//! The weekly summary as JSON (`calfguard summary --format json`), for home dashboards and
//! notification scripts. The same week, flags, headline and notes as the Markdown summary
//! ([`super::summary::WeekView`]); numbers in SI with the unit in the key's name, rounded as in
//! the CSV files; messages in the chosen units. Schema (every key): `docs/summary-json.md`.
//! The keys come out in the order of the structs below, so the output is deterministic.

use super::csv::fixed;
use super::format::{flag_unit, render};
use super::summary::{input, SummaryInput, WeekView};
use super::Report;
use crate::flags::{Flag, Severity};
use crate::periods::iso_week_label;
use crate::units::Units;
use serde::Serialize;

/// The version of the JSON layout: raised when a key is renamed, removed or changes meaning
/// (adding keys does not raise it).
pub const SCHEMA_VERSION: u32 = 1;

/// Which week a run reports and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeekChoice {
    /// `--week`.
    Option,
    /// The default: the last complete week before now, or the last week with data when the
    /// data ends before it ([`Report::instead_of`] tells which).
    Default,
}

/// What the run adds to the report: how the week was chosen, `--fail-on` and the exit code
/// it implies (computed by the caller, `crate::exit::of`).
#[derive(Clone, Copy, Debug)]
pub struct RunFacts {
    /// `--week` or the default.
    pub week: WeekChoice,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// The exit code of the run.
    pub exit_code: u8,
}

#[derive(Serialize)]
struct Summary<'a> {
    schema_version: u32,
    units: &'static str,
    athlete: Option<&'a str>,
    week: WeekJson,
    data_end: Option<String>,
    totals: Option<Totals>,
    headline: Option<FlagJson>,
    flags: Vec<FlagJson>,
    not_judged: Vec<NotJudgedJson>,
    files: Files,
    fail_on: Option<&'static str>,
    exit_code: u8,
}

#[derive(Serialize)]
struct WeekJson {
    label: String,
    monday: String,
    sunday: String,
    chosen: &'static str,
    default_week: Option<String>,
}

#[derive(Serialize)]
struct Totals {
    runs: u32,
    distance_m: Option<f64>,
    moving_s: Option<f64>,
    longest_run_m: Option<f64>,
    hard_runs: u32,
    load: Option<f64>,
    acwr: Option<f64>,
    ramp_pct: Option<f64>,
    steep_descent_m: Option<f64>,
    heat_min: Option<f64>,
    strength_sessions: u32,
    sessions_without_samples: u32,
}

#[derive(Serialize)]
struct FlagJson {
    code: &'static str,
    category: &'static str,
    severity: &'static str,
    date: String,
    value: Option<f64>,
    threshold: Option<f64>,
    unit: &'static str,
    window: String,
    message: String,
    advice: &'static str,
    evidence: &'static str,
    source: &'static str,
    activity_source: Option<String>,
    activity_start_local: Option<String>,
    activity_distance_m: Option<f64>,
    headline: bool,
}

#[derive(Serialize)]
struct NotJudgedJson {
    codes: Vec<String>,
    period: String,
    why: String,
}

#[derive(Serialize)]
struct Files {
    found: usize,
    analysed: usize,
    salvaged: usize,
    skipped: usize,
    failed: usize,
    duplicate: usize,
    conflicts: usize,
    activities: usize,
    listed_without_file: usize,
    listed_strength: usize,
}

/// A number rounded to `decimals` as the CSV files write it ([`fixed`]); `None` for NaN or
/// infinity, so that the JSON and the CSV of a run hold the same numbers.
fn round(v: Option<f64>, decimals: usize) -> Option<f64> {
    fixed(v, decimals).parse().ok()
}

fn flag(f: &Flag, headline: bool, u: Units) -> FlagJson {
    FlagJson {
        code: f.code.as_str(),
        category: f.code.category().as_str(),
        severity: f.severity.as_str(),
        date: f.date.to_string(),
        value: round(f.value, 2),
        threshold: round(f.threshold, 2),
        // The unit of the stored numbers, as flags.csv holds them (metric).
        unit: flag_unit(f.code.unit(), Units::Metric).0,
        window: f.window.clone(),
        message: render(&f.message, u),
        advice: f.code.advice(),
        evidence: f.code.evidence(),
        source: f.code.source(),
        activity_source: (!f.activity.is_empty()).then(|| f.activity.clone()),
        activity_start_local: f
            .activity_start_local
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
        activity_distance_m: round(f.activity_distance_m, 1),
        headline,
    }
}

/// The summary of `r`'s week as pretty-printed JSON (ending with a newline).
pub fn summary_json(r: &Report, run: RunFacts) -> String {
    let label = iso_week_label(r.week);
    let x = input(r, &label, None);
    let json = build(&x, r, run);
    let mut s = serde_json::to_string_pretty(&json).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

fn build<'a>(x: &'a SummaryInput<'a>, r: &Report, run: RunFacts) -> Summary<'a> {
    let u = x.units;
    let (label, monday) = x.week;
    let view = WeekView::of(x);
    let totals = view.week.map(|w| {
        let t = &w.totals;
        Totals {
            runs: t.runs,
            distance_m: round(Some(t.distance_m), 1),
            moving_s: round(Some(t.moving_s), 0),
            longest_run_m: round(Some(t.longest_run_m), 1),
            hard_runs: t.hard_runs,
            load: round(Some(t.load), 1),
            acwr: round(w.acwr, 3),
            ramp_pct: round(w.ramp_pct, 1),
            steep_descent_m: round(Some(t.steep_descent_m), 1),
            heat_min: round(Some(t.heat_minutes), 1),
            strength_sessions: t.strength_sessions,
            sessions_without_samples: x.no_samples,
        }
    });
    let mut flags: Vec<FlagJson> = Vec::new();
    if let Some(h) = view.headline {
        flags.push(flag(h, true, u));
    }
    flags.extend(view.others.iter().map(|f| flag(f, false, u)));
    let c = r.counts;
    Summary {
        schema_version: SCHEMA_VERSION,
        units: u.as_str(),
        athlete: x.profile.name.as_deref(),
        week: WeekJson {
            label: label.to_string(),
            monday: monday.to_string(),
            sunday: (monday + chrono::Duration::days(6)).to_string(),
            chosen: match (run.week, x.instead_of) {
                (WeekChoice::Option, _) => "week_option",
                (WeekChoice::Default, None) => "default",
                (WeekChoice::Default, Some(_)) => "last_with_data",
            },
            default_week: x.instead_of.map(iso_week_label),
        },
        data_end: x.data_end.map(|d| d.to_string()),
        totals,
        headline: view.headline.map(|h| flag(h, true, u)),
        flags,
        not_judged: view
            .notes
            .iter()
            .map(|n| NotJudgedJson {
                codes: n
                    .what
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                period: n.period.clone(),
                why: n.why.clone(),
            })
            .collect(),
        files: Files {
            found: c.found,
            analysed: c.analysed,
            salvaged: c.salvaged,
            skipped: c.skipped,
            failed: c.failed,
            duplicate: c.duplicate,
            conflicts: c.conflicts,
            activities: c.activities,
            listed_without_file: c.listed_without_file,
            listed_strength: c.listed_strength,
        },
        fail_on: run.fail_on.map(Severity::as_str),
        exit_code: run.exit_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_as_in_the_csv_and_never_nan() {
        assert_eq!(round(Some(73_088.649), 1), Some(73_088.6));
        assert_eq!(round(Some(-0.0001), 2), Some(0.0));
        assert_eq!(round(Some(f64::NAN), 3), None);
        assert_eq!(round(Some(f64::INFINITY), 1), None);
        assert_eq!(round(None, 1), None);
        let s = serde_json::to_string(&round(Some(f64::NAN), 1)).unwrap();
        assert_eq!(s, "null");
    }
}
