//! Phase 1: one activity with its samples becomes an [`ActivityRecord`].
//!
//! [`reduce`] is a pure function of the activity and the [`MetricParams`]; it knows nothing of
//! the run's clock, time zone, weather, configuration or athlete profile, so that its record can
//! be cached (`crate::store`). When `--weather` is given, [`apply_weather`] replaces the
//! temperature metrics afterwards, from the sample times the record keeps ([`Timeline`]). The metrics that need the profile
//! keep their inputs in [`Deferred`] for phase 2 ([`super::finish`]).

use super::elevation;
use super::load::{load_series, LoadParams};
use super::profile::HrProfile;
use super::record::{ActivityRecord, Deferred, FileTime, Metrics, Timeline, Warnings};
use super::series::Series;
use super::{cadence, distance, heat};
use crate::model::{
    Activity, DistanceSource, ElevationSource, Sample, TempSensor, TempSource, TzSource,
};

/// Parameters of the per-activity metrics known before any file is read (from the
/// configuration file; see `docs/metrics.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct MetricParams {
    /// Elevation hysteresis, metres (GoldenCheetah and Runalyze: 3 m).
    pub hysteresis_m: f64,
    /// Steep descent: grade at or below this (a negative fraction, -0.10 = -10 %).
    pub steep_grade: f64,
    /// Steep descent: minimum horizontal length of a stretch, metres.
    pub steep_min_horizontal_m: f64,
    /// Subtracted from wrist-sensor temperatures, °C.
    pub wrist_temp_offset_c: f64,
    /// Threshold running speed, m/s (from the configured threshold pace), for pace-based load.
    pub threshold_speed_mps: Option<f64>,
}

impl Default for MetricParams {
    fn default() -> MetricParams {
        MetricParams {
            hysteresis_m: elevation::DEFAULT_HYSTERESIS_M,
            steep_grade: elevation::DEFAULT_STEEP_GRADE,
            steep_min_horizontal_m: elevation::DEFAULT_MIN_HORIZONTAL_M,
            wrist_temp_offset_c: 0.0,
            threshold_speed_mps: None,
        }
    }
}

impl MetricParams {
    /// A hash of the parameters (xxh3-64 of their bits, in field order): part of the key of a
    /// cached record (`crate::store`), so that a changed parameter never serves a stale value.
    pub fn hash(&self) -> u64 {
        let mut bytes = Vec::with_capacity(48);
        for v in [
            self.hysteresis_m,
            self.steep_grade,
            self.steep_min_horizontal_m,
            self.wrist_temp_offset_c,
        ] {
            bytes.extend(v.to_bits().to_le_bytes());
        }
        match self.threshold_speed_mps {
            Some(v) => {
                bytes.push(1);
                bytes.extend(v.to_bits().to_le_bytes());
            }
            None => bytes.push(0),
        }
        xxhash_rust::xxh3::xxh3_64(&bytes)
    }
}

/// The activity's samples with the temperature of the weather at their times, and the mean
/// relative humidity over the activity (`crate::enrich::weather` makes it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weathered {
    /// The samples, in the same order and with the same times; `temp_c` is the weather's (or
    /// `None` where the weather does not cover the sample).
    pub samples: Vec<Sample>,
    /// Mean relative humidity, %, over the samples the weather covers.
    pub rh_pct: Option<f64>,
}

/// Which channels any sample has, and how many samples have a time: one pass.
#[derive(Clone, Copy, Debug, Default)]
struct Channels {
    hr: bool,
    position: bool,
    altitude: bool,
    temperature: bool,
    power: bool,
    timed: usize,
}

impl Channels {
    fn of(samples: &[Sample]) -> Channels {
        let mut c = Channels::default();
        for s in samples {
            c.hr |= s.hr_bpm.is_some();
            c.position |= s.lat_deg.is_some() && s.lon_deg.is_some();
            c.altitude |= s.altitude_m.is_some();
            c.temperature |= s.temp_c.is_some();
            c.power |= s.power_w.is_some();
            c.timed += usize::from(s.time_utc_ms.is_some());
        }
        c
    }
}

