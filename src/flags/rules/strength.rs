//! Strength training: ST-LOW (context only since wave 2).

use super::{Ctx, Out};
use crate::flags::Code;

/// ST-LOW is context only since wave 2 (never raised): a watch export holds the strength
/// sessions someone chose to record, so few recorded sessions are weak evidence of few done,
/// and on 8 real histories the reminder was the only flag of 4 % of the weeks with runs
/// (docs/flags.md). The summary's context line states the sessions of the last 4 weeks instead.
/// What stays here: the note that strength work was not judged when the history holds none.
pub(super) fn run(cx: &Ctx, out: &mut Out) {
    if !cx.p.facts.iter().any(|f| f.is_strength) {
        out.skipped.insert((
            "all".to_string(),
            Code::StLow,
            "no strength sessions recorded (none done, or not recorded)".to_string(),
        ));
    }
}
