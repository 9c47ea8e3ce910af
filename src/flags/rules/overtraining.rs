//! Overtraining: OT-SPIKE, OT-RAMP2W, OT-ACWR, OT-STRAIN (OT-RAMP10 and OT-MONOTONY are
//! context only since wave 2).

use super::{fraction, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};
use crate::periods::{series, ActivityFacts, Week};
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
    // A "run" faster than `max_run_speed_mps` on average (moving time) is a vehicle or a GPS
    // error: neither spiked nor a reference.
    let plausible = |f: &ActivityFacts| match (f.distance_m, f.moving_s) {
        (Some(d), Some(s)) if s > 0.0 => d / s <= th.max_run_speed_mps,
        _ => true,
    };
    // Longest single run per day.
    let mut longest: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for f in cx.p.facts.iter().filter(|f| f.is_run && plausible(f)) {
        if let Some(d) = f.distance_m {
            let e = longest.entry(f.local_date).or_insert(0.0);
            *e = e.max(d);
        }
    }
    for f in cx.p.facts.iter().filter(|f| f.is_run) {
        let Some(dist) = f.distance_m.filter(|d| *d > 0.0) else {
            continue;
        };
        if !plausible(f) {
            out.skip(
                f.local_date,
                Code::OtSpike,
                &format!(
                    "a run faster than {} m/s on average (moving time) is not running (vehicle or GPS error): left out",
                    th.max_run_speed_mps
                ),
            );
            continue;
        }
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
        // Tiers of Frandsen 2025 (HRR 1.64 for 10-30 %, 1.52 for 30-100 %, 2.28 over 100 %):
        // the first two do not differ, so both are medium; a low tier exists only when
        // `spike_low` is configured below `spike_medium`.
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
            "{} x your longest run of the last {} days ({} vs {}).",
            Quantity::number(dist / reference, 1),
            Quantity::count(th.spike_window_days),
            Quantity::distance(dist, 1),
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

/// OT-RAMP2W (Nielsen 2014). OT-RAMP10 (Buist 2008) is context only since wave 2: the weekly
/// ramp is shown in the week's headline (`report::summary`), never raised, because Buist's
/// trial found no effect and week-to-week variation of about 30 % makes it fire in a third of
/// weeks. OT-RAMP2W is suppressed when an OT-SPIKE flag falls in the same two weeks (the spike
/// is the event) and when the two-week total is not above the highest two-week total of the
/// 8 weeks before (a return to habit after an easy, taper or travel week is not a ramp).
fn ramps(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    for (i, w) in weeks.iter().enumerate() {
        if w.totals.runs == 0 || i < 3 {
            continue;
        }
        if let Err(why) = cx.hist.judged(w.end_date()) {
            out.skip(w.start_date, Code::OtRamp2w, &why);
            continue;
        }
        let before = weeks[i - 2].totals.distance_m + weeks[i - 3].totals.distance_m;
        let now = w.totals.distance_m + weeks[i - 1].totals.distance_m;
        let Some(r) = w.two_week_ramp_pct else {
            continue;
        };
        if before < 2.0 * th.ramp_min_base_m || r <= th.ramp_two_week_pct {
            continue;
        }
        let from = weeks[i - 1].start_date;
        let spiked = out
            .flags
            .iter()
            .any(|f| f.code == Code::OtSpike && f.date >= from && f.date <= w.end_date());
        if spiked {
            continue;
        }
        // Two-week totals of consecutive weeks inside the 8 weeks before this two-week window.
        let lo = (i - 1).saturating_sub(th.ramp_habit_weeks);
        let habit = (lo + 1..i - 1)
            .map(|k| weeks[k].totals.distance_m + weeks[k - 1].totals.distance_m)
            .fold(0.0, f64::max);
        if now <= habit {
            continue;
        }
        let mut f = cx.week_flag(w, Code::OtRamp2w, Severity::Low);
        f.value = Some(r);
        f.threshold = Some(th.ramp_two_week_pct);
        f.window = "2 weeks vs the 2 weeks before".to_string();
        f.coverage = distance_coverage(cx, &weeks[i - 3..=i]);
        f.message = message!(
            "Running distance of the last two weeks ({}) was {} above the two weeks before ({}) and above any two weeks of the {} weeks before ({} at most).",
            Quantity::distance(now, 1),
            Quantity::percent(r, 0),
            Quantity::distance(before, 1),
            Quantity::count(th.ramp_habit_weeks),
            Quantity::distance(habit, 1)
        );
        out.flags.push(f);
    }
}

/// OT-ACWR (Williams 2017 EWMA): the ratio on the week's last day (the number the summary's
/// table shows), raised only above `acwr_max` (2.0, Murray 2017); below it the ratio is context.
fn acwr(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let d = &cx.p.daily;
    for w in &cx.p.weeks {
        if w.totals.runs == 0 && w.totals.load <= 0.0 {
            continue;
        }
        let date = w.end_date();
        if let Err(why) = cx.hist.judged(date) {
            out.skip(date, Code::OtAcwr, &why);
            continue;
        }
        let Some(r) = w.acwr.filter(|r| *r > th.acwr_max) else {
            continue;
        };
        let mut f = cx.week_flag(w, Code::OtAcwr, Severity::Low);
        f.value = Some(r);
        f.threshold = Some(th.acwr_max);
        f.window = "EWMA 7 d / 28 d (Williams), week's last day".to_string();
        f.coverage = cx.hr_coverage(date - Duration::days(27), date);
        let reached = message!(
            "Acute:chronic load ratio (EWMA) {} at the end of the week",
            Quantity::number(r, 2)
        );
        let i = d.index(date).expect("week inside the series");
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

/// OT-STRAIN (Foster 1998). OT-MONOTONY is context only since wave 2 (never raised): Foster
/// tied illness to strain, the product of load and monotony, not to uniform training alone;
/// monotony counts here as OT-STRAIN's second condition and stays in weeks.csv.
fn monotony_strain(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    for (i, w) in weeks.iter().enumerate() {
        let coverage = cx.hr_coverage(w.start_date, w.end_date());
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
        let monotony = w.monotony.unwrap_or(0.0);
        if strain > limit && monotony >= th.strain_min_monotony {
            let mut f = cx.week_flag(w, Code::OtStrain, Severity::Low);
            f.value = Some(strain);
            f.threshold = Some(limit);
            f.window = format!("week vs previous {} weeks", th.strain_history_weeks);
            f.coverage = coverage;
            f.message = message!(
                "Training strain {} was above your own {}th percentile of the previous {} weeks ({}), with monotony {}.",
                Quantity::number(strain, 0),
                Quantity::number(th.strain_percentile, 0),
                Quantity::count(past.len()),
                Quantity::number(limit, 0),
                Quantity::number(monotony, 2)
            );
            out.flags.push(f);
        }
    }
}
