//! Helpers shared by the GPX and TCX readers: number and time parsing straight from byte
//! slices, error positions as `line L:C`, sport names and sport inference, cadence doubling.

use crate::geo::haversine_cos_m;
use crate::ingest::{ReadLimits, MAX_TEXT_BYTES};
use crate::model::{Activity, Sample, Sport};
use quick_xml::events::Event;

/// Check one XML event against the reader limits before it is used. `depth` is the number of
/// open elements before the event. Returns why reading must stop (nesting too deep, a start
/// tag too large, the run interrupted), or `None`; a DOCTYPE with entity declarations adds a
/// warning (entities are never expanded: quick-xml reports references as events, which the
/// readers ignore, and external entities are never fetched).
pub fn check_event(
    ev: &Event<'_>,
    depth: usize,
    limits: &ReadLimits,
    warnings: &mut Vec<String>,
) -> Option<String> {
    // A run interrupted (Ctrl-C, SIGTERM) stops reading even a file of hundreds of megabytes
    // at once; its result is dropped.
    if crate::interrupt::requested() {
        return Some("interrupted".to_string());
    }
    let tag_len = match ev {
        Event::Start(e) => {
            if depth >= limits.max_xml_depth {
                return Some(format!(
                    "XML nested deeper than {} elements (limit)",
                    limits.max_xml_depth
                ));
            }
            e.len()
        }
        Event::Empty(e) => e.len(),
        Event::DocType(d) => {
            const NOTE: &str = "DOCTYPE entity declarations ignored (never expanded)";
            if d.windows(8).any(|w| w == b"<!ENTITY") && !warnings.iter().any(|w| w == NOTE) {
                warnings.push(NOTE.to_string());
            }
            return None;
        }
        _ => return None,
    };
    (tag_len > limits.max_xml_tag_bytes).then(|| {
        format!(
            "XML start tag of {tag_len} bytes, over the limit of {} bytes",
            limits.max_xml_tag_bytes
        )
    })
}

/// Text taken from a file (a device or creator name, a track type, a sport name), decoded and
/// capped at [`MAX_TEXT_BYTES`] while it is read, so a value of megabytes is never held.
///
/// Every text field is decoded the same way: the five predefined entities (`&lt;` ...) and
/// character references (`&#60;`, `&#x3C;`) become their character; any other entity
/// reference (one a DOCTYPE declares) is never expanded and stays as written (`&name;`).
/// Leading and trailing whitespace is dropped. Invalid UTF-8 becomes U+FFFD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextField {
    buf: String,
    /// Text beyond the cap (other than whitespace) was dropped.
    cut: bool,
}

/// The largest `n <= max` at which `s` may be cut.
fn char_floor(s: &str, max: usize) -> usize {
    let mut n = max.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

impl TextField {
    fn room(&self) -> usize {
        MAX_TEXT_BYTES.saturating_sub(self.buf.len())
    }

    /// Append decoded text.
    pub fn push_str(&mut self, s: &str) {
        let s = if self.buf.is_empty() {
            s.trim_start()
        } else {
            s
        };
        let n = char_floor(s, self.room());
        self.buf.push_str(&s[..n]);
        if !s[n..].trim().is_empty() {
            self.cut = true;
        }
    }

    /// Append the raw bytes of a text node or CDATA section (no references inside).
    pub fn push_bytes(&mut self, raw: &[u8]) {
        let raw = if self.buf.is_empty() {
            raw.trim_ascii_start()
        } else {
            raw
        };
        // Convert only what can be kept (plus the rest of a character cut at the edge).
        let mut end = self.room().min(raw.len());
        while end > 0 && end < raw.len() && raw[end] & 0xC0 == 0x80 {
            end -= 1;
        }
        let (keep, rest) = raw.split_at(end);
        self.push_str(&String::from_utf8_lossy(keep));
        if !rest.trim_ascii().is_empty() {
            self.cut = true;
        }
    }

    /// Append the entity or character reference `&name;` (`name` without `&` and `;`).
    pub fn push_ref(&mut self, name: &[u8]) {
        match resolve_reference(name) {
            Some(c) => self.push_str(c.encode_utf8(&mut [0u8; 4])),
            None => {
                self.push_str("&");
                self.push_bytes(name);
                self.push_str(";");
            }
        }
    }

    /// Append an attribute value as written in the file (references inside are decoded).
    pub fn push_escaped(&mut self, raw: &[u8]) {
        let mut rest = raw;
        while let Some(amp) = rest.iter().position(|&c| c == b'&') {
            self.push_bytes(&rest[..amp]);
            let after = &rest[amp + 1..];
            match after.iter().take(32).position(|&c| c == b';') {
                Some(semi) => {
                    self.push_ref(&after[..semi]);
                    rest = &after[semi + 1..];
                }
                None => {
                    self.push_str("&");
                    rest = after;
                }
            }
            if self.room() == 0 {
                if !rest.trim_ascii().is_empty() {
                    self.cut = true;
                }
                return;
            }
        }
        self.push_bytes(rest);
    }

    /// The text without surrounding whitespace (`None` when empty), and whether it was cut.
    pub fn finish(self) -> Option<(String, bool)> {
        let t = self.buf.trim_end();
        (!t.is_empty()).then(|| (t.to_string(), self.cut))
    }
}

/// Decode an attribute value as a [`TextField`] (`None` when empty), and whether it was cut.
pub fn decode_attr(raw: &[u8]) -> Option<(String, bool)> {
    let mut t = TextField::default();
    t.push_escaped(raw);
    t.finish()
}

/// The character a predefined entity or a character reference stands for; `None` for any
/// other reference (never expanded) and for references to characters XML does not allow.
fn resolve_reference(name: &[u8]) -> Option<char> {
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() && hex.len() <= 8 => {
            char::from_u32(u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?)?
        }
        [b'#', dec @ ..] if !dec.is_empty() && dec.len() <= 10 => {
            char::from_u32(std::str::from_utf8(dec).ok()?.parse().ok()?)?
        }
        _ => return None,
    };
    (c != '\0').then_some(c)
}

