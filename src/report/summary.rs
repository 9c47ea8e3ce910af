//! The weekly summary (`calfguard summary`, `summary.md`): one week's totals, the four weeks
//! before for comparison, and each flag in plain words with its numbers, evidence and advice.
//! No coordinates anywhere. Units follow `--units` / `athlete.units`; the CSVs stay SI.

use crate::athlete::Profile;
use crate::flags::{Flag, NotJudged};
use crate::periods::Week;
use crate::report::html::number;
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
}

/// Distance in km or mi.
pub fn distance(m: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1} km", m / 1000.0),
        Units::Imperial => format!("{:.1} mi", m / 1609.344),
    }
}

/// Elevation in m or ft.
pub fn elevation(m: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{m:.0} m"),
        Units::Imperial => format!("{:.0} ft", m / 0.3048),
    }
}

/// Pace per km or per mi from seconds per km.
pub fn pace(s_per_km: f64, units: Units) -> String {
    let (s, unit) = match units {
        Units::Metric => (s_per_km, "km"),
        Units::Imperial => (s_per_km * 1.609344, "mi"),
    };
    let s = s.round() as i64;
    format!("{}:{:02} min/{unit}", s / 60, s % 60)
}

/// Temperature in °C or °F.
pub fn temperature(c: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{c:.1} °C"),
        Units::Imperial => format!("{:.1} °F", c * 9.0 / 5.0 + 32.0),
    }
}

/// A flag message in the chosen units: the rules write metric sentences ("12.8 km", "69 m");
/// in imperial mode every number followed by the unit word `km` or `m` is converted to `mi` or
/// `ft`. Other words and numbers are left as they are.
pub fn message_in(text: &str, units: Units) -> String {
    if units == Units::Metric {
        return text.to_string();
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied().unwrap_or("");
        let unit = next.trim_end_matches([',', '.', ';', ':', ')']);
        let tail = &next[unit.len()..];
        let number = w
            .trim_start_matches('(')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
        let lead = &w[..w.len() - w.trim_start_matches('(').len()];
        let decimals = w.split_once('.').map_or(0, |(_, d)| d.len());
        match (number, unit) {
            (Some(v), "km") => {
                out.push(format!("{lead}{:.*}", decimals.max(1), v / 1.609344));
                out.push(format!("mi{tail}"));
                i += 2;
            }
            (Some(v), "m") => {
                out.push(format!("{lead}{:.0}", v / 0.3048));
                out.push(format!("ft{tail}"));
                i += 2;
            }
            _ => {
                out.push(w.to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
}

fn duration(s: f64) -> String {
    let m = (s / 60.0).round() as i64;
    if m >= 60 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{m} min")
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
                 {} of steep descent; {:.0} minutes in heat; {}; {}. \
                 Acute:chronic load ratio {}.\n",
                plural(t.runs, "run", "runs"),
                distance(t.distance_m, u),
                duration(t.moving_s),
                distance(t.longest_run_m, u),
                t.hard_runs,
                t.load,
                elevation(t.steep_descent_m, u),
                t.heat_minutes,
                plural(t.strength_sessions, "strength session", "strength sessions"),
                plural(t.rest_days, "rest day", "rest days"),
                ratio(w.acwr),
            );
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
                md_text(&message_in(&f.message, u))
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
    let hr = |v: Option<f64>| {
        v.map(|v| format!("{v:.0} bpm"))
            .unwrap_or_else(|| "unknown".into())
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_at_the_edge() {
        assert_eq!(distance(10_000.0, Units::Metric), "10.0 km");
        assert_eq!(distance(16_093.44, Units::Imperial), "10.0 mi");
        assert_eq!(pace(300.0, Units::Metric), "5:00 min/km");
        assert_eq!(pace(300.0, Units::Imperial), "8:03 min/mi");
        assert_eq!(temperature(30.0, Units::Imperial), "86.0 °F");
        assert_eq!(elevation(100.0, Units::Imperial), "328 ft");
        assert_eq!(duration(3_900.0), "1 h 05 min");
    }

    #[test]
    fn flag_messages_follow_the_units() {
        let m = "Shoe \"Pegasus 40\" has now carried at least 404 km in this export.";
        assert_eq!(message_in(m, Units::Metric), m);
        assert_eq!(
            message_in(m, Units::Imperial),
            "Shoe \"Pegasus 40\" has now carried at least 251.0 mi in this export."
        );
        assert_eq!(
            message_in(
                "This week: 69 m of steep descent (12.8 km run), 40 min.",
                Units::Imperial
            ),
            "This week: 226 ft of steep descent (8.0 mi run), 40 min."
        );
    }
}
