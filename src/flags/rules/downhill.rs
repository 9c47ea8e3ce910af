//! Eccentric downhill load: DH-SPIKE, DH-NEW.

use super::{fraction, Ctx, Out};
use crate::flags::message::message;
use crate::flags::{Code, Quantity, Severity};

/// DH-SPIKE and DH-NEW: weekly steep descent of runs vs the previous 4 weeks.
pub(super) fn run(cx: &Ctx, out: &mut Out) {
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
            f.message = message!(
                "{} of steep descent this week after {} weeks with none: the calves have lost their protection from earlier downhill running.",
                Quantity::elevation(now, 0),
                Quantity::count(n)
            );
            out.flags.push(f);
        } else if now > th.downhill_ratio * mean {
            let mut f = cx.week_flag(w, Code::DhSpike, Severity::Medium);
            f.value = Some(now);
            f.threshold = Some(th.downhill_ratio * mean);
            f.window = format!("week vs the mean of the previous {n} weeks");
            f.coverage = cov;
            f.message = message!(
                "{} of steep descent this week, {} times the {}-week mean of {}.",
                Quantity::elevation(now, 0),
                Quantity::number(now / mean, 1),
                Quantity::count(n),
                Quantity::elevation(mean, 0)
            );
            out.flags.push(f);
        }
    }
}
