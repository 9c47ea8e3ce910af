//! Weekly and monthly periods and the load model.
//!
//! Input is one [`ActivityFacts`] per activity, a plain data struct the per-activity metrics are
//! mapped to. [`build()`] turns them into a continuous [`Daily`] series (days without activity
//! are 0), ISO weeks ([`Week`], Monday to Sunday) and calendar months ([`Month`]), both by each
//! activity's local date. The load model itself (EWMA, rolling sums, acute:chronic ratios,
//! Foster monotony and strain, Banister CTL/ATL/TSB) is in [`series`] as pure functions over a
//! daily series. [`mod@write`] renders weeks, months and flags as CSV.
//!
//! Formulas and columns are documented in `docs/periods.md`.

pub mod build;
pub mod series;
pub mod write;

pub use build::{build, iso_week_label, month_label, Daily, Month, Periods, Totals, Week};
pub use write::{fixed, write_flags, write_months, write_weeks};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// Where an activity's load number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LoadSource {
    /// Heart rate (TRIMP).
    Hr,
    /// Pace or speed, without heart rate.
    Pace,
    /// Duration only (a fixed intensity per minute).
    Duration,
}

/// Whether a hard run began with an adequate warm-up (decided by the warm-up metric).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarmupStatus {
    /// Long and easy enough.
    Adequate,
    /// Some warm-up, but shorter than the metric's minimum.
    Short,
    /// Hard from the start.
    None,
}

/// The facts about one activity that periods and flags need; every field is plain data.
///
/// Units are SI with the unit in the name. `None` means the file or metric does not have the
/// value; it is never 0 or NaN.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActivityFacts {
    /// The file (or archive member) the activity came from; names the activity in flags.
    pub source: String,
    /// The activity's local date (athlete's local time at the start).
    pub local_date: NaiveDate,
    /// Start, UTC.
    pub start_utc: DateTime<Utc>,
    /// End, UTC.
    pub end_utc: DateTime<Utc>,
    /// `false`: the date is not trusted; the activity is left out of periods and counted.
    pub date_ok: bool,
    /// Any running (road, trail, treadmill): counts toward mileage.
    pub is_run: bool,
    /// A strength session: counted per period.
    pub is_strength: bool,
    /// Distance, metres.
    pub distance_m: Option<f64>,
    /// Moving time, seconds.
    pub moving_s: Option<f64>,
    /// Training load (every sport counts toward load).
    pub load: Option<f64>,
    /// What the load was computed from.
    pub load_source: Option<LoadSource>,
    /// A hard (high-intensity) run.
    pub hard: bool,
    /// Warm-up status, set for hard runs.
    pub warmup: Option<WarmupStatus>,
    /// Mean heart rate of the warm-up phase, % of HRmax.
    pub warmup_hr_pct: Option<f64>,
    /// Descent on steep downhill segments, metres.
    pub steep_descent_m: Option<f64>,
    /// Minutes spent in heat.
    pub heat_minutes: Option<f64>,
    /// Hot by the metric's own rule.
    pub hot: bool,
    /// Heat index, °C.
    pub heat_index_c: Option<f64>,
    /// WBGT estimate, °C.
    pub wbgt_c: Option<f64>,
    /// ACSM WBGT flag band (`white`, `green`, `yellow`, `red`, `black`).
    pub heat_band: Option<String>,
    /// Mean temperature, °C.
    pub temp_avg_c: Option<f64>,
    /// Estimated sweat loss, % of body mass.
    pub sweat_loss_pct: Option<f64>,
    /// The metric's electrolyte hint (hot run of 90 min or more); used only when
    /// `moving_s` is unknown.
    pub electrolytes: bool,
    /// Shoe or other gear name.
    pub gear: Option<String>,
}

impl ActivityFacts {
    /// A builder start: an activity on `date`, starting at 08:00 UTC, lasting one minute,
    /// with a trusted date and nothing else set.
    pub fn new(source: &str, date: NaiveDate) -> Self {
        let start = date
            .and_time(NaiveTime::from_hms_opt(8, 0, 0).expect("valid time"))
            .and_utc();
        ActivityFacts {
            source: source.to_string(),
            local_date: date,
            start_utc: start,
            end_utc: start + Duration::minutes(1),
            date_ok: true,
            ..Default::default()
        }
    }

    /// Builder: a run of `distance_m` metres and `moving_s` seconds; the end is set to
    /// start + moving time.
    pub fn run(mut self, distance_m: f64, moving_s: f64) -> Self {
        self.is_run = true;
        self.distance_m = Some(distance_m);
        self.moving_s = Some(moving_s);
        self.end_utc = self.start_utc + Duration::milliseconds((moving_s * 1000.0) as i64);
        self
    }

    /// Builder: a strength session.
    pub fn strength(mut self) -> Self {
        self.is_strength = true;
        self
    }

    /// Builder: the load and where it came from.
    pub fn load(mut self, load: f64, source: LoadSource) -> Self {
        self.load = Some(load);
        self.load_source = Some(source);
        self
    }

    /// Builder: start at `start_utc`, keeping the duration.
    pub fn starting(mut self, start_utc: DateTime<Utc>) -> Self {
        let d = self.end_utc - self.start_utc;
        self.start_utc = start_utc;
        self.end_utc = start_utc + d;
        self
    }

    /// Builder: a hard run with this warm-up status.
    pub fn hard(mut self, warmup: WarmupStatus) -> Self {
        self.hard = true;
        self.warmup = Some(warmup);
        self
    }

    /// Builder: steep descent, metres.
    pub fn descent(mut self, m: f64) -> Self {
        self.steep_descent_m = Some(m);
        self
    }

    /// Builder: hot by the metric's rule, with a WBGT estimate and band; the heat minutes are
    /// the moving minutes, so call it after [`Self::run`].
    pub fn hot(mut self, wbgt_c: f64, band: &str) -> Self {
        self.hot = true;
        self.wbgt_c = Some(wbgt_c);
        self.heat_band = Some(band.to_string());
        self.heat_minutes = self.moving_s.map(|s| s / 60.0);
        self
    }

    /// Builder: estimated sweat loss, % body mass.
    pub fn sweat(mut self, pct: f64) -> Self {
        self.sweat_loss_pct = Some(pct);
        self
    }

    /// Builder: gear.
    pub fn gear(mut self, gear: &str) -> Self {
        self.gear = Some(gear.to_string());
        self
    }

    /// Builder: mark the date untrusted.
    pub fn bad_date(mut self) -> Self {
        self.date_ok = false;
        self
    }

    /// Moving time in seconds, or the elapsed time when the moving time is unknown.
    pub fn duration_s(&self) -> f64 {
        self.moving_s
            .unwrap_or_else(|| (self.end_utc - self.start_utc).num_milliseconds() as f64 / 1000.0)
    }
}
