//! Warm-up before hard runs: WU-NONE, WU-SHORT.

use super::{fraction, minutes, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Message, Quantity, Severity};
use crate::model::WarmupStatus;
use chrono::Duration;

/// WU-NONE and WU-SHORT: hard runs without an adequate warm-up. An easy (not hard, not
/// strength) activity that ended at most 15 minutes before the start (1 minute of overlap
/// tolerated for clock differences) is the run's warm-up.
pub(super) fn run(cx: &Ctx, out: &mut Out) {
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
        let hr = h.warmup_hr_pct.map_or(Message::default(), |p| {
            message!(" (warm-up phase at {} of max HR)", Quantity::percent(p, 0))
        });
        f.message = match (code, linked) {
            (Code::WuShort, Some(a)) => message!(
                "This hard run followed only a {}-minute separate warm-up{}.",
                Quantity::minutes(minutes(a), 1),
                hr
            ),
            (Code::WuShort, None) => message!("This hard run began with a short warm-up{}.", hr),
            _ => message!(
                "This hard run started at hard effort with no warm-up{}.",
                hr
            ),
        };
        out.flags.push(f);
    }
}
