//! The rules. Each takes the built periods and pushes flags and "not judged" notes.

use super::{Code, Flag, Severity, Thresholds};
use crate::model::{HeatBand, LoadSource, WarmupStatus};
use crate::periods::series;
use crate::periods::{iso_week_label, ActivityFacts, Periods, Week};
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

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

fn km(m: f64) -> f64 {
    m / 1000.0
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
            message: String::new(),
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
            message: String::new(),
        }
    }
}

pub(super) fn run_all(p: &Periods, th: &Thresholds, out: &mut Out) {
    let Some(hist) = History::new(p, th) else {
        return;
    };
    let cx = Ctx { p, th, hist };
    spike(&cx, out);
    ramps(&cx, out);
    acwr(&cx, out);
    monotony_strain(&cx, out);
    warmup(&cx, out);
    heat(&cx, out);
    acclimatisation(&cx, out);
    downhill(&cx, out);
    strength(&cx, out);
    footwear(&cx, out);
}

/// OT-SPIKE (Frandsen 2025): run distance vs the longest run of the previous 30 days.
fn spike(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    // Longest single run per day.
    let mut longest: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for f in cx.p.facts.iter().filter(|f| f.is_run) {
        if let Some(d) = f.distance_m {
            let e = longest.entry(f.local_date).or_insert(0.0);
            *e = e.max(d);
        }
    }
    for f in cx.p.facts.iter().filter(|f| f.is_run) {
        let Some(dist) = f.distance_m.filter(|d| *d > 0.0) else {
            continue;
        };
        if let Err(why) = cx.hist.judged(f.local_date) {
            out.skip(f.local_date, Code::OtSpike, &why);
            continue;
        }
        let from = f.local_date - Duration::days(th.spike_window_days);
        let to = f.local_date - Duration::days(1);
        let Some(reference) = longest
            .range(from..=to)
            .map(|(_, d)| *d)
            .max_by(f64::total_cmp)
            .filter(|d| *d > 0.0)
        else {
            out.skip(
                f.local_date,
                Code::OtSpike,
                &format!(
                    "no run in the {} days before to compare with",
                    th.spike_window_days
                ),
            );
            continue;
        };
        let over = dist / reference - 1.0;
        let (severity, tier) = if over > th.spike_high {
            (Severity::High, th.spike_high)
        } else if over > th.spike_medium {
            (Severity::Medium, th.spike_medium)
        } else if over > th.spike_low {
            (Severity::Low, th.spike_low)
        } else {
            continue;
        };
        let runs = cx.runs_in(from, f.local_date);
        let known = runs.iter().filter(|r| r.distance_m.is_some()).count();
        let mut flag = cx.run_flag(f, Code::OtSpike, severity);
        flag.value = Some(over * 100.0);
        flag.threshold = Some(tier * 100.0);
        flag.window = format!("{} days before the run", th.spike_window_days);
        flag.coverage = fraction(known, runs.len());
        flag.message = format!(
            "This {:.1} km run was {:.0}% longer than your longest run of the previous {} days ({:.1} km).",
            km(dist),
            over * 100.0,
            th.spike_window_days,
            km(reference)
        );
        out.flags.push(flag);
    }
}

/// Fraction of the runs in `weeks` (consecutive) that have a distance.
fn distance_coverage(cx: &Ctx, weeks: &[Week]) -> Option<f64> {
    let (Some(a), Some(b)) = (weeks.first(), weeks.last()) else {
        return None;
    };
    let runs = cx.runs_in(a.start_date, b.end_date());
    let known = runs.iter().filter(|r| r.distance_m.is_some()).count();
    fraction(known, runs.len())
}

