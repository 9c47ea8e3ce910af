//! GPX 1.0 / 1.1 reader: one streaming pass of `quick-xml` over the bytes, no DOM.
//!
//! - Track points (`trkpt`) of every track and segment, in file order, become samples; routes
//!   and waypoints are ignored. GPX elements are matched by local name, so a prefix
//!   (`ns2:trkpt`) or a wrong namespace (version 1.0 with the 1.1 namespace) does not matter.
//! - Sensor values come from the point's `<extensions>`: Garmin TrackPointExtension v1/v2
//!   (matched by namespace URI, whatever the prefix: `hr`, `cad`, `atemp`, `speed`, ...) and,
//!   in any namespace, the local names `hr`/`heartrate`, `cad`/`cadence`,
//!   `atemp`/`temp`/`temperature`, `power`/`powerinwatts`/`watts` (case-insensitive), the first
//!   match per point winning.
//! - A file that is truncated or not well-formed keeps the points completed before the error
//!   (`Activity::salvaged`); entity declarations are never expanded (quick-xml reports entity
//!   references as events, which this reader ignores).
//! - The track length (`totals.distance_m`) is the haversine sum per segment.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::geo::haversine_cos_m;
#[cfg(test)]
use crate::geo::haversine_m;
use crate::ingest::xml::{
    self, decode_attr, finish_sport_and_cadence, for_each_attr, line_col, parse_f64, parse_time,
    text_cut_warning, TextField,
};
use crate::ingest::{clean_activity, samples_capped_warning, ReadLimits};
use crate::model::{
    utc_from_ms, Activity, Break, DistanceSource, Format, ReadError, ReadResult, Sample, TzSource,
};

/// Start of the namespace URIs of Garmin's TrackPointExtension (`.../v1`, `.../v2`).
const TPX_NS: &[u8] = b"http://www.garmin.com/xmlschemas/TrackPointExtension/v";

/// Most TrackPointExtension namespace prefixes remembered.
const MAX_TPX_PREFIXES: usize = 16;

/// Which value the next text node holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    None,
    Ele,
    Time,
    Speed,
    TrkType,
    /// The file's own time (`<metadata><time>`, GPX 1.0: `<gpx><time>`).
    FileTime,
    Hr,
    Cad,
    Temp,
    Power,
}

/// Reader state for one file.
struct State {
    creator: Option<String>,
    trk_type: Option<String>,
    /// The first track `<type>` being read (all its text and references, capped).
    type_text: Option<TextField>,
    samples: Vec<Sample>,
    /// The track point being read.
    cur: Option<Sample>,
    /// Nesting depth inside the current point's `<extensions>` (0: not inside).
    ext_depth: u32,
    field: Field,
    in_trk: bool,
    in_trkseg: bool,
    /// Last position of the current segment (lat, lon, cos lat), for the track length.
    last_pos: Option<(f64, f64, f64)>,
    length_m: f64,
    /// First explicit UTC offset seen in a point time.
    offset_s: Option<i32>,
    /// Namespace prefixes bound to a TrackPointExtension URI (`gpxtpx`, `ns3`, ...).
    tpx_prefixes: Vec<Vec<u8>>,
    /// `ext_depth` of the element that made TrackPointExtension the default namespace.
    tpx_default_depth: Option<u32>,
    /// Most samples kept ([`ReadLimits::max_samples`]); later points are counted, not kept.
    max_samples: usize,
    /// Track points read (kept or not), and how many of them have a time.
    n_points: usize,
    n_timed: usize,
    /// Times of the first and last timed point (kept or not).
    first_ms: Option<i64>,
    last_ms: Option<i64>,
    /// Reader warnings (entity declarations ignored, ...).
    warnings: Vec<String>,
    /// Whether the file has a `<trk>` (a recording, perhaps without points) and its own time
    /// with the time's UTC offset: a track without points starts then.
    saw_trk: bool,
    file_time: Option<(i64, Option<i32>)>,
    in_metadata: bool,
    /// Element depth of the element being started (1: the root).
    depth: usize,
}

