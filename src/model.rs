//! The common activity model every reader produces and every later stage consumes.
//!
//! Conventions (see `docs/design.md`):
//! - SI units inside, with the unit in the name: `distance_m`, `elapsed_s`, `hr_bpm`, `temp_c`.
//! - Times are UTC inside (`DateTime<Utc>` or `time_utc_ms`, milliseconds since the Unix epoch).
//!   The local offset is kept beside the start (`utc_offset_s`, `tz_source`) and only used to
//!   place an activity in a local day, week or month.
//! - Cadence is in steps per minute (`cadence_spm`) for every sport that has steps; FIT, Garmin GPX
//!   and TCX store strides (one foot) per minute for running and walking, which readers double.
//!   For cycling the value stays in revolutions per minute (one pedal revolution = one "stride").
//! - A value a file does not have is `None`, never 0 or NaN.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which file format an activity was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Format {
    /// Garmin FIT (binary).
    Fit,
    /// GPS Exchange Format 1.0 / 1.1.
    Gpx,
    /// Garmin Training Center XML.
    Tcx,
}

impl Format {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Fit => "fit",
            Format::Gpx => "gpx",
            Format::Tcx => "tcx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sport of an activity, normalised across formats.
///
/// Sub-sports that matter for calf load (trail, treadmill) are their own variants; anything
/// else keeps its original name in `Other`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sport {
    /// Road or generic running.
    Running,
    /// Running off-road (FIT sub_sport `trail`, Strava "Trail Run").
    TrailRunning,
    /// Running on a treadmill (FIT sub_sport `treadmill`, Strava "VirtualRun").
    TreadmillRunning,
    /// Any cycling (road, mountain, indoor, virtual).
    Cycling,
    /// Walking.
    Walking,
    /// Hiking.
    Hiking,
    /// Swimming (pool or open water).
    Swimming,
    /// Strength training (FIT `training`/`strength_training`, Strava "Weight Training").
    StrengthTraining,
    /// Anything else, with the name the file gave (e.g. `cross_country_skiing`, `transition`).
    Other(String),
}

impl Sport {
    /// The name used in CSV output (`running`, `trail_running`, ..., or the original name).
    pub fn as_str(&self) -> &str {
        match self {
            Sport::Running => "running",
            Sport::TrailRunning => "trail_running",
            Sport::TreadmillRunning => "treadmill_running",
            Sport::Cycling => "cycling",
            Sport::Walking => "walking",
            Sport::Hiking => "hiking",
            Sport::Swimming => "swimming",
            Sport::StrengthTraining => "strength_training",
            Sport::Other(name) => name,
        }
    }

    /// True for every kind of running (road, trail, treadmill).
    pub fn is_running(&self) -> bool {
        matches!(
            self,
            Sport::Running | Sport::TrailRunning | Sport::TreadmillRunning
        )
    }

    /// True when the sport is done on foot, so that cadence is counted in steps.
    pub fn has_steps(&self) -> bool {
        self.is_running() || matches!(self, Sport::Walking | Sport::Hiking)
    }

    /// Normalise a sport and optional sub-sport name as FIT, TCX, GPX `<type>` or Strava write
    /// them (case-insensitive; spaces, dashes and underscores are equivalent).
    ///
    /// Unknown names become `Other` with the lower-cased, underscore-joined name; an empty name
    /// becomes `Other("unknown")`.
    pub fn from_names(sport: &str, sub_sport: Option<&str>) -> Sport {
        let norm = |s: &str| {
            s.trim()
                .to_ascii_lowercase()
                .replace([' ', '-'], "_")
                .trim_matches('_')
                .to_string()
        };
        let s = norm(sport);
        let sub = sub_sport.map(norm).unwrap_or_default();
        match s.as_str() {
            "running" | "run" | "jogging" => match sub.as_str() {
                "trail" | "trail_running" => Sport::TrailRunning,
                "treadmill" | "indoor_running" | "virtual_activity" | "virtual_run" => {
                    Sport::TreadmillRunning
                }
                _ => Sport::Running,
            },
            "trail_running" | "trail_run" | "trailrun" => Sport::TrailRunning,
            "treadmill_running" | "treadmill" | "virtual_run" | "virtualrun" | "indoor_running" => {
                Sport::TreadmillRunning
            }
            "cycling" | "biking" | "bike" | "ride" | "virtual_ride" | "virtualride"
            | "e_bike_ride" | "ebikeride" | "mountain_bike_ride" | "gravel_ride"
            | "indoor_cycling" => Sport::Cycling,
            "walking" | "walk" => Sport::Walking,
            "hiking" | "hike" => Sport::Hiking,
            "swimming" | "swim" | "open_water_swimming" | "lap_swimming" => Sport::Swimming,
            "strength_training" | "weight_training" | "weighttraining" | "strength" => {
                Sport::StrengthTraining
            }
            // FIT sport `training` with sub_sport `strength_training` (or no sub-sport).
            "training" | "fitness_equipment"
                if matches!(sub.as_str(), "strength_training" | "" | "generic")
                    && s == "training" =>
            {
                Sport::StrengthTraining
            }
            "" | "generic" | "unknown" => Sport::Other("unknown".to_string()),
            other => Sport::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the UTC offset of an activity's local time came from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum TzSource {
    /// The file states it (FIT `activity.local_timestamp`, an ISO time with an offset).
    File,
    /// The time zone at the activity's start position.
    Position,
    /// The configured zone (`--tz` or the config file's `time_zone`).
    Config,
    /// Nothing known: local time is UTC.
    #[default]
    Utc,
}

impl TzSource {
    /// The name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            TzSource::File => "file",
            TzSource::Position => "position",
            TzSource::Config => "config",
            TzSource::Utc => "utc",
        }
    }
}