/// OT-RAMP10 (Buist 2008) and OT-RAMP2W (Nielsen 2014).
fn ramps(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    for (i, w) in weeks.iter().enumerate() {
        if w.totals.runs == 0 {
            continue;
        }
        if let Err(why) = cx.hist.judged(w.end_date()) {
            out.skip(w.start_date, Code::OtRamp10, &why);
            out.skip(w.start_date, Code::OtRamp2w, &why);
            continue;
        }
        if i >= 1 {
            let prev = weeks[i - 1].totals.distance_m;
            if let Some(r) = w.ramp_pct {
                if prev >= th.ramp_min_base_m && r > th.ramp_weekly_pct {
                    let mut f = cx.week_flag(w, Code::OtRamp10, Severity::Low);
                    f.value = Some(r);
                    f.threshold = Some(th.ramp_weekly_pct);
                    f.window = "week vs previous week".to_string();
                    f.coverage = distance_coverage(cx, &weeks[i - 1..=i]);
                    f.message = format!(
                        "Weekly running distance rose {:.0}% from {:.1} km to {:.1} km.",
                        r,
                        km(prev),
                        km(w.totals.distance_m)
                    );
                    out.flags.push(f);
                }
            }
        }
        if i >= 3 {
            let before = weeks[i - 2].totals.distance_m + weeks[i - 3].totals.distance_m;
            let now = w.totals.distance_m + weeks[i - 1].totals.distance_m;
            if let Some(r) = w.two_week_ramp_pct {
                if before >= 2.0 * th.ramp_min_base_m && r > th.ramp_two_week_pct {
                    let mut f = cx.week_flag(w, Code::OtRamp2w, Severity::Medium);
                    f.value = Some(r);
                    f.threshold = Some(th.ramp_two_week_pct);
                    f.window = "2 weeks vs the 2 weeks before".to_string();
                    f.coverage = distance_coverage(cx, &weeks[i - 3..=i]);
                    f.message = format!(
                        "Running distance of the last two weeks ({:.1} km) was {:.0}% above the two weeks before ({:.1} km).",
                        km(now),
                        r,
                        km(before)
                    );
                    out.flags.push(f);
                }
            }
        }
    }
}

/// OT-ACWR (Williams 2017 EWMA): the week's highest ratio on a judged day.
fn acwr(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let d = &cx.p.daily;
    for w in &cx.p.weeks {
        let i0 = d.index(w.start_date).expect("week inside the series");
        let mut best: Option<(usize, f64)> = None;
        let mut any_active = false;
        for i in i0..i0 + 7 {
            any_active |= d.active[i];
            if let Err(why) = cx.hist.judged(d.date(i)) {
                if d.active[i] {
                    out.skip(d.date(i), Code::OtAcwr, &why);
                }
                continue;
            }
            if let Some(r) = d.acwr[i] {
                if best.is_none_or(|(_, b)| r > b) {
                    best = Some((i, r));
                }
            }
        }
        let Some((i, r)) = best.filter(|(_, r)| *r > th.acwr_max) else {
            continue;
        };
        if !any_active {
            continue;
        }
        let date = d.date(i);
        let mut f = cx.week_flag(w, Code::OtAcwr, Severity::Low);
        f.date = date;
        f.value = Some(r);
        f.threshold = Some(th.acwr_max);
        f.window = "EWMA 7 d / 28 d (Williams)".to_string();
        f.coverage = cx.hr_coverage(date - Duration::days(27), date);
        f.message = format!(
            "Acute:chronic load ratio (EWMA) reached {:.2} on {} (rolling 7/28-day ratio {}).",
            r,
            date,
            d.acwr_rolling[i].map_or("n/a".to_string(), |x| format!("{x:.2}"))
        );
        out.flags.push(f);
    }
}

