//! The plain settings of one `analyze` or `summary` run: what `cli` makes of the command line
//! and the configuration file. No command-line parser type reaches past this point.

use crate::config::Config;
use crate::enrich::weather::Weather;
use crate::flags::Severity;
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
    /// The reported week's Monday (`summary --week`); default: the last complete week.
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
}

impl Settings {
    /// The reported week's Monday: `--week`, else the last complete ISO week before `now` in
    /// the athlete's zone (`--tz` / `time_zone`, else UTC).
    pub fn reported_week(&self) -> NaiveDate {
        self.week
            .unwrap_or_else(|| crate::periods::last_complete_week(self.now, self.tz))
    }
}
