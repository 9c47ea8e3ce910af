//! Weekly and monthly periods and the load model.
//!
//! Input is one [`ActivityFacts`] per activity, a plain data struct the per-activity metrics are
//! mapped to. [`build()`] turns them into a continuous [`Daily`] series (days without activity
//! are 0), ISO weeks ([`Week`], Monday to Sunday) and calendar months ([`Month`]), both by each
//! activity's local date. The load model itself (EWMA, rolling sums, acute:chronic ratios,
//! Foster monotony and strain, Banister CTL/ATL/TSB) is in [`series`] as pure functions over a
//! daily series.
//!
//! Formulas and columns are documented in `docs/periods.md`.

pub mod build;
pub mod series;

pub use build::{build, iso_week_label, month_label, Daily, Month, Periods, Totals, Week};

use crate::metrics::record::ActivityRecord;
use crate::model::{HeatBand, LoadSource, Sport, TempSource, WarmupStatus};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

/// The Monday of the last complete ISO week before `now`, in `zone` (else UTC).
pub fn last_complete_week(now: DateTime<Utc>, zone: Option<Tz>) -> NaiveDate {
    let today = match zone {
        Some(tz) => now.with_timezone(&tz).date_naive(),
        None => now.date_naive(),
    };
    let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    this_monday - Duration::days(7)
}

/// What makes a run long or hot: the periods count hot long runs with it, and the flag rules
/// use the same classification. Defaults in `docs/flags.md`; set in the configuration's
/// `[thresholds]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodParams {
    /// Long run: moving time in minutes (60).
    pub long_run_min: f64,
    /// Hot: WBGT at or above this, °C (23, ACSM red flag).
    pub hot_wbgt_c: f64,
    /// Hot: heat index at or above this, °C (32.2 = 90 °F, NWS "extreme caution").
    pub hot_heat_index_c: f64,
}

impl Default for PeriodParams {
    fn default() -> Self {
        PeriodParams {
            long_run_min: 60.0,
            hot_wbgt_c: 23.0,
            hot_heat_index_c: 32.2,
        }
    }
}

impl PeriodParams {
    /// Hot: a WBGT band of `red` or `black`, WBGT at or above [`Self::hot_wbgt_c`], or heat
    /// index at or above [`Self::hot_heat_index_c`] (the documented thresholds only; the
    /// metric's own `hot`, a heat index of 27 °C, is not used since wave 2).
    pub fn is_hot(&self, f: &ActivityFacts) -> bool {
        let band = f.heat_band.is_some_and(|b| b >= HeatBand::Red);
        band || f.wbgt_c.is_some_and(|w| w >= self.hot_wbgt_c)
            || f.heat_index_c.is_some_and(|h| h >= self.hot_heat_index_c)
    }

    /// Long: moving time of at least [`Self::long_run_min`].
    pub fn is_long(&self, f: &ActivityFacts) -> bool {
        f.duration_s() >= self.long_run_min * 60.0
    }
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
    /// The activity's local start (athlete's local time); names the activity in the report.
    pub local_start: NaiveDateTime,
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
    /// ACSM WBGT flag band.
    pub heat_band: Option<HeatBand>,
    /// Mean temperature, °C.
    pub temp_avg_c: Option<f64>,
    /// Where the temperature came from (weather file, air sensor, wrist sensor).
    pub temp_source: Option<TempSource>,
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
            local_start: start.naive_utc(),
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
        self.local_start += start_utc - self.start_utc;
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
    pub fn hot(mut self, wbgt_c: f64, band: HeatBand) -> Self {
        self.hot = true;
        self.wbgt_c = Some(wbgt_c);
        self.heat_band = Some(band);
        self.heat_minutes = self.moving_s.map(|s| s / 60.0);
        self.temp_source = Some(TempSource::Weather);
        self
    }

    /// Builder: where the temperature came from.
    pub fn temp_from(mut self, source: TempSource) -> Self {
        self.temp_source = Some(source);
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

    /// The facts of one finished record (phase 2 done). A warm-up verdict of `unknown` is no
    /// verdict.
    pub fn of(a: &ActivityRecord) -> ActivityFacts {
        let m = &a.m;
        ActivityFacts {
            source: a.source.clone(),
            local_date: a.start_local().date_naive(),
            local_start: a.start_local().naive_local(),
            start_utc: a.start_utc,
            end_utc: a.end_utc(),
            date_ok: a.date_ok,
            is_run: a.sport.is_running(),
            is_strength: a.sport == Sport::StrengthTraining,
            distance_m: a.distance_m,
            moving_s: m.moving_s,
            load: m.load,
            load_source: m.load_source,
            hard: m.hard.unwrap_or(false),
            warmup: m
                .warmup
                .filter(|w| !matches!(w, WarmupStatus::Unknown | WarmupStatus::NotJudged)),
            warmup_hr_pct: m.warmup_hr_pct,
            steep_descent_m: m.steep_descent_m,
            heat_minutes: m.heat_minutes,
            hot: m.hot.unwrap_or(false),
            heat_index_c: m.heat_index_c,
            wbgt_c: m.wbgt_c,
            heat_band: m.heat_band,
            temp_avg_c: m.temp_avg_c,
            temp_source: m.temp_source,
            sweat_loss_pct: m.sweat_loss_pct,
            electrolytes: m.electrolytes.unwrap_or(false),
            gear: a.gear.clone(),
        }
    }

    /// Moving time in seconds, or the elapsed time when the moving time is unknown.
    pub fn duration_s(&self) -> f64 {
        self.moving_s
            .unwrap_or_else(|| (self.end_utc - self.start_utc).num_milliseconds() as f64 / 1000.0)
    }
}
