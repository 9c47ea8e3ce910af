//! The reduced per-activity summary: everything later stages need from one activity, without
//! its samples. Readers produce [`Activity`] values with full time series; [`summarize`] keeps
//! what the report and the periods need and the samples are dropped right after, so an export
//! of 10,000 activities never holds every sample at once.

use crate::enrich::weather::Weather;
use crate::localtime;
use crate::metrics::load::{load_series, LoadParams, LoadSource};
use crate::metrics::profile::HrProfile;
use crate::metrics::series::Series;
use crate::metrics::{cadence, distance, elevation, heat};
use crate::model::{Activity, AthleteValues, Format, Sample, Sport, TzSource};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

/// What the reduction needs to know about the run.
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

/// What the per-activity metrics that need the athlete profile (HRmax, HRrest, sex, body
/// mass) keep until the whole history is read; dropped once evaluated.
#[derive(Clone, Debug, PartialEq)]
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
}

/// Activities that start before this are implausible (unset watch clocks write 1989/1990).
pub const EARLIEST_PLAUSIBLE: &str = "2000-01-01T00:00:00Z";

/// One activity, reduced.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivitySummary {
    /// Where it came from.
    pub source: String,
    /// File format.
    pub format: Format,
    /// Normalised sport.
    pub sport: Sport,
    /// The file's own sub-sport name.
    pub sub_sport: Option<String>,
    /// Start (UTC).
    pub start_utc: DateTime<Utc>,
    /// Offset of local time from UTC, seconds.
    pub utc_offset_s: Option<i32>,
    /// Where the offset came from.
    pub tz_source: TzSource,
    /// Gear (shoes) named for this activity (Strava `activities.csv`), if any.
    pub gear: Option<String>,
    /// False when the start is before 2000 or after the run's now plus one day.
    pub date_ok: bool,
    /// Device or creator.
    pub device: Option<String>,
    /// Elapsed time, seconds: the file's total, else last minus first sample time.
    pub elapsed_s: Option<f64>,
    /// Timer time, seconds, as the file states it.
    pub timer_s: Option<f64>,
    /// Distance, metres: the device's stated distance (GPX: the track length).
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
    /// A few (time, lat, lon) points spread over the activity (start, 25 %, 50 %, 75 %, end of
    /// the timed positions), to recognise the same run recorded twice.
    pub track: Vec<TrackPoint>,
    /// The file broke; this holds what came before the break.
    pub salvaged: bool,
    /// Reader and pipeline warnings.
    pub warnings: Vec<String>,
    /// Athlete values the file states (FIT user profile, zones).
    pub file_athlete: AthleteValues,
    /// The per-activity metrics (`docs/metrics.md`).
    pub m: Metrics,
    /// Inputs of the metrics that wait for the athlete profile.
    pub deferred: Option<Box<Deferred>>,
}

/// The per-activity metrics of `activities.csv` (`docs/metrics.md`). `None` where unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    /// Moving time, seconds.
    pub moving_s: Option<f64>,
    /// Moving time per kilometre, seconds.
    pub pace_s_per_km: Option<f64>,
    /// Ascent, metres.
    pub ascent_m: Option<f64>,
    /// Descent, metres.
    pub descent_m: Option<f64>,
    /// `device` (the FIT session's totals, barometric on most devices) or `samples` (the
    /// altitude samples with hysteresis).
    pub elevation_source: Option<&'static str>,
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
    /// `hr`, `pace` or `duration`.
    pub load_source: Option<LoadSource>,
    /// A hard run (≥ 10 min in zones 4-5 or ≥ 3 pace surges).
    pub hard: Option<bool>,
    /// For hard runs: `adequate`, `short`, `none` (or `unknown`).
    pub warmup: Option<&'static str>,
    /// Mean HR in the warm-up window, % of HRmax.
    pub warmup_hr_pct: Option<f64>,
    /// Mean temperature, °C.
    pub temp_avg_c: Option<f64>,
    /// Highest temperature, °C.
    pub temp_max_c: Option<f64>,
    /// `weather`, `air` (external sensor, GPX/TCX air temperature, bike computer) or `wrist`.
    pub temp_source: Option<&'static str>,
    /// Hot by the documented rule.
    pub hot: Option<bool>,
    /// Minutes that were hot.
    pub heat_minutes: Option<f64>,
    /// NWS heat index, °C (needs humidity).
    pub heat_index_c: Option<f64>,
    /// Simplified WBGT, °C (needs humidity).
    pub wbgt_c: Option<f64>,
    /// ACSM band of the WBGT.
    pub heat_band: Option<&'static str>,
    /// Estimated sweat loss, litres (no drinking unless configured).
    pub sweat_loss_l: Option<f64>,
    /// Estimated sweat loss, % of body mass.
    pub sweat_loss_pct: Option<f64>,
    /// Hot run of 90 minutes or more.
    pub electrolytes: Option<bool>,
    /// Mean cadence while moving, steps per minute.
    pub cadence_spm: Option<f64>,
}

