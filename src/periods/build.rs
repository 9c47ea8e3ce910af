//! Builders: facts → continuous daily series, ISO weeks and calendar months.

use super::series::{self, Pmc};
use super::{ActivityFacts, PeriodParams};
use crate::model::LoadSource;
use chrono::{Datelike, Duration, NaiveDate};

/// `2026-W07`: ISO week-year and week number of `date`.
pub fn iso_week_label(date: NaiveDate) -> String {
    let w = date.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// `2026-02`: calendar month of `date`.
pub fn month_label(date: NaiveDate) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

/// Monday of the ISO week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

/// Totals of one period (week or month), all from activities with a trusted date.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Number of runs.
    pub runs: u32,
    /// Running distance, metres.
    pub distance_m: f64,
    /// Running moving time, seconds.
    pub moving_s: f64,
    /// Load of every sport.
    pub load: f64,
    /// Fraction of the period's activities (every sport) whose load source is heart rate;
    /// `None` without activities.
    pub load_coverage: Option<f64>,
    /// Longest run, metres.
    pub longest_run_m: f64,
    /// Number of hard runs.
    pub hard_runs: u32,
    /// Steep descent of runs, metres.
    pub steep_descent_m: f64,
    /// Minutes in heat, every sport.
    pub heat_minutes: f64,
    /// Runs that were both hot and long ([`PeriodParams::is_hot`], [`PeriodParams::is_long`]).
    pub hot_long_runs: u32,
    /// Number of strength sessions.
    pub strength_sessions: u32,
    /// Days of the period without any activity.
    pub rest_days: u32,
}

impl Totals {
    fn of(acts: &[&ActivityFacts], days: u32, th: &PeriodParams) -> Totals {
        let mut t = Totals::default();
        let mut hr = 0usize;
        let mut active_days: Vec<NaiveDate> = Vec::new();
        for a in acts {
            active_days.push(a.local_date);
            t.load += a.load.unwrap_or(0.0);
            if a.load_source == Some(LoadSource::Hr) {
                hr += 1;
            }
            t.heat_minutes += a.heat_minutes.unwrap_or(0.0);
            if a.is_strength {
                t.strength_sessions += 1;
            }
            if a.is_run {
                t.runs += 1;
                let d = a.distance_m.unwrap_or(0.0);
                t.distance_m += d;
                t.moving_s += a.moving_s.unwrap_or(0.0);
                t.longest_run_m = t.longest_run_m.max(d);
                t.hard_runs += u32::from(a.hard);
                t.steep_descent_m += a.steep_descent_m.unwrap_or(0.0);
                t.hot_long_runs += u32::from(th.is_hot(a) && th.is_long(a));
            }
        }
        if !acts.is_empty() {
            t.load_coverage = Some(hr as f64 / acts.len() as f64);
        }
        active_days.sort();
        active_days.dedup();
        t.rest_days = days.saturating_sub(active_days.len() as u32);
        t
    }
}

/// One ISO week (Monday to Sunday); one row of `weeks.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Week {
    /// `2026-W07`.
    pub period: String,
    /// The Monday.
    pub start_date: NaiveDate,
    /// The week's totals.
    pub totals: Totals,
    /// Running distance change vs the previous week, %.
    pub ramp_pct: Option<f64>,
    /// This and the previous week's running distance vs the two weeks before, %.
    pub two_week_ramp_pct: Option<f64>,
    /// EWMA acute:chronic ratio on the Sunday.
    pub acwr: Option<f64>,
    /// Highest EWMA acute:chronic ratio of the week's days.
    pub acwr_max: Option<f64>,
    /// Rolling 7/28-day ratio on the Sunday.
    pub acwr_rolling: Option<f64>,
    /// Foster monotony of the week's daily load.
    pub monotony: Option<f64>,
    /// Foster strain: weekly load × monotony.
    pub strain: Option<f64>,
    /// Fitness at the end of the Sunday.
    pub ctl: f64,
    /// Fatigue at the end of the Sunday.
    pub atl: f64,
    /// Form on the Sunday (CTL − ATL at the end of the Saturday).
    pub tsb: f64,
    /// Codes of the flags raised in the week, sorted, unique.
    pub flags: Vec<String>,
}

impl Week {
    /// The Sunday.
    pub fn end_date(&self) -> NaiveDate {
        self.start_date + Duration::days(6)
    }
}

/// One calendar month; one row of `months.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Month {
    /// `2026-02`.
    pub period: String,
    /// The first day.
    pub start_date: NaiveDate,
    /// The month's totals.
    pub totals: Totals,
    /// Running distance change vs the previous month, %.
    pub ramp_pct: Option<f64>,
}

/// The continuous daily series, from the Monday of the first week with data to the Sunday of
/// the last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Daily {
    /// Date of index 0 (a Monday).
    pub start: NaiveDate,
    /// Load per day, every sport (0 without activity).
    pub load: Vec<f64>,
    /// Running distance per day, metres.
    pub run_m: Vec<f64>,
    /// Whether the day had any activity.
    pub active: Vec<bool>,
    /// EWMA acute:chronic ratio per day.
    pub acwr: Vec<Option<f64>>,
    /// Rolling 7/28 ratio per day.
    pub acwr_rolling: Vec<Option<f64>>,
    /// Fitness, fatigue and form per day.
    pub pmc: Vec<Pmc>,
}

impl Daily {
    /// Index of `date`, if inside the series.
    pub fn index(&self, date: NaiveDate) -> Option<usize> {
        let i = (date - self.start).num_days();
        (i >= 0 && (i as usize) < self.load.len()).then_some(i as usize)
    }

