//! The per-activity record: everything later stages need from one activity, without its samples.
//!
//! [`super::reduce::reduce`] makes it from an [`crate::model::Activity`] while the samples are
//! still there (phase 1); the samples are dropped right after, so an export of 10,000 activities
//! never holds every sample at once. What phase 1 makes is a pure function of the activity and
//! the metric parameters (the weather is joined afterwards, [`super::reduce::apply_weather`]),
//! and it is serialisable (serde), so that a cache
//! can keep it, with the track fingerprint ([`crate::dedup::fingerprint`]) taken from the same
//! samples. The later stages fill in the rest: the local time and the date check
//! ([`crate::localtime::place`]), the shoes
//! and Strava's sport ([`crate::enrich`]) and, once the athlete profile is known, the metrics
//! that need it ([`super::finish`], phase 2). Fields set after phase 1 are not serialised.

use super::profile::HrProfile;
use crate::model::{
    AthleteValues, Capabilities, ElevationSource, Format, HeatBand, LoadSource, Sample, Sport,
    TempSource, TrackPoint, TzSource, WarmupStatus,
};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Version of what phase 1 makes: part of the key of a cached record (`crate::store`). Raise it
/// whenever the record's fields, a reader or a phase-1 metric changes what [`super::reduce::reduce`]
/// returns for the same bytes; cached records of other versions are then not used.
pub const RECORD_VERSION: u32 = 1;

/// One activity, reduced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    /// Where it came from.
    pub source: String,
    /// File format.
    pub format: Format,
    /// Normalised sport (Strava's list may name it later, see `sport_inferred`).
    pub sport: Sport,
    /// The file named no sport; the reader inferred it.
    pub sport_inferred: bool,
    /// The file's own sub-sport name.
    pub sub_sport: Option<String>,
    /// Start (UTC).
    pub start_utc: DateTime<Utc>,
    /// What the file says about local time, for [`crate::localtime::place`].
    pub file_time: FileTime,
    /// Device or creator.
    pub device: Option<String>,
    /// How the values were measured.
    pub capabilities: Capabilities,
    /// Elapsed time, seconds: the file's total, else last minus first sample time.
    pub elapsed_s: Option<f64>,
    /// Timer time, seconds, as the file states it.
    pub timer_s: Option<f64>,
    /// Distance, metres: the device's stated distance (a GPS track: its length without jitter).
    pub distance_m: Option<f64>,
    /// Number of samples.
    pub samples: usize,
    /// Any sample has heart rate.
    pub has_hr: bool,
    /// Any sample has a position.
    pub has_position: bool,
    /// Any sample has altitude.
    pub has_altitude: bool,
    /// Any sample has temperature.
    pub has_temperature: bool,
    /// Any sample has power.
    pub has_power: bool,
    /// The file broke; this holds what came before the break.
    pub salvaged: bool,
    /// Reader, placement, metric and side-input warnings.
    pub warnings: Warnings,
    /// Athlete values the file states (FIT user profile, zones).
    pub file_athlete: AthleteValues,
    /// The per-activity metrics (`docs/metrics.md`). Boxed: the records are moved from each
    /// file's result into the run's list, and a smaller record is a smaller second copy while
    /// that happens (`docs/performance.md`, "Memory").
    pub m: Box<Metrics>,
    /// Inputs of the metrics that wait for the athlete profile; dropped by phase 2.
    pub deferred: Option<Box<Deferred>>,

    /// A few (time, lat, lon) points spread over the activity (start, 25 %, 50 %, 75 %, end of
    /// the timed positions), to recognise the same run recorded twice
    /// ([`crate::dedup::fingerprint`], taken from the samples beside phase 1).
    pub track: Vec<TrackPoint>,
    /// Offset of local time from UTC, seconds ([`crate::localtime::place`]).
    #[serde(skip)]
    pub utc_offset_s: Option<i32>,
    /// Where the offset came from ([`crate::localtime::place`]).
    #[serde(skip)]
    pub tz_source: TzSource,
    /// False when the start is before 2000 or after the run's now plus one day
    /// ([`crate::localtime::place`]).
    #[serde(skip)]
    pub date_ok: bool,
    /// Gear (shoes) named for this activity (`--gear`, Strava's list), if any.
    #[serde(skip)]
    pub gear: Option<String>,
}

