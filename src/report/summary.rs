//! The weekly summary (`calfguard summary`, `summary.md`): one week's totals, the four weeks
//! before for comparison, and each flag in plain words with its numbers, evidence and advice.
//! No coordinates anywhere. Units follow `--units` / `athlete.units`; the CSVs stay SI.

use super::format::{
    distance, duration, elevation, flag_number as number, heart_rate, minutes, render,
};
use super::Report;
use crate::athlete::Profile;
use crate::flags::{Flag, NotJudged};
use crate::ledger::ErrorKind;
use crate::periods::{iso_week_label, Week};
use crate::units::Units;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

/// Everything the summary reports.
pub struct SummaryInput<'a> {
    /// The athlete profile.
    pub profile: &'a Profile,
    /// All weeks of the history, in order.
    pub weeks: &'a [Week],
    /// All flags.
    pub flags: &'a [Flag],
    /// Rules not judged.
    pub not_judged: &'a [NotJudged],
    /// The reported week's ISO label (`2026-W47`) and its Monday.
    pub week: (&'a str, NaiveDate),
    /// The last local date with an activity, if any.
    pub data_end: Option<NaiveDate>,
    /// One line about the files (found, analysed, ...).
    pub files_line: String,
    /// Conflicts (overlapping recordings kept both), as `a` / `b` / reason.
    pub conflicts: Vec<String>,
    /// Units.
    pub units: Units,
    /// Link to the chart (`summary.md` in the report folder), if any.
    pub chart: Option<&'a str>,
    /// Activities of the reported week without samples (treadmill or manual entries).
    pub no_samples: u32,
    /// The default week's Monday when the data ends before it and `week` is the last week with
    /// data instead.
    pub instead_of: Option<NaiveDate>,
}

/// The summary of the reported week as Markdown; `chart` links the chart (in the report folder).
pub fn markdown(r: &Report, chart: Option<&str>) -> String {
    let monday = r.week;
    let label = iso_week_label(monday);
    let c = r.counts;
    let mut files_line = format!(
        "Files: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; {} activities.",
        c.found, c.analysed, c.salvaged, c.skipped, c.failed, c.duplicate, c.activities
    );
    if c.listed_without_file > 0 {
        // Counted, not analysed: only the strength sessions among them enter the weeks.
        let (n, k) = (c.listed_without_file, c.listed_strength);
        let _ = write!(
            files_line,
            " Strava's list also names {}: {} counted in their weeks{}.",
            plural(
                n as u32,
                "session without a file",
                "sessions without a file"
            ),
            plural(k as u32, "strength session", "strength sessions"),
            if n > k {
                ", the others not analysed"
            } else {
                ""
            }
        );
    }
    let data_end = r
        .activities
        .iter()
        .filter(|a| a.date_ok)
        .map(|a| a.start_local().date_naive())
        .max();
    let conflicts = r
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Conflict)
        .map(|e| format!("{}: {}", e.source, e.reason))
        .collect();
    let no_samples = r
        .activities
        .iter()
        .filter(|a| a.date_ok && a.samples == 0)
        .filter(|a| crate::periods::build::week_start(a.start_local().date_naive()) == monday)
        .count();
    let f = r.flags;
    summary_markdown(&SummaryInput {
        profile: r.profile,
        weeks: &f.periods.weeks,
        flags: &f.flags,
        not_judged: &f.not_judged,
        week: (&label, monday),
        data_end,
        files_line,
        conflicts,
        units: r.units,
        chart,
        no_samples: u32::try_from(no_samples).unwrap_or(u32::MAX),
        instead_of: r.instead_of,
    })
}

/// Text for the Markdown summary, escaped so that it reads as plain text: it can add no
/// heading, list, table, link, image, HTML or emphasis. Every character CommonMark gives a
/// meaning inside a line (backslash, backtick, `* _ [ ] < > # | ! & ~ @`) is backslash-escaped,
/// line breaks become spaces (so nothing can start a line), and GitHub's bare-URL links are
/// broken up (`www\.`, `\://`). Used for everything that can come from a file, the
/// configuration or a Strava list (shoe names in flag messages, the athlete's name); the rest of
/// the summary is calfguard's own text and is left as it is.
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '&' | '~' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str("\\:");
            }
            '.' if out.len() >= 3
                && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www") =>
            {
                out.push_str("\\.");
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn ratio(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| format!("{v:.2}"))
        .unwrap_or_else(|| "–".into())
}

fn day(d: NaiveDate) -> String {
    format!("{} {} {}", d.format("%a"), d.day(), d.format("%b %Y"))
}