/// Biological sex as FIT `user_profile.gender` states it (used by Banister TRIMP constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// Where an activity's load number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LoadSource {
    /// Banister TRIMP from heart rate.
    Hr,
    /// TRIMP-equivalent from pace relative to threshold pace.
    Pace,
    /// TRIMP-equivalent from moving time at an easy-run rate.
    Duration,
}

impl LoadSource {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadSource::Hr => "hr",
            LoadSource::Pace => "pace",
            LoadSource::Duration => "duration",
        }
    }
}

/// Warm-up verdict of a hard run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum WarmupStatus {
    /// No cold start, or at least 5 min of easy running from the start.
    Adequate,
    /// Cold start after 1–5 min of easy running.
    Short,
    /// Cold start within the first minute.
    None,
    /// Neither heart rate (with HRmax) nor speed in the window.
    Unknown,
    /// Not judged: a race-like effort or a run over two hours (they start slowly by necessity,
    /// and warm-up advice for a race is not wanted).
    NotJudged,
}

impl WarmupStatus {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            WarmupStatus::Adequate => "adequate",
            WarmupStatus::Short => "short",
            WarmupStatus::None => "none",
            WarmupStatus::Unknown => "unknown",
            WarmupStatus::NotJudged => "not_judged",
        }
    }
}

/// ACSM race flag by WBGT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HeatBand {
    /// WBGT < 10 °C: hypothermia risk.
    White,
    /// 10 ≤ WBGT < 18 °C: low risk.
    Green,
    /// 18 ≤ WBGT < 23 °C: moderate risk.
    Yellow,
    /// 23 ≤ WBGT ≤ 28 °C: high risk.
    Red,
    /// WBGT > 28 °C: extreme risk (cancel).
    Black,
}

impl HeatBand {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            HeatBand::White => "white",
            HeatBand::Green => "green",
            HeatBand::Yellow => "yellow",
            HeatBand::Red => "red",
            HeatBand::Black => "black",
        }
    }
}

/// Where an activity's ascent and descent come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ElevationSource {
    /// The totals the file states (a FIT session; barometric on most devices).
    Device,
    /// The altitude samples, with hysteresis.
    Samples,
}

impl ElevationSource {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            ElevationSource::Device => "device",
            ElevationSource::Samples => "samples",
        }
    }
}

/// Where an activity's temperature comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TempSource {
    /// The weather file (`--weather`).
    Weather,
    /// An air sensor (external sensor, bike computer, GPX/TCX air temperature).
    Air,
    /// A watch's wrist sensor (with the configured offset).
    Wrist,
}

impl TempSource {
    /// The lower-case name used in CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            TempSource::Weather => "weather",
            TempSource::Air => "air",
            TempSource::Wrist => "wrist",
        }
    }
}

/// One point of an activity's track fingerprint, to recognise the same run recorded twice.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// Time, milliseconds since the Unix epoch (UTC).
    pub time_utc_ms: i64,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
}

