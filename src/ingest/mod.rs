//! Parser layer: bytes in, [`Activity`] values or a [`ReadError`] out.
//!
//! The format is detected from the content (FIT header signature; XML root element `gpx` or
//! `TrainingCenterDatabase`, also after whitespace or a byte-order mark), not from the file name.
//! Readers never panic on bad input; [`read_bytes`] also isolates any panic a dependency raises.

pub mod discover;
pub mod export;
pub mod fit;
pub mod gpx;
mod inflate;
pub mod tcx;
pub mod xml;

use crate::model::{Activity, Format, ReadError, ReadResult, Sample, Sport};

/// Most samples kept per activity: 2,000,000 is about 23 days at one sample a second. Beyond it
/// a reader stops keeping samples but goes on reading (times, distance, laps, totals) and adds
/// a warning, so that a file with tens of millions of points cannot exhaust memory.
pub const MAX_SAMPLES: usize = 2_000_000;
/// Deepest element nesting a GPX or TCX file may have (real files nest fewer than 10 deep).
pub const MAX_XML_DEPTH: usize = 256;
/// Largest XML start tag (name and attributes), in bytes: 1 MiB.
pub const MAX_XML_TAG_BYTES: usize = 1 << 20;

/// Most activities (FIT sessions, TCX `<Activity>` elements) kept per file: a triathlon has 5.
pub const MAX_ACTIVITIES_PER_FILE: usize = 256;
/// Most laps kept per file (FIT) or per activity (TCX): auto-laps every kilometre of a
/// 1,000 km ride are 1,000.
pub const MAX_LAPS: usize = 10_000;
/// Most bytes kept of any text taken from a file: device and creator names, track types,
/// sport names, gear. Longer text is cut at a character boundary, with a warning.
pub const MAX_TEXT_BYTES: usize = 256;
/// Most distinct reader warnings kept per file; later ones are counted in one last warning.
pub const MAX_WARNINGS: usize = 50;

/// Push a warning unless `MAX_WARNINGS` are already there; count it in `more` instead.
pub(crate) fn push_warning(warnings: &mut Vec<String>, more: &mut usize, w: String) {
    if warnings.len() < MAX_WARNINGS {
        warnings.push(w);
    } else {
        *more += 1;
    }
}

/// Per-file limits of the FIT, GPX and TCX readers. [`read_bytes`] uses the defaults; the
/// `read_*_with` functions take them explicitly (tests use small values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// Most samples kept per activity (default [`MAX_SAMPLES`]). For FIT the cap applies to
    /// the file's records before they are assigned to sessions.
    pub max_samples: usize,
    /// Deepest XML element nesting (default [`MAX_XML_DEPTH`]): deeper is a per-file error.
    pub max_xml_depth: usize,
    /// Largest XML start tag in bytes (default [`MAX_XML_TAG_BYTES`]): larger is a per-file
    /// error (a gigantic attribute value).
    pub max_xml_tag_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> ReadLimits {
        ReadLimits {
            max_samples: MAX_SAMPLES,
            max_xml_depth: MAX_XML_DEPTH,
            max_xml_tag_bytes: MAX_XML_TAG_BYTES,
        }
    }
}

/// The warning a reader adds when it stopped keeping samples at `max`.
pub(crate) fn samples_capped_warning(max: usize, dropped: usize) -> String {
    format!(
        "more than {max} samples: only the first {max} kept, {dropped} later sample(s) not kept \
         (totals still cover the whole file)"
    )
}

/// `s` cut to at most [`MAX_TEXT_BYTES`] bytes at a character boundary; `true` when something
/// was cut.
pub fn cap_text(s: &str) -> (&str, bool) {
    if s.len() <= MAX_TEXT_BYTES {
        return (s, false);
    }
    let mut n = MAX_TEXT_BYTES;
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    (&s[..n], true)
}

/// Cap the text fields of an activity (device, sub-sport, sport name) at [`MAX_TEXT_BYTES`],
/// with one warning per field cut. The XML readers cap while reading; this also covers FIT
/// strings (a manufacturer and a product name of 255 bytes each).
pub fn cap_activity_text(a: &mut Activity) {
    let mut cap = |field: &str, v: &mut String| {
        if let (kept, true) = cap_text(v) {
            let kept = kept.to_string();
            *v = kept;
            a.warnings.push(xml::text_cut_warning(field));
        }
    };
    if let Some(d) = a.device.as_mut() {
        cap("device", d);
    }
    if let Some(s) = a.sub_sport.as_mut() {
        cap("sub_sport", s);
    }
    if let Sport::Other(name) = &mut a.sport {
        cap("sport", name);
    }
}