/// Reduce an activity to its record (phase 1): a pure function of the activity and `params`.
/// The record is not yet placed in local time (its `date_ok` is false
/// until [`crate::localtime::place`]) and has no track fingerprint.
pub fn reduce(activity: &Activity, params: &MetricParams) -> ActivityRecord {
    crate::fault::panic_at("metrics", &activity.source);
    let samples = &activity.samples;
    let has = Channels::of(samples);
    let mut warnings = Vec::new();

    let elapsed_s = activity
        .totals
        .elapsed_s
        .filter(|v| v.is_finite())
        .or_else(|| {
            let mut times = samples.iter().filter_map(|s| s.time_utc_ms);
            let first = times.next()?;
            let last = times.next_back().unwrap_or(first);
            let span = (last - first) as f64 / 1000.0;
            (span >= 0.0).then_some(span)
        });

    // Intervals, speed estimates and the GPS track, computed once for every metric.
    let series = Series::new(samples);
    let distance_m = gps_distance_m(activity, &series, &mut warnings);
    let (m, deferred) = measure(activity, &series, &has, params, distance_m, &mut warnings);

    ActivityRecord {
        source: activity.source.clone(),
        format: activity.format,
        sport: activity.sport.clone(),
        sport_inferred: activity.sport_inferred,
        sub_sport: activity.sub_sport.clone(),
        start_utc: activity.start_utc,
        file_time: FileTime {
            utc_offset_s: activity.utc_offset_s,
            tz_source: activity.tz_source,
            start_position: samples.iter().find_map(|s| Some((s.lat_deg?, s.lon_deg?))),
        },
        device: activity.device.clone(),
        capabilities: activity.capabilities,
        elapsed_s,
        timer_s: activity.totals.timer_s.filter(|v| v.is_finite()),
        distance_m,
        samples: samples.len(),
        has_hr: has.hr,
        has_position: has.position,
        has_altitude: has.altitude,
        has_temperature: has.temperature,
        has_power: has.power,
        salvaged: activity.salvaged.is_some(),
        warnings: Warnings {
            file: activity.warnings.clone(),
            metrics: warnings,
            ..Warnings::default()
        },
        file_athlete: activity.athlete.clone(),
        m: Box::new(m),
        deferred: Some(Box::new(deferred)),
        track: Vec::new(),
        utc_offset_s: None,
        tz_source: TzSource::Utc,
        date_ok: false,
        gear: None,
    }
}

/// The activity's distance: the device's stated distance; for a track length (GPX) the length
/// with GPS jitter removed (`metrics::distance::track_length_m`: spikes faster than the sport
/// allows and drift while standing still are not counted) when that is shorter. The filtered
/// length is only taken when shorter and positive, because the samples do not keep the track's
/// segment breaks: across a break it would count the gap (the reader's per-segment length does
/// not).
fn gps_distance_m(a: &Activity, series: &Series<'_>, warnings: &mut Vec<String>) -> Option<f64> {
    let stated = a.totals.distance_m.filter(|v| v.is_finite());
    if a.capabilities.distance != DistanceSource::Track {
        return stated;
    }
    let filtered = series
        .track_length_m(distance::max_speed_mps(&a.sport))
        .filter(|f| *f > 0.0);
    match (stated, filtered) {
        (Some(raw), Some(f)) if f < raw => {
            if (raw - f) / raw > 0.01 {
                warnings.push(format!(
                    "GPS jitter removed from the track length: {raw:.0} m to {f:.0} m"
                ));
            }
            Some(f)
        }
        _ => stated,
    }
}

/// The duration a file states for an activity without samples: its timer time, else its
/// elapsed time (finite and positive), else none.
fn stated_duration_s(a: &Activity) -> Option<f64> {
    [a.totals.timer_s, a.totals.elapsed_s]
        .into_iter()
        .flatten()
        .find(|v| v.is_finite() && *v > 0.0)
}

