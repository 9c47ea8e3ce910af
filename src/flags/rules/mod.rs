//! The rules, one file per family. Each takes the built periods and pushes flags and "not
//! judged" notes; [`FAMILIES`] is the list [`run_all`] runs. A new family is one file here, its
//! line in [`FAMILIES`] and its codes' rows in [`super::CODES`].

mod downhill;
mod footwear;
mod heat;
mod overtraining;
mod strength;
mod warmup;

use super::{Code, Flag, Message, Severity, Thresholds};
use crate::model::LoadSource;
use crate::periods::{iso_week_label, ActivityFacts, Periods, Week};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// What the rules produce.
#[derive(Default)]
pub(super) struct Out {
    pub flags: Vec<Flag>,
    /// (period, code, why) for rules that could not be judged.
    pub skipped: BTreeSet<(String, Code, String)>,
}

impl Out {
    fn skip(&mut self, date: NaiveDate, code: Code, why: &str) {
        self.skipped
            .insert((iso_week_label(date), code, why.to_string()));
    }
}

/// Where the usable history of each day starts: the first activity, or the first activity
/// after a break of `break_days` or more days without any activity.
struct History {
    first: NaiveDate,
    /// (segment start, days of the break before it; 0 for the first segment)
    segments: Vec<(NaiveDate, i64)>,
    history_days: i64,
}

impl History {
    fn new(p: &Periods, th: &Thresholds) -> Option<History> {
        let dates: BTreeSet<NaiveDate> = p.facts.iter().map(|f| f.local_date).collect();
        let first = *dates.first()?;
        let mut segments = vec![(first, 0)];
        let mut prev = first;
        for &d in dates.iter().skip(1) {
            let idle = (d - prev).num_days() - 1;
            if idle >= th.break_days {
                segments.push((d, idle));
            }
            prev = d;
        }
        Some(History {
            first,
            segments,
            history_days: th.history_days,
        })
    }

    /// `Err(why)` when ramps and ratios cannot be judged on `date`.
    fn judged(&self, date: NaiveDate) -> Result<(), String> {
        let (start, idle) = self
            .segments
            .iter()
            .rev()
            .find(|(s, _)| *s <= date)
            .copied()
            .unwrap_or((self.first, 0));
        if (date - start).num_days() >= self.history_days {
            return Ok(());
        }
        if idle == 0 {
            Err(format!(
                "first {} days of data (data start {}): too little history for ramps and ratios",
                self.history_days, start
            ))
        } else {
            Err(format!(
                "less than {} days since a break of {} days without activity (ended {}): ramps and ratios restart",
                self.history_days, idle, start
            ))
        }
    }

    /// Like [`Self::judged`], but only the start of the data counts (breaks do not).
    fn judged_since_start(&self, date: NaiveDate) -> Result<(), String> {
        if (date - self.first).num_days() >= self.history_days {
            Ok(())
        } else {
            Err(format!(
                "first {} days of data (data start {}): too little history",
                self.history_days, self.first
            ))
        }
    }
}

fn minutes(f: &ActivityFacts) -> f64 {
    f.duration_s() / 60.0
}

/// `part / all` as a fraction, `None` when `all` is 0.
fn fraction(part: usize, all: usize) -> Option<f64> {
    (all > 0).then(|| part as f64 / all as f64)
}

struct Ctx<'a> {
    p: &'a Periods,
    th: &'a Thresholds,
    hist: History,
}

impl Ctx<'_> {
    /// Activities with a local date in `from..=to` (facts are sorted by local date).
    fn in_range(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &ActivityFacts> {
        crate::periods::build::facts_between(&self.p.facts, from, to).iter()
    }

    fn runs_in(&self, from: NaiveDate, to: NaiveDate) -> Vec<&ActivityFacts> {
        self.in_range(from, to).filter(|f| f.is_run).collect()
    }

    fn hr_coverage(&self, from: NaiveDate, to: NaiveDate) -> Option<f64> {
        let acts: Vec<_> = self.in_range(from, to).collect();
        let hr = acts
            .iter()
            .filter(|f| f.load_source == Some(LoadSource::Hr))
            .count();
        fraction(hr, acts.len())
    }

    fn week_flag(&self, w: &Week, code: Code, severity: Severity) -> Flag {
        Flag {
            period: w.period.clone(),
            date: w.end_date(),
            code,
            severity,
            value: None,
            threshold: None,
            window: String::new(),
            coverage: None,
            activity: String::new(),
            message: Message::default(),
            activity_start_local: None,
            activity_distance_m: None,
            headline: false,
        }
    }

    fn run_flag(&self, f: &ActivityFacts, code: Code, severity: Severity) -> Flag {
        Flag {
            period: iso_week_label(f.local_date),
            date: f.local_date,
            code,
            severity,
            value: None,
            threshold: None,
            window: "run".to_string(),
            coverage: None,
            activity: f.source.clone(),
            message: Message::default(),
            activity_start_local: Some(f.local_start),
            activity_distance_m: f.distance_m,
            headline: false,
        }
    }
}

/// A family of rules.
type Family = fn(&Ctx, &mut Out);

/// Every family, in documentation order.
const FAMILIES: [Family; 6] = [
    overtraining::run,
    warmup::run,
    heat::run,
    downhill::run,
    strength::run,
    footwear::run,
];

pub(super) fn run_all(p: &Periods, th: &Thresholds, out: &mut Out) {
    let Some(hist) = History::new(p, th) else {
        return;
    };
    let cx = Ctx { p, th, hist };
    for family in FAMILIES {
        family(&cx, out);
    }
}
