//! Overtraining: OT-SPIKE, OT-RAMP10, OT-RAMP2W, OT-ACWR, OT-MONOTONY, OT-STRAIN.

use super::{fraction, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};
use crate::periods::{series, Week};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

pub(super) fn run(cx: &Ctx, out: &mut Out) {
    spike(cx, out);
    ramps(cx, out);
    acwr(cx, out);
    monotony_strain(cx, out);
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
        flag.message = message!(
            "This {} run was {} longer than your longest run of the previous {} days ({}).",
            Quantity::distance(dist, 1),
            Quantity::percent(over * 100.0, 0),
            Quantity::count(th.spike_window_days),
            Quantity::distance(reference, 1)
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
                    f.message = message!(
                        "Weekly running distance rose {} from {} to {}.",
                        Quantity::percent(r, 0),
                        Quantity::distance(prev, 1),
                        Quantity::distance(w.totals.distance_m, 1)
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
                    f.message = message!(
                        "Running distance of the last two weeks ({}) was {} above the two weeks before ({}).",
                        Quantity::distance(now, 1),
                        Quantity::percent(r, 0),
                        Quantity::distance(before, 1)
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
        let reached = message!(
            "Acute:chronic load ratio (EWMA) reached {} on {}",
            Quantity::number(r, 2),
            Quantity::Date(date)
        );
        f.message = match d.acwr_rolling[i] {
            Some(x) => message!(
                "{} (rolling 7/28-day ratio {}).",
                reached,
                Quantity::number(x, 2)
            ),
            None => message!("{} (rolling 7/28-day ratio n/a).", reached),
        };
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
            f.message = message!(
                "Daily load was very uniform this week: monotony {} ({} rest days, weekly load {}).",
                Quantity::number(m, 2),
                Quantity::count(w.totals.rest_days),
                Quantity::number(w.totals.load, 0)
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
            f.message = message!(
                "Training strain {} was above your own {}th percentile of the previous {} weeks ({}).",
                Quantity::number(strain, 0),
                Quantity::number(th.strain_percentile, 0),
                Quantity::count(past.len()),
                Quantity::number(limit, 0)
            );
            out.flags.push(f);
        }
    }
}