/// The HR-independent metrics of one activity, and what the others need.
fn measure(
    a: &Activity,
    series: &Series<'_>,
    has: &Channels,
    p: &MetricParams,
    dist: Option<f64>,
    warnings: &mut Vec<String>,
) -> (Metrics, Deferred) {
    let samples = &a.samples;
    let mut m = Metrics::default();
    let timed = has.timed >= 2;

    let moving = series.moving_s();
    m.moving_s = (timed && moving > 0.0).then_some(moving);
    if samples.is_empty() {
        // A session without a track (manually entered, treadmill export): the duration the file
        // states stands in for moving time, so that the week counts it.
        m.moving_s = stated_duration_s(a);
    }
    let dist = dist.filter(|d| *d > 0.0);
    if let (Some(mv), Some(d)) = (m.moving_s, dist) {
        m.pace_s_per_km = Some(mv / (d / 1000.0));
    }

    // Elevation: the file's totals where stated, else our hysteresis.
    let has_alt = has.altitude;
    match (a.totals.ascent_m, a.totals.descent_m) {
        (Some(up), Some(down)) => {
            m.ascent_m = Some(up);
            m.descent_m = Some(down);
            m.elevation_source = Some(ElevationSource::Device);
        }
        _ if has_alt => {
            let (up, down) = elevation::ascent_descent_m(samples, p.hysteresis_m);
            m.ascent_m = Some(up);
            m.descent_m = Some(down);
            m.elevation_source = Some(ElevationSource::Samples);
        }
        _ => {}
    }
    if has_alt {
        let sd = elevation::steep_descent_series(series, p.steep_grade, p.steep_min_horizontal_m);
        m.steep_descent_m = Some(sd.descent_m);
        m.steep_descent_dist_m = Some(sd.dist_m);
        m.steep_descent_s = sd.duration_s;
    }

    // Heart rate summaries (the zone metrics wait for HRmax).
    let hr = HrProfile::from_series(series);
    let hr_s = hr.hr_s();
    if hr_s > 0.0 {
        m.hr_avg_bpm = Some(hr.all().map(|(h, dt)| h * dt).sum::<f64>() / hr_s);
        m.hr_max_bpm = hr.cleaned.last().map(|c| c.0);
    } else {
        m.hr_avg_bpm = a.totals.hr_avg_bpm;
        m.hr_max_bpm = a.totals.hr_max_bpm;
    }
    m.cadence_spm = cadence::mean_cadence_series(series, distance::DEFAULT_STATIONARY_SPEED_MPS);

    // Temperature: air sensor, else wrist sensor (with its offset); a weather file replaces
    // both after phase 1 ([`apply_weather`]).
    let source = match a.capabilities.temperature {
        _ if !has.temperature => None,
        TempSensor::Air => Some((0.0, TempSource::Air)),
        TempSensor::Wrist => Some((p.wrist_temp_offset_c, TempSource::Wrist)),
    };
    if let Some((offset, src)) = source {
        temperature(&mut m, samples, series.intervals(), offset, src, None);
        if src == TempSource::Wrist && offset == 0.0 && m.hot == Some(true) {
            warnings.push(HOT_WRIST.to_string());
        }
    }

    let fallback_load = match (samples.is_empty(), m.moving_s) {
        // Without samples only the duration is known: the duration load (`load::load_series`'s
        // third rule) of the stated time.
        (true, Some(secs)) => (
            secs / 60.0 * super::load::easy_rate_per_min(None),
            crate::model::LoadSource::Duration,
        ),
        _ => load_series(
            series,
            &LoadParams {
                threshold_speed_mps: p.threshold_speed_mps,
                ..LoadParams::default()
            },
        ),
    };
    let sweat_inputs = sweat_inputs(a.sport.is_running(), &m, dist, None);
    let deferred = Deferred {
        surges: if a.sport.has_steps() {
            super::intensity::surges_series(series)
        } else {
            0
        },
        hr,
        fallback_load,
        sweat_inputs,
        times: Timeline::of(samples),
    };
    (m, deferred)
}

/// The warning of a run that is hot by an uncorrected wrist sensor.
pub const HOT_WRIST: &str =
    "hot by the wrist sensor, which reads high when worn: set heat.wrist_temp_offset_c or give --weather";

/// The temperature metrics from `samples`' temperatures over `intervals` (the counted intervals
/// of the same samples), less `offset` °C, with one humidity for the activity.
fn temperature(
    m: &mut Metrics,
    samples: &[Sample],
    intervals: &[super::Interval],
    offset: f64,
    src: TempSource,
    rh_pct: Option<f64>,
) {
    m.temp_source = Some(src);
    m.temp_avg_c = heat::mean_temp_over(samples, intervals, offset);
    m.temp_max_c = samples
        .iter()
        .filter_map(|s| s.temp_c.filter(|t| t.is_finite()))
        .map(|t| t - offset)
        .reduce(f64::max);
    if let Some(t) = m.temp_avg_c {
        m.hot = heat::is_hot(t, rh_pct);
        if let Some(rh) = rh_pct {
            m.heat_index_c = heat::heat_index_c(t, rh);
            m.wbgt_c = heat::wbgt_simple_c(t, rh);
            m.heat_band = m.wbgt_c.and_then(heat::heat_band);
        }
    }
    m.heat_minutes = heat::heat_minutes_over(samples, intervals, rh_pct, offset);
}

/// Sweat-loss inputs of a run: temperature, humidity, mean moving speed, moving time.
fn sweat_inputs(
    running: bool,
    m: &Metrics,
    dist: Option<f64>,
    rh_pct: Option<f64>,
) -> Option<(f64, Option<f64>, f64, f64)> {
    match (running, m.temp_avg_c, m.moving_s, dist) {
        (true, Some(t), Some(mv), Some(d)) if mv > 0.0 => Some((t, rh_pct, d / mv, mv)),
        _ => None,
    }
}