    /// Date of index `i`.
    pub fn date(&self, i: usize) -> NaiveDate {
        self.start + Duration::days(i as i64)
    }
}

/// Everything [`build`] makes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Periods {
    /// Activities with a trusted date, sorted by (local date, start, source).
    pub facts: Vec<ActivityFacts>,
    /// Activities left out because their date is not trusted.
    pub left_out: usize,
    /// The daily series.
    pub daily: Daily,
    /// Every ISO week from the first to the last with data.
    pub weeks: Vec<Week>,
    /// Every calendar month from the first to the last with data.
    pub months: Vec<Month>,
}

/// Sort key that makes every output independent of the input order.
pub fn sort_facts(facts: &mut [ActivityFacts]) {
    facts.sort_by(|a, b| {
        (a.local_date, a.start_utc, &a.source, a.end_utc).cmp(&(
            b.local_date,
            b.start_utc,
            &b.source,
            b.end_utc,
        ))
    });
}

/// The facts with a local date in `from..=to`; `facts` must be sorted by local date
/// ([`sort_facts`]).
pub fn facts_between(facts: &[ActivityFacts], from: NaiveDate, to: NaiveDate) -> &[ActivityFacts] {
    let a = facts.partition_point(|f| f.local_date < from);
    let b = facts.partition_point(|f| f.local_date <= to);
    &facts[a..b.max(a)]
}

/// Build the daily series, weeks and months (week `flags` are left empty; the flag rules fill
/// them). Activities with `date_ok = false` are left out and counted.
pub fn build(facts: &[ActivityFacts], th: &PeriodParams) -> Periods {
    let mut kept: Vec<ActivityFacts> = facts.iter().filter(|f| f.date_ok).cloned().collect();
    let left_out = facts.len() - kept.len();
    sort_facts(&mut kept);
    let (Some(first), Some(last)) = (kept.first(), kept.last()) else {
        return Periods {
            left_out,
            ..Default::default()
        };
    };
    let start = week_start(first.local_date);
    let end = week_start(last.local_date) + Duration::days(6);
    let n = (end - start).num_days() as usize + 1;

    let mut daily = Daily {
        start,
        load: vec![0.0; n],
        run_m: vec![0.0; n],
        active: vec![false; n],
        ..Default::default()
    };
    for f in &kept {
        let i = (f.local_date - start).num_days() as usize;
        daily.load[i] += f.load.unwrap_or(0.0);
        if f.is_run {
            daily.run_m[i] += f.distance_m.unwrap_or(0.0);
        }
        daily.active[i] = true;
    }
    daily.acwr = series::acwr_ewma(&daily.load);
    daily.acwr_rolling = series::acwr_rolling(&daily.load);
    daily.pmc = series::banister(&daily.load);

    let weeks = build_weeks(&kept, &daily, th);
    let months = build_months(&kept, th);
    Periods {
        facts: kept,
        left_out,
        daily,
        weeks,
        months,
    }
}

fn build_weeks(kept: &[ActivityFacts], daily: &Daily, th: &PeriodParams) -> Vec<Week> {
    let n_weeks = daily.load.len() / 7;
    let mut weeks: Vec<Week> = Vec::with_capacity(n_weeks);
    for w in 0..n_weeks {
        let start_date = daily.start + Duration::days(7 * w as i64);
        let end_date = start_date + Duration::days(6);
        let acts: Vec<&ActivityFacts> = facts_between(kept, start_date, end_date).iter().collect();
        let days = &daily.load[7 * w..7 * w + 7];
        let last = 7 * w + 6;
        let dist = |k: usize| weeks.get(k).map(|x: &Week| x.totals.distance_m);
        let totals = Totals::of(&acts, 7, th);
        let ramp_pct = w
            .checked_sub(1)
            .and_then(dist)
            .and_then(|prev| series::change_pct(totals.distance_m, prev));
        let two_week_ramp_pct = if w >= 3 {
            let now = totals.distance_m + weeks[w - 1].totals.distance_m;
            let before = weeks[w - 2].totals.distance_m + weeks[w - 3].totals.distance_m;
            series::change_pct(now, before)
        } else {
            None
        };
        let acwr_max = daily.acwr[7 * w..=last]
            .iter()
            .flatten()
            .copied()
            .max_by(f64::total_cmp);
        let pmc = daily.pmc[last];
        weeks.push(Week {
            period: iso_week_label(start_date),
            start_date,
            ramp_pct,
            two_week_ramp_pct,
            acwr: daily.acwr[last],
            acwr_max,
            acwr_rolling: daily.acwr_rolling[last],
            monotony: series::monotony(days),
            strain: series::strain(days),
            ctl: pmc.ctl,
            atl: pmc.atl,
            tsb: pmc.tsb,
            totals,
            flags: Vec::new(),
        });
    }
    weeks
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of month")
}

fn build_months(kept: &[ActivityFacts], th: &PeriodParams) -> Vec<Month> {
    let (Some(first), Some(last)) = (kept.first(), kept.last()) else {
        return Vec::new();
    };
    let mut months: Vec<Month> = Vec::new();
    let mut start = first.local_date.with_day(1).expect("day 1");
    while start <= last.local_date {
        let next = next_month(start);
        let acts: Vec<&ActivityFacts> = facts_between(kept, start, next - Duration::days(1))
            .iter()
            .collect();
        let days = (next - start).num_days() as u32;
        let totals = Totals::of(&acts, days, th);
        let ramp_pct = months
            .last()
            .and_then(|p| series::change_pct(totals.distance_m, p.totals.distance_m));
        months.push(Month {
            period: month_label(start),
            start_date: start,
            totals,
            ramp_pct,
        });
        start = next;
    }
    months
}