impl State {
    fn new(capacity: usize) -> State {
        State {
            creator: None,
            trk_type: None,
            type_text: None,
            samples: Vec::with_capacity(capacity),
            cur: None,
            ext_depth: 0,
            field: Field::None,
            in_trk: false,
            in_trkseg: false,
            last_pos: None,
            length_m: 0.0,
            offset_s: None,
            tpx_prefixes: Vec::new(),
            tpx_default_depth: None,
            max_samples: usize::MAX,
            n_points: 0,
            n_timed: 0,
            first_ms: None,
            last_ms: None,
            warnings: Vec::new(),
            saw_trk: false,
            file_time: None,
            in_metadata: false,
            depth: 0,
        }
    }

    /// Note the TrackPointExtension namespace declarations of an element (`xmlns:p="...v1"`,
    /// `xmlns="...v2"`). Prefix bindings are kept for the rest of the file (in practice they
    /// sit on the root element); a default-namespace binding lasts for the element's subtree
    /// inside `<extensions>`.
    fn note_namespaces(&mut self, raw_attrs: &[u8]) {
        if !raw_attrs.windows(5).any(|w| w == b"xmlns") {
            return;
        }
        let mut default_tpx = false;
        for_each_attr(raw_attrs, |name, value| {
            if !value.starts_with(TPX_NS) {
                return;
            }
            if name == b"xmlns" {
                default_tpx = true;
            } else if let Some(prefix) = name.strip_prefix(b"xmlns:") {
                // Real files bind one or two prefixes; the cap keeps a file that binds a new one on
                // every element from making each lookup slower (quadratic time).
                if self.tpx_prefixes.len() < MAX_TPX_PREFIXES
                    && !self.tpx_prefixes.iter().any(|p| p == prefix)
                {
                    self.tpx_prefixes.push(prefix.to_vec());
                }
            }
        });
        if default_tpx && self.ext_depth > 0 && self.tpx_default_depth.is_none() {
            self.tpx_default_depth = Some(self.ext_depth);
        }
    }

