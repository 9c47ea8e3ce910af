//! The plain settings of one `analyze` or `summary` run: what `cli` makes of the command line
//! and the configuration file. No command-line parser type reaches past this point.

use crate::config::Config;
use crate::dedup::DedupRules;
use crate::enrich::weather::Weather;
use crate::flags::Severity;
use crate::ingest::export::Limits;
use crate::metrics::reduce::MetricParams;
use crate::units::Units;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything `analyze` and `summary` need, validated.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Inputs as given.
    pub paths: Vec<PathBuf>,
    /// Report folder (`analyze`).
    pub out: PathBuf,
    /// The reported week's Monday (`--week`); default: the last complete week (or the last
    /// week with data, when the data ends before it: [`Settings::reported_week_for`]).
    pub week: Option<NaiveDate>,
    /// Shoes file (`--gear`).
    pub gear: Option<PathBuf>,
    /// Local date range, first day.
    pub since: Option<NaiveDate>,
    /// Local date range, last day.
    pub until: Option<NaiveDate>,
    /// Units of the summary, chart and page.
    pub units: Units,
    /// `--fail-on`: exit with 3 when the reported week has a flag of this severity or above.
    pub fail_on: Option<Severity>,
    /// Worker threads; `None` means one per core.
    pub threads: Option<usize>,
    /// Progress bar and summary line off.
    pub quiet: bool,
    /// The run's "now".
    pub now: DateTime<Utc>,
    /// The configured time zone (`--tz`, else the configuration's `time_zone`).
    pub tz: Option<Tz>,
    /// Do not drop recordings of the same run.
    pub keep_duplicates: bool,
    /// The configuration file's settings (defaults when there is none).
    pub config: Config,
    /// Hourly weather, if given.
    pub weather: Option<Arc<Weather>>,
    /// The store (`--store`, else the default); `None` with `--no-store`.
    pub store: Option<PathBuf>,
}

impl Settings {
    /// What the per-activity work needs.
    pub fn context(&self) -> Context {
        Context {
            now: self.now,
            tz: self.tz,
            metrics: self.config.metrics.clone(),
            weather: self.weather.clone(),
        }
    }

    /// How to analyse: the resource limits and the same-run rule (none with
    /// `--keep-duplicates`).
    pub fn options(&self) -> Options {
        Options {
            limits: self.config.limits.clone(),
            dedup: (!self.keep_duplicates).then(|| self.config.duplicates.clone()),
        }
    }

    /// Checks of the command line that need no file read: every input exists, the date range
    /// is not empty.
    pub fn check(&self) -> anyhow::Result<()> {
        for p in &self.paths {
            if std::fs::symlink_metadata(p).is_err() {
                anyhow::bail!("input '{}' does not exist", p.display());
            }
        }
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since > until {
                anyhow::bail!(
                    "--since {since} is after --until {until}: no activity can match; nothing was read"
                );
            }
        }
        Ok(())
    }

    /// The reported week's Monday: `--week`, else the last complete ISO week before `now` in
    /// the athlete's zone (`--tz` / `time_zone`, else UTC).
    pub fn reported_week(&self) -> NaiveDate {
        self.week
            .unwrap_or_else(|| crate::periods::last_complete_week(self.now, self.tz))
    }

    /// The week to report when the data ends on `data_end`: `--week` when given; else the last
    /// complete week before `now`, unless the data ends before that week begins, then the week
    /// of the last activity (complete, as it is over). Returns its Monday, and the default
    /// week's Monday when the data's last week was taken instead.
    pub fn reported_week_for(&self, data_end: Option<NaiveDate>) -> (NaiveDate, Option<NaiveDate>) {
        let default = self.reported_week();
        match (self.week, data_end) {
            (None, Some(end)) if end < default => {
                (crate::periods::build::week_start(end), Some(default))
            }
            _ => (default, None),
        }
    }
}

/// What the per-activity work needs to know about the run.
#[derive(Clone, Debug)]
pub struct Context {
    /// The run's "now" (`--now`, default the clock), for the date check.
    pub now: DateTime<Utc>,
    /// The configured time zone (`--tz`), for activities whose file and position say nothing.
    pub tz: Option<Tz>,
    /// Parameters of the per-activity metrics.
    pub metrics: MetricParams,
    /// Hourly weather (`--weather`), if given.
    pub weather: Option<Arc<Weather>>,
}

impl Context {
    /// A context with default metric parameters and no weather.
    pub fn new(now: DateTime<Utc>, tz: Option<Tz>) -> Context {
        Context {
            now,
            tz,
            metrics: MetricParams::default(),
            weather: None,
        }
    }
}

/// How to analyse, beyond the run's context.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Resource limits for archives and compressed files.
    pub limits: Limits,
    /// The same-run rule; `None` keeps every recording (`--keep-duplicates`).
    pub dedup: Option<DedupRules>,
}
