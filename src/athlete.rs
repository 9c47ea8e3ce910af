//! The athlete profile: each value from the configuration file, else from the files (the most
//! recent activity that states it: FIT `user_profile`, `zones_target`), else estimated from the
//! history, else a documented default. The report (`athlete.csv`) says which, so every number
//! that depends on it can be traced.

use crate::metrics::finish::{FinishOptions, FinishParams, DEFAULT_HR_REST_BPM};
use crate::metrics::profile::hr_max_estimate_from;
use crate::metrics::record::ActivityRecord;
use crate::model::Sex;

/// The athlete profile as configured (`[athlete]` in `calfguard.toml`); every value optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AthleteConfig {
    /// Name, for the summary.
    pub name: Option<String>,
    /// Maximum heart rate, bpm.
    pub hr_max_bpm: Option<f64>,
    /// Resting heart rate, bpm.
    pub hr_rest_bpm: Option<f64>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Body mass, kg.
    pub weight_kg: Option<f64>,
    /// Height, cm.
    pub height_cm: Option<f64>,
    /// Threshold pace, seconds per km.
    pub threshold_pace_s_per_km: Option<f64>,
}

/// Where a profile value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The configuration file.
    Config,
    /// A recorded file (the most recent that states it).
    File,
    /// Estimated from the history.
    Estimated,
    /// A documented default.
    Default,
    /// Not known.
    Unknown,
}

impl Origin {
    /// The name used in `athlete.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Config => "config",
            Origin::File => "file",
            Origin::Estimated => "estimated",
            Origin::Default => "default",
            Origin::Unknown => "unknown",
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: Option<T>,
    /// Its origin.
    pub origin: Origin,
    /// A note (which file, what estimate).
    pub note: String,
}

impl<T> Sourced<T> {
    fn unknown(note: &str) -> Sourced<T> {
        Sourced {
            value: None,
            origin: Origin::Unknown,
            note: note.to_string(),
        }
    }
}

/// The resolved profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Name.
    pub name: Option<String>,
    /// Maximum heart rate, bpm.
    pub hr_max_bpm: Sourced<f64>,
    /// Resting heart rate, bpm.
    pub hr_rest_bpm: Sourced<f64>,
    /// Sex.
    pub sex: Sourced<Sex>,
    /// Year of birth.
    pub birth_year: Sourced<i32>,
    /// Body mass, kg.
    pub weight_kg: Sourced<f64>,
    /// Height, cm.
    pub height_cm: Sourced<f64>,
    /// Threshold pace, s/km.
    pub threshold_pace_s_per_km: Sourced<f64>,
}

fn from_config<T: Clone>(v: &Option<T>) -> Option<Sourced<T>> {
    v.clone().map(|value| Sourced {
        value: Some(value),
        origin: Origin::Config,
        note: String::new(),
    })
}

impl Profile {
    /// What phase 2 of the per-activity metrics needs from the profile (a height of 170 cm when
    /// none is known).
    pub fn finish_params(&self, options: FinishOptions) -> FinishParams {
        FinishParams {
            hr_max_bpm: self.hr_max_bpm.value,
            hr_rest_bpm: self.hr_rest_bpm.value,
            sex: self.sex.value,
            weight_kg: self.weight_kg.value,
            height_m: self.height_cm.value.unwrap_or(170.0) / 100.0,
            fluid_intake_l_per_h: options.fluid_intake_l_per_h,
            zones: options.zones,
        }
    }
}

/// The most recent plausible-date activity's value of `get`.
fn from_files<T: Clone>(
    activities: &[ActivityRecord],
    get: impl Fn(&ActivityRecord) -> Option<T>,
) -> Option<Sourced<T>> {
    activities
        .iter()
        .filter(|a| a.date_ok)
        .filter_map(|a| get(a).map(|v| (a.start_utc, a.source.as_str(), v)))
        .max_by(|x, y| x.0.cmp(&y.0).then_with(|| y.1.cmp(x.1)))
        .map(|(_, source, v)| Sourced {
            value: Some(v),
            origin: Origin::File,
            note: format!("from {source}"),
        })
}

/// Resolve the profile from the configuration and the activities (with their deferred data).
pub fn resolve(config: &AthleteConfig, activities: &[ActivityRecord]) -> Profile {
    let hr_max = from_config(&config.hr_max_bpm)
        .or_else(|| from_files(activities, |a| a.file_athlete.hr_max_bpm))
        .or_else(|| {
            let est = hr_max_estimate_from(
                activities
                    .iter()
                    .filter(|a| a.date_ok)
                    .filter_map(|a| a.deferred.as_ref().map(|d| &d.hr)),
            )?;
            Some(Sourced {
                value: Some(est.round()),
                origin: Origin::Estimated,
                note: "estimated: second highest per-activity peak of spike-filtered, 5-sample median heart rate held for 15 s".into(),
            })
        })
        .unwrap_or_else(|| Sourced::unknown("no heart rate in any file"));
    let hr_rest = from_config(&config.hr_rest_bpm)
        .or_else(|| from_files(activities, |a| a.file_athlete.hr_rest_bpm))
        .unwrap_or(Sourced {
            value: Some(DEFAULT_HR_REST_BPM),
            origin: Origin::Default,
            note: "typical adult value; set athlete.hr_rest_bpm".into(),
        });
    Profile {
        name: config.name.clone(),
        hr_max_bpm: hr_max,
        hr_rest_bpm: hr_rest,
        sex: from_config(&config.sex)
            .or_else(|| from_files(activities, |a| a.file_athlete.sex))
            .unwrap_or_else(|| {
                Sourced::unknown("TRIMP uses the mean of the men's and women's constants")
            }),
        birth_year: from_config(&config.birth_year)
            .or_else(|| from_files(activities, |a| a.file_athlete.birth_year))
            .unwrap_or_else(|| Sourced::unknown("")),
        weight_kg: from_config(&config.weight_kg)
            .or_else(|| from_files(activities, |a| a.file_athlete.weight_kg))
            .unwrap_or_else(|| {
                Sourced::unknown("sweat loss as % of body mass needs athlete.weight_kg")
            }),
        height_cm: from_config(&config.height_cm)
            .or_else(|| from_files(activities, |a| a.file_athlete.height_m.map(|m| m * 100.0)))
            .unwrap_or(Sourced {
                value: Some(170.0),
                origin: Origin::Default,
                note: "for the body surface area of the sweat estimate; set athlete.height_cm"
                    .into(),
            }),
        threshold_pace_s_per_km: from_config(&config.threshold_pace_s_per_km).unwrap_or_else(
            || Sourced::unknown("without it, runs without heart rate get a duration-based load"),
        ),
    }
}
