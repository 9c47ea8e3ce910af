//! TCX (Garmin Training Center XML) reader: one streaming pass of `quick-xml`, no DOM.
//!
//! Every `<Activity>` element gives one activity, so a multi-sport file (`MultiSportSession`
//! with `FirstSport`/`NextSport`) gives one per sport; transition laps outside an activity are
//! ignored. Elements are matched by local name (any prefix). Laps give start, timer time
//! (`TotalTimeSeconds`), distance and heart rate; trackpoints give time, position, altitude,
//! distance, heart rate, cadence and, from the `TPX` extension, speed, run cadence and watts.
//! A truncated or ill-formed file keeps what was complete before the error.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::ingest::xml::{
    self, decode_attr, finish_sport_and_cadence, for_each_attr, line_col, parse_f64, parse_time,
    text_cut_warning, TextField,
};
use crate::ingest::{
    clean_activity, samples_capped_warning, ReadLimits, MAX_ACTIVITIES_PER_FILE, MAX_LAPS,
};
use crate::model::{
    utc_from_ms, Activity, Break, Format, Lap, ReadError, ReadResult, Sample, TzSource,
};

/// The elements the reader cares about; everything else is `Other`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Activity,
    Id,
    Lap,
    TotalTimeSeconds,
    DistanceMeters,
    AverageHeartRateBpm,
    MaximumHeartRateBpm,
    Value,
    Trackpoint,
    Time,
    LatitudeDegrees,
    LongitudeDegrees,
    AltitudeMeters,
    HeartRateBpm,
    Cadence,
    Speed,
    RunCadence,
    Watts,
    Creator,
    Name,
    Other,
}

fn tag_of(local: &[u8]) -> Tag {
    match local {
        b"Activity" => Tag::Activity,
        b"Id" => Tag::Id,
        b"Lap" => Tag::Lap,
        b"TotalTimeSeconds" => Tag::TotalTimeSeconds,
        b"DistanceMeters" => Tag::DistanceMeters,
        b"AverageHeartRateBpm" => Tag::AverageHeartRateBpm,
        b"MaximumHeartRateBpm" => Tag::MaximumHeartRateBpm,
        b"Value" => Tag::Value,
        b"Trackpoint" => Tag::Trackpoint,
        b"Time" => Tag::Time,
        b"LatitudeDegrees" => Tag::LatitudeDegrees,
        b"LongitudeDegrees" => Tag::LongitudeDegrees,
        b"AltitudeMeters" => Tag::AltitudeMeters,
        b"HeartRateBpm" => Tag::HeartRateBpm,
        b"Cadence" => Tag::Cadence,
        b"Speed" => Tag::Speed,
        b"RunCadence" => Tag::RunCadence,
        b"Watts" => Tag::Watts,
        b"Creator" => Tag::Creator,
        b"Name" => Tag::Name,
        _ => Tag::Other,
    }
}

/// One `<Activity>` being read.
#[derive(Default)]
struct ActBuilder {
    sport: Option<String>,
    id_ms: Option<i64>,
    device: Option<String>,
    laps: Vec<Lap>,
    samples: Vec<Sample>,
    offset_s: Option<i32>,
    /// Trackpoints read but not kept (over [`ReadLimits::max_samples`]).
    dropped: usize,
    /// Time of the last timed trackpoint (kept or not).
    last_ms: Option<i64>,
    /// Distance of the last trackpoint with one (kept or not).
    last_distance_m: Option<f64>,
    /// Laps not kept (over [`MAX_LAPS`]).
    dropped_laps: usize,
}

impl ActBuilder {
    fn push_lap(&mut self, lap: Lap) {
        if self.laps.len() < MAX_LAPS {
            self.laps.push(lap);
        } else {
            self.dropped_laps += 1;
        }
    }
}

