//! The weekly summary (`calfguard summary`, `summary.md`): the verdict first (the week's headline
//! flag in plain words with its evidence and advice), then context numbers that are not flags,
//! caveats, the four weeks before for comparison, the week's other flags (evidence and advice
//! once per code), what was not judged and the data.
//! No coordinates anywhere. Units follow `--units` / `athlete.units`; the CSVs stay SI.

use super::format::{distance, duration, elevation, heart_rate, minutes, render};
use super::Report;
use crate::athlete::{Origin, Profile};
use crate::flags::{headline_order, Code, Flag, NotJudged};
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
    let label = iso_week_label(r.week);
    summary_markdown(&input(r, &label, chart))
}

/// What the summaries (Markdown and JSON) report of `r`, for its week `label`
/// (`iso_week_label(r.week)`).
pub fn input<'a>(r: &Report<'a>, label: &'a str, chart: Option<&'a str>) -> SummaryInput<'a> {
    let monday = r.week;
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
    SummaryInput {
        profile: r.profile,
        weeks: &f.periods.weeks,
        flags: &f.flags,
        not_judged: &f.not_judged,
        week: (label, monday),
        data_end,
        files_line,
        conflicts,
        units: r.units,
        chart,
        no_samples: u32::try_from(no_samples).unwrap_or(u32::MAX),
        instead_of: r.instead_of,
    }
}

/// The reported week's material, chosen once for the Markdown and the JSON summaries: its
/// totals, the four weeks before, its headline flag, its other flags and what was not judged.
pub struct WeekView<'a> {
    /// The week's row of the periods; `None` when it has no activity.
    pub week: Option<&'a Week>,
    /// Up to four weeks before it, oldest first.
    pub before: Vec<&'a Week>,
    /// The verdict: the flag marked as the week's headline ([`headline_order`] first
    /// otherwise); `None` without flags.
    pub headline: Option<&'a Flag>,
    /// The week's other flags, in [`headline_order`].
    pub others: Vec<&'a Flag>,
    /// The rules not judged for this week or for the whole history.
    pub notes: Vec<&'a NotJudged>,
}

