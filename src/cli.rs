//! Command-line interface: clap definitions and their validation into plain [`Settings`].
//!
//! No clap type goes past this module and `main.rs`: [`FailOn`] becomes a
//! [`Severity`], [`UnitsArg`] a [`Units`], and the pipeline only sees [`Settings`].

use crate::config::ConfigError;
use crate::enrich::weather::Weather;
use crate::flags::Severity;
use crate::settings::Settings;
use crate::units::Units;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use std::num::NonZeroUsize;
use std::path::PathBuf;

/// The exit codes of `calfguard` and `analyze` (a macro so that both help texts are one literal).
macro_rules! exit_codes {
    () => {
        "\
Exit codes:
  0    done, no file failed
  1    some files failed (the report is still written; skipped or salvaged files alone do not make it 1)
  2    usage, configuration or output error (e.g. --out is not a calfguard report), or nothing
       to report (no activity found): nothing is written
  3    --fail-on: a flag of that severity or above in the reported week (wins over 1)
  130  interrupted: Ctrl-C, SIGTERM or SIGHUP (the previous report is left as it was)"
    };
}

const EXIT_CODES: &str = exit_codes!();

const ANALYZE_HELP: &str = concat!(
    "\
Examples:
  calfguard analyze ~/Downloads/export_12345.zip                 # a Garmin export, as downloaded
  calfguard analyze ~/strava-export.zip ~/watch --out ~/calf     # several inputs, another folder
  calfguard analyze ~/exports --week 2026-W47 --units imperial   # report one week, in miles
  calfguard analyze ~/exports --since 2026-01-01 --tz Europe/Berlin

",
    exit_codes!()
);

const SUMMARY_HELP: &str = "\
Examples:
  calfguard summary ~/exports                          # the last complete week, as Markdown
  calfguard summary ~/exports --week 2026-W47          # one chosen week
  calfguard summary ~/exports --format json | jq .headline.message   # for scripts
  calfguard summary ~/exports --quiet --fail-on high > week.md || echo \"exit $?: read week.md\"

Exit codes:
  0    done, no file failed
  1    some files failed (the summary is still printed; skipped or salvaged files alone do not make it 1)
  2    usage or configuration error, or nothing to report (no activity found)
  3    --fail-on: a flag of that severity or above in the reported week (wins over 1)
  130  interrupted: Ctrl-C, SIGTERM or SIGHUP";

const INIT_HELP: &str = "\
Examples:
  calfguard init                                 # ~/.config/calfguard/calfguard.toml
  calfguard init --config ./calfguard.toml       # here, then: calfguard analyze ... --config ./calfguard.toml
  calfguard init --force                         # replace an existing file with the defaults";

const COMPLETIONS_HELP: &str = "\
Examples (where each shell looks for them):
  calfguard completions bash > ~/.local/share/bash-completion/completions/calfguard
  calfguard completions zsh > ~/.zfunc/_calfguard      # with fpath+=~/.zfunc before compinit in ~/.zshrc
  calfguard completions fish > ~/.config/fish/completions/calfguard.fish";

const MAN_HELP: &str = "\
Example:
  mkdir -p ~/.local/share/man/man1 && calfguard man > ~/.local/share/man/man1/calfguard.1
  man calfguard";

/// The version `--version` prints: the crate's version, and `git describe` of the checkout it
/// was built from when there was one (set by `build.rs`).
pub const VERSION: &str = env!("CALFGUARD_VERSION");

/// calfguard: reads a whole sports-watch export and tells, week by week, which training
/// patterns put your calves at risk.
#[derive(Debug, Parser)]
#[command(name = "calfguard", version = VERSION, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse files and folders (searched recursively) and write the report folder.
    #[command(after_help = ANALYZE_HELP)]
    Analyze(AnalyzeArgs),
    /// Analyse like `analyze` and print the summary of one week (default: the last complete
    /// week before --now, or the last week with data) on stdout, for a Monday mail from cron.
    #[command(after_help = SUMMARY_HELP)]
    Summary(SummaryArgs),
    /// Write a commented default configuration file (calfguard.toml).
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Print the shell completion script for SHELL on stdout.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff, section 1) on stdout.
    #[command(after_help = MAN_HELP)]
    Man,
    /// Look after the store (the cache of per-activity results and the last run's tables).
    #[command(subcommand)]
    Store(StoreCommand),
}