/// OT-MONOTONY and OT-STRAIN (Foster 1998).
fn monotony_strain(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    for (i, w) in weeks.iter().enumerate() {
        let coverage = cx.hr_coverage(w.start_date, w.end_date());
        if let Some(m) = w.monotony.filter(|m| *m > th.monotony_max) {
            let mut f = cx.week_flag(w, Code::OtMonotony, Severity::Low);
            f.value = Some(m);
            f.threshold = Some(th.monotony_max);
            f.window = "7 days".to_string();
            f.coverage = coverage;
            f.message = format!(
                "Daily load was very uniform this week: monotony {:.2} ({} rest days, weekly load {:.0}).",
                m, w.totals.rest_days, w.totals.load
            );
            out.flags.push(f);
        }
        let Some(strain) = w.strain else { continue };
        if let Err(why) = cx.hist.judged(w.end_date()) {
            out.skip(w.start_date, Code::OtStrain, &why);
            continue;
        }
        let past: Vec<f64> = weeks[i.saturating_sub(th.strain_history_weeks)..i]
            .iter()
            .filter_map(|x| x.strain)
            .collect();
        if past.len() < th.strain_min_weeks {
            out.skip(
                w.start_date,
                Code::OtStrain,
                &format!(
                    "fewer than {} of the previous {} weeks have a strain value",
                    th.strain_min_weeks, th.strain_history_weeks
                ),
            );
            continue;
        }
        let limit = series::percentile(&past, th.strain_percentile).expect("non-empty");
        if strain > limit {
            let mut f = cx.week_flag(w, Code::OtStrain, Severity::Medium);
            f.value = Some(strain);
            f.threshold = Some(limit);
            f.window = format!("week vs previous {} weeks", th.strain_history_weeks);
            f.coverage = coverage;
            f.message = format!(
                "Training strain {:.0} was above your own {:.0}th percentile of the previous {} weeks ({:.0}).",
                strain,
                th.strain_percentile,
                past.len(),
                limit
            );
            out.flags.push(f);
        }
    }
}

/// WU-NONE and WU-SHORT: hard runs without an adequate warm-up. An easy (not hard, not
/// strength) activity that ended at most 15 minutes before the start (1 minute of overlap
/// tolerated for clock differences) is the run's warm-up.
fn warmup(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let facts = &cx.p.facts;
    for h in facts.iter().filter(|f| f.is_run && f.hard) {
        let status = match h.warmup {
            Some(WarmupStatus::Adequate | WarmupStatus::Unknown) | None => continue,
            Some(s) => s,
        };
        let linked = cx
            .in_range(h.local_date - Duration::days(1), h.local_date)
            .filter(|a| {
                a.source != h.source
                    && !a.hard
                    && !a.is_strength
                    && a.start_utc < h.start_utc
                    && a.end_utc <= h.start_utc + Duration::seconds(60)
                    && (h.start_utc - a.end_utc).num_seconds() as f64
                        <= th.warmup_link_max_gap_min * 60.0
            })
            .max_by(|a, b| a.duration_s().total_cmp(&b.duration_s()));
        let status = match linked {
            Some(a) if minutes(a) >= th.warmup_separate_min_min => continue,
            Some(_) => WarmupStatus::Short,
            None => status,
        };
        let (code, severity) = if status == WarmupStatus::None {
            (Code::WuNone, Severity::Medium)
        } else {
            (Code::WuShort, Severity::Low)
        };
        let week_from = crate::periods::build::week_start(h.local_date);
        let hard = cx.runs_in(week_from, week_from + Duration::days(6));
        let hard: Vec<_> = hard.into_iter().filter(|r| r.hard).collect();
        let known = hard.iter().filter(|r| r.warmup.is_some()).count();
        let mut f = cx.run_flag(h, code, severity);
        f.value = h.warmup_hr_pct;
        f.window = format!(
            "start of the run and {:.0} min before",
            th.warmup_link_max_gap_min
        );
        f.coverage = fraction(known, hard.len());
        let hr = h.warmup_hr_pct.map_or(String::new(), |p| {
            format!(" (warm-up phase at {p:.0}% of max HR)")
        });
        f.message = match (code, linked) {
            (Code::WuShort, Some(a)) => format!(
                "This hard run followed only a {:.1}-minute separate warm-up{}.",
                minutes(a),
                hr
            ),
            (Code::WuShort, None) => format!("This hard run began with a short warm-up{hr}."),
            _ => format!("This hard run started at hard effort with no warm-up{hr}."),
        };
        out.flags.push(f);
    }
}

fn heat_desc(f: &ActivityFacts) -> String {
    let mut parts = Vec::new();
    if let Some(w) = f.wbgt_c {
        parts.push(format!("WBGT {w:.1} °C"));
    }
    if let Some(b) = f.heat_band {
        parts.push(format!("{} flag", b.as_str()));
    }
    if let Some(h) = f.heat_index_c {
        parts.push(format!("heat index {h:.1} °C"));
    }
    if parts.is_empty() {
        "hot".to_string()
    } else {
        parts.join(", ")
    }
}