/// The summary as Markdown.
pub fn summary_markdown(x: &SummaryInput) -> String {
    let u = x.units;
    let (label, monday) = x.week;
    let sunday = monday + chrono::Duration::days(6);
    let mut out = String::new();
    let who = md_text(x.profile.name.as_deref().unwrap_or("your training"));
    let _ = writeln!(out, "# calfguard weekly summary: {who}\n");
    let _ = writeln!(
        out,
        "**Week {label}**, {} to {}.\n",
        day(monday),
        day(sunday)
    );

    let Some(end) = x.data_end else {
        let _ = writeln!(out, "No activities with a plausible date were found.\n");
        let _ = writeln!(out, "{}", x.files_line);
        return out;
    };
    if let Some(default) = x.instead_of {
        let _ = writeln!(
            out,
            "Data ends on {end}, before the last complete week ({}): this is the last week with \
             data. Export newer activities to see recent weeks, or choose a week with `--week`.\n",
            iso_week_label(default)
        );
    }
    if end < monday {
        let _ = writeln!(
            out,
            "Data ends on {end}: there is nothing to report for {label}. Export newer activities, or \
             choose a week with `--week`.\n"
        );
        let _ = writeln!(out, "{}", x.files_line);
        return out;
    }

    let idx = x.weeks.iter().position(|w| w.period == label);
    let week = idx.and_then(|i| x.weeks.get(i));
    let before: Vec<&Week> = match idx {
        Some(i) => x.weeks[i.saturating_sub(4)..i].iter().collect(),
        None => Vec::new(),
    };
    match week {
        None => {
            let _ = writeln!(out, "No activity in this week.\n");
        }
        Some(w) => {
            let t = &w.totals;
            let _ = writeln!(
                out,
                "{}, {} in {} moving; longest run {}; {} hard; load {:.0}; \
                 {} of steep descent; {} in heat; {}; {}. \
                 Acute:chronic load ratio {}.\n",
                plural(t.runs, "run", "runs"),
                distance(t.distance_m, u),
                duration(t.moving_s),
                distance(t.longest_run_m, u),
                t.hard_runs,
                t.load,
                elevation(t.steep_descent_m, u),
                minutes(t.heat_minutes),
                plural(t.strength_sessions, "strength session", "strength sessions"),
                plural(t.rest_days, "rest day", "rest days"),
                ratio(w.acwr),
            );
            if x.no_samples > 0 {
                let _ = writeln!(
                    out,
                    "{} no samples (treadmill or manual entries): counted with the duration and \
                     distance their files state, where they state them; no heart rate, pace, heat \
                     or terrain from them.\n",
                    plural(x.no_samples, "session had", "sessions had"),
                );
            }
        }
    }
    if !before.is_empty() {
        let _ = writeln!(
            out,
            "| week | runs | distance | longest | load | ratio | flags |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---|");
        for w in before.iter().copied().chain(week) {
            let t = &w.totals;
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {:.0} | {} | {} |",
                w.period,
                if Some(w) == week { " (this week)" } else { "" },
                t.runs,
                distance(t.distance_m, u),
                distance(t.longest_run_m, u),
                t.load,
                ratio(w.acwr),
                if w.flags.is_empty() {
                    "–".to_string()
                } else {
                    w.flags.join(", ")
                }
            );
        }
        out.push('\n');
    }

    let mut flags: Vec<&Flag> = x.flags.iter().filter(|f| f.period == label).collect();
    flags.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.date.cmp(&b.date)));
    if flags.is_empty() {
        let _ = writeln!(out, "## No flags this week\n");
    } else {
        let _ = writeln!(out, "## Flags this week ({})\n", flags.len());
        for f in flags {
            let value = number(f.value, f.code, u);
            let threshold = number(f.threshold, f.code, u);
            let _ = writeln!(
                out,
                "- **{}** {} ({}), {}: {}",
                f.severity.as_str(),
                f.code.as_str(),
                f.code.category().as_str(),
                f.date,
                md_text(&render(&f.message, u))
            );
            let mut numbers = Vec::new();
            if !value.is_empty() {
                numbers.push(format!("measured {value}"));
            }
            if !threshold.is_empty() {
                numbers.push(format!("threshold {threshold}"));
            }
            if !f.window.is_empty() {
                numbers.push(format!("window: {}", md_text(&f.window)));
            }
            if !numbers.is_empty() {
                let _ = writeln!(out, "  - {}.", capitalise(&numbers.join("; ")));
            }
            let _ = writeln!(
                out,
                "  - Evidence: {} ({}).",
                f.code.evidence(),
                f.code.source()
            );
            let _ = writeln!(out, "  - What to do: {}", f.code.advice());
        }
        out.push('\n');
    }

    let notes: Vec<&NotJudged> = x
        .not_judged
        .iter()
        .filter(|n| n.period == label || n.period == "all")
        .collect();
    if !notes.is_empty() {
        let _ = writeln!(out, "## Not judged\n");
        for n in notes {
            let _ = writeln!(out, "- {}: {}", md_text(&n.what), md_text(&n.why));
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Data\n");
    let _ = writeln!(out, "- {}", x.files_line);
    let p = x.profile;
    let hr = |v: Option<f64>| heart_rate(v).unwrap_or_else(|| "unknown".into());
    let _ = writeln!(
        out,
        "- HRmax {} ({}), resting HR {} ({}).",
        hr(p.hr_max_bpm.value),
        p.hr_max_bpm.origin.as_str(),
        hr(p.hr_rest_bpm.value),
        p.hr_rest_bpm.origin.as_str()
    );
    if !x.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "- {} overlapping recordings of different activities were both kept (see errors.csv, kind `conflict`).",
            x.conflicts.len()
        );
    }
    if let Some(c) = x.chart {
        let _ = writeln!(out, "- Chart of every week: [{c}]({c}).");
    }
    out
}
