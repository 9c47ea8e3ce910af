//! Write an [`Activity`] as GPX 1.1 with Garmin TrackPointExtension v2 (heart rate, cadence,
//! air temperature) and a power element: used to make converted copies of real runs for tests
//! and the sample athlete. The output reads back through [`crate::ingest::gpx`].

use crate::model::Activity;
use chrono::DateTime;
use chrono_tz::Tz;
use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How [`write_gpx`] writes; the default is what [`to_gpx`] writes.
#[derive(Clone, Debug)]
pub struct GpxOptions<'a> {
    /// Every time shifted by this many milliseconds.
    pub shift_ms: i64,
    /// Times in this zone with their offset (`2026-07-06T18:44:39+02:00`, fractional seconds
    /// only when not zero); `None`: UTC with milliseconds (`2026-07-06T16:44:39.000Z`).
    pub zone: Option<Tz>,
    /// The track's `<name>` and `<desc>`, written before its `<type>` when given.
    pub name: Option<&'a str>,
    /// See `name`.
    pub desc: Option<&'a str>,
    /// Decimals of latitude and longitude (7: about 1 cm).
    pub coord_decimals: usize,
    /// The namespace prefix of Garmin's TrackPointExtension.
    pub ext_prefix: &'a str,
}

impl Default for GpxOptions<'_> {
    fn default() -> Self {
        GpxOptions {
            shift_ms: 0,
            zone: None,
            name: None,
            desc: None,
            coord_decimals: 7,
            ext_prefix: "gpxtpx",
        }
    }
}

/// The GPX text of `activity`, with every time shifted by `shift_ms` milliseconds.
///
/// Cadence is written as GPX stores it: strides per minute (half of `cadence_spm`) for sports
/// with steps, as Garmin does. Points without a time are written without one.
pub fn to_gpx(activity: &Activity, shift_ms: i64) -> String {
    write_gpx(
        activity,
        &GpxOptions {
            shift_ms,
            ..GpxOptions::default()
        },
    )
}