/// What the file says about local time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileTime {
    /// The file's offset of local time from UTC, seconds, as stated.
    pub utc_offset_s: Option<i32>,
    /// Where the reader took it from.
    pub tz_source: TzSource,
    /// The first position, (lat, lon) in degrees: its time zone places the activity when the
    /// file states no offset.
    pub start_position: Option<(f64, f64)>,
}

/// The warnings of one activity, by the stage that found them; `activities.csv` shows them in
/// this order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Warnings {
    /// The reader's.
    pub file: Vec<String>,
    /// Placing it in time: an implausible start, an offset that is not a whole quarter hour.
    #[serde(skip)]
    pub placement: Vec<String>,
    /// The metrics' (GPS jitter removed, a hot wrist sensor).
    pub metrics: Vec<String>,
    /// The side inputs' (Strava's list).
    #[serde(skip)]
    pub side: Vec<String>,
}

impl Warnings {
    /// Every warning, in stage order.
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.file
            .iter()
            .chain(&self.placement)
            .chain(&self.metrics)
            .chain(&self.side)
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.all().next().is_none()
    }
}

/// The per-activity metrics of `activities.csv` (`docs/metrics.md`). `None` where unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Moving time, seconds.
    pub moving_s: Option<f64>,
    /// Moving time per kilometre, seconds.
    pub pace_s_per_km: Option<f64>,
    /// Ascent, metres.
    pub ascent_m: Option<f64>,
    /// Descent, metres.
    pub descent_m: Option<f64>,
    /// The file's totals (barometric on most devices) or the altitude samples with hysteresis.
    pub elevation_source: Option<ElevationSource>,
    /// Metres descended on steep stretches.
    pub steep_descent_m: Option<f64>,
    /// Horizontal metres of those stretches.
    pub steep_descent_dist_m: Option<f64>,
    /// Seconds on those stretches.
    pub steep_descent_s: Option<f64>,
    /// Time-weighted mean heart rate, bpm.
    pub hr_avg_bpm: Option<f64>,
    /// Maximum heart rate after spike rejection, bpm.
    pub hr_max_bpm: Option<f64>,
    /// Seconds in heart-rate zones 1 to 5.
    pub zones_s: Option<[f64; 5]>,
    /// Banister TRIMP.
    pub trimp: Option<f64>,
    /// Edwards TRIMP.
    pub trimp_edwards: Option<f64>,
    /// Training load, TRIMP units.
    pub load: Option<f64>,
    /// Heart rate, pace or duration.
    pub load_source: Option<LoadSource>,
    /// A hard run (≥ 10 min at ≥ 88 % HRmax, or ≥ 3 pace surges on the flat unless the heart
    /// rate says the run was easy).
    pub hard: Option<bool>,
    /// For hard runs: adequate, short, none, unknown, or not_judged (races, runs over 2 h).
    pub warmup: Option<WarmupStatus>,
    /// Mean HR in the warm-up window, % of HRmax.
    pub warmup_hr_pct: Option<f64>,
    /// Mean temperature, °C.
    pub temp_avg_c: Option<f64>,
    /// Highest temperature, °C.
    pub temp_max_c: Option<f64>,
    /// Weather file, air sensor or wrist sensor.
    pub temp_source: Option<TempSource>,
    /// Hot by the documented rule.
    pub hot: Option<bool>,
    /// Minutes that were hot.
    pub heat_minutes: Option<f64>,
    /// NWS heat index, °C (needs humidity).
    pub heat_index_c: Option<f64>,
    /// Simplified WBGT, °C (needs humidity).
    pub wbgt_c: Option<f64>,
    /// ACSM band of the WBGT.
    pub heat_band: Option<HeatBand>,
    /// Estimated sweat loss, litres (no drinking unless configured).
    pub sweat_loss_l: Option<f64>,
    /// Estimated sweat loss, % of body mass.
    pub sweat_loss_pct: Option<f64>,
    /// Hot run of 90 minutes or more.
    pub electrolytes: Option<bool>,
    /// Mean cadence while moving, steps per minute.
    pub cadence_spm: Option<f64>,
    /// Foot sports: minutes at ≥ 88 % HRmax (the heart-rate half of `hard`).
    pub hard_hr_min: Option<f64>,
    /// Foot sports: pace surges on the flat (the other half of `hard`).
    pub surges: Option<usize>,
    /// Foot sports: a race-like effort (`intensity::race_like`: ≥ 15 min and half the heart-rate
    /// time at ≥ 88 % HRmax); such runs get no warm-up verdict.
    pub race: Option<bool>,
}

