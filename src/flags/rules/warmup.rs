//! Warm-up before hard runs: WU-NONE, WU-SHORT, told as a pattern.

use super::{minutes, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};
use crate::model::WarmupStatus;
use crate::periods::ActivityFacts;
use chrono::Duration;
use std::collections::BTreeSet;

/// The warm-up verdict of one hard run, after looking for a separately saved warm-up: an easy
/// (not hard, not strength) activity that ended at most 15 minutes before the start (1 minute
/// of overlap tolerated for clock differences) of at least 5 minutes makes it adequate; a
/// shorter one makes it short.
fn verdict(cx: &Ctx, h: &ActivityFacts) -> Option<WarmupStatus> {
    let th = cx.th;
    let status = match h.warmup {
        Some(WarmupStatus::Unknown) | None => return None,
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
    Some(match linked {
        Some(a) if minutes(a) >= th.warmup_separate_min_min => WarmupStatus::Adequate,
        Some(_) if status == WarmupStatus::None => WarmupStatus::Short,
        _ => status,
    })
}

/// WU-NONE and WU-SHORT (Fradkin 2010; Bishop 2003): a pattern, not a verdict per run. Hard
/// runs that are race-like (longer than `warmup_max_run_min`, or an OT-SPIKE run: a race or a
/// long run, where warm-up advice does not fit) are left out. A low flag is raised on a hard
/// run without an adequate warm-up when at least `warmup_pattern_poor` (3) of the last
/// `warmup_pattern_of` (4) hard runs of the `warmup_pattern_days` (28) days ending on it had
/// none or a short one, and no warm-up flag was raised in the 28 days before: at most one flag
/// per 4 weeks, never medium (the injury evidence is weak).
pub(super) fn run(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let spikes: BTreeSet<&str> = out
        .flags
        .iter()
        .filter(|f| f.code == Code::OtSpike)
        .map(|f| f.activity.as_str())
        .collect();
    let judged: Vec<(&ActivityFacts, WarmupStatus)> =
        cx.p.facts
            .iter()
            .filter(|f| f.is_run && f.hard)
            .filter(|f| minutes(f) <= th.warmup_max_run_min && !spikes.contains(f.source.as_str()))
            .filter_map(|f| verdict(cx, f).map(|v| (f, v)))
            .collect();
    let mut last_flag: Option<chrono::NaiveDate> = None;
    let mut new_flags = Vec::new();
    for (k, &(h, status)) in judged.iter().enumerate() {
        if status == WarmupStatus::Adequate {
            continue;
        }
        if last_flag.is_some_and(|d| (h.local_date - d).num_days() < th.warmup_pattern_days) {
            continue;
        }
        let from = h.local_date - Duration::days(th.warmup_pattern_days - 1);
        let recent: Vec<WarmupStatus> = judged[..=k]
            .iter()
            .rev()
            .take(th.warmup_pattern_of)
            .filter(|(f, _)| f.local_date >= from)
            .map(|(_, v)| *v)
            .collect();
        let none = recent.iter().filter(|v| **v == WarmupStatus::None).count();
        let short = recent.iter().filter(|v| **v == WarmupStatus::Short).count();
        let poor = none + short;
        if poor < th.warmup_pattern_poor {
            continue;
        }
        let code = if none >= short {
            Code::WuNone
        } else {
            Code::WuShort
        };
        let mut f = cx.run_flag(h, code, Severity::Low);
        f.value = Some(100.0 * poor as f64 / recent.len() as f64);
        f.threshold = Some(100.0 * th.warmup_pattern_poor as f64 / th.warmup_pattern_of as f64);
        f.window = format!(
            "last {} hard runs within {} days",
            th.warmup_pattern_of, th.warmup_pattern_days
        );
        f.coverage = None;
        f.message = if code == Code::WuNone {
            message!(
                "{} of your last {} hard sessions started at full effort ({} with no warm-up, {} with a short one).",
                Quantity::count(poor),
                Quantity::count(recent.len()),
                Quantity::count(none),
                Quantity::count(short)
            )
        } else {
            message!(
                "{} of your last {} hard sessions began with a warm-up under {} minutes ({} short, {} with none).",
                Quantity::count(poor),
                Quantity::count(recent.len()),
                Quantity::minutes(th.warmup_separate_min_min, 0),
                Quantity::count(short),
                Quantity::count(none)
            )
        };
        last_flag = Some(h.local_date);
        new_flags.push(f);
    }
    out.flags.extend(new_flags);
}