    /// True when an element inside `<extensions>` is in a TrackPointExtension namespace.
    fn is_tpx(&self, qname: &[u8]) -> bool {
        match qname.iter().position(|&c| c == b':') {
            Some(colon) => {
                let prefix = qname.get(..colon).unwrap_or_default();
                self.tpx_prefixes.iter().any(|p| p == prefix)
            }
            None => self.tpx_default_depth.is_some(),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let local = name.as_ref();
        if self.cur.is_some() {
            if self.ext_depth > 0 {
                if !empty {
                    self.ext_depth += 1;
                    self.note_namespaces(e.attributes_raw());
                    let tpx = self.is_tpx(e.name().as_ref());
                    self.field = ext_field(local, tpx);
                }
                return;
            }
            match local {
                b"extensions" if !empty => self.ext_depth = 1,
                b"ele" if !empty => self.field = Field::Ele,
                b"time" if !empty => self.field = Field::Time,
                b"speed" if !empty => self.field = Field::Speed,
                _ => {}
            }
            return;
        }
        match local {
            b"trkpt" => {
                let mut s = Sample::default();
                let (mut lat, mut lon) = (None, None);
                for_each_attr(e.attributes_raw(), |name, value| match name {
                    b"lat" => lat = parse_f64(value),
                    b"lon" => lon = parse_f64(value),
                    _ => {}
                });
                if let (Some(la), Some(lo)) = (lat, lon) {
                    if (-90.0..=90.0).contains(&la) && (-180.0..=180.0).contains(&lo) {
                        s.lat_deg = Some(la);
                        s.lon_deg = Some(lo);
                    }
                }
                self.cur = Some(s);
                self.ext_depth = 0;
                if empty {
                    self.commit();
                }
            }
            b"trkseg" => {
                self.in_trkseg = !empty;
                self.last_pos = None;
            }
            b"trk" => {
                self.in_trk = !empty;
                self.saw_trk = true;
            }
            b"metadata" => self.in_metadata = !empty,
            b"time"
                if !empty
                    && self.file_time.is_none()
                    && (self.in_metadata || (self.depth == 2 && !self.in_trk)) =>
            {
                self.field = Field::FileTime;
            }
            b"type" if self.in_trk && !self.in_trkseg && !empty => {
                self.field = Field::TrkType;
                if self.trk_type.is_none() {
                    self.type_text = Some(TextField::default());
                }
            }
            b"gpx" if self.creator.is_none() => {
                self.note_namespaces(e.attributes_raw());
                for a in e.attributes().with_checks(false).flatten() {
                    if a.key.local_name().as_ref() == b"creator" {
                        if let Some((text, cut)) = decode_attr(&a.value) {
                            if cut {
                                self.warnings.push(text_cut_warning("device (GPX creator)"));
                            }
                            self.creator = Some(text);
                        }
                    }
                }
            }
            _ => {
                if !empty {
                    self.note_namespaces(e.attributes_raw());
                }
            }
        }
    }

    fn end(&mut self, local: &[u8]) {
        if self.field == Field::TrkType {
            if let Some((text, cut)) = self.type_text.take().and_then(TextField::finish) {
                if cut {
                    self.warnings
                        .push(text_cut_warning("sub_sport (GPX track type)"));
                }
                self.trk_type = Some(text);
            }
        }
        self.field = Field::None;
        if self.cur.is_some() && self.ext_depth > 0 {
            if self.tpx_default_depth == Some(self.ext_depth) {
                self.tpx_default_depth = None;
            }
            self.ext_depth -= 1;
            return;
        }
        match local {
            b"trkpt" => self.commit(),
            b"trkseg" => {
                self.in_trkseg = false;
                self.last_pos = None;
            }
            b"trk" => self.in_trk = false,
            b"metadata" => self.in_metadata = false,
            _ => {}
        }
    }

    fn text(&mut self, t: &[u8]) {
        let field = self.field;
        if field == Field::TrkType {
            if let Some(text) = self.type_text.as_mut() {
                text.push_bytes(t);
            }
            return;
        }
        if field == Field::FileTime {
            if self.file_time.is_none() {
                self.file_time = parse_time(t);
            }
            return;
        }
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        let slot = match field {
            Field::Time => {
                if cur.time_utc_ms.is_none() {
                    if let Some((ms, off)) = parse_time(t) {
                        cur.time_utc_ms = Some(ms);
                        if self.offset_s.is_none() {
                            self.offset_s = off;
                        }
                    }
                }
                return;
            }
            Field::Ele => &mut cur.altitude_m,
            Field::Speed => &mut cur.speed_mps,
            Field::Hr => &mut cur.hr_bpm,
            Field::Cad => &mut cur.cadence_spm,
            Field::Temp => &mut cur.temp_c,
            Field::Power => &mut cur.power_w,
            Field::None | Field::TrkType | Field::FileTime => return,
        };
        if slot.is_none() {
            *slot = parse_f64(t);
        }
    }

    /// The current point is complete: add it and extend the segment's length.
    fn commit(&mut self) {
        let Some(s) = self.cur.take() else {
            return;
        };
        self.ext_depth = 0;
        self.tpx_default_depth = None;
        if let (Some(lat), Some(lon)) = (s.lat_deg, s.lon_deg) {
            let cos = lat.to_radians().cos();
            if let Some((plat, plon, pcos)) = self.last_pos {
                self.length_m += haversine_cos_m(plat, plon, pcos, lat, lon, cos);
            }
            self.last_pos = Some((lat, lon, cos));
        }
        self.n_points += 1;
        if let Some(t) = s.time_utc_ms {
            self.n_timed += 1;
            self.first_ms.get_or_insert(t);
            self.last_ms = Some(t);
        }
        if self.samples.len() < self.max_samples {
            self.samples.push(s);
        }
    }
}

/// The channel an element inside a point's `<extensions>` holds.
fn ext_field(local: &[u8], tpx: bool) -> Field {
    if tpx && local == b"speed" {
        return Field::Speed;
    }
    let is = |n: &[u8]| local.eq_ignore_ascii_case(n);
    if is(b"hr") || is(b"heartrate") {
        Field::Hr
    } else if is(b"cad") || is(b"cadence") {
        Field::Cad
    } else if is(b"atemp") || is(b"temp") || is(b"temperature") {
        Field::Temp
    } else if is(b"power") || is(b"powerinwatts") || is(b"watts") {
        Field::Power
    } else {
        Field::None
    }
}

/// Read a GPX file into one activity (all tracks and segments of the file together).
pub fn read_gpx(source: &str, bytes: &[u8]) -> ReadResult {
    read_gpx_with(source, bytes, &ReadLimits::default())
}

/// [`read_gpx`] with explicit limits.
pub fn read_gpx_with(source: &str, bytes: &[u8], limits: &ReadLimits) -> ReadResult {
    let (body, skipped) = xml::skip_prolog_junk(bytes);
    let mut reader = Reader::from_reader(body);
    // A Garmin point with extensions takes about 300 bytes. The reservation is bounded (a
    // gigabyte of anything but points must not reserve hundreds of megabytes); beyond it the
    // vector grows as points come.
    let mut st = State::new((body.len() / 300).min(limits.max_samples).min(1 << 18));
    st.max_samples = limits.max_samples;
    let mut depth: usize = 0;
    let mut brk: Option<Break> = None;
    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let pos = skipped + usize::try_from(reader.error_position()).unwrap_or(0);
                brk = Some(Break {
                    reason: format!("XML not well-formed: {e}"),
                    position: line_col(bytes, pos),
                });
                break;
            }
        };
        if let Some(reason) = xml::check_event(&ev, depth, limits, &mut st.warnings) {
            let pos = skipped + usize::try_from(reader.buffer_position()).unwrap_or(0);
            brk = Some(Break {
                reason,
                position: line_col(bytes, pos),
            });
            break;
        }
        match ev {
            Event::Start(e) => {
                depth += 1;
                st.depth = depth;
                st.start(&e, false);
            }
            Event::Empty(e) => {
                st.depth = depth + 1;
                st.start(&e, true);
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                st.end(e.local_name().as_ref());
            }
            Event::Text(t) if st.field != Field::None => st.text(&t),
            Event::CData(t) if st.field != Field::None => st.text(&t),
            Event::GeneralRef(r) if st.field == Field::TrkType => {
                if let Some(text) = st.type_text.as_mut() {
                    text.push_ref(&r);
                }
            }
            Event::Eof => {
                if depth > 0 {
                    brk = Some(Break {
                        reason: format!(
                            "unexpected end of file: {depth} element(s) not closed (truncated file)"
                        ),
                        position: line_col(bytes, bytes.len()),
                    });
                }
                break;
            }
            _ => {}
        }
    }
    finish(source, st, brk)
}