/// What the per-activity metrics that need the athlete profile (HRmax, HRrest, sex, body
/// mass) keep until the whole history is read; dropped once evaluated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deferred {
    /// Heart-rate histograms and the warm-up window.
    pub hr: HrProfile,
    /// Load without heart rate (pace or duration), computed with unknown sex.
    pub fallback_load: (f64, LoadSource),
    /// Number of pace surges.
    pub surges: usize,
    /// Sweat-loss inputs: air temperature °C, relative humidity % (if known), mean moving speed
    /// m/s, moving seconds. Running only.
    pub sweat_inputs: Option<(f64, Option<f64>, f64, f64)>,
    /// The times of the timed samples, for the weather joined after phase 1
    /// ([`super::reduce::apply_weather`]).
    pub times: Timeline,
}

impl ActivityRecord {
    /// Drop what only the weather join needed and trim the vectors to their length: the record
    /// is held until the report, so what it keeps is what a run's memory grows by per activity
    /// (`docs/performance.md`, "Memory"). The store caches the record before this.
    pub fn shed_join_data(&mut self) {
        if let Some(d) = self.deferred.as_deref_mut() {
            d.times = Timeline::default();
            // Phase 1's maximum (`hr_max_bpm`) was its one use.
            d.hr.cleaned = Vec::new();
        }
        self.track.shrink_to_fit();
    }
}

/// The times of an activity's timed samples, in file order, run-length encoded: `(step_ms,
/// count)` pairs, the first step counted from 0 (a 1 Hz hour is two pairs). Samples without a
/// time are left out: the weather gives them no temperature and the time policy skips them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline(pub Vec<(i64, u32)>);

impl Timeline {
    /// The timeline of `samples`.
    pub fn of(samples: &[Sample]) -> Timeline {
        let mut runs: Vec<(i64, u32)> = Vec::new();
        let mut prev = 0i64;
        for t in samples.iter().filter_map(|s| s.time_utc_ms) {
            let step = t.wrapping_sub(prev);
            prev = t;
            match runs.last_mut() {
                Some((s, n)) if *s == step && *n < u32::MAX => *n += 1,
                _ => runs.push((step, 1)),
            }
        }
        Timeline(runs)
    }

    /// Samples with these times and nothing else.
    pub fn samples(&self) -> Vec<Sample> {
        let len = self.0.iter().map(|&(_, n)| n as usize).sum();
        let mut out = Vec::with_capacity(len);
        let mut t = 0i64;
        for &(step, n) in &self.0 {
            for _ in 0..n {
                t = t.wrapping_add(step);
                out.push(Sample {
                    time_utc_ms: Some(t),
                    ..Sample::default()
                });
            }
        }
        out
    }
}

impl ActivityRecord {
    /// End of the activity (start plus elapsed time), if the elapsed time is known.
    pub fn end_utc(&self) -> DateTime<Utc> {
        let ms = self.elapsed_s.map(|e| (e * 1000.0) as i64).unwrap_or(0);
        self.start_utc + Duration::milliseconds(ms.max(0))
    }

    /// Local start time: UTC shifted by the known offset (UTC when none is known).
    pub fn start_local(&self) -> DateTime<FixedOffset> {
        let offset = self
            .utc_offset_s
            .and_then(FixedOffset::east_opt)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("0 is a valid offset"));
        offset.from_utc_datetime(&self.start_utc.naive_utc())
    }
}