/// The GPX text of `activity` as `opt` says (see [`to_gpx`]). The creator is the activity's
/// device (else `calfguard`), the track type its sport; points without a position are left out.
pub fn write_gpx(activity: &Activity, opt: &GpxOptions) -> String {
    let mut out = String::with_capacity(activity.samples.len() * 220 + 1024);
    let creator = activity.device.as_deref().unwrap_or("calfguard");
    let p = opt.ext_prefix;
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"{}\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\" \
         xmlns:{p}=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v2\">\n",
        escape(creator)
    );
    let fmt_time = |ms: i64| {
        DateTime::from_timestamp_millis(ms + opt.shift_ms).map(|t| match opt.zone {
            Some(tz) => t
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M:%S%.f%:z")
                .to_string(),
            None => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        })
    };
    if let Some(t) = fmt_time(activity.start_utc.timestamp_millis()) {
        let _ = writeln!(out, " <metadata><time>{t}</time></metadata>");
    }
    out.push_str(" <trk>\n");
    if let Some(name) = opt.name {
        let _ = writeln!(out, "  <name>{}</name>", escape(name));
    }
    if let Some(desc) = opt.desc {
        let _ = writeln!(out, "  <desc>{}</desc>", escape(desc));
    }
    let _ = writeln!(
        out,
        "  <type>{}</type>\n  <trkseg>",
        escape(activity.sport.as_str())
    );
    let stride = if activity.sport.has_steps() { 0.5 } else { 1.0 };
    let prec = opt.coord_decimals;
    for s in &activity.samples {
        let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) else {
            continue;
        };
        let _ = write!(out, "   <trkpt lat=\"{lat:.prec$}\" lon=\"{lon:.prec$}\">");
        if let Some(e) = s.altitude_m {
            let _ = write!(out, "<ele>{e:.1}</ele>");
        }
        if let Some(t) = s.time_utc_ms.and_then(fmt_time) {
            let _ = write!(out, "<time>{t}</time>");
        }
        let mut ext = String::new();
        if let Some(t) = s.temp_c {
            let _ = write!(ext, "<{p}:atemp>{t:.1}</{p}:atemp>");
        }
        if let Some(hr) = s.hr_bpm {
            let _ = write!(ext, "<{p}:hr>{hr:.0}</{p}:hr>");
        }
        if let Some(c) = s.cadence_spm {
            let _ = write!(ext, "<{p}:cad>{:.0}</{p}:cad>", c * stride);
        }
        let power = s
            .power_w
            .map(|p| format!("<power>{p:.0}</power>"))
            .unwrap_or_default();
        if !ext.is_empty() || !power.is_empty() {
            out.push_str("<extensions>");
            out.push_str(&power);
            if !ext.is_empty() {
                let _ = write!(
                    out,
                    "<{p}:TrackPointExtension>{ext}</{p}:TrackPointExtension>"
                );
            }
            out.push_str("</extensions>");
        }
        out.push_str("</trkpt>\n");
    }
    out.push_str("  </trkseg>\n </trk>\n</gpx>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_bytes;

    #[test]
    fn round_trips_a_real_run() {
        let bytes = include_bytes!("../fixtures/real/pyfitparse_fenix2_run_hr_temp.fit");
        let fit = read_bytes("run.fit", bytes).unwrap().remove(0);
        let gpx = to_gpx(&fit, 5_000);
        let back = read_bytes("run.gpx", gpx.as_bytes()).unwrap().remove(0);
        assert_eq!(back.sport, fit.sport);
        let with_pos = fit
            .samples
            .iter()
            .filter(|s| s.lat_deg.is_some() && s.lon_deg.is_some())
            .count();
        assert_eq!(back.samples.len(), with_pos);
        let first_fit = fit.samples.iter().find(|s| s.lat_deg.is_some()).unwrap();
        let first_gpx = &back.samples[0];
        assert_eq!(
            first_gpx.time_utc_ms.unwrap(),
            first_fit.time_utc_ms.unwrap() + 5_000
        );
        assert_eq!(first_gpx.hr_bpm, first_fit.hr_bpm);
        assert_eq!(first_gpx.cadence_spm, first_fit.cadence_spm.map(f64::round));
        assert_eq!(first_gpx.temp_c, first_fit.temp_c);
    }

    #[test]
    fn options_set_zone_names_precision_and_prefix() {
        let start = DateTime::parse_from_rfc3339("2026-07-06T16:34:39Z")
            .unwrap()
            .to_utc();
        let mut a = Activity::new("x", crate::model::Format::Gpx, start);
        a.sport = crate::model::Sport::Running;
        let point = |ms: i64| crate::model::Sample {
            time_utc_ms: Some(start.timestamp_millis() + ms),
            lat_deg: Some(38.123_456_78),
            lon_deg: Some(-9.5),
            hr_bpm: Some(140.0),
            ..Default::default()
        };
        a.samples = vec![point(500), point(2_000)];
        let gpx = write_gpx(
            &a,
            &GpxOptions {
                zone: Some(chrono_tz::Europe::Berlin),
                name: Some("Run & <fun>"),
                desc: Some("d"),
                coord_decimals: 6,
                ext_prefix: "tp",
                ..GpxOptions::default()
            },
        );
        assert!(gpx.contains("xmlns:tp=\""), "{gpx}");
        assert!(
            gpx.contains("<metadata><time>2026-07-06T18:34:39+02:00</time>"),
            "{gpx}"
        );
        assert!(
            gpx.contains(
                "  <name>Run &amp; &lt;fun&gt;</name>\n  <desc>d</desc>\n  <type>running</type>"
            ),
            "{gpx}"
        );
        assert!(
            gpx.contains("<trkpt lat=\"38.123457\" lon=\"-9.500000\">"),
            "{gpx}"
        );
        // Fractional seconds are kept, only when not zero.
        assert!(
            gpx.contains("<time>2026-07-06T18:34:39.500+02:00</time>"),
            "{gpx}"
        );
        assert!(
            gpx.contains("<tp:TrackPointExtension><tp:hr>140</tp:hr></tp:TrackPointExtension>"),
            "{gpx}"
        );
        let back = crate::ingest::read_bytes("x.gpx", gpx.as_bytes())
            .unwrap()
            .remove(0);
        assert_eq!(
            back.samples[0].time_utc_ms,
            Some(start.timestamp_millis() + 500)
        );
        assert_eq!(back.samples[0].hr_bpm, Some(140.0));
    }
}