fn finish(source: &str, st: State, brk: Option<Break>) -> ReadResult {
    let n = st.n_points;
    let broken = |b: &Option<Break>| match b {
        Some(b) => format!("; the file also breaks at {}: {}", b.position, b.reason),
        None => String::new(),
    };
    if n == 0 {
        return match (brk, st.saw_trk, st.file_time) {
            (Some(b), _, _) => Err(ReadError::failed(
                format!("no track point before the error: {}", b.reason),
                Some(b.position),
            )),
            (None, true, Some((ms, offset_s))) => trackless(source, st, ms, offset_s),
            (None, _, _) => Err(ReadError::skipped("no track points")),
        };
    }
    let Some(first_ms) = st.first_ms else {
        return Err(ReadError::skipped(format!("no timestamps{}", broken(&brk))));
    };
    let timed = st.n_timed;
    let last_ms = st.last_ms.unwrap_or(first_ms);
    if timed < 2 {
        // A planned track (BaseCamp) can carry one time, when it was drawn: not a recording.
        return Err(ReadError::skipped(format!(
            "no timestamps: only 1 of {n} track points has a time (a planned track, not a recording){}",
            broken(&brk)
        )));
    }
    let Some(start) = utc_from_ms(first_ms) else {
        return Err(ReadError::failed(
            format!("first point time out of range ({first_ms} ms)"),
            None,
        ));
    };
    let mut act = Activity::new(source, Format::Gpx, start);
    act.device = st.creator;
    act.utc_offset_s = st.offset_s;
    if st.offset_s.is_some() {
        act.tz_source = TzSource::File;
    }
    act.totals.distance_m = Some(st.length_m);
    act.capabilities.distance = DistanceSource::Track;
    act.totals.elapsed_s = Some((last_ms - first_ms) as f64 / 1000.0);
    if timed < n {
        act.warnings
            .push(format!("{} of {n} track points have no time", n - timed));
    }
    act.warnings.extend(st.warnings);
    if n > st.samples.len() {
        act.warnings
            .push(samples_capped_warning(st.max_samples, n - st.samples.len()));
    }
    act.samples = st.samples;
    act.salvaged = brk;
    finish_sport_and_cadence(&mut act, st.trk_type.as_deref());
    act.capabilities.temperature = crate::ingest::temp_sensor(act.device.as_deref(), &act.sport);
    clean_activity(&mut act);
    Ok(vec![act])
}