/// Reader state for one file.
#[derive(Default)]
struct State {
    stack: Vec<Tag>,
    done: Vec<ActBuilder>,
    act: Option<ActBuilder>,
    lap: Option<Lap>,
    tp: Option<Sample>,
    /// `<Activity>` elements seen.
    n_activities: usize,
    /// Most samples kept per activity.
    max_samples: usize,
    /// Reader warnings for every activity (entity declarations ignored, ...).
    warnings: Vec<String>,
    /// `<Activity>` elements not kept (over [`MAX_ACTIVITIES_PER_FILE`]).
    dropped_activities: usize,
    /// The activity's `Creator/Name` being read (all its text and references, capped).
    device_text: Option<TextField>,
}

impl State {
    fn push_done(&mut self, b: ActBuilder) {
        if self.done.len() < MAX_ACTIVITIES_PER_FILE {
            self.done.push(b);
        } else {
            self.dropped_activities += 1;
        }
    }
}

impl State {
    fn parent(&self, up: usize) -> Tag {
        self.stack
            .len()
            .checked_sub(1 + up)
            .and_then(|i| self.stack.get(i))
            .copied()
            .unwrap_or(Tag::Other)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let tag = tag_of(e.local_name().as_ref());
        match tag {
            Tag::Activity => {
                self.n_activities += 1;
                let mut b = ActBuilder::default();
                let mut cut = false;
                for_each_attr(e.attributes_raw(), |name, value| {
                    if name == b"Sport" {
                        b.sport = decode_attr(value).map(|(text, c)| {
                            cut = c;
                            text
                        });
                    }
                });
                if cut {
                    self.warnings.push(text_cut_warning("sport (TCX Sport)"));
                }
                if empty {
                    self.push_done(b);
                } else {
                    self.act = Some(b);
                }
            }
            Tag::Lap if self.act.is_some() => {
                let mut lap = Lap::default();
                for_each_attr(e.attributes_raw(), |name, value| {
                    if name == b"StartTime" {
                        lap.start_utc = parse_time(value).and_then(|(ms, _)| utc_from_ms(ms));
                    }
                });
                if empty {
                    if let Some(a) = self.act.as_mut() {
                        a.push_lap(lap);
                    }
                } else {
                    self.lap = Some(lap);
                }
            }
            Tag::Trackpoint if self.act.is_some() => {
                self.tp = Some(Sample::default());
                if empty {
                    self.commit_point();
                }
            }
            Tag::Name
                if !empty
                    && self.parent(0) == Tag::Creator
                    && self.tp.is_none()
                    && self.lap.is_none()
                    && self.act.as_ref().is_some_and(|a| a.device.is_none()) =>
            {
                self.device_text = Some(TextField::default());
            }
            _ => {}
        }
        if !empty {
            self.stack.push(tag);
        }
    }

    /// An entity or character reference in the text being read.
    fn reference(&mut self, name: &[u8]) {
        if let Some(text) = self.device_text.as_mut() {
            text.push_ref(name);
        }
    }

    fn end(&mut self) {
        if let Some(text) = self.device_text.take() {
            if self.parent(0) == Tag::Name {
                if let (Some((name, cut)), Some(a)) = (text.finish(), self.act.as_mut()) {
                    a.device = Some(name);
                    if cut {
                        self.warnings
                            .push(text_cut_warning("device (TCX Creator/Name)"));
                    }
                }
            } else {
                // An element inside the name: keep reading the name after it.
                self.device_text = Some(text);
            }
        }
        match self.stack.pop() {
            Some(Tag::Trackpoint) => self.commit_point(),
            Some(Tag::Lap) => {
                if let (Some(lap), Some(a)) = (self.lap.take(), self.act.as_mut()) {
                    a.push_lap(lap);
                }
            }
            Some(Tag::Activity) => {
                if let Some(a) = self.act.take() {
                    self.push_done(a);
                }
            }
            _ => {}
        }
    }

    fn commit_point(&mut self) {
        let (Some(s), Some(a)) = (self.tp.take(), self.act.as_mut()) else {
            return;
        };
        if let Some(t) = s.time_utc_ms {
            a.last_ms = Some(t);
        }
        if let Some(d) = s.distance_m.filter(|d| d.is_finite()) {
            a.last_distance_m = Some(d);
        }
        if a.samples.len() < self.max_samples {
            a.samples.push(s);
        } else {
            a.dropped += 1;
        }
    }