impl<'a> WeekView<'a> {
    /// The material of the week `x.week`.
    pub fn of(x: &SummaryInput<'a>) -> WeekView<'a> {
        let label = x.week.0;
        let weeks: &'a [Week] = x.weeks;
        let idx = weeks.iter().position(|w| w.period == label);
        let week = idx.and_then(|i| weeks.get(i));
        let before: Vec<&'a Week> = match idx {
            Some(i) => weeks[i.saturating_sub(4)..i].iter().collect(),
            None => Vec::new(),
        };
        let not_judged: &'a [NotJudged] = x.not_judged;
        let notes: Vec<&'a NotJudged> = not_judged
            .iter()
            .filter(|n| n.period == label || n.period == "all")
            .collect();
        let all: &'a [Flag] = x.flags;
        let mut others: Vec<&'a Flag> = all.iter().filter(|f| f.period == label).collect();
        others.sort_by(|a, b| headline_order(a, b));
        let head = others
            .iter()
            .position(|f| f.headline)
            .unwrap_or(0)
            .min(others.len().saturating_sub(1));
        let headline = (!others.is_empty()).then(|| others.remove(head));
        WeekView {
            week,
            before,
            headline,
            others,
            notes,
        }
    }
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

/// The activity a per-run flag is about: `, run at 07:30, 42.7 km`; empty for weekly flags.
pub fn about(f: &Flag, u: Units) -> String {
    match (f.activity_start_local, f.activity_distance_m) {
        (Some(t), Some(d)) => format!(", run at {}, {}", t.format("%H:%M"), distance(d, u)),
        (Some(t), None) => format!(", run at {}", t.format("%H:%M")),
        _ => String::new(),
    }
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

    let WeekView {
        week,
        before,
        headline,
        others: flags,
        notes,
    } = WeekView::of(x);

    // The verdict: the week's headline flag in plain words with its evidence and advice.
    match headline {
        None => {
            let _ = writeln!(
                out,
                "**Verdict: no flag this week.** Nothing in this week's data calls for a change.\n"
            );
        }
        Some(f) => {
            let others: Vec<&str> = {
                let mut c: Vec<&str> = Vec::new();
                for o in &flags {
                    if !c.contains(&o.code.as_str()) {
                        c.push(o.code.as_str());
                    }
                }
                c
            };
            // The headline's own code on other runs reads "on N more runs", not as another code.
            let same = flags.iter().filter(|o| o.code == f.code).count();
            let others: Vec<String> = others
                .into_iter()
                .map(|c| {
                    if c == f.code.as_str() {
                        format!("{c} on {}", plural(same as u32, "more run", "more runs"))
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            let also = if others.is_empty() {
                String::new()
            } else {
                format!(" Also this week: {}.", others.join(", "))
            };
            let message = render(&f.message, u);
            let _ = writeln!(
                out,
                "**Verdict: {}.** {}: {}, {}{}.{also}\n",
                f.severity.as_str(),
                f.code.as_str(),
                md_text(message.trim_end_matches('.')),
                day(f.date),
                about(f, u),
            );
            let _ = writeln!(
                out,
                "Evidence: {} ({}). What to do: {}\n",
                f.code.evidence(),
                f.code.source(),
                f.code.advice()
            );
        }
    }

    let heat_note = notes.iter().find(|n| n.is_heat());
    // Context: numbers that are not flags.
    match week {
        None => {
            let _ = writeln!(out, "No activity in this week.\n");
        }
        Some(w) => {
            let t = &w.totals;
            let mut parts = vec![
                format!(
                    "{}, {} in {} moving",
                    plural(t.runs, "run", "runs"),
                    distance(t.distance_m, u),
                    duration(t.moving_s)
                ),
                format!("longest run {}", distance(t.longest_run_m, u)),
                format!("{} hard", t.hard_runs),
                format!("load {:.0}", t.load),
                format!("acute:chronic load ratio {}", ratio(w.acwr)),
            ];
            if let Some(r) = w.ramp_pct.filter(|r| r.is_finite()).map(f64::round) {
                let r = if r == 0.0 {
                    "0".to_string()
                } else {
                    format!("{r:+.0}")
                };
                parts.push(format!("distance {r} % on the week before"));
            }
            if t.steep_descent_m > 0.0 {
                parts.push(format!(
                    "{} of steep descent",
                    elevation(t.steep_descent_m, u)
                ));
            }
            // Minutes "in heat" from readings that were not judged (a wrist sensor, no
            // humidity) would contradict the caveat below: shown only when heat was judged.
            if t.heat_minutes > 0.0 && heat_note.is_none() {
                parts.push(format!("{} in heat", minutes(t.heat_minutes)));
            }
            // Strength work as context (ST-LOW is never raised): the sessions of the 4 weeks
            // ending with this one, once the history holds any.
            if x.weeks.iter().any(|h| h.totals.strength_sessions > 0) {
                let last4: u32 = x
                    .weeks
                    .iter()
                    .filter(|h| {
                        h.start_date <= w.start_date
                            && h.start_date > w.start_date - chrono::Duration::days(28)
                    })
                    .map(|h| h.totals.strength_sessions)
                    .sum();
                parts.push(format!(
                    "{} in the last 4 weeks",
                    plural(last4, "strength session", "strength sessions")
                ));
            }
            let _ = writeln!(out, "Context: {}.\n", parts.join("; "));
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

    // Caveats.
    let mut caveats = Vec::new();
    let p = x.profile;
    if p.hr_max_bpm.origin == Origin::Estimated {
        caveats.push(format!(
            "HRmax {} is estimated from your history, so hard and easy are approximate",
            heart_rate(p.hr_max_bpm.value).unwrap_or_else(|| "unknown".into())
        ));
    }
    // Heat not judged this week is a caveat (with its reason), not repeated under "Not judged".
    if let Some(n) = heat_note {
        caveats.push(format!("heat was not judged ({})", md_text(&n.why)));
    }
    if !caveats.is_empty() {
        let _ = writeln!(out, "Caveats: {}.\n", caveats.join("; "));
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

    // The other flags: one line each; evidence and advice once per code. A flag of the
    // headline's family or about the headline's run is the same event (a race week is one
    // story): its line is folded under the headline's evidence and advice.
    if !flags.is_empty() {
        let _ = writeln!(out, "## Also this week ({})\n", flags.len());
        let mut told: Vec<Code> = headline.map(|f| f.code).into_iter().collect();
        for f in flags {
            let same_event = headline.is_some_and(|h| {
                h.code.category() == f.code.category()
                    || (!h.activity.is_empty() && h.activity == f.activity)
            });
            if same_event {
                told.push(f.code);
            }
            let _ = writeln!(
                out,
                "- **{}** {}, {}{}: {}",
                f.severity.as_str(),
                f.code.as_str(),
                day(f.date),
                about(f, u),
                md_text(&render(&f.message, u))
            );
            if !told.contains(&f.code) {
                told.push(f.code);
                // The headline carries its full citation; the other flags keep the grade of
                // their evidence and the advice, and cite their source in flags.csv and
                // docs/flags.md (a heavy week stays under 400 words).
                let _ = writeln!(
                    out,
                    "  - Evidence: {}. What to do: {}",
                    f.code.evidence(),
                    f.code.advice()
                );
            }
        }
        out.push('\n');
    }
    let notes: Vec<_> = notes
        .iter()
        .filter(|n| !heat_note.is_some_and(|h| std::ptr::eq(*n, h)))
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
