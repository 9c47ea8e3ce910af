//! How a run ends: the exit codes and the policy that picks one (README, `--help`).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done, no file failed |
//! | 1 | some files failed; the report is still written |
//! | 2 | usage, configuration or output error, or nothing to report |
//! | 3 | `--fail-on`: a flag of that severity or above in the reported week (wins over 1) |
//! | 130 | interrupted |

use crate::flags::Severity;
use crate::ledger::{Analysis, Counts};
use crate::settings::Settings;

/// How a run ended; each maps to one exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, no file failed.
    Done,
    /// 1: some files failed; the report is written.
    Partial,
    /// 2: usage, configuration or output error, or nothing to report.
    Usage,
    /// 3: a flag at or above `--fail-on` in the reported week.
    FailOn,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Partial => 1,
            Exit::Usage => 2,
            Exit::FailOn => 3,
            Exit::Interrupted => 130,
        }
    }
}

/// The exit code of a finished run: 3 when `fail_on` is set and a flag of the reported week
/// (`week_flags`, their severities) reaches it (this wins), else 1 when a file failed, else 0.
pub fn of(
    fail_on: Option<Severity>,
    week_flags: impl IntoIterator<Item = Severity>,
    counts: &Counts,
) -> Exit {
    if let Some(min) = fail_on {
        if week_flags.into_iter().any(|s| s >= min) {
            return Exit::FailOn;
        }
    }
    if counts.failed > 0 {
        Exit::Partial
    } else {
        Exit::Done
    }
}

/// Why a finished run has nothing to report, if so: no file found, no activity file among
/// those found (none failed either), or every activity outside `--since`/`--until`
/// (`unfiltered` activities before that filter). Then the run ends with exit 2 and writes
/// nothing. A run where files failed and none gave an activity is not this: it writes its
/// report (with the failures) and exits with 1.
pub fn nothing_to_report(a: &Analysis, unfiltered: usize, settings: &Settings) -> Option<String> {
    if !a.activities.is_empty() {
        return None;
    }
    let searched = settings
        .paths
        .iter()
        .map(|p| format!("'{}'", p.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let c = &a.counts;
    if unfiltered > 0 {
        let range = match (settings.since, settings.until) {
            (Some(s), Some(u)) => format!("from {s} to {u}"),
            (Some(s), None) => format!("on or after {s}"),
            (None, Some(u)) => format!("on or before {u}"),
            (None, None) => "in the date range".to_string(),
        };
        let n = unfiltered;
        let (the, are) = if n == 1 {
            ("the 1 activity".to_string(), "is")
        } else {
            (format!("all {n} activities"), "are")
        };
        return Some(format!(
            "no activity {range} (--since/--until): {the} found in {searched} {are} outside it"
        ));
    }
    if c.failed > 0 {
        return None;
    }
    if c.found == 0 {
        return Some(format!("no file found in {searched} (empty folders?)"));
    }
    let mut why: Vec<String> = Vec::new();
    if c.skipped > 0 {
        why.push(format!("{} skipped", c.skipped));
    }
    if c.duplicate > 0 {
        why.push(format!("{} duplicate", c.duplicate));
    }
    let examples: Vec<String> = a
        .errors
        .iter()
        .take(3)
        .map(|e| format!("'{}': {}", e.source, e.reason))
        .collect();
    let files = if c.found == 1 { "file" } else { "files" };
    Some(format!(
        "no activity file found in {searched}: {} {files} found, none holds an activity ({}){}",
        c.found,
        why.join(", "),
        if examples.is_empty() {
            String::new()
        } else {
            format!("; e.g. {}", examples.join("; "))
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_wins_over_failed_files() {
        let failed = Counts {
            failed: 1,
            ..Counts::default()
        };
        let high = [Severity::Low, Severity::High];
        assert_eq!(of(Some(Severity::High), high, &failed), Exit::FailOn);
        assert_eq!(
            of(Some(Severity::High), [Severity::Medium], &failed),
            Exit::Partial
        );
        assert_eq!(of(None, high, &Counts::default()), Exit::Done);
        assert_eq!(Exit::Interrupted.code(), 130);
    }
}