    fn text(&mut self, t: &[u8]) {
        if let Some(text) = self.device_text.as_mut() {
            text.push_bytes(t);
            return;
        }
        let top = self.parent(0);
        if top == Tag::Other {
            return;
        }
        let parent = self.parent(1);
        if let Some(tp) = self.tp.as_mut() {
            let slot = match (top, parent) {
                (Tag::Time, Tag::Trackpoint) => {
                    if let Some((ms, off)) = parse_time(t) {
                        tp.time_utc_ms = Some(ms);
                        if let Some(a) = self.act.as_mut() {
                            if a.offset_s.is_none() {
                                a.offset_s = off;
                            }
                        }
                    }
                    return;
                }
                (Tag::LatitudeDegrees, _) => {
                    tp.lat_deg = parse_f64(t).filter(|v| (-90.0..=90.0).contains(v));
                    return;
                }
                (Tag::LongitudeDegrees, _) => {
                    tp.lon_deg = parse_f64(t).filter(|v| (-180.0..=180.0).contains(v));
                    return;
                }
                (Tag::AltitudeMeters, Tag::Trackpoint) => &mut tp.altitude_m,
                (Tag::DistanceMeters, Tag::Trackpoint) => &mut tp.distance_m,
                (Tag::Value, Tag::HeartRateBpm) => &mut tp.hr_bpm,
                (Tag::Cadence, Tag::Trackpoint) | (Tag::RunCadence, _) => &mut tp.cadence_spm,
                (Tag::Speed, _) => &mut tp.speed_mps,
                (Tag::Watts, _) => &mut tp.power_w,
                _ => return,
            };
            if slot.is_none() {
                *slot = parse_f64(t);
            }
            return;
        }
        if let Some(lap) = self.lap.as_mut() {
            let slot = match (top, parent) {
                (Tag::TotalTimeSeconds, Tag::Lap) => &mut lap.timer_s,
                (Tag::DistanceMeters, Tag::Lap) => &mut lap.distance_m,
                (Tag::Value, Tag::AverageHeartRateBpm) => &mut lap.hr_avg_bpm,
                (Tag::Value, Tag::MaximumHeartRateBpm) => &mut lap.hr_max_bpm,
                _ => return,
            };
            if slot.is_none() {
                *slot = parse_f64(t);
            }
            return;
        }
        if let (Some(a), (Tag::Id, Tag::Activity)) = (self.act.as_mut(), (top, parent)) {
            a.id_ms = parse_time(t).map(|(ms, _)| ms);
        }
    }
}

/// Read a TCX file into one activity per `<Activity>` element.
pub fn read_tcx(source: &str, bytes: &[u8]) -> ReadResult {
    read_tcx_with(source, bytes, &ReadLimits::default())
}

/// [`read_tcx`] with explicit limits.
pub fn read_tcx_with(source: &str, bytes: &[u8], limits: &ReadLimits) -> ReadResult {
    let (body, skipped) = xml::skip_prolog_junk(bytes);
    let mut reader = Reader::from_reader(body);
    let mut st = State {
        max_samples: limits.max_samples,
        ..State::default()
    };
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
        if let Some(reason) = xml::check_event(&ev, st.stack.len(), limits, &mut st.warnings) {
            let pos = skipped + usize::try_from(reader.buffer_position()).unwrap_or(0);
            brk = Some(Break {
                reason,
                position: line_col(bytes, pos),
            });
            break;
        }
        match ev {
            Event::Start(e) => st.start(&e, false),
            Event::Empty(e) => st.start(&e, true),
            Event::End(_) => st.end(),
            Event::Text(t) => st.text(&t),
            Event::CData(t) => st.text(&t),
            Event::GeneralRef(r) => st.reference(&r),
            Event::Eof => {
                if !st.stack.is_empty() {
                    brk = Some(Break {
                        reason: format!(
                            "unexpected end of file: {} element(s) not closed (truncated file)",
                            st.stack.len()
                        ),
                        position: line_col(bytes, bytes.len()),
                    });
                }
                break;
            }
            _ => {}
        }
    }
    // An activity cut by the error keeps its complete laps and trackpoints.
    if let Some(mut a) = st.act.take() {
        if let Some(lap) = st.lap.take() {
            a.push_lap(lap);
        }
        st.push_done(a);
    }
    finish(source, st, brk)
}