/// Plausible ranges of sample values; anything outside (and NaN or infinity) is dropped.
pub mod range {
    /// Latitude, degrees.
    pub const LAT_DEG: (f64, f64) = (-90.0, 90.0);
    /// Longitude, degrees.
    pub const LON_DEG: (f64, f64) = (-180.0, 180.0);
    /// Heart rate, beats per minute.
    pub const HR_BPM: (f64, f64) = (20.0, 255.0);
    /// Altitude, metres.
    pub const ALTITUDE_M: (f64, f64) = (-500.0, 9000.0);
    /// Temperature, degrees Celsius.
    pub const TEMP_C: (f64, f64) = (-60.0, 70.0);
    /// Speed, metres per second.
    pub const SPEED_MPS: (f64, f64) = (0.0, 100.0);
    /// Cadence, steps (foot sports) or revolutions per minute.
    pub const CADENCE: (f64, f64) = (0.0, 300.0);
    /// Power, watts.
    pub const POWER_W: (f64, f64) = (0.0, 5000.0);
    /// Recorded distance, metres (a lap of the Earth's orbit would be far beyond).
    pub const DISTANCE_M: (f64, f64) = (0.0, 1.0e8);
}

fn keep_in(v: &mut Option<f64>, (lo, hi): (f64, f64)) -> usize {
    match *v {
        Some(x) if !(x.is_finite() && (lo..=hi).contains(&x)) => {
            *v = None;
            1
        }
        _ => 0,
    }
}

/// Drop every out-of-range, NaN or infinite value of a sample (see [`range`]); a position is
/// dropped whole when either coordinate is bad. Returns how many values were dropped.
pub fn clean_sample(s: &mut Sample) -> usize {
    let mut n = 0;
    let lat_ok = s
        .lat_deg
        .is_none_or(|v| v.is_finite() && v.abs() <= range::LAT_DEG.1);
    let lon_ok = s
        .lon_deg
        .is_none_or(|v| v.is_finite() && v.abs() <= range::LON_DEG.1);
    if !(lat_ok && lon_ok) || s.lat_deg.is_some() != s.lon_deg.is_some() {
        n += usize::from(s.lat_deg.is_some()) + usize::from(s.lon_deg.is_some());
        s.lat_deg = None;
        s.lon_deg = None;
    }
    n += keep_in(&mut s.altitude_m, range::ALTITUDE_M);
    n += keep_in(&mut s.distance_m, range::DISTANCE_M);
    n += keep_in(&mut s.speed_mps, range::SPEED_MPS);
    if s.hr_bpm == Some(0.0) {
        // 0 bpm is how devices without a heart-rate sensor fill the field: no value, no warning.
        s.hr_bpm = None;
    }
    n += keep_in(&mut s.hr_bpm, range::HR_BPM);
    n += keep_in(&mut s.cadence_spm, range::CADENCE);
    n += keep_in(&mut s.temp_c, range::TEMP_C);
    n += keep_in(&mut s.power_w, range::POWER_W);
    n
}

/// Clean every sample of an activity (after cadence conversion) and warn once with the count.
pub fn clean_activity(a: &mut Activity) {
    let dropped: usize = a.samples.iter_mut().map(clean_sample).sum();
    if dropped > 0 {
        a.warnings.push(dropped_warning(dropped));
    }
}

/// The warning of [`clean_activity`] for `dropped` values.
pub(crate) fn dropped_warning(dropped: usize) -> String {
    format!("{dropped} out-of-range or non-finite sample value(s) dropped")
}

/// Detect the format of a file from its first bytes.
///
/// FIT: a header of 12 or 14 bytes whose bytes 8..12 are `.FIT`. XML: the first element's
/// local name, after an optional BOM, whitespace, the XML declaration, comments and a DOCTYPE.
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    if bytes.len() >= 12 && &bytes[8..12] == b".FIT" && matches!(bytes[0], 12 | 14) {
        return Some(Format::Fit);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let mut rest: &str = &text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>").map(|(_, r)| r)?;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->").map(|(_, r)| r)?;
        } else if let Some(r) = rest.strip_prefix("<!") {
            rest = skip_declaration(r)?;
        } else if let Some(r) = rest.strip_prefix('<') {
            let name: String = r
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            let local = name.rsplit(':').next().unwrap_or("");
            return match local {
                "gpx" => Some(Format::Gpx),
                "TrainingCenterDatabase" => Some(Format::Tcx),
                _ => None,
            };
        } else {
            return None;
        }
    }
}

/// The text after a markup declaration whose `<!` is already consumed: `DOCTYPE name ...>`,
/// also with an internal subset (`[ <!ENTITY ...> ... ]>`, quoted values and comments in it
/// may hold `>` and `]`). `None` when it does not end in `text`.
fn skip_declaration(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut in_subset = false;
    while let Some(&c) = bytes.get(i) {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'[' if !in_subset => in_subset = true,
                b']' if in_subset => in_subset = false,
                b'<' if in_subset && bytes.get(i..i + 4) == Some(b"<!--") => {
                    let end = text.get(i + 4..)?.find("-->")?;
                    i += 4 + end + 2;
                }
                b'>' if !in_subset => return text.get(i + 1..),
                _ => {}
            },
        }
        i += 1;
    }
    None
}