/// One point of an activity's track fingerprint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackPoint {
    /// Time, milliseconds since the Unix epoch (UTC).
    pub time_utc_ms: i64,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
}

/// Pick the track fingerprint: the timed positions at 0, 25, 50, 75 and 100 % of their count.
fn track_fingerprint(samples: &[crate::model::Sample]) -> Vec<TrackPoint> {
    let point = |s: &crate::model::Sample| {
        let (lat_deg, lon_deg) = (s.lat_deg?, s.lon_deg?);
        (lat_deg.is_finite() && lon_deg.is_finite()).then_some(TrackPoint {
            time_utc_ms: s.time_utc_ms?,
            lat_deg,
            lon_deg,
        })
    };
    let count = samples.iter().filter(|s| point(s).is_some()).count();
    if count == 0 {
        return Vec::new();
    }
    let last = count - 1;
    let mut picks: Vec<usize> = [0, 1, 2, 3, 4].iter().map(|q| last * q / 4).collect();
    picks.dedup();
    // The picks are increasing: walk the timed positions once, keeping those at the picks.
    let mut out = Vec::with_capacity(picks.len());
    let mut next = picks.iter().copied().peekable();
    for (k, p) in samples.iter().filter_map(point).enumerate() {
        if next.peek() == Some(&k) {
            out.push(p);
            next.next();
        }
        if next.peek().is_none() {
            break;
        }
    }
    out
}

