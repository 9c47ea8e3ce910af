//! Local time, one rule for all formats.
//!
//! The offset of an activity's local time from UTC comes, best first, from:
//! 1. the file (`tz_source = file`): FIT `activity.local_timestamp`, an ISO time with an offset;
//!    unless it differs (after rounding to a quarter hour) from the offset of the zone at the
//!    start position at the start (some watches write local time as UTC, or keep the home zone
//!    abroad): then a warning in `warnings`, and the position's zone;
//! 2. the time zone at the activity's start position (`position`), looked up in the time-zone
//!    boundaries that `tzf-rs` embeds, with the offset in force at the start from `chrono-tz`
//!    (so a run abroad lands on its local date and daylight-saving changes are honoured);
//! 3. the configured zone (`config`: `--tz` or the config file's `time_zone`), e.g. for
//!    treadmill runs without positions;
//! 4. UTC (`utc`).
//!
//! [`place`] applies the rule to an activity's record, after phase 1, together with the date
//! check: an activity that starts before 2000 or after the run's now plus one day keeps its row
//! but is left out of periods.

use crate::metrics::record::ActivityRecord;
use crate::model::TzSource;
use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use std::sync::OnceLock;

/// The boundary finder, built on first use. `EmbeddedFinder` queries the embedded data in place:
/// it starts in microseconds (the expanding `DefaultFinder` takes about a second in a debug
/// build) and answers in microseconds, which is plenty for one query per activity.
fn finder() -> &'static tzf_rs::EmbeddedFinder {
    static FINDER: OnceLock<tzf_rs::EmbeddedFinder> = OnceLock::new();
    FINDER.get_or_init(tzf_rs::EmbeddedFinder::new)
}

/// The IANA zone at a position, if the boundaries know one (oceans give `None` unless they map
/// to an `Etc/GMT±N` zone).
pub fn zone_at(lat_deg: f64, lon_deg: f64) -> Option<Tz> {
    let valid = (-90.0..=90.0).contains(&lat_deg) && (-180.0..=180.0).contains(&lon_deg);
    if !valid {
        return None;
    }
    let name = finder().get_tz_name(lon_deg, lat_deg);
    name.parse::<Tz>().ok()
}