/// Arguments of `calfguard completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Write the completion script for `shell` (`calfguard completions SHELL`).
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "calfguard", out);
}

/// Write the manual page (`calfguard man`): one page, calfguard(1), with the top-level
/// synopsis, then each subcommand's synopsis, options and examples as subsections.
pub fn write_man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    let subs: Vec<_> = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    // The commands, each described in its own section below (there are no calfguard-analyze(1)
    // pages: one page holds everything).
    writeln!(out, ".SH COMMANDS")?;
    for sub in &subs {
        writeln!(out, ".TP\n\\fBcalfguard {}\\fR", sub.get_name())?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
    }
    for sub in subs {
        let full = format!("calfguard {}", sub.get_name());
        let sub = sub
            .clone()
            .bin_name(full.clone())
            .display_name(full.clone());
        let mut page = Vec::new();
        let man = clap_mangen::Man::new(sub.clone());
        man.render_synopsis_section(&mut page)?;
        man.render_options_section(&mut page)?;
        // One section per subcommand; its synopsis and options are subsections of it.
        let page = String::from_utf8_lossy(&page)
            .replace(".SH SYNOPSIS", ".SS Synopsis")
            .replace(".SH OPTIONS", ".SS Options");
        writeln!(out, ".SH \"{}\"", full.to_uppercase())?;
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            writeln!(out, "{}", roff_text(&about.to_string()))?;
        }
        out.write_all(page.as_bytes())?;
        if let Some(after) = sub.get_after_help() {
            writeln!(out, ".SS Examples and exit codes")?;
            writeln!(out, ".nf")?;
            writeln!(out, "{}", roff_text(&after.to_string()))?;
            writeln!(out, ".fi")?;
        }
    }
    writeln!(out, ".SH \"EXIT STATUS\"\n.nf")?;
    writeln!(
        out,
        "{}",
        roff_text(EXIT_CODES.trim_start_matches("Exit codes:\n"))
    )?;
    writeln!(out, ".fi")?;
    man.render_version_section(out)?;
    Ok(())
}

/// Text for a roff page: backslashes as `\e`, hyphens as `\-` (so that options copied from the
/// page are typed as written), and a line that starts with `.` or `'` (which roff would read as a
/// request) preceded by the zero-width `\&`.
fn roff_text(s: &str) -> String {
    s.replace('\\', "\\e")
        .replace('-', "\\-")
        .lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// --- The store (issue 17): its options and subcommands, kept together. ---

/// `--store` and `--no-store`, shared by `analyze` and `summary`.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// SQLite store: caches per-activity results so that unchanged files are not read again,
    /// and holds the last run's tables for SQL queries. Default:
    /// $XDG_DATA_HOME/calfguard/calfguard.db (~/.local/share/calfguard/calfguard.db),
    /// created on first use.
    #[arg(long, value_name = "FILE", conflicts_with = "no_store")]
    pub store: Option<PathBuf>,
    /// Run without a store: read every file, write no database.
    #[arg(long)]
    pub no_store: bool,
}

impl StoreArgs {
    /// The store to use, if any.
    pub fn path(&self) -> Option<PathBuf> {
        if self.no_store {
            return None;
        }
        self.store.clone().or_else(crate::store::default_path)
    }
}