/// One recorded sample of an activity's time series. Every channel is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Time in milliseconds since 1970-01-01T00:00:00Z (UTC); `None` for points without time.
    pub time_utc_ms: Option<i64>,
    /// Latitude in degrees (WGS84), -90..=90.
    pub lat_deg: Option<f64>,
    /// Longitude in degrees (WGS84), -180..=180.
    pub lon_deg: Option<f64>,
    /// Altitude in metres (FIT `enhanced_altitude` preferred over `altitude`).
    pub altitude_m: Option<f64>,
    /// Cumulative distance the device recorded, in metres.
    pub distance_m: Option<f64>,
    /// Speed in metres per second.
    pub speed_mps: Option<f64>,
    /// Heart rate in beats per minute.
    pub hr_bpm: Option<f64>,
    /// Cadence in steps per minute (foot sports) or revolutions per minute (cycling).
    pub cadence_spm: Option<f64>,
    /// Temperature in degrees Celsius as the device measured it.
    pub temp_c: Option<f64>,
    /// Power in watts (native or developer-field running power).
    pub power_w: Option<f64>,
}

/// One lap as the file states it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lap {
    /// Lap start (UTC).
    pub start_utc: Option<DateTime<Utc>>,
    /// Elapsed (wall-clock) time in seconds.
    pub elapsed_s: Option<f64>,
    /// Timer (moving, pauses excluded) time in seconds.
    pub timer_s: Option<f64>,
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Average heart rate in bpm.
    pub hr_avg_bpm: Option<f64>,
    /// Maximum heart rate in bpm.
    pub hr_max_bpm: Option<f64>,
}

/// Totals the file itself states (FIT session, TCX laps summed). `None` where the file is silent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Distance in metres.
    pub distance_m: Option<f64>,
    /// Elapsed (wall-clock) time in seconds.
    pub elapsed_s: Option<f64>,
    /// Timer time in seconds (pauses excluded).
    pub timer_s: Option<f64>,
    /// Total ascent in metres.
    pub ascent_m: Option<f64>,
    /// Total descent in metres.
    pub descent_m: Option<f64>,
    /// Average heart rate in bpm.
    pub hr_avg_bpm: Option<f64>,
    /// Maximum heart rate in bpm.
    pub hr_max_bpm: Option<f64>,
}

/// Athlete values a file may carry (FIT `user_profile`, `zones_target`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AthleteValues {
    /// Maximum heart rate in bpm.
    pub hr_max_bpm: Option<f64>,
    /// Resting heart rate in bpm.
    pub hr_rest_bpm: Option<f64>,
    /// Body mass in kilograms.
    pub weight_kg: Option<f64>,
    /// Height in metres (FIT `user_profile.height`).
    #[serde(default)]
    pub height_m: Option<f64>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Year of birth.
    pub birth_year: Option<i32>,
}

/// Where a file broke and why, for a salvaged activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// What went wrong, in plain words.
    pub reason: String,
    /// Where: `byte 0x1a2b` for binary files, `line 12:5` for XML.
    pub position: String,
}

/// Where an activity's stated distance (`totals.distance_m`) comes from.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum DistanceSource {
    /// The device's own distance (FIT session, TCX laps): sensor- or filter-based.
    #[default]
    Device,
    /// The length of the recorded track, summed by the reader between GPS fixes (GPX): GPS
    /// jitter adds to it.
    Track,
}

/// How an activity's altitude samples were measured.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum AltitudeSource {
    /// A barometric altimeter (taken to be what a FIT file from a watch records).
    Barometric,
    /// GPS or map altitude, or not known (GPX, TCX).
    #[default]
    Gps,
}

/// Where an activity's temperature sensor sat.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum TempSensor {
    /// In a watch worn on the wrist: it reads high from body heat.
    Wrist,
    /// In the air: an external sensor or a bike computer (GPX/TCX: a bike computer or a ride).
    #[default]
    Air,
}

/// What a reader knows about how an activity's values were measured. Readers state it, so that
/// no later stage branches on the file format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Capabilities {
    /// Device distance or track length.
    pub distance: DistanceSource,
    /// Barometric or GPS altitude.
    pub altitude: AltitudeSource,
    /// Wrist or air temperature.
    pub temperature: TempSensor,
}

impl Capabilities {
    /// How richly the values were measured, for choosing between recordings of one run:
    /// one point each for a device distance and a barometric altimeter (a watch's FIT file
    /// scores 2, a TCX 1, a GPX 0).
    pub fn rank(self) -> u8 {
        u8::from(self.distance == DistanceSource::Device)
            + u8::from(self.altitude == AltitudeSource::Barometric)
    }
}