/// The warning for a text field cut at [`MAX_TEXT_BYTES`].
pub fn text_cut_warning(field: &str) -> String {
    format!("{field} longer than {MAX_TEXT_BYTES} bytes: cut")
}

/// Parse a decimal number from the raw bytes of a text node (surrounding whitespace allowed).
/// `None` for anything that is not a finite number.
pub fn parse_f64(bytes: &[u8]) -> Option<f64> {
    let b = bytes.trim_ascii();
    if let Some(v) = parse_f64_fast(b) {
        return Some(v);
    }
    let s = std::str::from_utf8(b).ok()?;
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Fast path for plain decimals (`-12.345`). Clinger: when the significant digits fit in 2^53
/// (15 digits always do) and there are at most 22 fraction digits, `mantissa / 10^k` is one
/// correctly rounded division, so the result equals `str::parse`. Longer fractions (Garmin
/// Connect writes 30-digit coordinates) keep their first 19 significant digits: the result is
/// then within one ulp of `str::parse` (1e-14 degrees: nanometres). Anything else (exponents,
/// more than 19 integer digits) returns `None` and goes to `str::parse`.
fn parse_f64_fast(b: &[u8]) -> Option<f64> {
    /// Below this a mantissa can take one more digit without overflowing `u64`.
    const ROOM: u64 = 1_000_000_000_000_000_000;
    let (neg, rest) = match b.first()? {
        b'-' => (true, b.get(1..)?),
        b'+' => (false, b.get(1..)?),
        _ => (false, b),
    };
    let mut mant: u64 = 0;
    let mut i = 0;
    while let Some(&c) = rest.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        if mant >= ROOM {
            return None; // more than 19 integer digits: str::parse
        }
        mant = mant * 10 + u64::from(d);
        i += 1;
    }
    let mut any_digit = i > 0;
    let mut frac = 0usize;
    if rest.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = rest.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            any_digit = true;
            // Fraction digits past the 19th significant one cannot move the f64 by more than
            // an ulp: they are dropped.
            if mant < ROOM {
                mant = mant * 10 + u64::from(d);
                frac += 1;
            }
            i += 1;
        }
    }
    if !any_digit || i != rest.len() {
        return None;
    }
    let v = mant as f64 / *POW10.get(frac)?;
    Some(if neg { -v } else { v })
}

