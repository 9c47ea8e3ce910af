//! Write an [`Activity`] as GPX 1.1 with Garmin TrackPointExtension v2 (heart rate, cadence,
//! air temperature) and a power element: used to make converted copies of real runs for tests
//! and the sample athlete. The output reads back through [`crate::ingest::gpx`].

use crate::model::Activity;
use chrono::DateTime;
use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The GPX text of `activity`, with every time shifted by `shift_ms` milliseconds.
///
/// Cadence is written as GPX stores it: strides per minute (half of `cadence_spm`) for sports
/// with steps, as Garmin does. Points without a time are written without one.
pub fn to_gpx(activity: &Activity, shift_ms: i64) -> String {
    let mut out = String::with_capacity(activity.samples.len() * 220 + 1024);
    let creator = activity.device.as_deref().unwrap_or("calfguard");
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<gpx version=\"1.1\" creator=\"{}\" \
         xmlns=\"http://www.topografix.com/GPX/1/1\" \
         xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v2\">\n",
        escape(creator)
    );
    let fmt_time = |ms: i64| {
        DateTime::from_timestamp_millis(ms + shift_ms)
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
    };
    if let Some(t) = fmt_time(activity.start_utc.timestamp_millis()) {
        let _ = writeln!(out, " <metadata><time>{t}</time></metadata>");
    }
    let _ = writeln!(
        out,
        " <trk>\n  <type>{}</type>\n  <trkseg>",
        escape(activity.sport.as_str())
    );
    let stride = if activity.sport.has_steps() { 0.5 } else { 1.0 };
    for s in &activity.samples {
        let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) else {
            continue;
        };
        let _ = write!(out, "   <trkpt lat=\"{lat:.7}\" lon=\"{lon:.7}\">");
        if let Some(e) = s.altitude_m {
            let _ = write!(out, "<ele>{e:.1}</ele>");
        }
        if let Some(t) = s.time_utc_ms.and_then(fmt_time) {
            let _ = write!(out, "<time>{t}</time>");
        }
        let mut ext = String::new();
        if let Some(t) = s.temp_c {
            let _ = write!(ext, "<gpxtpx:atemp>{t:.1}</gpxtpx:atemp>");
        }
        if let Some(hr) = s.hr_bpm {
            let _ = write!(ext, "<gpxtpx:hr>{hr:.0}</gpxtpx:hr>");
        }
        if let Some(c) = s.cadence_spm {
            let _ = write!(ext, "<gpxtpx:cad>{:.0}</gpxtpx:cad>", c * stride);
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
                    "<gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension>"
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
}
