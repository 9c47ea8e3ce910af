//! The reduced per-activity summary: everything later stages need from one activity, without
//! its samples. Readers produce [`Activity`] values with full time series; [`summarize`] keeps
//! what the report and the periods need and the samples are dropped right after, so an export
//! of 10,000 activities never holds every sample at once.

use crate::localtime;
use crate::model::{Activity, Format, Sport, TzSource};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;

/// What the reduction needs to know about the run.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// The run's "now" (`--now`, default the clock), for the date check.
    pub now: DateTime<Utc>,
    /// The configured time zone (`--tz`), for activities whose file and position say nothing.
    pub tz: Option<Tz>,
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
    let timed: Vec<TrackPoint> = samples
        .iter()
        .filter_map(|s| {
            let (lat_deg, lon_deg) = (s.lat_deg?, s.lon_deg?);
            (lat_deg.is_finite() && lon_deg.is_finite()).then_some(TrackPoint {
                time_utc_ms: s.time_utc_ms?,
                lat_deg,
                lon_deg,
            })
        })
        .collect();
    if timed.is_empty() {
        return Vec::new();
    }
    let last = timed.len() - 1;
    let mut picks: Vec<usize> = [0, 1, 2, 3, 4].iter().map(|q| last * q / 4).collect();
    picks.dedup();
    picks
        .into_iter()
        .filter_map(|i| timed.get(i).copied())
        .collect()
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

/// Reduce an activity to its summary, placing it in local time (see [`localtime`]).
pub fn summarize(activity: &Activity, ctx: &Context) -> ActivitySummary {
    let now = ctx.now;
    let samples = &activity.samples;
    let has = |f: fn(&crate::model::Sample) -> bool| samples.iter().any(f);
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
        distance_m: activity.totals.distance_m.filter(|v| v.is_finite()),
        samples: samples.len(),
        has_hr: has(|s| s.hr_bpm.is_some()),
        has_position: has(|s| s.lat_deg.is_some() && s.lon_deg.is_some()),
        has_altitude: has(|s| s.altitude_m.is_some()),
        has_temperature: has(|s| s.temp_c.is_some()),
        has_power: has(|s| s.power_w.is_some()),
        track: track_fingerprint(samples),
        salvaged: activity.salvaged.is_some(),
        warnings,
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
        Context {
            now: at(now),
            tz: None,
        }
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
}
