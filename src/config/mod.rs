//! The configuration file, `calfguard.toml`: the athlete profile and the tunable parameters.
//!
//! Looked up at `--config FILE`, else at the platform's configuration folder
//! (`$XDG_CONFIG_HOME/calfguard/calfguard.toml`, usually `~/.config/calfguard/calfguard.toml` on
//! Linux; `~/Library/Application Support/calfguard/` on macOS; `%APPDATA%\calfguard\` on Windows).
//! `calfguard init` writes a commented default ([`DEFAULT_CONFIG`], `config/default.toml`).
//! Every key is optional. A bad value is an error naming the key, the value and what is allowed
//! (exit code 2); so is an unknown key, since a typo would otherwise silently fall back to a
//! default.
//!
//! Each layer defines its own parameters ([`AthleteConfig`], [`MetricParams`],
//! [`FinishOptions`], [`DedupRules`], [`Limits`], [`Thresholds`] with the periods'
//! [`crate::periods::PeriodParams`]); this module only reads the TOML into them ([`parse()`]).

mod parse;

pub use parse::{parse, parse_pace_s_per_km, THRESHOLD_KEYS};

use crate::athlete::AthleteConfig;
use crate::dedup::DedupRules;
use crate::flags::Thresholds;
use crate::ingest::export::Limits;
use crate::metrics::finish::FinishOptions;
use crate::metrics::reduce::MetricParams;
use crate::text::read_limited;
use crate::units::Units;
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

/// Everything the configuration file can set, as each layer's parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    /// The athlete profile (`[athlete]`).
    pub athlete: AthleteConfig,
    /// Time zone for activities without one (`athlete.time_zone`).
    pub time_zone: Option<Tz>,
    /// Units of the summary, chart and page (`athlete.units`).
    pub units: Option<Units>,
    /// Phase 1 of the per-activity metrics (`[metrics]`, `heat.wrist_temp_offset_c`, and
    /// `athlete.threshold_pace` as a speed).
    pub metrics: MetricParams,
    /// Phase 2 of the per-activity metrics (`metrics.hr_zones`, `heat.fluid_intake_l_per_h`).
    pub finish: FinishOptions,
    /// Tolerances of the same-run rule (`[duplicates]`).
    pub duplicates: DedupRules,
    /// Resource limits (`[limits]`).
    pub limits: Limits,
    /// Thresholds of the flag rules and the periods' classification (`[thresholds]`).
    pub thresholds: Thresholds,
}

/// A configuration error: which key, which value, what is allowed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// The message.
    pub message: String,
}

/// The platform's default configuration file path.
pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("calfguard").join("calfguard.toml"))
}

/// The commented default written by `calfguard init`.
pub const DEFAULT_CONFIG: &str = include_str!("default.toml");

/// Write the commented default configuration for `calfguard init` at `path` (default: the
/// platform's path, [`default_path`]), creating its folder; never over an existing file unless
/// `force`. Returns where it was written.
pub fn write_default(path: Option<&Path>, force: bool) -> anyhow::Result<PathBuf> {
    use anyhow::Context;
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => default_path()
            .context("no configuration folder is known on this platform: use --config FILE")?,
    };
    if path.exists() && !force {
        anyhow::bail!("'{}' exists; use --force to replace it", path.display());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create '{}'", dir.display()))?;
    }
    std::fs::write(&path, DEFAULT_CONFIG)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    Ok(path)
}

/// Most bytes read of the configuration file.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Load the configuration: `explicit` must exist; otherwise the platform default is read if it
/// exists, else the defaults apply.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match default_path() {
            Some(p) if p.is_file() => p,
            _ => return Ok(Config::default()),
        },
    };
    let shown = path.display().to_string();
    let text =
        read_limited(&path, MAX_CONFIG_BYTES, "configuration file").map_err(|e| ConfigError {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    parse(&shown, &text)
}
