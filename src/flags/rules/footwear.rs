//! Shoes: FW-SINGLE, FW-KM, FW-NEW.

use super::{fraction, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};
use crate::periods::ActivityFacts;
use std::collections::{BTreeMap, BTreeSet};

/// FW-SINGLE (Malisoux 2015), FW-KM (Cook 1985) and FW-NEW (gradual change of shoes).
pub(super) fn run(cx: &Ctx, out: &mut Out) {
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
            f.value = Some(crate::units::km(after));
            f.threshold = Some(th.shoe_max_km);
            f.window = "all runs in this export".to_string();
            f.message = message!(
                "Shoe \"{}\" has now carried at least {} in this export.",
                Quantity::name(g),
                Quantity::distance(after, 0)
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
                f.message = message!(
                    "New shoe \"{}\" (first run on {}) carried {} of this week's {}.",
                    Quantity::name(shoe),
                    Quantity::Date(first),
                    Quantity::percent(share, 0),
                    Quantity::distance(week_m, 1)
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
            f.message = message!(
                "All {} runs with known shoes in the last {} weeks were in \"{}\".",
                Quantity::count(known.len()),
                Quantity::count(n),
                Quantity::name(known[0])
            );
            out.flags.push(f);
        }
    }
}