/// Call `f(name, raw_value)` for each attribute of a start tag's raw attribute bytes
/// (`BytesStart::attributes_raw`). Stops quietly at the first malformed attribute.
pub fn for_each_attr<'a>(raw: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) {
    let mut rest = raw;
    loop {
        rest = rest.trim_ascii_start();
        let Some(eq) = rest.iter().position(|&c| c == b'=') else {
            return;
        };
        let (name, after) = rest.split_at(eq);
        let name = name.trim_ascii();
        let after = after.get(1..).unwrap_or_default().trim_ascii_start();
        let Some(&q) = after.first().filter(|&&q| q == b'"' || q == b'\'') else {
            return;
        };
        let body = after.get(1..).unwrap_or_default();
        let Some(end) = body.iter().position(|&c| c == q) else {
            return;
        };
        f(name, body.get(..end).unwrap_or_default());
        rest = body.get(end + 1..).unwrap_or_default();
    }
}

/// Read `n` ASCII digits at `*i` as a number and advance.
fn digits(b: &[u8], i: &mut usize, n: usize) -> Option<i64> {
    let s = b.get(*i..*i + n)?;
    let mut v = 0i64;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    *i += n;
    Some(v)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse an ISO 8601 / xsd:dateTime time (`2017-07-29T14:46:35.000Z`, `...+02:00`, no zone = UTC)
/// into milliseconds since the Unix epoch (UTC) and the explicit UTC offset in seconds, if the
/// time carried a non-`Z` offset. Fractions below a millisecond are truncated.
pub fn parse_time(bytes: &[u8]) -> Option<(i64, Option<i32>)> {
    let b = bytes.trim_ascii();
    let mut i = 0;
    let neg_year = b.first() == Some(&b'-');
    if neg_year {
        i += 1;
    }
    let mut year = digits(b, &mut i, 4)?;
    if neg_year {
        year = -year;
    }
    let expect = |i: &mut usize, c: &[u8]| -> Option<()> {
        let got = *b.get(*i)?;
        c.contains(&got).then(|| *i += 1)
    };
    expect(&mut i, b"-")?;
    let month = digits(b, &mut i, 2)?;
    expect(&mut i, b"-")?;
    let day = digits(b, &mut i, 2)?;
    expect(&mut i, b"Tt ")?;
    let hour = digits(b, &mut i, 2)?;
    expect(&mut i, b":")?;
    let min = digits(b, &mut i, 2)?;
    expect(&mut i, b":")?;
    let sec = digits(b, &mut i, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 24 || min > 59 || sec > 60 {
        return None;
    }
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let mut scale = 100;
        let start = i;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            ms += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_s = match b.get(i) {
        None => None,
        Some(b'Z' | b'z') => {
            i += 1;
            None
        }
        Some(&c @ (b'+' | b'-')) => {
            i += 1;
            let oh = digits(b, &mut i, 2)?;
            if b.get(i) == Some(&b':') {
                i += 1;
            }
            let om = if i < b.len() {
                digits(b, &mut i, 2)?
            } else {
                0
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let o = (oh * 3600 + om * 60) as i32;
            Some(if c == b'-' { -o } else { o })
        }
        Some(_) => return None,
    };
    if i != b.len() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let local_s = days * 86_400 + hour * 3600 + min * 60 + sec;
    let utc_s = local_s - i64::from(offset_s.unwrap_or(0));
    Some((utc_s * 1000 + ms, offset_s))
}

/// `line L:C` (both 1-based; the column counts bytes) of a byte offset into `bytes`.
pub fn line_col(bytes: &[u8], pos: usize) -> String {
    let pos = pos.min(bytes.len());
    let before = bytes.get(..pos).unwrap_or_default();
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let col = match before.iter().rposition(|&c| c == b'\n') {
        Some(nl) => pos - nl,
        None => pos + 1,
    };
    format!("line {line}:{col}")
}

/// Skip a UTF-8 byte-order mark and whitespace before the first markup (Strava writes
/// whitespace before the XML declaration, which XML forbids). Returns the rest and how many
/// bytes were skipped, so that positions can be reported in the original file.
pub fn skip_prolog_junk(bytes: &[u8]) -> (&[u8], usize) {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let rest = rest.trim_ascii_start();
    (rest, bytes.len() - rest.len())
}

/// Normalise a GPX `<type>` or TCX sport name: Strava's numeric activity codes, and Garmin
/// Connect's type keys that [`Sport::from_names`] does not know, become a name it does know.
/// Returns the sport.
pub fn sport_from_type(name: &str) -> Sport {
    let t = name.trim();
    let strava = match t {
        "1" => "ride",
        "2" => "alpine_ski",
        "3" => "backcountry_ski",
        "4" => "hike",
        "5" => "ice_skate",
        "6" => "inline_skate",
        "7" => "nordic_ski",
        "8" => "roller_ski",
        "9" => "run",
        "10" => "walk",
        "11" => "workout",
        "12" => "snowboard",
        "13" => "snowshoe",
        "14" => "kitesurf",
        "15" => "windsurf",
        "16" => "swim",
        "17" => "virtual_ride",
        "18" => "e_bike_ride",
        "19" => "velomobile",
        "21" => "canoe",
        "22" => "kayak",
        "23" => "rowing",
        "24" => "stand_up_paddle",
        "25" => "surf",
        "26" => "crossfit",
        "27" => "elliptical",
        "28" => "rock_climb",
        "29" => "stair_stepper",
        "30" => "weight_training",
        "31" => "yoga",
        "51" => "handcycle",
        "52" => "wheelchair",
        "53" => "virtual_run",
        _ => "",
    };
    if !strava.is_empty() {
        return Sport::from_names(strava, None);
    }
    let key = t.to_ascii_lowercase().replace([' ', '-'], "_");
    let garmin = match key.as_str() {
        "road_biking" | "mountain_biking" | "gravel_cycling" | "cyclocross" | "track_cycling"
        | "recumbent_cycling" | "bmx" | "downhill_biking" | "e_bike_fitness"
        | "e_bike_mountain" | "road_cycling" | "mountain_bike" => "cycling",
        "street_running" | "track_running" | "ultra_run" | "obstacle_run" => "running",
        "casual_walking" | "speed_walking" => "walking",
        _ => "",
    };
    if garmin.is_empty() {
        Sport::from_names(t, None)
    } else {
        Sport::from_names(garmin, None)
    }
}

/// Median of a list (reordered in place, O(n)); `None` when empty.
fn median(v: &mut [f64]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (left, mid, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *mid;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = left.iter().copied().reduce(f64::max).unwrap_or(upper);
    Some((lower + upper) / 2.0)
}

/// Speed (m/s) below which a step between two points counts as standing still.
const MOVING_MPS: f64 = 0.5;

/// Infer the sport of a recording without a type from its median moving speed and median raw
/// cadence (non-zero values, as the file stores them: strides or revolutions per minute). The
/// rule is in `docs/design.md` ("Sport inference"):
///
/// - no moving step (time and position on both ends, 0 < dt <= 120 s, >= 0.5 m/s): unknown;
/// - speed < 1.8 m/s: walking; speed > 6.5 m/s: cycling;
/// - with cadence: cycling if speed > 4.5 m/s and cadence 50..=110 per minute; else running if
///   cadence >= 65 strides/min (130 steps/min); else unknown;
/// - without cadence: running up to 5.0 m/s, cycling above.
pub fn infer_sport(samples: &[Sample]) -> Sport {
    let mut speeds = Vec::new();
    let mut prev: Option<(i64, f64, f64, f64)> = None;
    for s in samples {
        let (Some(t), Some(lat), Some(lon)) = (s.time_utc_ms, s.lat_deg, s.lon_deg) else {
            continue;
        };
        let cos = lat.to_radians().cos();
        if let Some((pt, plat, plon, pcos)) = prev {
            let dt = (t - pt) as f64 / 1000.0;
            if dt > 0.0 && dt <= 120.0 {
                let v = haversine_cos_m(plat, plon, pcos, lat, lon, cos) / dt;
                if v >= MOVING_MPS {
                    speeds.push(v);
                }
            }
        }
        prev = Some((t, lat, lon, cos));
    }
    let mut cads: Vec<f64> = samples
        .iter()
        .filter_map(|s| s.cadence_spm)
        .filter(|&c| c > 0.0)
        .collect();
    let Some(v) = median(&mut speeds) else {
        return Sport::Other("unknown".to_string());
    };
    let cad = median(&mut cads);
    if v < 1.8 {
        return Sport::Walking;
    }
    if v > 6.5 {
        return Sport::Cycling;
    }
    match cad {
        Some(c) if v > 4.5 && (50.0..=110.0).contains(&c) => Sport::Cycling,
        Some(c) if c * 2.0 >= 130.0 => Sport::Running,
        Some(_) => Sport::Other("unknown".to_string()),
        None if v <= 5.0 => Sport::Running,
        None => Sport::Cycling,
    }
}

/// Set the sport from a type name, or infer it (with the warning "sport inferred") when the
/// name is missing, empty, generic or "Other"; then double cadence for foot sports (GPX `cad`,
/// TCX `Cadence`/`RunCadence` count strides per minute, calfguard counts steps).
pub fn finish_sport_and_cadence(act: &mut Activity, type_name: Option<&str>) {
    let named = type_name
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(sport_from_type)
        .filter(|s| !matches!(s, Sport::Other(n) if n == "unknown" || n == "other"));
    act.sub_sport = type_name
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    act.sport = match named {
        Some(s) => s,
        None => {
            act.warnings.push("sport inferred".to_string());
            act.sport_inferred = true;
            infer_sport(&act.samples)
        }
    };
    if act.sport.has_steps() {
        for s in &mut act.samples {
            if let Some(c) = s.cadence_spm.as_mut() {
                *c *= 2.0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_bytes() {
        assert_eq!(parse_f64(b" 12.5\n"), Some(12.5));
        assert_eq!(parse_f64(b"-3e2"), Some(-300.0));
        assert_eq!(parse_f64(b""), None);
        assert_eq!(parse_f64(b"NaN"), None);
        assert_eq!(parse_f64(b"inf"), None);
        assert_eq!(parse_f64(b"12,5"), None);
        assert_eq!(parse_f64(b"\xff"), None);
        assert_eq!(parse_f64(b"-"), None);
        assert_eq!(parse_f64(b"."), None);
        assert_eq!(parse_f64(b"1.2.3"), None);
        // Up to 15 significant digits the fast path equals std exactly; longer values (Garmin
        // Connect writes 32-digit latitudes) are within one ulp.
        for t in [
            "-121.9",
            "0.000001",
            "1614.678000",
            "5.",
            ".5",
            "+7",
            "0.1",
            "46.434981000",
        ] {
            assert_eq!(parse_f64(t.as_bytes()), t.parse::<f64>().ok(), "{t}");
        }
        for t in [
            "37.24173816852271556854248046875",
            "-121.9185371696949005126953125",
            "5.78827821649610996246337890625",
            "0.000000000000000000000000123",
            "123456789012345678901234",
        ] {
            let want: f64 = t.parse().unwrap();
            let got = parse_f64(t.as_bytes()).unwrap();
            assert!(
                (got - want).abs() <= want.abs() * f64::EPSILON,
                "{t}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn text_fields_decode_and_cap() {
        let mut t = TextField::default();
        t.push_bytes(b"  \n  Run ");
        t.push_ref(b"amp");
        t.push_bytes(b" Fun ");
        t.push_ref(b"#x3C;".strip_suffix(b";").unwrap());
        t.push_ref(b"#62");
        t.push_ref(b"unknown");
        t.push_ref(b"#0");
        t.push_bytes(b"  \n");
        assert_eq!(
            t.finish(),
            Some(("Run & Fun <>&unknown;&#0;".to_string(), false))
        );
        assert_eq!(
            decode_attr(b" &lt;a&gt; &amp;amp; &bad &#xD800; "),
            Some(("<a> &amp; &bad &#xD800;".to_string(), false))
        );
        assert_eq!(decode_attr(b"   "), None);
        // Cut at the cap, at a character boundary; whitespace past the cap is no cut.
        let mut t = TextField::default();
        t.push_bytes("ü".repeat(200).as_bytes());
        t.push_bytes(b"   ");
        let (s, cut) = t.finish().unwrap();
        assert!(cut && s.len() == MAX_TEXT_BYTES && s.chars().all(|c| c == 'ü'));
        let mut t = TextField::default();
        t.push_bytes(&[b'a'; MAX_TEXT_BYTES]);
        t.push_bytes(b"   \n");
        assert_eq!(
            t.finish().map(|(s, cut)| (s.len(), cut)),
            Some((256, false))
        );
        // A character cut at the edge of the kept bytes is not turned into U+FFFD.
        let mut raw = vec![b'a'; MAX_TEXT_BYTES - 1];
        raw.extend_from_slice("é".as_bytes());
        let mut t = TextField::default();
        t.push_bytes(&raw);
        let (s, cut) = t.finish().unwrap();
        assert_eq!((s.len(), cut), (MAX_TEXT_BYTES - 1, true));
        assert!(!s.contains('\u{FFFD}'));
    }

    #[test]
    fn attributes() {
        let mut got = Vec::new();
        for_each_attr(br#" lat="1.5"  lon = '2' xmlns:a="u"  bad"#, |n, v| {
            got.push((n.to_vec(), v.to_vec()))
        });
        assert_eq!(
            got,
            vec![
                (b"lat".to_vec(), b"1.5".to_vec()),
                (b"lon".to_vec(), b"2".to_vec()),
                (b"xmlns:a".to_vec(), b"u".to_vec())
            ]
        );
    }

    #[test]
    fn times() {
        assert_eq!(parse_time(b"1970-01-01T00:00:00Z"), Some((0, None)));
        assert_eq!(
            parse_time(b"2017-07-29T14:46:35.000Z"),
            Some((1_501_339_595_000, None))
        );
        assert_eq!(
            parse_time(b"2017-07-29T16:46:35.25+02:00"),
            Some((1_501_339_595_250, Some(7200)))
        );
        assert_eq!(
            parse_time(b"2017-07-29T09:46:35-0500"),
            Some((1_501_339_595_000, Some(-18000)))
        );
        assert_eq!(
            parse_time(b"2017-07-29T14:46:35"),
            Some((1_501_339_595_000, None))
        );
        // The GPSBabel sentinel (int32 minimum) with 7 fraction digits.
        let (ms, _) = parse_time(b"1901-12-13T20:45:52.2073437Z").unwrap();
        assert_eq!(ms, -2_147_483_648_000 + 207);
        for bad in [
            &b""[..],
            b"2017-13-01T00:00:00Z",
            b"2017-07-29",
            b"2017-07-29T14:46:35Zjunk",
            b"2017-07-29T14:46:35.",
        ] {
            assert_eq!(parse_time(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn positions() {
        let b = b"ab\ncde\nf";
        assert_eq!(line_col(b, 0), "line 1:1");
        assert_eq!(line_col(b, 4), "line 2:2");
        assert_eq!(line_col(b, 100), "line 3:2");
    }

    #[test]
    fn strava_codes_and_garmin_keys() {
        assert_eq!(sport_from_type("9"), Sport::Running);
        assert_eq!(sport_from_type("1"), Sport::Cycling);
        assert_eq!(sport_from_type("4"), Sport::Hiking);
        assert_eq!(sport_from_type("10"), Sport::Walking);
        assert_eq!(sport_from_type("53"), Sport::TreadmillRunning);
        assert_eq!(sport_from_type("17"), Sport::Cycling);
        assert_eq!(sport_from_type("30"), Sport::StrengthTraining);
        assert_eq!(sport_from_type("7"), Sport::Other("nordic_ski".into()));
        assert_eq!(sport_from_type("road_biking"), Sport::Cycling);
        assert_eq!(sport_from_type("Run"), Sport::Running);
        assert_eq!(sport_from_type("trail_running"), Sport::TrailRunning);
    }

    fn track(speed_mps: f64, cad: Option<f64>) -> Vec<Sample> {
        // North along a meridian, one point a second.
        let deg_per_m = 360.0 / (2.0 * std::f64::consts::PI * crate::geo::EARTH_RADIUS_M);
        (0..100)
            .map(|i| Sample {
                time_utc_ms: Some(i * 1000),
                lat_deg: Some(45.0 + i as f64 * speed_mps * deg_per_m),
                lon_deg: Some(7.0),
                cadence_spm: cad,
                ..Sample::default()
            })
            .collect()
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }

    #[test]
    fn sport_inference() {
        assert_eq!(infer_sport(&track(3.0, None)), Sport::Running);
        assert_eq!(infer_sport(&track(3.0, Some(85.0))), Sport::Running);
        assert_eq!(
            infer_sport(&track(3.0, Some(40.0))),
            Sport::Other("unknown".into())
        );
        assert_eq!(infer_sport(&track(1.2, None)), Sport::Walking);
        assert_eq!(infer_sport(&track(8.0, None)), Sport::Cycling);
        assert_eq!(infer_sport(&track(5.5, Some(85.0))), Sport::Cycling);
        assert_eq!(infer_sport(&track(4.8, None)), Sport::Running);
        assert_eq!(infer_sport(&track(5.2, None)), Sport::Cycling);
        assert_eq!(infer_sport(&track(4.2, Some(88.0))), Sport::Running);
        assert_eq!(
            infer_sport(&track(0.0, None)),
            Sport::Other("unknown".into())
        );
        assert_eq!(infer_sport(&[]), Sport::Other("unknown".into()));
    }
}