/// `calfguard store ...`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Show the store's path, size, schema version and what it holds.
    Info {
        /// The store (default: as for analyze).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
    },
    /// Drop the cached results of files no longer present in PATHS (and their rows of the
    /// files table).
    Prune {
        /// The store (default: as for analyze).
        #[arg(long, value_name = "FILE")]
        store: Option<PathBuf>,
        /// The files and folders whose results to keep.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// Arguments of `calfguard summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// What to read and how.
    #[command(flatten)]
    pub input: InputArgs,
    /// The week to report (ISO week, e.g. 2026-W47). Default: the last complete week before
    /// --now, or the last week with data when the data ends before it.
    #[arg(long, value_name = "WEEK", value_parser = parse_week)]
    pub week: Option<NaiveDate>,
    /// Output format: Markdown (as summary.md) or JSON for dashboards and notification
    /// scripts (schema: docs/summary-json.md). The exit code is the same in both.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "md")]
    pub format: SummaryFormatArg,
}

/// The format of `calfguard summary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormatArg {
    /// Markdown, as summary.md.
    Md,
    /// JSON (docs/summary-json.md).
    Json,
}

/// How severe a flag must be for `--fail-on` to exit with 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Medium or high.
    Medium,
    /// High only.
    High,
}

/// Units of the summary, charts and report page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UnitsArg {
    /// km, min/km, °C.
    Metric,
    /// mi, min/mi, °F.
    Imperial,
}

/// Parse an ISO week `2026-W47` into its Monday.
pub fn parse_week(s: &str) -> Result<NaiveDate, String> {
    let bad = || format!("'{s}' is not an ISO week: use YYYY-Www, e.g. 2026-W47");
    let (y, w) = s.trim().split_once(['W', 'w']).ok_or_else(bad)?;
    let year: i32 = y.trim_end_matches('-').parse().map_err(|_| bad())?;
    let week: u32 = w.parse().map_err(|_| bad())?;
    NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(bad)
}

/// Parse `--threads`: a whole number, at least 1.
pub fn parse_threads(s: &str) -> Result<NonZeroUsize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1 (leave --threads out for one per core)".into()),
        Ok(n) => NonZeroUsize::new(n).ok_or_else(|| "must be at least 1".into()),
        Err(_) => Err(format!(
            "'{s}' is not a number of threads: use a whole number, at least 1"
        )),
    }
}

/// Parse a date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: use YYYY-MM-DD"))
}

/// Arguments of `calfguard init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it (default: the platform's configuration folder, e.g.
    /// ~/.config/calfguard/calfguard.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `calfguard analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// What to read and how.
    #[command(flatten)]
    pub input: InputArgs,

    /// Report folder; replaced as a whole when the run completes, and only if it is new,
    /// empty, or a calfguard report holding nothing else (it carries a `.calfguard-report`
    /// marker). Never an input, inside or above one, the current, home or root folder.
    #[arg(long, short, value_name = "DIR", default_value = "calfguard-report")]
    pub out: PathBuf,

    /// The week the report's summary and `--fail-on` are about (ISO week, e.g. 2026-W47), as
    /// in `summary`. Default: the last complete week before --now, or the last week with data
    /// when the data ends before it.
    #[arg(long, value_name = "WEEK", value_parser = parse_week)]
    pub week: Option<NaiveDate>,
}