/// The message of a caught panic.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Read one file's bytes into activities. `source` is what the report will call the file.
///
/// Any panic inside a reader or a dependency becomes a `Failed` error naming it as a bug, so
/// one file can never stop the batch.
pub fn read_bytes(source: &str, bytes: &[u8]) -> ReadResult {
    if bytes.is_empty() {
        return Err(ReadError::failed("empty file (0 bytes)", None));
    }
    let Some(format) = detect_format(bytes) else {
        return Err(ReadError::skipped(
            "not an activity file (no FIT header, no GPX or TCX root element)",
        ));
    };
    let run = || match format {
        Format::Fit => fit::read_fit(source, bytes),
        Format::Gpx => gpx::read_gpx(source, bytes),
        Format::Tcx => tcx::read_tcx(source, bytes),
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(result) => result.map(|mut acts| {
            acts.iter_mut().for_each(cap_activity_text);
            acts
        }),
        Err(panic) => {
            let what = panic_text(panic.as_ref());
            Err(ReadError::failed(
                format!("internal error while reading {format} (a calfguard bug, please report): {what}"),
                None,
            ))
        }
    }
}

/// Bike computers, whose temperature sensor is not worn on the body. The name is judged as the
/// report shows it (cut at [`crate::ingest::MAX_TEXT_BYTES`]).
pub(crate) fn is_bike_computer(device: Option<&str>) -> bool {
    let d = crate::ingest::cap_text(device.unwrap_or(""))
        .0
        .to_ascii_lowercase();
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

/// Where a GPX or TCX file's temperature was measured: the air for a
/// [bike computer](is_bike_computer) or a ride, else a watch's wrist sensor. Garmin Connect's
/// GPX `atemp` names no device (creator "Garmin Connect") and is the watch's wrist sensor on
/// runs: it reads skin heat (16.6 °C in a January night run, issue 16).
pub(crate) fn temp_sensor(
    device: Option<&str>,
    sport: &crate::model::Sport,
) -> crate::model::TempSensor {
    if is_bike_computer(device) || *sport == crate::model::Sport::Cycling {
        crate::model::TempSensor::Air
    } else {
        crate::model::TempSensor::Wrist
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_text_is_capped() {
        let mut a = Activity::new(
            "a.fit",
            Format::Fit,
            chrono::DateTime::from_timestamp(1_600_000_000, 0).unwrap(),
        );
        a.device = Some(format!("{} {}", "m".repeat(255), "p".repeat(255)));
        a.sport = Sport::Other("s".repeat(300));
        a.sub_sport = Some("short".to_string());
        cap_activity_text(&mut a);
        assert_eq!(a.device.as_deref().map(str::len), Some(MAX_TEXT_BYTES));
        assert_eq!(a.sport.as_str().len(), MAX_TEXT_BYTES);
        assert_eq!(a.sub_sport.as_deref(), Some("short"));
        assert_eq!(
            a.warnings,
            vec![
                "device longer than 256 bytes: cut".to_string(),
                "sport longer than 256 bytes: cut".to_string()
            ]
        );
        assert_eq!(cap_text("é".repeat(200).as_str()).0.len(), 256);
    }

    #[test]
    fn detects_by_content() {
        let mut fit = vec![14u8, 0x10, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT\0\0");
        assert_eq!(detect_format(&fit), Some(Format::Fit));
        assert_eq!(
            detect_format(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<gpx version=\"1.1\">"),
            Some(Format::Gpx)
        );
        assert_eq!(
            detect_format(
                b"   \n<?xml version=\"1.0\"?><!-- c --><TrainingCenterDatabase xmlns=\"x\">"
            ),
            Some(Format::Tcx)
        );
        assert_eq!(
            detect_format(b"<ns2:gpx xmlns:ns2=\"x\">"),
            Some(Format::Gpx)
        );
        // A DOCTYPE with an internal subset (entity values, comments with `>` and `]`).
        assert_eq!(
            detect_format(
                b"<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [\n<!ENTITY a \"x>]y\">\n<!-- ] > -->\n<!ENTITY b '&a;'>\n]>\n<gpx>"
            ),
            Some(Format::Gpx)
        );
        assert_eq!(
            detect_format(
                b"<!DOCTYPE TrainingCenterDatabase SYSTEM \"t>d\"><TrainingCenterDatabase>"
            ),
            Some(Format::Tcx)
        );
        assert_eq!(detect_format(b"<!DOCTYPE gpx [ <!ENTITY a \"x\">"), None);
        assert_eq!(detect_format(b"{\"json\": true}"), None);
        assert_eq!(detect_format(b""), None);
    }
}
