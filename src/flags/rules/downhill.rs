//! Eccentric downhill load: DH-SPIKE, DH-NEW.

use super::{fraction, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};
use crate::periods::Week;

/// The week's steep descent of runs, counting only runs with at least `downhill_run_min_m`
/// (15 m): less is altitude noise on a flat road run.
fn descent(cx: &Ctx, w: &Week) -> f64 {
    cx.runs_in(w.start_date, w.end_date())
        .iter()
        .filter_map(|r| r.steep_descent_m)
        .filter(|m| *m >= cx.th.downhill_run_min_m)
        .sum()
}

/// DH-SPIKE and DH-NEW: the week's steep descent (noise left out) vs the largest of the previous
/// 4 weeks (Bontemps 2020: the repeated-bout effect protects what was done recently).
pub(super) fn run(cx: &Ctx, out: &mut Out) {
    let th = cx.th;
    let weeks = &cx.p.weeks;
    let n = th.downhill_weeks;
    let per_week: Vec<f64> = weeks.iter().map(|w| descent(cx, w)).collect();
    for (i, w) in weeks.iter().enumerate() {
        let now = per_week[i];
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
        let largest = per_week[i - n..i].iter().copied().fold(0.0, f64::max);
        let runs = cx.runs_in(prev[0].start_date, w.end_date());
        let known = runs.iter().filter(|r| r.steep_descent_m.is_some()).count();
        let cov = fraction(known, runs.len());
        if largest <= 0.0 {
            let before = cx.runs_in(prev[0].start_date, prev[n - 1].end_date());
            if !before.iter().any(|r| r.steep_descent_m.is_some()) {
                out.skip(
                    w.start_date,
                    Code::DhNew,
                    &format!("no descent data on any run of the previous {n} weeks"),
                );
                continue;
            }
            let mut f = cx.week_flag(w, Code::DhNew, Severity::Low);
            f.value = Some(now);
            f.threshold = Some(th.downhill_min_m);
            f.window = format!("week after {n} weeks without steep descent");
            f.coverage = cov;
            f.message = message!(
                "{} of steep descent this week after {} weeks with none: the calves have lost their protection from earlier downhill running.",
                Quantity::elevation(now, 0),
                Quantity::count(n)
            );
            out.flags.push(f);
        } else if now > th.downhill_ratio * largest {
            let mut f = cx.week_flag(w, Code::DhSpike, Severity::Low);
            f.value = Some(now);
            f.threshold = Some(th.downhill_ratio * largest);
            f.window = format!("week vs the largest of the previous {n} weeks");
            f.coverage = cov;
            f.message = message!(
                "{} of steep descent this week, {} times the most of the previous {} weeks ({}).",
                Quantity::elevation(now, 0),
                Quantity::number(now / largest, 1),
                Quantity::count(n),
                Quantity::elevation(largest, 0)
            );
            out.flags.push(f);
        }
    }
}
