//! Phase 2: the metrics that need the athlete profile.
//!
//! HRmax, HRrest, sex and body mass may come from any file of the export or from an estimate
//! over the whole history, so they are known only after every file is read. [`finish`] evaluates
//! zones, TRIMP, load, hard runs, warm-up, sweat loss and electrolytes from what phase 1 kept in
//! [`super::record::Deferred`], then drops it.

use super::hr::Zones;
use super::intensity::{hard_rule, race_like, HARD_HR_FRACTION, WARMUP_MAX_RUN_S};
use super::load::{easy_rate_per_min, pace_scale};
use super::record::ActivityRecord;
use super::sweat::{sweat_estimate, SweatInput};
use crate::model::WarmupStatus;
use crate::model::{LoadSource, Sex};

/// Heart-rate zones by % of HRmax or by heart-rate reserve (Karvonen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZoneBasis {
    /// Zone bounds at 50/60/70/80/90 % of HRmax.
    #[default]
    PercentMax,
    /// Zone bounds at 50/60/70/80/90 % of the heart-rate reserve above HRrest.
    Reserve,
}

/// Settings of phase 2 that come from the configuration file.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FinishOptions {
    /// Zone basis.
    pub zones: ZoneBasis,
    /// Fluid the athlete drinks per hour of running, litres (reduces the estimated net loss).
    pub fluid_intake_l_per_h: f64,
}

/// The athlete values the deferred metrics need, resolved for the whole history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FinishParams {
    /// HRmax, bpm.
    pub hr_max_bpm: Option<f64>,
    /// HRrest, bpm; [`DEFAULT_HR_REST_BPM`] when unknown.
    pub hr_rest_bpm: Option<f64>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Body mass, kg.
    pub weight_kg: Option<f64>,
    /// Height, m.
    pub height_m: f64,
    /// Fluid drunk per hour, litres.
    pub fluid_intake_l_per_h: f64,
    /// Zone basis.
    pub zones: ZoneBasis,
}

/// Default resting heart rate when neither the configuration nor a file states one, bpm: a
/// typical adult value (the Banister TRIMP depends on it only mildly; set `athlete.hr_rest_bpm`).
pub const DEFAULT_HR_REST_BPM: f64 = 60.0;

/// Relative humidity assumed by the sweat estimate when no weather file gives it, %.
pub const SWEAT_DEFAULT_RH_PCT: f64 = 50.0;

/// Hot runs of at least this many minutes call for electrolytes.
pub const ELECTROLYTES_MIN: f64 = 90.0;

/// Evaluate the metrics of `record` that needed the athlete profile, then drop their inputs.
/// A record already finished is left as it is.
pub fn finish(record: &mut ActivityRecord, f: &FinishParams) {
    let Some(d) = record.deferred.take() else {
        return;
    };
    let m = &mut record.m;
    let rest = f.hr_rest_bpm.unwrap_or(DEFAULT_HR_REST_BPM);
    if let Some(max) = f.hr_max_bpm {
        let zones = match f.zones {
            ZoneBasis::PercentMax => Zones::percent_max(max),
            ZoneBasis::Reserve => Zones::reserve(rest, max),
        };
        if let (Some(z), true) = (zones, d.hr.hr_s() > 0.0) {
            let t = d.hr.time_in_zones_s(&z);
            m.zones_s = Some([t[1], t[2], t[3], t[4], t[5]]);
        }
        m.trimp = d.hr.trimp_banister(rest, max, f.sex);
        m.trimp_edwards = d.hr.trimp_edwards(max);
    }
    let hr_load = f.hr_max_bpm.and_then(|max| d.hr.hr_load(rest, max, f.sex));
    let (load, source) = match hr_load {
        Some(l) => (l, LoadSource::Hr),
        None => {
            // The fallback was computed for unknown sex; both rates scale linearly.
            let (l, src) = d.fallback_load;
            let k = match src {
                LoadSource::Pace => pace_scale(f.sex) / pace_scale(None),
                _ => easy_rate_per_min(f.sex) / easy_rate_per_min(None),
            };
            (l * k, src)
        }
    };
    if m.moving_s.is_some() || source == LoadSource::Hr {
        m.load = Some(load);
        m.load_source = Some(source);
    }
    // Without samples there is nothing to tell a hard run by: unknown, not easy.
    if record.sport.has_steps() && record.samples > 0 {
        let hr_min = f
            .hr_max_bpm
            .and_then(|max| d.hr.minutes_at_or_above(HARD_HR_FRACTION * max));
        let h = hard_rule(hr_min, d.surges, d.hr.covering_mean_bpm(), f.hr_max_bpm);
        let hard = h.hard;
        m.hard = Some(hard);
        m.hard_hr_min = hr_min;
        m.surges = Some(d.surges);
        let race = race_like(hr_min, d.hr.hr_s() / 60.0);
        m.race = Some(race);
        if hard {
            let w = d.hr.warmup.evaluate(f.hr_max_bpm);
            let long = record.elapsed_s.is_some_and(|e| e > WARMUP_MAX_RUN_S);
            m.warmup = Some(if race || long {
                WarmupStatus::NotJudged
            } else {
                w.status
            });
            m.warmup_hr_pct = w.warmup_hr_pct;
        }
    }
    if let (Some((temp, rh, speed, secs)), Some(mass)) = (d.sweat_inputs, f.weight_kg) {
        let est = sweat_estimate(&SweatInput {
            air_temp_c: temp,
            rh_pct: rh.unwrap_or(SWEAT_DEFAULT_RH_PCT),
            speed_mps: speed,
            duration_s: secs,
            body_mass_kg: mass,
            height_m: f.height_m,
            fluid_intake_l_per_h: Some(f.fluid_intake_l_per_h),
        });
        if let Some(e) = est {
            m.sweat_loss_l = Some(e.sweat_loss_l);
            m.sweat_loss_pct = Some(e.body_mass_loss_pct);
        }
    }
    if record.sport.is_running() {
        m.electrolytes = m
            .hot
            .map(|hot| hot && m.moving_s.is_some_and(|s| s >= ELECTROLYTES_MIN * 60.0));
    }
}

/// Give the warm-up verdict its neighbours (after [`finish`], over the whole history): a hard
/// run judged `Short` or `None` becomes `Adequate` when another activity of at least 5 minutes
/// ended up to 15 minutes before it started (`intensity::link_warmups`).
pub fn link_warmups(records: &mut [ActivityRecord]) {
    let links: Vec<super::intensity::WarmupLink> = records
        .iter()
        .map(|r| super::intensity::WarmupLink {
            start_ms: r.start_utc.timestamp_millis(),
            end_ms: r.end_utc().timestamp_millis(),
            verdict: r.m.warmup,
            usable: r.date_ok,
        })
        .collect();
    for i in super::intensity::link_warmups(&links) {
        if let Some(r) = records.get_mut(i) {
            r.m.warmup = Some(WarmupStatus::Adequate);
        }
    }
}