/// The offset of `zone` from UTC at `at`, in seconds.
pub fn offset_in(zone: Tz, at: DateTime<Utc>) -> i32 {
    zone.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Parse a configured zone name (`Europe/Berlin`, `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!(
            "'{}' is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)",
            crate::text::clip(name)
        )
    })
}

/// Apply the rule: keep a file-stated offset, else the position's zone, else the configured
/// zone, else UTC. Returns the offset in seconds and its source.
pub fn resolve(
    file_offset_s: Option<i32>,
    file_source: TzSource,
    start_utc: DateTime<Utc>,
    start_position: Option<(f64, f64)>,
    configured: Option<Tz>,
) -> (i32, TzSource) {
    if let (Some(o), TzSource::File) = (file_offset_s, file_source) {
        return (o, TzSource::File);
    }
    if let Some(zone) = start_position.and_then(|(lat, lon)| zone_at(lat, lon)) {
        return (offset_in(zone, start_utc), TzSource::Position);
    }
    if let Some(zone) = configured {
        return (offset_in(zone, start_utc), TzSource::Config);
    }
    (0, TzSource::Utc)
}

/// Activities that start before this are implausible (unset watch clocks write 1989/1990).
pub const EARLIEST_PLAUSIBLE: &str = "2000-01-01T00:00:00Z";

/// Place a record in time: its local offset and where it came from ([`resolve`], with a file's
/// offset rounded to a whole quarter hour), and whether its start is plausible (from 2000 to
/// `now` plus one day). Both add their warnings to `record.warnings.placement`.
pub fn place(record: &mut ActivityRecord, configured: Option<Tz>, now: DateTime<Utc>) {
    let warnings = &mut record.warnings.placement;
    warnings.clear();
    let earliest = DateTime::parse_from_rfc3339(EARLIEST_PLAUSIBLE)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let start = record.start_utc;
    record.date_ok = start >= earliest && start <= now + Duration::days(1);
    if !record.date_ok {
        warnings.push(format!(
            "implausible start {} (before 2000 or after now + 1 day): left out of periods",
            start.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    // Every real zone offset is a whole number of quarter hours; a file whose local timestamp
    // is a few minutes off (clock drift between the watch's two clocks) is rounded.
    let file = record.file_time;
    let file_offset_s = file.utc_offset_s.map(|o| {
        let rounded = ((o as f64) / 900.0).round() as i32 * 900;
        if rounded != o {
            warnings.push(format!(
                "the file's local-time offset of {o} s is not a whole quarter hour: rounded to {rounded} s"
            ));
        }
        rounded
    });
    // A file whose stated offset differs from the offset in force at its start position gives
    // way to the position: a watch writing local time as UTC (no zone set) states +00:00, one
    // that kept its home zone on a trip abroad states the home offset; either way the runner's
    // day is the one where the run was.
    let position_zone = file.start_position.and_then(|(lat, lon)| zone_at(lat, lon));
    let mut file_source = file.tz_source;
    if let (Some(o), TzSource::File, Some(zone)) = (file_offset_s, file.tz_source, position_zone) {
        let at_position = offset_in(zone, start);
        if at_position != o {
            warnings.push(format!(
                "the file's UTC offset {} disagrees with the time zone at the start position ({}, {}): the position's is used",
                hhmm(o),
                zone.name(),
                hhmm(at_position)
            ));
            file_source = TzSource::Position;
        }
    }
    let (offset, source) = resolve(
        file_offset_s,
        file_source,
        start,
        file.start_position,
        configured,
    );
    record.utc_offset_s = Some(offset);
    record.tz_source = source;
}

/// An offset in seconds as `+02:00`.
fn hhmm(offset_s: i32) -> String {
    let sign = if offset_s < 0 { '-' } else { '+' };
    let m = offset_s.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::reduce::{reduce, MetricParams};
    use crate::model::{Activity, Format};

    fn placed(a: &Activity, now: &str) -> ActivityRecord {
        let mut r = reduce(a, &MetricParams::default());
        place(&mut r, None, at(now));
        r
    }

    #[test]
    fn implausible_dates_are_flagged() {
        let now = "2026-11-23T08:00:00Z";
        let old = Activity::new("a.fit", Format::Fit, at("1990-01-01T10:00:00Z"));
        let s = placed(&old, now);
        assert!(!s.date_ok);
        assert!(s.warnings.placement[0].contains("implausible start 1990-01-01T10:00:00Z"));
        let future = Activity::new("b.fit", Format::Fit, at("2026-11-24T09:00:00Z"));
        assert!(!placed(&future, now).date_ok);
        let ok = Activity::new("c.fit", Format::Fit, at("2026-11-24T07:00:00Z"));
        assert!(placed(&ok, now).date_ok);
    }

    #[test]
    fn local_time_uses_the_file_offset() {
        let mut a = Activity::new("a.gpx", Format::Gpx, at("2026-03-29T00:30:00Z"));
        a.utc_offset_s = Some(7200);
        a.tz_source = TzSource::File;
        let s = placed(&a, "2026-11-23T08:00:00Z");
        assert_eq!(s.start_local().to_rfc3339(), "2026-03-29T02:30:00+02:00");
    }

    #[test]
    fn file_offsets_round_to_quarter_hours() {
        // gc_fr55_walk_coretemp_devfields.fit states local time 225 s ahead of UTC.
        let mut a = Activity::new("w.fit", Format::Fit, at("2025-01-28T13:33:02Z"));
        a.utc_offset_s = Some(225);
        a.tz_source = TzSource::File;
        let s = placed(&a, "2026-11-23T08:00:00Z");
        assert_eq!((s.utc_offset_s, s.tz_source), (Some(0), TzSource::File));
        assert!(s.warnings.placement[0].contains("225 s"));
        a.utc_offset_s = Some(19_800 + 30); // India, +05:30, half a minute off
        let s = placed(&a, "2026-11-23T08:00:00Z");
        assert_eq!(s.utc_offset_s, Some(19_800));
    }

    #[test]
    fn a_file_offset_that_disagrees_with_the_position_gives_way() {
        // The COROS PACE 2 ride states local time = UTC (offset 0) but starts near Bogotá
        // (UTC−5): warned, and placed by the position (it was placed at +00:00 before).
        let bytes =
            include_bytes!("../fixtures/real/pyfitparse_coros_pace2_ride_misaligned_fields.fit");
        let a = crate::ingest::read_bytes("c.fit", bytes).unwrap().remove(0);
        assert_eq!((a.utc_offset_s, a.tz_source), (Some(0), TzSource::File));
        let s = placed(&a, "2026-11-23T08:00:00Z");
        assert_eq!(
            (s.utc_offset_s, s.tz_source),
            (Some(-5 * 3600), TzSource::Position)
        );
        assert_eq!(
            s.warnings.placement,
            [
                "the file's UTC offset +00:00 disagrees with the time zone at the start position \
              (America/Bogota, -05:00): the position's is used"
            ]
        );
        assert_eq!(s.start_local().to_rfc3339(), "2020-10-25T06:10:19-05:00");
        // A file whose offset agrees keeps it, without a warning: the fenix 2 run in Norway
        // (+02:00 in August).
        let bytes = include_bytes!("../fixtures/real/pyfitparse_fenix2_run_hr_temp.fit");
        let a = crate::ingest::read_bytes("f.fit", bytes).unwrap().remove(0);
        let s = placed(&a, "2026-11-23T08:00:00Z");
        assert_eq!((s.utc_offset_s, s.tz_source), (Some(7200), TzSource::File));
        assert!(s.warnings.placement.is_empty());
        // A non-zero offset that disagrees gives way too (a watch that kept its home zone
        // abroad): the same run stated at +01:00 is placed at Norway's +02:00, with a warning.
        let mut moved = a.clone();
        moved.utc_offset_s = Some(3600);
        let s = placed(&moved, "2026-11-23T08:00:00Z");
        assert_eq!(
            (s.utc_offset_s, s.tz_source),
            (Some(7200), TzSource::Position)
        );
        assert_eq!(s.warnings.placement.len(), 1);
        assert!(
            s.warnings.placement[0].contains("UTC offset +01:00 disagrees")
                && s.warnings.placement[0].contains("(Europe/Oslo, +02:00)"),
            "{:?}",
            s.warnings.placement
        );
        // The comparison is after the quarter-hour rounding: +02:03 rounds to +02:00 and agrees
        // (one warning, about the rounding only).
        let mut drift = a.clone();
        drift.utc_offset_s = Some(7200 + 180);
        let s = placed(&drift, "2026-11-23T08:00:00Z");
        assert_eq!((s.utc_offset_s, s.tz_source), (Some(7200), TzSource::File));
        assert_eq!(s.warnings.placement.len(), 1);
        assert!(s.warnings.placement[0].contains("7380 s"));
        // Without a position the file's offset is kept, whatever it is.
        let mut nowhere = moved.clone();
        nowhere.samples.iter_mut().for_each(|x| {
            x.lat_deg = None;
            x.lon_deg = None;
        });
        let s = placed(&nowhere, "2026-11-23T08:00:00Z");
        assert_eq!((s.utc_offset_s, s.tz_source), (Some(3600), TzSource::File));
        assert!(s.warnings.placement.is_empty());
        assert_eq!(hhmm(-34_200), "-09:30");
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn position_gives_local_offset_with_daylight_saving() {
        // Berlin: CET (+1 h) before 2026-03-29 01:00 UTC, CEST (+2 h) after.
        let berlin = Some((52.52, 13.405));
        let before = resolve(
            None,
            TzSource::Utc,
            at("2026-03-29T00:30:00Z"),
            berlin,
            None,
        );
        let after = resolve(
            None,
            TzSource::Utc,
            at("2026-03-29T01:30:00Z"),
            berlin,
            None,
        );
        assert_eq!(before, (3600, TzSource::Position));
        assert_eq!(after, (7200, TzSource::Position));
    }

    #[test]
    fn run_abroad_and_config_fallbacks() {
        let ny = parse_zone("America/New_York").unwrap();
        // A run in Tokyo by a New York athlete: the position wins over the configured zone.
        let tokyo = resolve(
            None,
            TzSource::Utc,
            at("2026-07-01T22:00:00Z"),
            Some((35.68, 139.69)),
            Some(ny),
        );
        assert_eq!(tokyo, (9 * 3600, TzSource::Position));
        // A treadmill run (no position): the configured zone, with its summer offset.
        let treadmill = resolve(
            None,
            TzSource::Utc,
            at("2026-07-01T22:00:00Z"),
            None,
            Some(ny),
        );
        assert_eq!(treadmill, (-4 * 3600, TzSource::Config));
        // The file's own offset beats everything.
        let file = resolve(
            Some(3600),
            TzSource::File,
            at("2026-07-01T22:00:00Z"),
            Some((35.68, 139.69)),
            Some(ny),
        );
        assert_eq!(file, (3600, TzSource::File));
        assert_eq!(
            resolve(None, TzSource::Utc, at("2026-07-01T22:00:00Z"), None, None),
            (0, TzSource::Utc)
        );
        assert!(parse_zone("Mars/Olympus").is_err());
        assert_eq!(zone_at(f64::NAN, 0.0), None);
    }
}