impl ActivitySummary {
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

/// Reduce an activity to its summary, placing it in local time (see [`localtime`]).
pub fn summarize(activity: &Activity, ctx: &Context) -> ActivitySummary {
    let now = ctx.now;
    let samples = &activity.samples;
    let has = Channels::of(samples);
    let mut warnings = activity.warnings.clone();

    let earliest = DateTime::parse_from_rfc3339(EARLIEST_PLAUSIBLE)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let latest = now + Duration::days(1);
    let date_ok = activity.start_utc >= earliest && activity.start_utc <= latest;
    if !date_ok {
        warnings.push(format!(
            "implausible start {} (before 2000 or after now + 1 day): left out of periods",
            activity.start_utc.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }

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

    let start_position = samples.iter().find_map(|s| Some((s.lat_deg?, s.lon_deg?)));
    // Every real zone offset is a whole number of quarter hours; a file whose local timestamp
    // is a few minutes off (clock drift between the watch's two clocks) is rounded.
    let file_offset_s = activity.utc_offset_s.map(|o| {
        let rounded = ((o as f64) / 900.0).round() as i32 * 900;
        if rounded != o {
            warnings.push(format!(
                "the file's local-time offset of {o} s is not a whole quarter hour: rounded to {rounded} s"
            ));
        }
        rounded
    });
    let (utc_offset_s, tz_source) = localtime::resolve(
        file_offset_s,
        activity.tz_source,
        activity.start_utc,
        start_position,
        ctx.tz,
    );

    // Intervals, speed estimates and the GPS track, computed once for every metric.
    let series = Series::new(samples);
    let distance_m = gps_distance_m(activity, &series, &mut warnings);
    let (m, deferred) = measure(activity, &series, &has, ctx, distance_m, &mut warnings);

    ActivitySummary {
        source: activity.source.clone(),
        format: activity.format,
        sport: activity.sport.clone(),
        sub_sport: activity.sub_sport.clone(),
        start_utc: activity.start_utc,
        utc_offset_s: Some(utc_offset_s),
        tz_source,
        gear: None,
        date_ok,
        device: activity.device.clone(),
        elapsed_s,
        timer_s: activity.totals.timer_s.filter(|v| v.is_finite()),
        distance_m,
        samples: samples.len(),
        has_hr: has.hr,
        has_position: has.position,
        has_altitude: has.altitude,
        has_temperature: has.temperature,
        has_power: has.power,
        track: track_fingerprint(samples),
        salvaged: activity.salvaged.is_some(),
        warnings,
        file_athlete: activity.athlete.clone(),
        m,
        deferred: Some(Box::new(deferred)),
    }
}

/// Bike computers, whose temperature sensor is not worn on the body.
fn is_bike_computer(device: Option<&str>) -> bool {
    let d = device.unwrap_or("").to_ascii_lowercase();
    [
        "edge",
        "elemnt",
        "bolt",
        "roam",
        "karoo",
        "sigma",
        "bryton",
        "hammerhead",
    ]
    .iter()
    .any(|k| d.contains(k))
}

/// The activity's distance: the device's stated distance; for GPS-only tracks (GPX) the track
/// length, with GPS jitter removed (`metrics::distance::track_length_m`: spikes faster than the
/// sport allows and drift while standing still are not counted) when that is shorter. The
/// filtered length is only taken when shorter and positive, because the samples do not keep the
/// track's segment breaks: across a break it would count the gap (the reader's per-segment
/// length does not).
fn gps_distance_m(a: &Activity, series: &Series<'_>, warnings: &mut Vec<String>) -> Option<f64> {
    let stated = a.totals.distance_m.filter(|v| v.is_finite());
    if a.format != Format::Gpx {
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

/// The HR-independent metrics of one activity, and what the others need.
fn measure(
    a: &Activity,
    series: &Series<'_>,
    has: &Channels,
    ctx: &Context,
    dist: Option<f64>,
    warnings: &mut Vec<String>,
) -> (Metrics, Deferred) {
    let p = &ctx.metrics;
    let samples = &a.samples;
    let mut m = Metrics::default();
    let timed = has.timed >= 2;

    let moving = series.moving_s();
    m.moving_s = (timed && moving > 0.0).then_some(moving);
    let dist = dist.filter(|d| *d > 0.0);
    if let (Some(mv), Some(d)) = (m.moving_s, dist) {
        m.pace_s_per_km = Some(mv / (d / 1000.0));
    }

    // Elevation: the FIT session's totals where stated, else our hysteresis.
    let has_alt = has.altitude;
    match (a.format, a.totals.ascent_m, a.totals.descent_m) {
        (Format::Fit, Some(up), Some(down)) => {
            m.ascent_m = Some(up);
            m.descent_m = Some(down);
            m.elevation_source = Some("device");
        }
        _ if has_alt => {
            let (up, down) = elevation::ascent_descent_m(samples, p.hysteresis_m);
            m.ascent_m = Some(up);
            m.descent_m = Some(down);
            m.elevation_source = Some("samples");
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
        m.hr_avg_bpm = Some(hr.all.iter().map(|&(h, dt)| h * dt).sum::<f64>() / hr_s);
        m.hr_max_bpm = hr.cleaned.last().map(|c| c.0);
    } else {
        m.hr_avg_bpm = a.totals.hr_avg_bpm;
        m.hr_max_bpm = a.totals.hr_max_bpm;
    }
    m.cadence_spm = cadence::mean_cadence_series(series, distance::DEFAULT_STATIONARY_SPEED_MPS);

    // Temperature: weather file, else air sensor, else wrist sensor (with its offset).
    let weather_samples;
    let mut rh_pct = None;
    let (temp_samples, offset, source): (&[Sample], f64, Option<&'static str>) = match ctx
        .weather
        .as_deref()
        .and_then(|w| with_weather(samples, w))
    {
        Some((ws, rh)) => {
            weather_samples = ws;
            rh_pct = rh;
            (&weather_samples, 0.0, Some("weather"))
        }
        None if has.temperature => {
            if a.format != Format::Fit || is_bike_computer(a.device.as_deref()) {
                (samples, 0.0, Some("air"))
            } else {
                (samples, p.wrist_temp_offset_c, Some("wrist"))
            }
        }
        None => (samples, 0.0, None),
    };
    if let Some(src) = source {
        m.temp_source = Some(src);
        // The weather copy has the same times, so the same counted intervals.
        m.temp_avg_c = heat::mean_temp_over(temp_samples, series.intervals(), offset);
        m.temp_max_c = temp_samples
            .iter()
            .filter_map(|s| s.temp_c.filter(|t| t.is_finite()))
            .map(|t| t - offset)
            .reduce(f64::max);
        if let Some(t) = m.temp_avg_c {
            m.hot = heat::is_hot(t, rh_pct);
            if let Some(rh) = rh_pct {
                m.heat_index_c = heat::heat_index_c(t, rh);
                m.wbgt_c = heat::wbgt_simple_c(t, rh);
                m.heat_band = m.wbgt_c.and_then(heat::heat_band).map(|b| b.as_str());
            }
        }
        m.heat_minutes = heat::heat_minutes_over(temp_samples, series.intervals(), rh_pct, offset);
        if src == "wrist" && offset == 0.0 && m.hot == Some(true) {
            warnings.push(
                "hot by the wrist sensor, which reads high when worn: set heat.wrist_temp_offset_c or give --weather"
                    .to_string(),
            );
        }
    }

    let fallback_load = load_series(
        series,
        &LoadParams {
            threshold_speed_mps: p.threshold_speed_mps,
            ..LoadParams::default()
        },
    );
    let sweat_inputs = match (a.sport.is_running(), m.temp_avg_c, m.moving_s, dist) {
        (true, Some(t), Some(mv), Some(d)) if mv > 0.0 => Some((t, rh_pct, d / mv, mv)),
        _ => None,
    };
    let deferred = Deferred {
        surges: if a.sport.has_steps() {
            crate::metrics::intensity::surges_series(series)
        } else {
            0
        },
        hr,
        fallback_load,
        sweat_inputs,
    };
    (m, deferred)
}

/// The samples with their temperature taken from the weather at their time, and the mean
/// relative humidity over the activity; `None` when the weather does not cover it.
fn with_weather(samples: &[Sample], w: &Weather) -> Option<(Vec<Sample>, Option<f64>)> {
    let mut out = Vec::with_capacity(samples.len());
    let (mut rh_sum, mut rh_n, mut covered) = (0.0, 0usize, 0usize);
    for s in samples {
        let mut s2 = s.clone();
        s2.temp_c = None;
        if let Some(c) = s.time_utc_ms.and_then(|t| w.at(t)) {
            s2.temp_c = c.temp_c;
            if c.temp_c.is_some() {
                covered += 1;
            }
            if let Some(rh) = c.rh_pct {
                rh_sum += rh;
                rh_n += 1;
            }
        }
        out.push(s2);
    }
    (covered > 0).then(|| (out, (rh_n > 0).then(|| rh_sum / rh_n as f64)))
}

/// Heart-rate zones by % of HRmax or by heart-rate reserve (Karvonen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ZoneBasis {
    /// Zone bounds at 50/60/70/80/90 % of HRmax.
    #[default]
    PercentMax,
    /// Zone bounds at 50/60/70/80/90 % of the heart-rate reserve above HRrest.
    Reserve,
}

/// The athlete values the deferred metrics need, resolved for the whole history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FinishParams {
    /// HRmax, bpm.
    pub hr_max_bpm: Option<f64>,
    /// HRrest, bpm.
    pub hr_rest_bpm: Option<f64>,
    /// Sex.
    pub sex: Option<crate::model::Sex>,
    /// Body mass, kg.
    pub weight_kg: Option<f64>,
    /// Height, m.
    pub height_m: f64,
    /// Fluid drunk per hour, litres.
    pub fluid_intake_l_per_h: f64,
    /// Zone basis.
    pub zones: ZoneBasis,
}

/// Relative humidity assumed by the sweat estimate when no weather file gives it, %.
pub const SWEAT_DEFAULT_RH_PCT: f64 = 50.0;

/// Hot runs of at least this many minutes call for electrolytes.
pub const ELECTROLYTES_MIN: f64 = 90.0;

impl ActivitySummary {
    /// Evaluate the metrics that needed the athlete profile, then drop their inputs.
    pub fn finish(&mut self, f: &FinishParams) {
        let Some(d) = self.deferred.take() else {
            return;
        };
        let m = &mut self.m;
        let rest = f.hr_rest_bpm.unwrap_or(crate::athlete::DEFAULT_HR_REST_BPM);
        if let Some(max) = f.hr_max_bpm {
            let zones = match f.zones {
                ZoneBasis::PercentMax => crate::metrics::hr::Zones::percent_max(max),
                ZoneBasis::Reserve => crate::metrics::hr::Zones::reserve(rest, max),
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
                use crate::metrics::load::{easy_rate_per_min, pace_scale};
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
        if self.sport.has_steps() {
            let z45 = f.hr_max_bpm.and_then(|max| d.hr.z45_minutes(max));
            let hard = z45.is_some_and(|z| z >= crate::metrics::intensity::HARD_Z45_MIN)
                || d.surges >= crate::metrics::intensity::HARD_MIN_SURGES;
            m.hard = Some(hard);
            if hard {
                let w = d.hr.warmup.evaluate(f.hr_max_bpm);
                m.warmup = Some(w.status.as_str());
                m.warmup_hr_pct = w.warmup_hr_pct;
            }
        }
        if let (Some((temp, rh, speed, secs)), Some(mass)) = (d.sweat_inputs, f.weight_kg) {
            let est = crate::metrics::sweat::sweat_estimate(&crate::metrics::sweat::SweatInput {
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
        if self.sport.is_running() {
            m.electrolytes = m
                .hot
                .map(|hot| hot && m.moving_s.is_some_and(|s| s >= ELECTROLYTES_MIN * 60.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sample;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ctx(now: &str) -> Context {
        Context::new(at(now), None)
    }

    #[test]
    fn implausible_dates_are_flagged() {
        let now = &ctx("2026-11-23T08:00:00Z");
        let old = Activity::new("a.fit", Format::Fit, at("1990-01-01T10:00:00Z"));
        let s = summarize(&old, now);
        assert!(!s.date_ok);
        assert!(s.warnings[0].contains("implausible start 1990-01-01T10:00:00Z"));
        let future = Activity::new("b.fit", Format::Fit, at("2026-11-24T09:00:00Z"));
        assert!(!summarize(&future, now).date_ok);
        let ok = Activity::new("c.fit", Format::Fit, at("2026-11-24T07:00:00Z"));
        assert!(summarize(&ok, now).date_ok);
    }

    #[test]
    fn elapsed_falls_back_to_sample_span_and_local_time_uses_offset() {
        let mut a = Activity::new("a.gpx", Format::Gpx, at("2026-03-29T00:30:00Z"));
        a.utc_offset_s = Some(7200);
        a.tz_source = TzSource::File;
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
        let s = summarize(&a, &ctx("2026-11-23T08:00:00Z"));
        assert_eq!(s.elapsed_s, Some(60.5));
        assert!(s.has_hr && !s.has_position && !s.has_temperature);
        assert_eq!(s.samples, 3);
        assert_eq!(s.start_local().to_rfc3339(), "2026-03-29T02:30:00+02:00");
    }

    #[test]
    fn file_offsets_round_to_quarter_hours() {
        // gc_fr55_walk_coretemp_devfields.fit states local time 225 s ahead of UTC.
        let mut a = Activity::new("w.fit", Format::Fit, at("2025-01-28T13:33:02Z"));
        a.utc_offset_s = Some(225);
        a.tz_source = TzSource::File;
        let s = summarize(&a, &ctx("2026-11-23T08:00:00Z"));
        assert_eq!((s.utc_offset_s, s.tz_source), (Some(0), TzSource::File));
        assert!(s.warnings[0].contains("225 s"));
        a.utc_offset_s = Some(19_800 + 30); // India, +05:30, half a minute off
        let s = summarize(&a, &ctx("2026-11-23T08:00:00Z"));
        assert_eq!(s.utc_offset_s, Some(19_800));
    }

    #[test]
    fn gps_tracks_lose_their_jitter_but_not_their_segments() {
        let read = |bytes: &[u8]| crate::ingest::read_bytes("t.gpx", bytes).unwrap().remove(0);
        let c = ctx("2026-11-23T08:00:00Z");
        // Endomondo hike: stationary drift and spikes; the filtered length is 1.9 % shorter.
        let hike = read(include_bytes!(
            "../fixtures/real/phpgpx_endomondo_hike_2seg_hr.gpx"
        ));
        let s = summarize(&hike, &c);
        let raw = hike.totals.distance_m.unwrap();
        let d = s.distance_m.unwrap();
        assert!(d < raw && d > raw * 0.97, "{d} vs {raw}");
        assert!(s.warnings.iter().any(|w| w.contains("GPS jitter removed")));
        // Cerknicko: 2 segments; across the break the filter would count the gap, so the
        // reader's per-segment length stays.
        let lake = read(include_bytes!(
            "../fixtures/real/gpxpy_gpsbabel_v10_multiseg_cerknicko.gpx"
        ));
        assert_eq!(summarize(&lake, &c).distance_m, lake.totals.distance_m);
    }
}
