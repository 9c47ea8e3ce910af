//! Strength training: ST-LOW.

use super::{Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};

/// ST-LOW: fewer than one strength session a week over 4 weeks, judged only when the history
/// holds strength sessions at all; a pattern reminder, raised (low) only in a week with running
/// and at most once per 12 weeks (`strength_repeat_weeks`).
pub(super) fn run(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    if !cx.p.facts.iter().any(|f| f.is_strength) {
        out.skipped.insert((
            "all".to_string(),
            Code::StLow,
            "no strength sessions recorded (none done, or not recorded)".to_string(),
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
        // A pattern reminder in a week with running, told at most once per
        // `strength_repeat_weeks` weeks.
        let told_recently = out.flags.iter().rev().any(|f| {
            f.code == Code::StLow
                && (w.end_date() - f.date).num_days() < 7 * th.strength_repeat_weeks as i64
        });
        if w.totals.runs > 0 && per_week < th.strength_per_week && !told_recently {
            let mut f = cx.week_flag(w, Code::StLow, Severity::Low);
            f.value = Some(per_week);
            f.threshold = Some(th.strength_per_week);
            f.window = format!("{n} weeks");
            f.message = message!(
                "{} strength sessions in the last {} weeks ({} a week).",
                Quantity::count(sessions),
                Quantity::count(n),
                Quantity::number(per_week, 2)
            );
            out.flags.push(f);
        }
    }
}
