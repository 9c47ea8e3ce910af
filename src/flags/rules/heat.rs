//! Heat and electrolytes: HEAT-LONG (with EL-LONG folded into its advice), HEAT-SWEAT,
//! HEAT-ACCLIM.
//!
//! A watch's wrist sensor reads skin heat, not air: without a weather file (`--weather`) or a
//! configured `[heat] wrist_temp_offset_c`, runs whose temperature comes from the wrist are not
//! judged, and the week's "Not judged" says so.

use super::{fraction, minutes, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Message, Quantity, Severity};
use crate::model::{HeatBand, TempSource};
use crate::periods::ActivityFacts;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// The heat codes, in the order of the "Not judged" note.
const HEAT_CODES: [Code; 3] = [Code::HeatLong, Code::HeatSweat, Code::HeatAcclim];

pub(super) fn run(cx: &Ctx, out: &mut Out) {
    for r in cx.p.facts.iter() {
        if judged(cx, r) && r.wbgt_c.is_none() && r.heat_index_c.is_none() && r.heat_band.is_none()
        {
            for code in HEAT_CODES {
                out.skip(
                    r.local_date,
                    code,
                    "no humidity (no --weather): WBGT and heat index unknown",
                );
            }
        }
        if r.temp_source == Some(TempSource::Wrist) && !judged(cx, r) {
            for code in HEAT_CODES {
                out.skip(
                    r.local_date,
                    code,
                    "the wrist sensor reads skin heat, not air: give --weather",
                );
            }
        }
    }
    heat(cx, out);
    acclimatisation(cx, out);
}

/// Whether the activity's temperature can be judged: weather data, an air sensor, or a wrist
/// sensor with a configured offset.
fn judged(cx: &Ctx, f: &ActivityFacts) -> bool {
    match f.temp_source {
        Some(TempSource::Weather | TempSource::Air) => true,
        Some(TempSource::Wrist) => cx.th.wrist_offset_set,
        None => false,
    }
}

/// Hot by the documented thresholds, on a temperature that can be judged.
fn hot(cx: &Ctx, f: &ActivityFacts) -> bool {
    judged(cx, f) && cx.th.periods.is_hot(f)
}

/// The temperature source in plain words.
fn source_words(f: &ActivityFacts) -> &'static str {
    match f.temp_source {
        Some(TempSource::Weather) => "from weather data",
        Some(TempSource::Air) => "from the air sensor",
        Some(TempSource::Wrist) => "from the wrist sensor, offset-corrected",
        None => "source unknown",
    }
}

/// How hot a run was: mean temperature, WBGT, its ACSM flag and the heat index where known,
/// and where the temperature came from.
fn heat_desc(f: &ActivityFacts) -> Message {
    let mut parts = Vec::new();
    if let Some(t) = f.temp_avg_c {
        parts.push(message!("{} on average", Quantity::temperature(t, 1)));
    }
    if let Some(w) = f.wbgt_c {
        parts.push(message!("WBGT {}", Quantity::temperature(w, 1)));
    }
    if let Some(b) = f.heat_band {
        parts.push(message!("{} flag", Quantity::Word(b.as_str())));
    }
    if let Some(h) = f.heat_index_c {
        parts.push(message!("heat index {}", Quantity::temperature(h, 1)));
    }
    parts.push(Message::from(source_words(f)));
    let mut it = parts.into_iter();
    let first = it.next().expect("the source is always there");
    it.fold(first, |all, part| message!("{}, {}", all, part))
}

/// HEAT-LONG and HEAT-SWEAT: per run. EL-LONG is no longer raised: its advice is part of
/// HEAT-LONG's (every hot run of 90 minutes is a long hot run).
fn heat(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    for r in cx.p.facts.iter().filter(|f| f.is_run && judged(cx, f)) {
        let week_from = crate::periods::build::week_start(r.local_date);
        let week_runs = cx.runs_in(week_from, week_from + Duration::days(6));
        let heat_known = week_runs
            .iter()
            .filter(|x| judged(cx, x) && (x.wbgt_c.is_some() || x.heat_index_c.is_some()))
            .count();
        let heat_cov = fraction(heat_known, week_runs.len());
        if hot(cx, r) && th.periods.is_long(r) {
            // High only for black-flag heat measured by weather data.
            let very = r.temp_source == Some(TempSource::Weather)
                && (r.wbgt_c.is_some_and(|w| w >= th.very_hot_wbgt_c)
                    || r.heat_band == Some(HeatBand::Black));
            let sev = if very {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut f = cx.run_flag(r, Code::HeatLong, sev);
            f.value = Some(minutes(r));
            f.threshold = Some(th.periods.long_run_min);
            f.coverage = heat_cov;
            f.message = message!(
                "A {}-minute run in the heat ({}).",
                Quantity::minutes(minutes(r), 0),
                heat_desc(r)
            );
            out.flags.push(f);
        }
        let Some(s) = r.sweat_loss_pct.filter(|s| *s > th.sweat_loss_max_pct) else {
            continue;
        };
        let Some(intake) = th.fluid_intake_l_per_h else {
            out.skip(
                r.local_date,
                Code::HeatSweat,
                "no fluid intake configured ([heat] fluid_intake_l_per_h): the sweat estimate would assume you drank nothing",
            );
            continue;
        };
        let known = week_runs
            .iter()
            .filter(|x| x.sweat_loss_pct.is_some())
            .count();
        let mut f = cx.run_flag(r, Code::HeatSweat, Severity::Low);
        f.value = Some(s);
        f.threshold = Some(th.sweat_loss_max_pct);
        f.coverage = fraction(known, week_runs.len());
        f.message = message!(
            "Estimated sweat loss on this {}-minute run was {} of body mass even with the {} L an hour you drink ({}).",
            Quantity::minutes(minutes(r), 0),
            Quantity::percent(s, 1),
            Quantity::number(intake, 2),
            heat_desc(r)
        );
        out.flags.push(f);
    }
}

/// HEAT-ACCLIM: hot runs on the first hot days of a heat block, a block starting after 14 days
/// or more without any hot activity (any sport).
fn acclimatisation(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let hot_days: BTreeSet<NaiveDate> =
        cx.p.facts
            .iter()
            .filter(|f| hot(cx, f))
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
    for r in cx.p.facts.iter().filter(|f| f.is_run && hot(cx, f)) {
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
        let mut f = cx.run_flag(r, Code::HeatAcclim, Severity::Low);
        f.value = Some(quiet as f64);
        f.threshold = Some(th.heat_gap_days as f64);
        f.window = format!("{} days before the heat block", th.heat_gap_days);
        f.coverage = None;
        f.message = message!(
            "Hot run ({}) on hot day {} of {} after {} days without heat: not yet acclimatised.",
            heat_desc(r),
            Quantity::count(idx + 1),
            Quantity::count(th.heat_acclim_days),
            Quantity::count(quiet)
        );
        out.flags.push(f);
    }
}