/// Replace the temperature metrics of a reduced record by the weather's, after phase 1 (a
/// cached record is the same whatever `--weather` says). `weather` is the weather joined to
/// the record's sample times ([`Timeline::samples`]); the values are those phase 1 computed
/// when it read the weather itself, bit for bit: the same intervals in the same order. A
/// record already finished (phase 2) is left as it is.
pub fn apply_weather(record: &mut ActivityRecord, weather: &Weathered) {
    let Some(d) = record.deferred.as_deref_mut() else {
        return;
    };
    let m = &mut record.m;
    m.temp_source = None;
    m.temp_avg_c = None;
    m.temp_max_c = None;
    m.hot = None;
    m.heat_minutes = None;
    m.heat_index_c = None;
    m.wbgt_c = None;
    m.heat_band = None;
    let intervals = super::counted_intervals(&weather.samples);
    temperature(
        m,
        &weather.samples,
        &intervals,
        0.0,
        TempSource::Weather,
        weather.rh_pct,
    );
    record.warnings.metrics.retain(|w| w != HOT_WRIST);
    let dist = record.distance_m.filter(|d| *d > 0.0);
    d.sweat_inputs = sweat_inputs(record.sport.is_running(), m, dist, weather.rh_pct);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Format;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn elapsed_falls_back_to_sample_span() {
        let mut a = Activity::new("a.gpx", Format::Gpx, at("2026-03-29T00:30:00Z"));
        a.samples = vec![
            Sample {
                time_utc_ms: Some(1_000),
                hr_bpm: Some(120.0),
                ..Sample::default()
            },
            Sample::default(),
            Sample {
                time_utc_ms: Some(61_500),
                ..Sample::default()
            },
        ];
        let s = reduce(&a, &MetricParams::default());
        assert_eq!(s.elapsed_s, Some(60.5));
        assert!(s.has_hr && !s.has_position && !s.has_temperature);
        assert_eq!(s.samples, 3);
    }

    #[test]
    fn gps_tracks_lose_their_jitter_but_not_their_segments() {
        let read = |bytes: &[u8]| crate::ingest::read_bytes("t.gpx", bytes).unwrap().remove(0);
        let p = MetricParams::default();
        // Endomondo hike: stationary drift and spikes; the filtered length is 1.9 % shorter.
        let hike = read(include_bytes!(
            "../../fixtures/real/phpgpx_endomondo_hike_2seg_hr.gpx"
        ));
        let s = reduce(&hike, &p);
        let raw = hike.totals.distance_m.unwrap();
        let d = s.distance_m.unwrap();
        assert!(d < raw && d > raw * 0.97, "{d} vs {raw}");
        assert!(s
            .warnings
            .metrics
            .iter()
            .any(|w| w.contains("GPS jitter removed")));
        // Cerknicko: 2 segments; across the break the filter would count the gap, so the
        // reader's per-segment length stays.
        let lake = read(include_bytes!(
            "../../fixtures/real/gpxpy_gpsbabel_v10_multiseg_cerknicko.gpx"
        ));
        assert_eq!(reduce(&lake, &p).distance_m, lake.totals.distance_m);
    }

    #[test]
    fn every_parameter_changes_the_hash() {
        let base = MetricParams::default();
        let changed = [
            MetricParams {
                hysteresis_m: 5.0,
                ..base.clone()
            },
            MetricParams {
                steep_grade: -0.12,
                ..base.clone()
            },
            MetricParams {
                steep_min_horizontal_m: 30.0,
                ..base.clone()
            },
            MetricParams {
                wrist_temp_offset_c: 3.0,
                ..base.clone()
            },
            MetricParams {
                threshold_speed_mps: Some(4.0),
                ..base.clone()
            },
        ];
        for p in &changed {
            assert_ne!(p.hash(), base.hash(), "{p:?}");
        }
        assert_eq!(MetricParams::default().hash(), base.hash());
    }

    #[test]
    fn the_record_survives_a_round_trip() {
        let bytes = include_bytes!("../../fixtures/real/pyfitparse_fenix2_run_hr_temp.fit");
        for a in crate::ingest::read_bytes("f.fit", bytes).unwrap() {
            let mut r = reduce(&a, &MetricParams::default());
            r.track = crate::dedup::fingerprint(&a.samples);
            let json = serde_json::to_string(&r).unwrap();
            let back: ActivityRecord = serde_json::from_str(&json).unwrap();
            assert_eq!(back, r);
            assert!(r.deferred.is_some() && r.m.temp_source == Some(TempSource::Wrist));
        }
    }
}