/// One recorded session, as a reader produces it.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    /// Where it came from: a path, later `archive.zip!member`.
    pub source: String,
    /// File format.
    pub format: Format,
    /// Normalised sport.
    pub sport: Sport,
    /// The file's own sub-sport (or GPX/TCX type) name, as written, if any.
    pub sub_sport: Option<String>,
    /// Start of the activity in UTC.
    pub start_utc: DateTime<Utc>,
    /// Offset of local time from UTC in seconds at the start, if known.
    pub utc_offset_s: Option<i32>,
    /// Where `utc_offset_s` came from.
    pub tz_source: TzSource,
    /// Device or creator (e.g. `garmin fenix2`, `StravaGPX`).
    pub device: Option<String>,
    /// Totals as the file states them.
    pub totals: Totals,
    /// Laps as the file states them.
    pub laps: Vec<Lap>,
    /// Athlete values the file carries.
    pub athlete: AthleteValues,
    /// Non-fatal problems found while reading (e.g. "time jump of 20 days at record 1200").
    pub warnings: Vec<String>,
    /// The time series, in file order.
    pub samples: Vec<Sample>,
    /// Set when the file broke and this activity holds what came before the break.
    pub salvaged: Option<Break>,
    /// How the values were measured (see [`Capabilities`]).
    pub capabilities: Capabilities,
    /// The file named no sport and the reader inferred it from speed and cadence.
    pub sport_inferred: bool,
}

impl Activity {
    /// An empty activity of the given source, format and start, to be filled by a reader.
    pub fn new(source: impl Into<String>, format: Format, start_utc: DateTime<Utc>) -> Activity {
        Activity {
            source: source.into(),
            format,
            sport: Sport::Other("unknown".to_string()),
            sub_sport: None,
            start_utc,
            utc_offset_s: None,
            tz_source: TzSource::Utc,
            device: None,
            totals: Totals::default(),
            laps: Vec::new(),
            athlete: AthleteValues::default(),
            warnings: Vec::new(),
            samples: Vec::new(),
            salvaged: None,
            capabilities: Capabilities::default(),
            sport_inferred: false,
        }
    }
}

/// Why a file gave no activity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not an activity (a settings or monitoring FIT, a route without times): nothing is wrong.
    #[error("skipped: {reason}")]
    Skipped {
        /// Why, in plain words (e.g. "not an activity: FIT file type monitoring_b").
        reason: String,
    },
    /// Nothing usable could be read.
    #[error("failed: {reason}{}", position.as_ref().map(|p| format!(" at {p}")).unwrap_or_default())]
    Failed {
        /// What is wrong, in plain words.
        reason: String,
        /// Where, if known (`byte 0x..`, `line L:C`).
        position: Option<String>,
    },
}

impl ReadError {
    /// A `Skipped` error.
    pub fn skipped(reason: impl Into<String>) -> ReadError {
        ReadError::Skipped {
            reason: reason.into(),
        }
    }

    /// A `Failed` error.
    pub fn failed(reason: impl Into<String>, position: Option<String>) -> ReadError {
        ReadError::Failed {
            reason: reason.into(),
            position,
        }
    }
}

/// What a reader returns for one file: one activity per session (multi-sport FIT and TCX give
/// several), each with `source` set to the file's source.
pub type ReadResult = Result<Vec<Activity>, ReadError>;

/// Milliseconds since the Unix epoch to a UTC time (`None` when out of chrono's range).
pub fn utc_from_ms(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::<Utc>::from_timestamp_millis(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sport_names_normalise() {
        assert_eq!(
            Sport::from_names("running", Some("trail")),
            Sport::TrailRunning
        );
        assert_eq!(
            Sport::from_names("Running", Some("treadmill")),
            Sport::TreadmillRunning
        );
        assert_eq!(Sport::from_names("Run", None), Sport::Running);
        assert_eq!(Sport::from_names("Biking", None), Sport::Cycling);
        assert_eq!(
            Sport::from_names("training", Some("strength_training")),
            Sport::StrengthTraining
        );
        assert_eq!(
            Sport::from_names("Weight Training", None),
            Sport::StrengthTraining
        );
        assert_eq!(
            Sport::from_names("cross_country_skiing", None),
            Sport::Other("cross_country_skiing".into())
        );
        assert_eq!(Sport::from_names("", None).as_str(), "unknown");
    }
}