/// What to read and how: shared by `analyze` and `summary`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and folders (FIT, GPX, TCX; loose, .gz or in .zip archives, nested); folders are
    /// searched recursively.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = parse_threads)]
    pub threads: Option<NonZeroUsize>,

    /// No progress bar and no summary line on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// What "now" is, for dates in the future and the current week: RFC 3339
    /// (2026-11-23T08:00:00Z) or a date (2026-11-23, taken as 00:00 UTC). Default: the clock.
    #[arg(long, value_name = "TIME", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,

    /// Time zone for activities whose file and start position give none (treadmill runs,
    /// files without positions): an IANA name such as Europe/Berlin.
    #[arg(long, value_name = "ZONE", value_parser = crate::localtime::parse_zone)]
    pub tz: Option<chrono_tz::Tz>,

    /// Configuration file (default: the platform's configuration folder, e.g.
    /// ~/.config/calfguard/calfguard.toml, if it exists). `calfguard init` writes one.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Hourly weather CSV (`time,temp_c,rh_pct[,wind_mps]`, or an Open-Meteo export with
    /// `temperature_2m`, `relative_humidity_2m`), joined to activities by time: the best
    /// temperature source, and the humidity that heat index, WBGT and sweat loss need.
    #[arg(long, value_name = "FILE")]
    pub weather: Option<PathBuf>,

    /// Shoes: a CSV with a `shoe` column and either `from`,`to` dates (YYYY-MM-DD; an empty
    /// `to` is open) or a `source` naming one activity's file. Wins over the gear column of
    /// a Strava export's activities.csv.
    #[arg(long, value_name = "FILE")]
    pub gear: Option<PathBuf>,

    /// Only activities on or after this local date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<NaiveDate>,

    /// Only activities on or before this local date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<NaiveDate>,

    /// Units of the summary, chart and report page (CSV columns stay SI). Default: the
    /// configuration's `athlete.units`, else metric.
    #[arg(long, value_enum, value_name = "UNITS")]
    pub units: Option<UnitsArg>,

    /// Exit with code 3 when the reported week has a flag of this severity or above.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Keep every recording of a run found in several files (by default the richest is kept
    /// and the others are listed as duplicates).
    #[arg(long)]
    pub keep_duplicates: bool,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Parse `--now`: an RFC 3339 time or a plain date (midnight UTC).
pub fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(format!(
        "'{s}' is not a time: use RFC 3339 (2026-11-23T08:00:00Z) or a date (2026-11-23)"
    ))
}

/// Validate the arguments and load the configuration and weather files into the run's plain
/// [`Settings`] (`--tz` wins over the configuration's `time_zone`, `--units` over its `units`).
pub fn settings(
    a: InputArgs,
    out: PathBuf,
    week: Option<NaiveDate>,
) -> Result<Settings, ConfigError> {
    let config = crate::config::load(a.config.as_deref())?;
    let weather = match &a.weather {
        Some(p) => Some(std::sync::Arc::new(Weather::load(p).map_err(
            |message| ConfigError {
                path: p.display().to_string(),
                message,
            },
        )?)),
        None => None,
    };
    let units = match a.units {
        Some(UnitsArg::Metric) => Units::Metric,
        Some(UnitsArg::Imperial) => Units::Imperial,
        None => config.units.unwrap_or_default(),
    };
    Ok(Settings {
        paths: a.paths,
        out,
        week,
        gear: a.gear,
        since: a.since,
        until: a.until,
        units,
        fail_on: a.fail_on.map(|f| match f {
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
        }),
        threads: a.threads.map(NonZeroUsize::get),
        quiet: a.quiet,
        now: a.now.unwrap_or_else(Utc::now),
        tz: a.tz.or(config.time_zone),
        keep_duplicates: a.keep_duplicates,
        store: a.store.path(),
        config,
        weather,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn now_parses_both_forms() {
        assert_eq!(
            parse_now("2026-11-23").unwrap().to_rfc3339(),
            "2026-11-23T00:00:00+00:00"
        );
        assert_eq!(
            parse_now("2026-11-23T08:00:00+01:00").unwrap().to_rfc3339(),
            "2026-11-23T07:00:00+00:00"
        );
        assert!(parse_now("yesterday").is_err());
    }

    #[test]
    fn threads_must_be_at_least_one() {
        assert_eq!(parse_threads("4").unwrap().get(), 4);
        assert!(parse_threads("0")
            .unwrap_err()
            .contains("must be at least 1"));
        assert!(parse_threads("-1").unwrap_err().contains("at least 1"));
        assert!(parse_threads("many").unwrap_err().contains("whole number"));
    }

    #[test]
    fn weeks_parse_to_their_monday() {
        assert_eq!(parse_week("2026-W47").unwrap().to_string(), "2026-11-16");
        assert_eq!(parse_week("2027-W01").unwrap().to_string(), "2027-01-04");
        assert_eq!(parse_week("2026-W53").unwrap().to_string(), "2026-12-28");
        assert!(parse_week("2025-W53").is_err(), "2025 has 52 ISO weeks");
        assert!(parse_week("47").is_err());
    }
}