/// HEAT-LONG, HEAT-SWEAT and EL-LONG: per run.
fn heat(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    for r in cx.p.facts.iter().filter(|f| f.is_run) {
        let week_from = crate::periods::build::week_start(r.local_date);
        let week_runs = cx.runs_in(week_from, week_from + Duration::days(6));
        let heat_known = week_runs
            .iter()
            .filter(|x| x.wbgt_c.is_some() || x.heat_index_c.is_some() || x.heat_band.is_some())
            .count();
        let heat_cov = fraction(heat_known, week_runs.len());
        let hot = th.periods.is_hot(r);
        if hot && th.periods.is_long(r) {
            let very = r.wbgt_c.is_some_and(|w| w >= th.very_hot_wbgt_c)
                || r.heat_band == Some(HeatBand::Black);
            let sev = if very {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut f = cx.run_flag(r, Code::HeatLong, sev);
            f.value = Some(minutes(r));
            f.threshold = Some(th.periods.long_run_min);
            f.coverage = heat_cov;
            f.message = format!(
                "A {:.0}-minute run in the heat ({}).",
                minutes(r),
                heat_desc(r)
            );
            out.flags.push(f);
        }
        if let Some(s) = r.sweat_loss_pct.filter(|s| *s > th.sweat_loss_max_pct) {
            let known = week_runs
                .iter()
                .filter(|x| x.sweat_loss_pct.is_some())
                .count();
            let mut f = cx.run_flag(r, Code::HeatSweat, Severity::Medium);
            f.value = Some(s);
            f.threshold = Some(th.sweat_loss_max_pct);
            f.coverage = fraction(known, week_runs.len());
            f.message = format!(
                "Estimated sweat loss on this {:.0}-minute run was {:.1}% of body mass.",
                minutes(r),
                s
            );
            out.flags.push(f);
        }
        let long_enough = if r.moving_s.is_some() {
            minutes(r) >= th.electrolytes_min
        } else {
            r.electrolytes
        };
        if hot && long_enough {
            let mut f = cx.run_flag(r, Code::ElLong, Severity::Low);
            f.value = Some(minutes(r));
            f.threshold = Some(th.electrolytes_min);
            f.coverage = heat_cov;
            f.message = format!(
                "A {:.0}-minute hot run ({}) loses electrolytes as well as water.",
                minutes(r),
                heat_desc(r)
            );
            out.flags.push(f);
        }
    }
}

/// HEAT-ACCLIM: hot runs on the first hot days of a heat block, a block starting after 14 days
/// or more without any hot activity (any sport).
fn acclimatisation(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let hot_days: BTreeSet<NaiveDate> =
        cx.p.facts
            .iter()
            .filter(|f| th.periods.is_hot(f))
            .map(|f| f.local_date)
            .collect();
    // For each hot day: (days without heat before it or None at the data start, index in block).
    let mut block: BTreeMap<NaiveDate, (Option<i64>, usize)> = BTreeMap::new();
    let mut prev: Option<NaiveDate> = None;
    let mut idx = 0usize;
    let mut gap: Option<i64> = None;
    for &d in &hot_days {
        match prev {
            Some(p) if (d - p).num_days() - 1 < th.heat_gap_days => idx += 1,
            Some(p) => {
                idx = 0;
                gap = Some((d - p).num_days() - 1);
            }
            None => {
                idx = 0;
                gap = None;
            }
        }
        block.insert(d, (gap, idx));
        prev = Some(d);
    }
    for r in
        cx.p.facts
            .iter()
            .filter(|f| f.is_run && th.periods.is_hot(f))
    {
        let (gap, idx) = block[&r.local_date];
        if idx >= th.heat_acclim_days {
            continue;
        }
        let block_start = *hot_days
            .range(..=r.local_date)
            .nth_back(idx)
            .expect("block start");
        let known_quiet = match gap {
            Some(g) => Some(g),
            None => {
                let since_start = (block_start - cx.hist.first).num_days();
                (since_start >= th.heat_gap_days).then_some(since_start)
            }
        };
        let Some(quiet) = known_quiet else {
            out.skip(
                r.local_date,
                Code::HeatAcclim,
                &format!(
                    "data start less than {} days before the first hot activity: acclimatisation unknown",
                    th.heat_gap_days
                ),
            );
            continue;
        };
        let mut f = cx.run_flag(r, Code::HeatAcclim, Severity::Medium);
        f.value = Some(quiet as f64);
        f.threshold = Some(th.heat_gap_days as f64);
        f.window = format!("{} days before the heat block", th.heat_gap_days);
        f.coverage = None;
        f.message = format!(
            "Hot run ({}) on hot day {} of {} after {} days without heat: not yet acclimatised.",
            heat_desc(r),
            idx + 1,
            th.heat_acclim_days,
            quiet
        );
        out.flags.push(f);
    }
}

/// DH-SPIKE and DH-NEW: weekly steep descent of runs vs the previous 4 weeks.
fn downhill(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    let n = th.downhill_weeks;
    for (i, w) in weeks.iter().enumerate() {
        let now = w.totals.steep_descent_m;
        if now < th.downhill_min_m {
            continue;
        }
        if let Err(why) = cx.hist.judged_since_start(w.end_date()).and_then(|_| {
            (i >= n)
                .then_some(())
                .ok_or_else(|| "too few weeks".to_string())
        }) {
            out.skip(w.start_date, Code::DhSpike, &why);
            out.skip(w.start_date, Code::DhNew, &why);
            continue;
        }
        let prev = &weeks[i - n..i];
        let mean = prev.iter().map(|x| x.totals.steep_descent_m).sum::<f64>() / n as f64;
        let runs = cx.runs_in(prev[0].start_date, w.end_date());
        let known = runs.iter().filter(|r| r.steep_descent_m.is_some()).count();
        let cov = fraction(known, runs.len());
        if mean <= 0.0 {
            let before = cx.runs_in(prev[0].start_date, prev[n - 1].end_date());
            if !before.iter().any(|r| r.steep_descent_m.is_some()) {
                out.skip(
                    w.start_date,
                    Code::DhNew,
                    &format!("no descent data on any run of the previous {n} weeks"),
                );
                continue;
            }
            let mut f = cx.week_flag(w, Code::DhNew, Severity::Medium);
            f.value = Some(now);
            f.threshold = Some(th.downhill_min_m);
            f.window = format!("week after {n} weeks without steep descent");
            f.coverage = cov;
            f.message = format!(
                "{now:.0} m of steep descent this week after {n} weeks with none: the calves have lost their protection from earlier downhill running."
            );
            out.flags.push(f);
        } else if now > th.downhill_ratio * mean {
            let mut f = cx.week_flag(w, Code::DhSpike, Severity::Medium);
            f.value = Some(now);
            f.threshold = Some(th.downhill_ratio * mean);
            f.window = format!("week vs the mean of the previous {n} weeks");
            f.coverage = cov;
            f.message = format!(
                "{:.0} m of steep descent this week, {:.1} times the {}-week mean of {:.0} m.",
                now,
                now / mean,
                n,
                mean
            );
            out.flags.push(f);
        }
    }
}

/// ST-LOW: fewer than one strength session a week over 4 weeks, judged only when the history
/// holds strength sessions at all.
fn strength(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    if !cx.p.facts.iter().any(|f| f.is_strength) {
        out.skipped.insert((
            "all".to_string(),
            Code::StLow,
            "no strength sessions in the export: cannot tell whether none were done or they were not recorded".to_string(),
        ));
        return;
    }
    let n = th.strength_weeks;
    for (i, w) in weeks.iter().enumerate() {
        if i + 1 < n {
            continue;
        }
        if let Err(why) = cx.hist.judged(w.end_date()) {
            out.skip(w.start_date, Code::StLow, &why);
            continue;
        }
        let sessions: u32 = weeks[i + 1 - n..=i]
            .iter()
            .map(|x| x.totals.strength_sessions)
            .sum();
        let per_week = sessions as f64 / n as f64;
        if per_week < th.strength_per_week {
            let mut f = cx.week_flag(w, Code::StLow, Severity::Low);
            f.value = Some(per_week);
            f.threshold = Some(th.strength_per_week);
            f.window = format!("{n} weeks");
            f.message = format!(
                "{sessions} strength sessions in the last {n} weeks ({per_week:.2} a week)."
            );
            out.flags.push(f);
        }
    }
}

/// FW-SINGLE (Malisoux 2015), FW-KM (Cook 1985) and FW-NEW (gradual change of shoes).
fn footwear(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let runs: Vec<&ActivityFacts> = cx.p.facts.iter().filter(|f| f.is_run).collect();
    if !runs.iter().any(|r| r.gear.is_some()) {
        out.skipped.insert((
            "all".to_string(),
            Code::FwSingle,
            "no shoes recorded on any run".to_string(),
        ));
        out.skipped.insert((
            "all".to_string(),
            Code::FwKm,
            "no shoes recorded on any run".to_string(),
        ));
        out.skipped.insert((
            "all".to_string(),
            Code::FwNew,
            "no shoes recorded on any run".to_string(),
        ));
        return;
    }
    let mut total: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &runs {
        let Some(g) = r.gear.as_deref() else { continue };
        let before = *total.get(g).unwrap_or(&0.0);
        let after = before + r.distance_m.unwrap_or(0.0);
        total.insert(g, after);
        let limit = th.shoe_max_km * 1000.0;
        if before < limit && after >= limit {
            let mut f = cx.run_flag(r, Code::FwKm, Severity::Low);
            f.value = Some(km(after));
            f.threshold = Some(th.shoe_max_km);
            f.window = "all runs in this export".to_string();
            f.message = format!(
                "Shoe \"{}\" has now carried at least {:.0} km in this export.",
                g,
                km(after)
            );
            out.flags.push(f);
        }
    }
    // FW-NEW: a pair first run within `new_shoe_days` that carried most of a week's distance.
    let mut first_use: BTreeMap<&str, chrono::NaiveDate> = BTreeMap::new();
    for r in &runs {
        if let Some(g) = r.gear.as_deref() {
            let d = first_use.entry(g).or_insert(r.local_date);
            *d = (*d).min(r.local_date);
        }
    }
    for w in &cx.p.weeks {
        let week_runs = cx.runs_in(w.start_date, w.end_date());
        let week_m: f64 = week_runs.iter().filter_map(|r| r.distance_m).sum();
        if week_m <= 0.0 {
            continue;
        }
        let mut by_shoe: BTreeMap<&str, f64> = BTreeMap::new();
        for r in &week_runs {
            if let Some(g) = r.gear.as_deref() {
                *by_shoe.entry(g).or_default() += r.distance_m.unwrap_or(0.0);
            }
        }
        for (shoe, m) in by_shoe {
            let Some(first) = first_use.get(shoe).copied() else {
                continue;
            };
            let new = (w.end_date() - first).num_days() < th.new_shoe_days;
            let share = m / week_m * 100.0;
            // Only for pairs that replace others: the history has another pair before it.
            let replaces = first_use.values().any(|d| *d < first);
            if new && replaces && share > th.new_shoe_share_pct {
                let mut f = cx.week_flag(w, Code::FwNew, Severity::Low);
                f.value = Some(share);
                f.threshold = Some(th.new_shoe_share_pct);
                f.window = format!("this week; pair first used on {first}");
                f.message = format!(
                    "New shoe \"{shoe}\" (first run on {first}) carried {share:.0}% of this week's {:.1} km.",
                    km(week_m)
                );
                out.flags.push(f);
            }
        }
    }
    let n = th.strength_weeks;
    let weeks = &cx.p.weeks;
    for (i, w) in weeks.iter().enumerate() {
        if i + 1 < n {
            continue;
        }
        let window = cx.runs_in(weeks[i + 1 - n].start_date, w.end_date());
        let known: Vec<&str> = window.iter().filter_map(|r| r.gear.as_deref()).collect();
        let shoes: BTreeSet<&str> = known.iter().copied().collect();
        if known.len() >= th.single_shoe_min_runs && shoes.len() == 1 && w.totals.runs > 0 {
            let mut f = cx.week_flag(w, Code::FwSingle, Severity::Low);
            f.value = Some(1.0);
            f.threshold = Some(2.0);
            f.window = format!("{n} weeks");
            f.coverage = fraction(known.len(), window.len());
            f.message = format!(
                "All {} runs with known shoes in the last {} weeks were in \"{}\".",
                known.len(),
                n,
                known[0]
            );
            out.flags.push(f);
        }
    }
}