/// A track without points but with the file's time (a treadmill run or a manual entry exported
/// as GPX): one activity without samples, starting at that time, of the track's type. Its
/// duration and distance are unknown (a GPX states neither outside its points).
fn trackless(source: &str, st: State, ms: i64, offset_s: Option<i32>) -> ReadResult {
    let Some(start) = utc_from_ms(ms) else {
        return Err(ReadError::skipped("no track points"));
    };
    let mut act = Activity::new(source, Format::Gpx, start);
    act.device = st.creator;
    act.utc_offset_s = offset_s;
    if offset_s.is_some() {
        act.tz_source = TzSource::File;
    }
    act.capabilities.distance = DistanceSource::Track;
    act.warnings.extend(st.warnings);
    act.warnings.push(TRACKLESS_WARNING.to_string());
    finish_sport_and_cadence(&mut act, st.trk_type.as_deref());
    clean_activity(&mut act);
    Ok(vec![act])
}

/// The warning on an activity read from a track without points.
pub const TRACKLESS_WARNING: &str =
    "no track points: a session without samples (treadmill or manual entry), started at the file's time";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sport;

    const REAL: &[u8] =
        include_bytes!("../../fixtures/real/georust_garminconnect_run_ns3_hr_cad.gpx");

    fn one(bytes: &[u8]) -> Activity {
        match read_gpx("t.gpx", bytes) {
            Ok(mut v) if v.len() == 1 => v.remove(0),
            other => panic!("want one activity, got {other:?}"),
        }
    }

    /// A GPX 1.1 document around the given track content.
    fn doc(head_attrs: &str, trk: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?>\n<gpx creator=\"test\" {head_attrs} xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk>{trk}</trk>\n</gpx>\n"
        )
    }

    /// `n` points heading north at `mps`, one a second, each with `ext` inside <extensions>.
    fn points(n: usize, mps: f64, ext: &str) -> String {
        let deg_per_m = 360.0 / (2.0 * std::f64::consts::PI * crate::geo::EARTH_RADIUS_M);
        (0..n)
            .map(|i| {
                format!(
                    "<trkpt lat=\"{:.7}\" lon=\"7.0\"><ele>100</ele><time>2020-05-01T10:00:{:02}Z</time><extensions>{ext}</extensions></trkpt>\n",
                    45.0 + i as f64 * mps * deg_per_m,
                    i
                )
            })
            .collect()
    }

    #[test]
    fn real_file_reads_whole() {
        let a = one(REAL);
        assert_eq!(a.samples.len(), 988);
        assert!(a.salvaged.is_none());
        assert_eq!(a.sport, Sport::Running);
        assert!(a.samples.iter().all(|s| s.hr_bpm.is_some()));
    }

    #[test]
    fn truncated_real_file_keeps_points_before_the_cut() {
        let mut last = 0usize;
        let mut cuts: Vec<usize> = (1..60).map(|i| REAL.len() * i / 60).collect();
        cuts.extend([1, 10, 100, 1000, REAL.len() - 10, REAL.len() - 1]);
        cuts.sort_unstable();
        for cut in cuts {
            let bytes = &REAL[..cut];
            match read_gpx("cut.gpx", bytes) {
                Ok(acts) => {
                    let a = &acts[0];
                    let n = a.samples.len();
                    assert!(n >= last, "cut {cut}: {n} points after {last}");
                    last = n;
                    if bytes.trim_ascii_end().ends_with(b"</gpx>") {
                        assert!(a.salvaged.is_none(), "cut {cut}: only whitespace was cut");
                        continue;
                    }
                    let b = a.salvaged.as_ref().expect("a cut file is salvaged");
                    let pos = b.position.strip_prefix("line ").expect("line L:C");
                    let (l, c) = pos.split_once(':').expect("L:C");
                    assert!(l.parse::<u32>().unwrap() >= 1 && c.parse::<u32>().unwrap() >= 1);
                }
                Err(ReadError::Failed { position, .. }) => {
                    assert_eq!(last, 0, "cut {cut}: failed after points were read");
                    assert!(position.is_some_and(|p| p.starts_with("line ")));
                }
                Err(ReadError::Skipped { reason }) => {
                    assert_eq!(last, 0, "cut {cut}: {reason}");
                    assert!(reason.starts_with("no t"), "cut {cut}: {reason}");
                }
            }
        }
        assert!(last > 950, "the last cut keeps nearly all points ({last})");
    }

    #[test]
    fn random_corruption_never_panics() {
        // Deterministic LCG: overwrite 1..8 bytes of the real file at random places.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as usize
        };
        for _ in 0..200 {
            let mut bytes = REAL.to_vec();
            for _ in 0..1 + next() % 8 {
                let i = next() % bytes.len();
                bytes[i] = (next() % 256) as u8;
            }
            if let Ok(acts) = read_gpx("fuzz.gpx", &bytes) {
                assert!(acts[0].samples.len() <= 988);
            }
        }
    }

    #[test]
    fn ill_formed_middle_keeps_points_before() {
        let text = doc(
            "version=\"1.1\"",
            &format!("<trkseg>{}</trkseg>", points(5, 3.0, "")),
        );
        let bad = text.replacen("</trkpt>", "</trkptX>", 4);
        let bad = bad.replacen("</trkptX>", "</trkpt>", 3);
        let a = one(bad.as_bytes());
        assert_eq!(a.samples.len(), 3);
        let b = a.salvaged.expect("salvaged");
        assert!(b.position.starts_with("line 6:"), "{b:?}");
        // Nothing before the break: failed, with the position.
        let r = read_gpx(
            "x",
            b"<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"></trkseg>",
        );
        assert!(
            matches!(
                r,
                Err(ReadError::Failed {
                    position: Some(_),
                    ..
                })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn entities_are_never_expanded() {
        let body = points(3, 3.0, "");
        let text = format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [\n<!ENTITY a \"0123456789\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n<!ENTITY x SYSTEM \"file:///etc/passwd\">\n]>\n<gpx creator=\"&c;\"><trk><type>&x;</type><trkseg>{}<trkpt lat=\"1\" lon=\"1\"><ele>&c;</ele><time>2020-05-01T10:01:00Z</time></trkpt></trkseg></trk></gpx>",
            body
        );
        let a = one(text.as_bytes());
        assert_eq!(a.samples.len(), 4);
        assert_eq!(a.samples[3].altitude_m, None);
        // Text fields keep a reference that is not predefined as written, never expanded.
        assert_eq!(a.device.as_deref(), Some("&c;"));
        assert_eq!(a.sub_sport.as_deref(), Some("&x;"));
    }

    #[test]
    fn prefixes_and_extension_forms() {
        let tpx2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2";
        let text = format!(
            "<ns2:gpx xmlns:ns2=\"http://www.topografix.com/GPX/1/1\" xmlns:tp=\"{tpx2}\" xmlns:o=\"urn:other\" xmlns:gpxdata=\"http://www.cluetrust.com/XML/GPXDATA/1/0\" creator=\"pfx\">\
             <ns2:trk><ns2:type>Run</ns2:type><ns2:trkseg>\
             <ns2:trkpt lat=\"45\" lon=\"7\"><ns2:time>2020-05-01T10:00:00Z</ns2:time><ns2:extensions><tp:TrackPointExtension><tp:hr>150</tp:hr><tp:cad>88</tp:cad><tp:atemp>21.5</tp:atemp><tp:speed>3.1</tp:speed></tp:TrackPointExtension><o:speed>9</o:speed></ns2:extensions></ns2:trkpt>\
             <ns2:trkpt lat=\"45.0001\" lon=\"7\"><ns2:time>2020-05-01T10:00:01Z</ns2:time><ns2:extensions><o:speed>9</o:speed><gpxdata:hr>151</gpxdata:hr><gpxdata:cadence>89</gpxdata:cadence><gpxdata:temp>20</gpxdata:temp><o:PowerInWatts>250</o:PowerInWatts></ns2:extensions></ns2:trkpt>\
             <ns2:trkpt lat=\"45.0002\" lon=\"7\"><ns2:time>2020-05-01T10:00:02Z</ns2:time><ns2:extensions><TrackPointExtension xmlns=\"{tpx2}\"><hr>152</hr><speed>2.5</speed></TrackPointExtension><Heartrate>1</Heartrate><watts>240</watts></ns2:extensions></ns2:trkpt>\
             </ns2:trkseg></ns2:trk></ns2:gpx>"
        );
        let a = one(text.as_bytes());
        assert_eq!(a.samples.len(), 3);
        let s = &a.samples;
        assert_eq!(
            (s[0].hr_bpm, s[0].cadence_spm, s[0].temp_c),
            (Some(150.0), Some(176.0), Some(21.5))
        );
        assert_eq!(s[0].speed_mps, Some(3.1), "TPX speed, not o:speed");
        assert_eq!(s[1].speed_mps, None, "speed outside TPX is ignored");
        assert_eq!(
            (s[1].hr_bpm, s[1].cadence_spm, s[1].temp_c, s[1].power_w),
            (Some(151.0), Some(178.0), Some(20.0), Some(250.0))
        );
        assert_eq!(
            (s[2].hr_bpm, s[2].speed_mps, s[2].power_w),
            (Some(152.0), Some(2.5), Some(240.0))
        );
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.device.as_deref(), Some("pfx"));
    }

    #[test]
    fn strava_numeric_type_and_cadence_doubling() {
        let ext =
            "<gpxtpx:TrackPointExtension><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension>";
        let ns = "xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/v1\"";
        let run = one(doc(
            ns,
            &format!("<type>9</type><trkseg>{}</trkseg>", points(5, 3.0, ext)),
        )
        .as_bytes());
        assert_eq!(run.sport, Sport::Running);
        assert_eq!(run.sub_sport.as_deref(), Some("9"));
        assert!(run.samples.iter().all(|s| s.cadence_spm == Some(170.0)));
        let ride = one(doc(
            ns,
            &format!("<type>1</type><trkseg>{}</trkseg>", points(5, 3.0, ext)),
        )
        .as_bytes());
        assert_eq!(ride.sport, Sport::Cycling);
        assert!(ride.samples.iter().all(|s| s.cadence_spm == Some(85.0)));
        let hike = one(doc(
            ns,
            &format!("<type>4</type><trkseg>{}</trkseg>", points(5, 1.0, ext)),
        )
        .as_bytes());
        assert_eq!(hike.sport, Sport::Hiking);
        assert_eq!(hike.samples[0].cadence_spm, Some(170.0));
    }

    #[test]
    fn sport_inferred_without_type() {
        let run = one(doc("", &format!("<trkseg>{}</trkseg>", points(30, 3.0, ""))).as_bytes());
        assert_eq!(run.sport, Sport::Running);
        assert_eq!(run.warnings, vec!["sport inferred".to_string()]);
        let walk = one(doc("", &format!("<trkseg>{}</trkseg>", points(30, 1.2, ""))).as_bytes());
        assert_eq!(walk.sport, Sport::Walking);
        let ride = one(doc("", &format!("<trkseg>{}</trkseg>", points(30, 8.0, ""))).as_bytes());
        assert_eq!(ride.sport, Sport::Cycling);
    }

    #[test]
    fn lenient_structure_and_totals() {
        // GPX 1.0 without version, an empty segment, a point without time, a 1.0 <speed>,
        // times with an explicit offset, BOM and whitespace before the declaration.
        let text = "\u{feff}  \n<?xml version=\"1.0\"?><gpx xmlns=\"http://www.topografix.com/GPX/1/0\">\
            <trk><trkseg></trkseg><trkseg/>\
            <trkseg><trkpt lat=\"0\" lon=\"0\"><time>2020-05-01T12:00:00+02:00</time><speed>2.0</speed></trkpt>\
            <trkpt lat=\"0\" lon=\"0.001\"/>\
            <trkpt lat=\"0\" lon=\"0.002\"><time>2020-05-01T12:10:00+02:00</time></trkpt></trkseg>\
            <trkseg><trkpt lat=\"10\" lon=\"10\"><time>2020-05-01T12:20:00+02:00</time></trkpt>\
            <trkpt lat=\"10\" lon=\"10.001\"><time>2020-05-01T12:30:00+02:00</time></trkpt></trkseg>\
            </trk><wpt lat=\"5\" lon=\"5\"><time>2000-01-01T00:00:00Z</time></wpt></gpx>";
        let a = one(text.as_bytes());
        assert_eq!(a.samples.len(), 5);
        assert_eq!(a.samples[1].time_utc_ms, None);
        assert_eq!(a.samples[0].speed_mps, Some(2.0));
        assert_eq!(a.start_utc.to_rfc3339(), "2020-05-01T10:00:00+00:00");
        assert_eq!((a.utc_offset_s, a.tz_source), (Some(7200), TzSource::File));
        assert_eq!(a.totals.elapsed_s, Some(1800.0));
        assert_eq!(a.totals.timer_s, None);
        // Two steps of 0.001 deg at the equator plus one at 10 deg N; the gap is not counted.
        let want = 2.0 * haversine_m(0.0, 0.0, 0.0, 0.001) + haversine_m(10.0, 10.0, 10.0, 10.001);
        assert!((a.totals.distance_m.unwrap() - want).abs() < 1e-6);
        assert!(a
            .warnings
            .iter()
            .any(|w| w == "1 of 5 track points have no time"));
    }

    #[test]
    fn a_track_without_points_is_a_session_at_the_file_time() {
        // GPX 1.1: <metadata><time>; a waypoint's time is not the file's.
        let v11 =
            "<gpx version=\"1.1\"><wpt lat=\"1\" lon=\"1\"><time>2001-01-01T00:00:00Z</time></wpt>\
                   <metadata><time>2020-05-01T07:00:00+02:00</time></metadata>\
                   <trk><type>running</type><trkseg/></trk></gpx>";
        let a = one(v11.as_bytes());
        assert!(a.samples.is_empty());
        assert_eq!(a.start_utc.to_rfc3339(), "2020-05-01T05:00:00+00:00");
        assert_eq!((a.utc_offset_s, a.tz_source), (Some(7200), TzSource::File));
        assert_eq!(a.sport, Sport::Running);
        assert_eq!((a.totals.distance_m, a.totals.elapsed_s), (None, None));
        assert_eq!(a.warnings, [TRACKLESS_WARNING]);
        // GPX 1.0: the root's <time>.
        let v10 = "<gpx version=\"1.0\"><time>2020-05-01T05:00:00Z</time><trk><trkseg></trkseg></trk></gpx>";
        assert_eq!(
            one(v10.as_bytes()).start_utc.to_rfc3339(),
            "2020-05-01T05:00:00+00:00"
        );
        // No file time, or no track: nothing to count.
        for skipped in [
            "<gpx><trk><trkseg/></trk></gpx>",
            "<gpx><metadata><time>2020-05-01T05:00:00Z</time></metadata><rte/></gpx>",
        ] {
            assert_eq!(
                read_gpx("x", skipped.as_bytes()),
                Err(ReadError::skipped("no track points"))
            );
        }
    }

    #[test]
    fn skipped_outcomes_and_garbage() {
        assert_eq!(
            read_gpx("x", b"<gpx version=\"1.1\"><metadata><time>2020-01-01T00:00:00Z</time></metadata></gpx>"),
            Err(ReadError::skipped("no track points"))
        );
        assert_eq!(
            read_gpx("x", b"<gpx><rte><rtept lat=\"1\" lon=\"1\"/></rte><trk><trkseg><trkpt lat=\"1\" lon=\"1\"/><trkpt lat=\"2\" lon=\"1\"/></trkseg></trk></gpx>"),
            Err(ReadError::skipped("no timestamps"))
        );
        for junk in [
            &b""[..],
            b"<",
            b"<gpx",
            b"\xff\xfe<\x00g",
            b"<gpx><trkpt lat=\"nan\" lon=\"1e999\"><time>x</time></trkpt></gpx>",
        ] {
            let _ = read_gpx("junk", junk);
        }
    }
}