fn finish(source: &str, st: State, brk: Option<Break>) -> ReadResult {
    let n_built = st.done.len();
    let mut out = Vec::new();
    let mut no_time = 0;
    for (i, b) in st.done.into_iter().enumerate() {
        if b.samples.is_empty() && b.laps.is_empty() {
            continue;
        }
        let first_ms = b.samples.iter().find_map(|s| s.time_utc_ms);
        let last_ms = b.last_ms;
        let start_ms = b
            .laps
            .first()
            .and_then(|l| l.start_utc)
            .map(|t| t.timestamp_millis())
            .or(b.id_ms)
            .or(first_ms);
        let Some(start) = start_ms.and_then(utc_from_ms) else {
            no_time += 1;
            continue;
        };
        let mut act = Activity::new(source, Format::Tcx, start);
        act.device = b.device;
        act.utc_offset_s = b.offset_s;
        if b.offset_s.is_some() {
            act.tz_source = TzSource::File;
        }
        let lap_dist: Vec<f64> = b.laps.iter().filter_map(|l| l.distance_m).collect();
        act.totals.distance_m = if lap_dist.is_empty() {
            b.last_distance_m
        } else {
            Some(lap_dist.iter().sum())
        };
        let timers: Vec<f64> = b.laps.iter().filter_map(|l| l.timer_s).collect();
        if !timers.is_empty() {
            act.totals.timer_s = Some(timers.iter().sum());
        }
        if let (Some(f), Some(l)) = (first_ms, last_ms) {
            act.totals.elapsed_s = Some((l - f) as f64 / 1000.0);
        }
        let (mut wsum, mut w) = (0.0, 0.0);
        for l in &b.laps {
            if let (Some(avg), Some(t)) = (l.hr_avg_bpm, l.timer_s) {
                if t > 0.0 {
                    wsum += avg * t;
                    w += t;
                }
            }
        }
        if w > 0.0 {
            act.totals.hr_avg_bpm = Some(wsum / w);
        }
        act.totals.hr_max_bpm = b.laps.iter().filter_map(|l| l.hr_max_bpm).reduce(f64::max);
        act.laps = b.laps;
        act.warnings.extend(st.warnings.iter().cloned());
        if b.dropped_laps > 0 {
            act.warnings.push(format!(
                "more than {MAX_LAPS} laps: {} later lap(s) not kept",
                b.dropped_laps
            ));
        }
        if st.dropped_activities > 0 && i + 1 == n_built {
            act.warnings.push(format!(
                "more than {MAX_ACTIVITIES_PER_FILE} activities in the file: {} later ones not kept",
                st.dropped_activities
            ));
        }
        if b.dropped > 0 {
            act.warnings
                .push(samples_capped_warning(st.max_samples, b.dropped));
        }
        act.samples = b.samples;
        if i + 1 == n_built {
            act.salvaged = brk.clone();
        }
        finish_sport_and_cadence(&mut act, b.sport.as_deref());
        act.capabilities.temperature =
            crate::ingest::temp_sensor(act.device.as_deref(), &act.sport);
        clean_activity(&mut act);
        out.push(act);
    }
    if !out.is_empty() {
        return Ok(out);
    }
    if let Some(b) = brk {
        return Err(ReadError::failed(
            format!("no trackpoint or lap before the error: {}", b.reason),
            Some(b.position),
        ));
    }
    if no_time > 0 {
        return Err(ReadError::skipped("no timestamps"));
    }
    if st.n_activities == 0 {
        return Err(ReadError::skipped(
            "no activities (a TCX with courses or workouts only)",
        ));
    }
    Err(ReadError::skipped("no track points"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sport;

    fn tp(t: &str, lat: f64, dist: f64, cad: &str) -> String {
        format!(
            "<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position>\
             <AltitudeMeters>250.5</AltitudeMeters><DistanceMeters>{dist}</DistanceMeters><HeartRateBpm><Value>140</Value></HeartRateBpm>{cad}</Trackpoint>"
        )
    }

    fn run_activity() -> String {
        let ext = "<Extensions><ns3:TPX><ns3:Speed>3.2</ns3:Speed><ns3:RunCadence>86</ns3:RunCadence><ns3:Watts>250</ns3:Watts></ns3:TPX></Extensions>";
        format!(
            "<Activity Sport=\"Running\"><Id>2020-05-01T10:00:00Z</Id>\
             <Lap StartTime=\"2020-05-01T10:00:00Z\"><TotalTimeSeconds>100</TotalTimeSeconds><DistanceMeters>300</DistanceMeters>\
             <AverageHeartRateBpm><Value>140</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>150</Value></MaximumHeartRateBpm>\
             <Cadence>99</Cadence><Track>{}{}</Track></Lap>\
             <Lap StartTime=\"2020-05-01T10:01:40Z\"><TotalTimeSeconds>300</TotalTimeSeconds><DistanceMeters>900.5</DistanceMeters>\
             <AverageHeartRateBpm><Value>160</Value></AverageHeartRateBpm><MaximumHeartRateBpm><Value>170</Value></MaximumHeartRateBpm>\
             <Track>{}</Track></Lap>\
             <Creator xsi:type=\"Device_t\"><Name>Forerunner 945</Name></Creator></Activity>",
            tp("2020-05-01T10:00:00Z", 45.0, 0.0, ext),
            tp("2020-05-01T10:01:40Z", 45.001, 300.0, ext),
            tp("2020-05-01T10:06:40Z", 45.01, 1200.5, "<Cadence>80</Cadence>"),
        )
    }

    fn tcx(activities: &str) -> String {
        format!(
            "\n\n   <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2\" xmlns:ns3=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">\
             <Activities>{activities}</Activities><Author><Name>Garmin Connect API</Name></Author></TrainingCenterDatabase>\n"
        )
    }

    #[test]
    fn single_activity_with_whitespace_before_the_declaration() {
        let acts = read_tcx("t.tcx", tcx(&run_activity()).as_bytes()).unwrap();
        assert_eq!(acts.len(), 1);
        let a = &acts[0];
        assert_eq!(a.sport, Sport::Running);
        assert_eq!(a.device.as_deref(), Some("Forerunner 945"));
        assert_eq!(a.laps.len(), 2);
        assert_eq!(a.samples.len(), 3);
        assert_eq!(a.start_utc.to_rfc3339(), "2020-05-01T10:00:00+00:00");
        assert_eq!(a.totals.distance_m, Some(1200.5));
        assert_eq!(a.totals.timer_s, Some(400.0));
        assert_eq!(a.totals.elapsed_s, Some(400.0));
        assert_eq!(
            a.totals.hr_avg_bpm,
            Some((140.0 * 100.0 + 160.0 * 300.0) / 400.0)
        );
        assert_eq!(a.totals.hr_max_bpm, Some(170.0));
        let s = &a.samples[0];
        assert_eq!(
            (s.speed_mps, s.cadence_spm, s.power_w),
            (Some(3.2), Some(172.0), Some(250.0))
        );
        assert_eq!(
            (s.hr_bpm, s.altitude_m, s.distance_m),
            (Some(140.0), Some(250.5), Some(0.0))
        );
        // Trackpoint <Cadence> is doubled too; lap <Cadence> is not a sample value.
        assert_eq!(a.samples[2].cadence_spm, Some(160.0));
        assert!(a.salvaged.is_none());
    }

    #[test]
    fn multisport_gives_one_activity_per_sport() {
        let bike = "<Activity Sport=\"Biking\"><Id>2020-05-01T11:00:00Z</Id><Lap StartTime=\"2020-05-01T11:00:00Z\"><TotalTimeSeconds>60</TotalTimeSeconds>\
            <Track><Trackpoint><Time>2020-05-01T11:00:00Z</Time><Cadence>90</Cadence><DistanceMeters>0</DistanceMeters></Trackpoint>\
            <Trackpoint><Time>2020-05-01T11:01:00Z</Time><Cadence>92</Cadence><DistanceMeters>500</DistanceMeters></Trackpoint></Track></Lap></Activity>";
        let text = tcx(&format!(
            "<MultiSportSession><Id>2020-05-01T10:00:00Z</Id><FirstSport>{}</FirstSport>\
             <NextSport><Transition StartTime=\"2020-05-01T10:50:00Z\"><TotalTimeSeconds>30</TotalTimeSeconds><DistanceMeters>5</DistanceMeters></Transition>{bike}</NextSport></MultiSportSession>",
            run_activity()
        ));
        let acts = read_tcx("m.tcx", text.as_bytes()).unwrap();
        assert_eq!(acts.len(), 2);
        assert_eq!(acts[0].sport, Sport::Running);
        assert_eq!(acts[1].sport, Sport::Cycling);
        assert_eq!(acts[1].laps.len(), 1);
        // No lap distance: the last trackpoint's DistanceMeters.
        assert_eq!(acts[1].totals.distance_m, Some(500.0));
        assert_eq!(
            acts[1].samples[0].cadence_spm,
            Some(90.0),
            "rpm not doubled"
        );
        assert_eq!(acts[1].start_utc.to_rfc3339(), "2020-05-01T11:00:00+00:00");
    }

    #[test]
    fn truncated_tcx_keeps_complete_trackpoints() {
        let text = tcx(&run_activity());
        let bytes = text.as_bytes();
        let mut last = 0;
        for cut in (1..bytes.len()).step_by(7) {
            match read_tcx("cut.tcx", &bytes[..cut]) {
                Ok(acts) => {
                    let n: usize = acts.iter().map(|a| a.samples.len()).sum();
                    assert!(n >= last, "cut {cut}");
                    last = n;
                    let b = acts.last().and_then(|a| a.salvaged.as_ref());
                    assert!(
                        b.is_some_and(|b| b.position.starts_with("line ")),
                        "cut {cut}"
                    );
                }
                Err(ReadError::Failed { position, .. }) => {
                    assert_eq!(last, 0);
                    assert!(position.is_some());
                }
                Err(e) => assert_eq!(last, 0, "cut {cut}: {e}"),
            }
        }
        assert_eq!(last, 3);
    }

    #[test]
    fn skipped_and_garbage() {
        let course = tcx("").replace(
            "<Activities></Activities>",
            "<Courses><Course><Track><Trackpoint><Time>2020-01-01T00:00:00Z</Time></Trackpoint></Track></Course></Courses>",
        );
        assert!(matches!(
            read_tcx("c", course.as_bytes()),
            Err(ReadError::Skipped { .. })
        ));
        let no_time = tcx("<Activity Sport=\"Running\"><Lap><Track><Trackpoint><DistanceMeters>1</DistanceMeters></Trackpoint></Track></Lap></Activity>");
        assert_eq!(
            read_tcx("n", no_time.as_bytes()),
            Err(ReadError::skipped("no timestamps"))
        );
        let entity = "<!DOCTYPE t [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><TrainingCenterDatabase><Activities><Activity Sport=\"&b;\"><Id>2020-01-01T00:00:00Z</Id><Lap StartTime=\"2020-01-01T00:00:00Z\"><TotalTimeSeconds>&b;</TotalTimeSeconds></Lap></Activity></Activities></TrainingCenterDatabase>";
        let acts = read_tcx("e", entity.as_bytes()).unwrap();
        assert_eq!(acts[0].laps[0].timer_s, None);
        assert_eq!(acts[0].sub_sport.as_deref(), Some("&b;"));
        for junk in [
            &b""[..],
            b"<",
            b"<TrainingCenterDatabase><Activities><Activity>",
            b"\x00\x01",
        ] {
            let _ = read_tcx("junk", junk);
        }
    }
}
