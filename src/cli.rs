//! Command-line interface: clap definitions and their validation into a plain [`Config`].
//!
//! No clap type goes past this module (the `fd` pattern): the pipeline only sees `Config`.

use crate::config::{Config, ConfigError};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use std::num::NonZeroUsize;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0    done, no file failed
  1    some files failed (the report is still written; skipped or salvaged files alone do not make it 1)
  2    usage, configuration or output error (nothing analysed)
  3    reserved for --fail-on (a flag of that severity in the reported week)
  130  interrupted (the previous report is left as it was)";

/// calfguard: reads a whole sports-watch export and tells, week by week, which training
/// patterns put your calves at risk.
#[derive(Debug, Parser)]
#[command(name = "calfguard", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse files and folders (searched recursively) and write the report folder.
    #[command(after_help = EXIT_CODES)]
    Analyze(AnalyzeArgs),
    /// Write a commented default configuration file (calfguard.toml).
    Init(InitArgs),
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
    /// Files and folders to analyse (FIT, GPX, TCX; folders are searched recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Report folder; replaced as a whole when the run completes.
    #[arg(long, short, value_name = "DIR", default_value = "calfguard-report")]
    pub out: PathBuf,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
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

    /// Keep every recording of a run found in several files (by default the richest is kept
    /// and the others are listed as duplicates).
    #[arg(long)]
    pub keep_duplicates: bool,
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

/// Everything `analyze` needs, validated.
#[derive(Clone, Debug)]
pub struct AnalyzeConfig {
    /// Inputs as given.
    pub paths: Vec<PathBuf>,
    /// Report folder.
    pub out: PathBuf,
    /// Worker threads; `None` means one per core.
    pub threads: Option<usize>,
    /// Progress bar and summary line off.
    pub quiet: bool,
    /// The run's "now".
    pub now: DateTime<Utc>,
    /// The configured time zone.
    pub tz: Option<chrono_tz::Tz>,
    /// Do not drop recordings of the same run.
    pub keep_duplicates: bool,
    /// The configuration file's settings (defaults when there is none).
    pub file: Config,
    /// Hourly weather, if given.
    pub weather: Option<std::sync::Arc<crate::weather::Weather>>,
}

impl AnalyzeConfig {
    /// Validate the arguments and load the configuration file (`--tz` wins over its
    /// `time_zone`).
    pub fn from_args(a: AnalyzeArgs) -> Result<AnalyzeConfig, ConfigError> {
        let file = crate::config::load(a.config.as_deref())?;
        let weather = match &a.weather {
            Some(p) => Some(std::sync::Arc::new(
                crate::weather::Weather::load(p).map_err(|message| ConfigError {
                    path: p.display().to_string(),
                    message,
                })?,
            )),
            None => None,
        };
        Ok(AnalyzeConfig {
            paths: a.paths,
            out: a.out,
            threads: a.threads.map(NonZeroUsize::get),
            quiet: a.quiet,
            now: a.now.unwrap_or_else(Utc::now),
            tz: a.tz.or(file.athlete.time_zone),
            keep_duplicates: a.keep_duplicates,
            file,
            weather,
        })
    }
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
}
