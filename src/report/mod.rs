//! Reporters: pure data in, files out. A [`Report`] holds everything a report shows;
//! [`write_all`] writes the report folder's files, and [`FILES`] (taken from the same table) is
//! the one list of them, which the folder's marker names too. A new output format is one module
//! here plus one line in that table.
//!
//! - [`csv`]: the CSV files (SI, a contract for scripts);
//! - [`summary`]: the weekly summary in Markdown (`summary.md`, `calfguard summary`);
//! - [`json`]: the same summary as JSON (`calfguard summary --format json`);
//! - [`chart`]: `weeks.svg`; [`html`]: `report.html` (summary, chart and flags in one page);
//! - [`mod@format`]: every number and unit a person reads, in the chosen units;
//! - [`folder`]: where the files go, and how the folder is replaced as a whole.

pub mod chart;
pub mod csv;
pub mod folder;
pub mod format;
pub mod html;
pub mod json;
pub mod summary;

use crate::athlete::Profile;
use crate::flags;
use crate::ledger::{Counts, ErrorRow};
use crate::metrics::record::ActivityRecord;
use crate::units::Units;
use chrono::NaiveDate;
use std::io;
use std::path::Path;

/// Everything a report shows.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// Per-activity records (finished), sorted by start then source.
    pub activities: &'a [ActivityRecord],
    /// Rows of `errors.csv`, sorted.
    pub errors: &'a [ErrorRow],
    /// What happened to every file.
    pub counts: &'a Counts,
    /// The athlete profile and where each value came from.
    pub profile: &'a Profile,
    /// Periods, flags and the rules not judged.
    pub flags: &'a flags::Analysis,
    /// The reported week's Monday.
    pub week: NaiveDate,
    /// When the data ends before the default week (the last complete one before now), that
    /// week's Monday: `week` is then the last week with data instead.
    pub instead_of: Option<NaiveDate>,
    /// Units of the summary, chart and page.
    pub units: Units,
}

/// The summary, chart and page, made once for the files that show them.
struct Views<'a> {
    report: &'a Report<'a>,
    svg: String,
    summary: String,
    html: String,
}

type Writer = fn(&Path, &Views) -> io::Result<()>;

/// The files of a report folder, in the order they are written, each with its writer.
const WRITERS: [(&str, Writer); 9] = [
    ("activities.csv", |p, v| {
        csv::write_activities(p, v.report.activities)
    }),
    ("errors.csv", |p, v| csv::write_errors(p, v.report.errors)),
    ("weeks.csv", |p, v| {
        csv::write_weeks(p, &v.report.flags.periods.weeks)
    }),
    ("months.csv", |p, v| {
        csv::write_months(p, &v.report.flags.periods.months)
    }),
    ("flags.csv", |p, v| {
        csv::write_flags(p, &v.report.flags.flags)
    }),
    ("athlete.csv", |p, v| {
        csv::write_athlete(p, v.report.profile)
    }),
    ("weeks.svg", |p, v| std::fs::write(p, &v.svg)),
    ("summary.md", |p, v| std::fs::write(p, &v.summary)),
    ("report.html", |p, v| std::fs::write(p, &v.html)),
];

/// The files a report folder holds (besides its marker), in the order [`write_all`] writes them.
pub const FILES: [&str; WRITERS.len()] = {
    let mut names = [""; WRITERS.len()];
    let mut i = 0;
    while i < WRITERS.len() {
        names[i] = WRITERS[i].0;
        i += 1;
    }
    names
};

/// Write every file of [`FILES`] into `dir`. After each file the test seam
/// `CALFGUARD_FAULT=after-<name without extension>` may abort the process ([`crate::fault`]).
pub fn write_all(dir: &Path, report: &Report) -> io::Result<()> {
    let f = report.flags;
    let svg = chart::weeks_svg(
        &f.periods.weeks,
        &f.periods.months,
        &f.flags,
        &f.not_judged,
        report.units,
    );
    let summary = summary::markdown(report, Some("weeks.svg"));
    let title = format!(
        "calfguard: {}",
        report.profile.name.as_deref().unwrap_or("calf-risk report")
    );
    let html = html::report_html(&title, &summary, &svg, &f.flags, report.units);
    let views = Views {
        report,
        svg,
        summary,
        html,
    };
    for (name, write) in WRITERS {
        write(&dir.join(name), &views)?;
        let stem = name.split('.').next().unwrap_or(name);
        crate::fault::abort_at(&format!("after-{stem}"));
    }
    Ok(())
}
