//! Generate the sample athlete: 16 weeks (Monday 2026-07-06 to Sunday 2026-10-25) of one runner,
//! built from real runs in `fixtures/real`, written as a Strava-style folder of GPX files.
//!
//! ```text
//! cargo run --release --example sample_athlete -- fixtures/sample-athlete
//! ```
//!
//! The output is a pure function of the real fixtures and the fixed seed below: running it again
//! gives byte-identical files (`tests/sample_athlete.rs` checks this). What each block of weeks
//! is meant to show is in `docs/sample-athlete.md`.
//!
//! Every run is a re-timed, varied copy of a real recording: altitude, heart rate and the track's
//! shape are the recorded ones, in recorded order and with the recorded time steps; each track is
//! moved to a start in Berlin, keeping every point's offset in metres (a run may be
//! trimmed, or lengthened by running the end of the route back the way it came, which replays
//! the same points in reverse). Temperature keeps the recorded trace's shape with an offset to the
//! day's weather; runs recorded without a temperature sensor borrow the shape of the fenix 2's
//! real trace, stretched over the run. Points are thinned to one every 5 s (never leaving a gap
//! over 9 s that the recording did not have) to keep the folder small.

use anyhow::{bail, Context, Result};
use calfguard::gpxwrite::{write_gpx, GpxOptions};
use calfguard::ingest::read_bytes;
use calfguard::model::{Activity, Format, Sample, Sport};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The seed of every random choice (start minutes, trims, temperatures).
pub const SEED: u64 = 0x00C0_FFEE_CA1F_2026;

/// First day (a Monday) and number of weeks.
const FIRST_DAY: (i32, u32, u32) = (2026, 7, 6);
const WEEKS: i64 = 16;

/// Shoes.
const PEGASUS: &str = "Pegasus 40";
const SPEEDGOAT: &str = "Speedgoat 5";

/// A small xorshift64* generator: deterministic on every platform, no dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[a, b)`.
    fn range(&mut self, a: f64, b: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        a + (b - a) * u
    }

    /// Uniform integer in `a..=b`.
    fn int(&mut self, a: i64, b: i64) -> i64 {
        a + (self.next_u64() % ((b - a + 1) as u64)) as i64
    }
}

/// One point of a trace; `t_ms` counts from the trace's first point.
#[derive(Clone, Debug)]
struct Pt {
    t_ms: i64,
    lat: f64,
    lon: f64,
    ele: Option<f64>,
    hr: Option<f64>,
    temp: Option<f64>,
}

/// A real recording, reduced to its timed, positioned points.
struct Base {
    file: &'static str,
    pts: Vec<Pt>,
}

/// Where a recording is moved to: the latitude and longitude of its first point.
#[derive(Clone, Copy, Debug)]
struct Place {
    lat: f64,
    lon: f64,
}

/// Tempelhofer Feld, Berlin: the easy runs, the tempo and interval runs, the warm-ups and home.
const TEMPELHOF: Place = Place {
    lat: 52.4736,
    lon: 13.4017,
};
/// Grunewald, Berlin: the quality run.
const GRUNEWALD: Place = Place {
    lat: 52.4730,
    lon: 13.2650,
};
/// Tegeler Forst, Berlin: the long run.
const TEGEL: Place = Place {
    lat: 52.5870,
    lon: 13.2540,
};
/// Teufelsberg, Berlin: the hilly route.
const TEUFELSBERG: Place = Place {
    lat: 52.4975,
    lon: 13.2410,
};

/// Earth's mean radius, m (the haversine radius calfguard uses).
const EARTH_M: f64 = 6_371_008.8;

/// Move a track so that it starts at `to`, keeping every point's offset from the first point in
/// metres (north, and east at the point's own latitude): the distances between points, and so
/// speeds and grades, stay the recorded ones (to well under 0.1 %), and the run lies in
/// Europe/Berlin's time zone, the zone its local times are written in.
fn relocate(pts: &mut [Pt], to: Place) {
    let Some(first) = pts.first() else {
        return;
    };
    let (lat0, lon0) = (first.lat, first.lon);
    for p in pts.iter_mut() {
        let north_m = (p.lat - lat0).to_radians() * EARTH_M;
        let east_m = (p.lon - lon0).to_radians() * EARTH_M * p.lat.to_radians().cos();
        let lat = to.lat + (north_m / EARTH_M).to_degrees();
        let lon = to.lon + (east_m / (EARTH_M * lat.to_radians().cos())).to_degrees();
        p.lat = lat;
        p.lon = lon;
    }
}

impl Base {
    fn load(dir: &Path, file: &'static str, to: Place) -> Result<Base> {
        let bytes = std::fs::read(dir.join(file)).with_context(|| format!("reading {file}"))?;
        let act = read_bytes(file, &bytes)
            .map_err(|e| anyhow::anyhow!("{file}: {e:?}"))?
            .into_iter()
            .next()
            .context("no activity")?;
        let mut pts: Vec<Pt> = Vec::new();
        let mut t0 = None;
        for s in &act.samples {
            let (Some(t), Some(lat), Some(lon)) = (s.time_utc_ms, s.lat_deg, s.lon_deg) else {
                continue;
            };
            let t0 = *t0.get_or_insert(t);
            let t = t - t0;
            if pts.last().is_some_and(|p| t <= p.t_ms) {
                continue;
            }
            pts.push(Pt {
                t_ms: t,
                lat,
                lon,
                ele: s.altitude_m,
                hr: s.hr_bpm,
                temp: s.temp_c,
            });
        }
        if pts.len() < 2 {
            bail!("{file}: fewer than two timed points with a position");
        }
        relocate(&mut pts, to);
        Ok(Base { file, pts })
    }

    fn duration_s(&self) -> f64 {
        self.pts.last().map_or(0.0, |p| p.t_ms as f64 / 1000.0)
    }
}

/// The real recordings used (all MIT-licensed, see `fixtures/real/SOURCES.csv`).
struct Bases {
    /// Garmin fenix 2, 47 min, HR, altitude and the only long real temperature trace.
    fenix2: Base,
    /// Stryd, 57 min easy, HR, altitude.
    stryd: Base,
    /// Garmin Forerunner 965, 75 min with hard efforts, HR, altitude.
    fr965: Base,
    /// Garmin Forerunner 920XT, 2 h 24 with long pauses, HR, altitude.
    fr920xt: Base,
    /// Garmin Connect GPX, 92 min, HR, altitude: the only run with steep descents.
    hills: Base,
    /// Garmin fenix 5, 57 s, HR, temperature.
    fenix5: Base,
    /// Endomondo hike, HR: its heart rate (not its track) is the strength sessions' trace.
    hike: Base,
}

impl Bases {
    fn load(real: &Path) -> Result<Bases> {
        Ok(Bases {
            fenix2: Base::load(real, "pyfitparse_fenix2_run_hr_temp.fit", TEMPELHOF)?,
            stryd: Base::load(real, "pyfitparse_stryd_run_devfields.fit", TEMPELHOF)?,
            fr965: Base::load(real, "jkfit_fr965_run_power_stamina.fit", GRUNEWALD)?,
            fr920xt: Base::load(real, "tormoder_fr920xt_run_mornindew_broken.fit", TEGEL)?,
            hills: Base::load(
                real,
                "georust_garminconnect_run_ns3_hr_cad.gpx",
                TEUFELSBERG,
            )?,
            fenix5: Base::load(real, "pyfitparse_fenix5_run_short.fit", TEMPELHOF)?,
            hike: Base::load(real, "phpgpx_endomondo_hike_2seg_hr.gpx", TEMPELHOF)?,
        })
    }

    fn get(&self, r: Src) -> &Base {
        match r {
            Src::Fenix2 => &self.fenix2,
            Src::Stryd => &self.stryd,
            Src::Fr965 => &self.fr965,
            Src::Fr920xt => &self.fr920xt,
            Src::Hills => &self.hills,
            Src::Fenix5 => &self.fenix5,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Src {
    Fenix2,
    Stryd,
    Fr965,
    Fr920xt,
    Hills,
    Fenix5,
}

/// How to vary a real run.
#[derive(Clone, Copy, Debug)]
struct Shape {
    src: Src,
    /// Keep the recording from `from_s` to `to_s` seconds (`to_s` None: to the end).
    from_s: f64,
    to_s: Option<f64>,
    /// Then run the last `back_s` seconds back the way they came.
    back_s: f64,
    /// Reverse the whole run (the same route the other way round).
    reverse: bool,
}

fn shape(src: Src) -> Shape {
    Shape {
        src,
        from_s: 0.0,
        to_s: None,
        back_s: 0.0,
        reverse: false,
    }
}

impl Shape {
    fn cut(mut self, from_s: f64, to_s: Option<f64>) -> Shape {
        self.from_s = from_s;
        self.to_s = to_s;
        self
    }
    fn back(mut self, back_s: f64) -> Shape {
        self.back_s = back_s;
        self
    }
    fn reversed(mut self) -> Shape {
        self.reverse = true;
        self
    }
}

/// What happens in one session.
#[derive(Clone, Debug)]
enum Kind {
    Run {
        shape: Shape,
        gear: &'static str,
        /// Mean air temperature of the run, °C.
        temp_c: f64,
        /// Short name for the file, e.g. `run`, `long`, `warmup`.
        tag: &'static str,
    },
    Strength,
}

#[derive(Clone, Debug)]
struct Session {
    date: NaiveDate,
    /// Local start, seconds after midnight (Europe/Berlin).
    start_s: i64,
    kind: Kind,
}

/// The trace of a run shape (times from 0).
fn build_trace(b: &Base, s: &Shape) -> Vec<Pt> {
    let from = (s.from_s * 1000.0) as i64;
    let to = s.to_s.map_or(i64::MAX, |t| (t * 1000.0) as i64);
    let mut pts: Vec<Pt> = b
        .pts
        .iter()
        .filter(|p| p.t_ms >= from && p.t_ms <= to)
        .cloned()
        .collect();
    if s.reverse {
        pts = mirror(&pts);
    }
    if s.back_s > 0.0 {
        let end = pts.last().map_or(0, |p| p.t_ms);
        let start = end - (s.back_s * 1000.0) as i64;
        let k = pts.iter().position(|p| p.t_ms >= start).unwrap_or(0);
        let tail = &pts[k..];
        let back = mirror(tail);
        // `back` starts at 0 with the last point, which `pts` already has.
        pts.extend(back.into_iter().skip(1).map(|mut p| {
            p.t_ms += end;
            p
        }));
    }
    let t0 = pts.first().map_or(0, |p| p.t_ms);
    for p in &mut pts {
        p.t_ms -= t0;
    }
    pts
}

/// The points in reverse order, with the recorded time steps in reverse order (times from 0).
fn mirror(pts: &[Pt]) -> Vec<Pt> {
    let Some(last) = pts.last() else {
        return Vec::new();
    };
    let end = last.t_ms;
    pts.iter()
        .rev()
        .map(|p| Pt {
            t_ms: end - p.t_ms,
            ..p.clone()
        })
        .collect()
}

/// One point every 5 s at most, never opening a gap over 9 s that the recording did not have.
fn thin(pts: &[Pt]) -> Vec<Pt> {
    let mut out: Vec<Pt> = Vec::with_capacity(pts.len() / 4 + 2);
    for (i, p) in pts.iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(last) => {
                i + 1 == pts.len()
                    || p.t_ms - last.t_ms >= 5_000
                    || pts[i + 1].t_ms - last.t_ms > 9_000
            }
        };
        if keep {
            out.push(p.clone());
        }
    }
    out
}

/// Temperatures: the trace's own shape (else the donor's, stretched over the run) moved so that
/// the run's mean is `mean_c`.
fn set_temperature(pts: &mut [Pt], donor: &Base, mean_c: f64) {
    let own = pts.iter().filter(|p| p.temp.is_some()).count() * 2 >= pts.len();
    let dur = pts.last().map_or(1, |p| p.t_ms.max(1)) as f64;
    let donor_dur = donor.duration_s() * 1000.0;
    let donor_temp: Vec<(i64, f64)> = donor
        .pts
        .iter()
        .filter_map(|p| p.temp.map(|t| (p.t_ms, t)))
        .collect();
    let mut shape: Vec<Option<f64>> = Vec::with_capacity(pts.len());
    for p in pts.iter() {
        if own {
            shape.push(p.temp);
        } else {
            let at = (p.t_ms as f64 / dur * donor_dur) as i64;
            let i = donor_temp.partition_point(|(t, _)| *t < at);
            shape.push(donor_temp.get(i.min(donor_temp.len() - 1)).map(|x| x.1));
        }
    }
    let known: Vec<f64> = shape.iter().flatten().copied().collect();
    let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
    for (p, s) in pts.iter_mut().zip(shape) {
        p.temp = s.map(|t| ((t - mean + mean_c) * 10.0).round() / 10.0);
    }
}

/// The GPX of one session, written by the library's writer (`calfguard::gpxwrite`): GPX 1.1
/// with TrackPointExtension v2 (hr, atemp) and local times with Berlin's UTC offset, the zone
/// at every run's (moved) start position. Times are whole seconds from `start`.
fn gpx(name: &str, desc: &str, sport: Sport, start: DateTime<Utc>, pts: &[Pt]) -> String {
    let mut act = Activity::new(name, Format::Gpx, start);
    act.sport = sport;
    act.device = Some("calfguard sample_athlete".to_string());
    act.samples = pts
        .iter()
        .map(|p| Sample {
            time_utc_ms: Some(
                start.timestamp_millis() + (p.t_ms as f64 / 1000.0).round() as i64 * 1000,
            ),
            lat_deg: Some(p.lat),
            lon_deg: Some(p.lon),
            altitude_m: p.ele,
            hr_bpm: p.hr,
            temp_c: p.temp,
            ..Sample::default()
        })
        .collect();
    write_gpx(
        &act,
        &GpxOptions {
            zone: Some(Berlin),
            name: Some(name),
            desc: Some(desc),
            coord_decimals: 6,
            ext_prefix: "tp",
            ..GpxOptions::default()
        },
    )
}

/// Mean air temperature of a day (°C) by week and weekday, before the random spread: a hot spell
/// in weeks 3 and 4 (2026-W30, W31; week 4 is a holiday), a late heat wave in week 10 (W37),
/// autumn from week 11.
fn weather(week: i64, day: i64, evening: bool) -> f64 {
    let base = match week {
        0 => 20.0,
        1 => 21.0,
        2 => 28.5,
        3 => 29.0,
        4 => 22.0,
        5 => 20.0,
        6 => 19.0,
        7 => 20.0,
        8 => 18.0,
        9 => 27.5,
        10 => 17.0,
        11 => 15.0,
        12 => 13.0,
        13 => 12.0,
        14 => 10.0,
        _ => 9.0,
    };
    let _ = day;
    if evening {
        base + 1.0
    } else {
        base - 1.5
    }
}

/// The one run started in the early afternoon (week, weekday): week 10's Sunday long run.
const HOT_AFTERNOON: (i64, i64) = (9, 6);

/// The plan: which sessions on which days.
fn plan(rng: &mut Rng, bases: &Bases) -> Vec<Session> {
    let first = NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).expect("date");
    let mut out = Vec::new();
    for w in 0..WEEKS {
        let mut day: Vec<(i64, bool, Kind)> = Vec::new(); // (weekday, evening, kind)
        let shoe = |trail: bool| {
            if w < 4 || !trail {
                PEGASUS
            } else {
                SPEEDGOAT
            }
        };
        let run = |shape: Shape, gear: &'static str, tag: &'static str| Kind::Run {
            shape,
            gear,
            temp_c: 0.0,
            tag,
        };
        let easy = |rng: &mut Rng| {
            let to = rng.range(2400.0, 3400.0);
            shape(Src::Stryd).cut(0.0, Some(to))
        };
        match w {
            // Weeks 1-3: one pair of shoes for everything (until week 6: FW-SINGLE), strength
            // twice a week, the hilly route in week 1 only (then four weeks without steep
            // descent), heat in week 3.
            0 | 1 => {
                if w == 0 {
                    day.push((0, true, run(easy(rng), shoe(false), "easy")));
                }
                day.push((1, false, run(shape(Src::Fr965), shoe(false), "run")));
                day.push((2, true, Kind::Strength));
                day.push((3, true, run(easy(rng), shoe(false), "easy")));
                day.push((4, true, Kind::Strength));
                if w == 1 {
                    day.push((5, false, run(shape(Src::Fenix2), shoe(false), "run")));
                }
                let long = if w == 0 {
                    shape(Src::Hills)
                } else {
                    shape(Src::Fr965).reversed()
                };
                day.push((6, false, run(long, shoe(true), "long")));
            }
            2 => {
                day.push((0, true, run(easy(rng), shoe(false), "easy")));
                day.push((1, true, Kind::Strength));
                day.push((2, true, run(shape(Src::Fenix2), shoe(false), "run")));
                day.push((3, true, Kind::Strength));
                day.push((4, true, run(easy(rng), shoe(false), "easy")));
                day.push((6, true, run(shape(Src::Fr920xt), shoe(true), "long")));
            }
            // Weeks 4-5: a summer holiday, 17 days without any training (under the 21 days that
            // would start a new history).
            3 | 4 => {}
            // Week 6: back from the holiday with a weekend in the hills, still in the one pair:
            // the load ratio passes 2.0 on the Sunday (OT-ACWR), the first steep descent in 4
            // weeks is over 150 m (DH-NEW), every run of 4 weeks in one pair (FW-SINGLE).
            5 => {
                day.push((3, true, run(easy(rng), PEGASUS, "easy")));
                day.push((4, true, run(shape(Src::Hills), PEGASUS, "hills")));
                day.push((
                    5,
                    false,
                    run(shape(Src::Hills).reversed(), PEGASUS, "hills"),
                ));
                day.push((6, false, run(shape(Src::Hills), PEGASUS, "long")));
            }
            // Week 7: a second pair, for Friday's run and the hilly Sunday (FW-NEW: over half of
            // the week); weeks 6-7 together are the most distance of two weeks so far.
            6 => {
                day.push((1, false, run(shape(Src::Fr965), PEGASUS, "run")));
                day.push((2, true, run(easy(rng), PEGASUS, "easy")));
                day.push((4, true, run(shape(Src::Fenix2), SPEEDGOAT, "run")));
                day.push((6, false, run(shape(Src::Hills), SPEEDGOAT, "long")));
            }
            // Weeks 8-9: distance climbs week after week, and week 9 ends with a sudden long run.
            7 => {
                day.push((0, true, run(easy(rng), shoe(false), "easy")));
                day.push((1, false, run(shape(Src::Fr965), shoe(false), "run")));
                day.push((3, true, run(easy(rng), shoe(false), "easy")));
                day.push((
                    4,
                    true,
                    run(shape(Src::Fr965).reversed(), shoe(false), "run"),
                ));
                day.push((6, false, run(shape(Src::Hills), shoe(true), "long")));
            }
            8 => {
                day.push((0, true, run(easy(rng), shoe(false), "easy")));
                day.push((1, false, run(shape(Src::Fr965), shoe(false), "run")));
                day.push((2, true, run(easy(rng), shoe(false), "easy")));
                day.push((3, true, run(shape(Src::Hills), shoe(true), "run")));
                day.push((4, true, run(easy(rng), shoe(false), "easy")));
                day.push((
                    5,
                    false,
                    run(shape(Src::Fr965).reversed(), shoe(false), "run"),
                ));
                day.push((
                    6,
                    false,
                    run(shape(Src::Fr920xt).back(2700.0), shoe(true), "long"),
                ));
            }
            // Week 10: a late heat wave after five cool weeks; the Sunday long run is the 21 km
            // of the week before, started in the early afternoon heat (HEAT-SWEAT with the
            // weather file).
            9 => {
                day.push((1, true, run(easy(rng), shoe(false), "easy")));
                day.push((2, true, run(shape(Src::Fr965), shoe(false), "run")));
                day.push((4, true, run(easy(rng), shoe(false), "easy")));
                day.push((
                    6,
                    true,
                    run(shape(Src::Fr920xt).back(2700.0), shoe(true), "long"),
                ));
            }
            // Week 11: the downhill block: the hill route three times, once the other way round.
            10 => {
                day.push((1, false, run(shape(Src::Hills), shoe(true), "hills")));
                day.push((2, true, run(easy(rng), shoe(false), "easy")));
                day.push((
                    3,
                    false,
                    run(shape(Src::Hills).reversed(), shoe(true), "hills"),
                ));
                day.push((6, false, run(shape(Src::Hills), shoe(true), "long")));
            }
            // Week 12: intervals on Tuesday started at full effort, once (no pattern yet).
            11 => {
                let hard = shape(Src::Fenix2).cut(720.0, None);
                day.push((1, false, run(hard, shoe(false), "intervals")));
                day.push((3, true, run(easy(rng), shoe(false), "easy")));
                day.push((6, false, run(shape(Src::Hills), shoe(true), "long")));
            }
            // Week 13: the same easy 40 minutes six days running, Sunday off: monotony 2.4, but
            // a light week (no OT-STRAIN).
            12 => {
                for d in 0..6 {
                    let to = 2400.0 + rng.range(-60.0, 60.0);
                    let s = shape(Src::Stryd).cut(0.0, Some(to));
                    day.push((d, false, run(s, shoe(false), "easy")));
                }
            }
            // Week 14: three hard starts: after a separate 10-minute warm-up jog (fine), with
            // none (WU-NONE), after a 1-minute jog (WU-SHORT).
            13 => {
                let hard = shape(Src::Fenix2).cut(720.0, None);
                day.push((
                    1,
                    true,
                    run(
                        shape(Src::Stryd).cut(0.0, Some(600.0)),
                        shoe(false),
                        "warmup",
                    ),
                ));
                day.push((1, true, run(hard, shoe(false), "intervals")));
                day.push((3, true, run(hard, shoe(false), "intervals")));
                day.push((5, false, run(shape(Src::Fenix5), shoe(false), "warmup")));
                day.push((5, false, run(hard, shoe(false), "intervals")));
                day.push((6, false, run(shape(Src::Hills), shoe(true), "long")));
            }
            _ => {
                day.push((1, false, run(shape(Src::Fr965), shoe(false), "run")));
                day.push((3, true, run(easy(rng), shoe(false), "easy")));
                day.push((4, true, run(shape(Src::Fenix2), shoe(false), "run")));
                day.push((6, false, run(shape(Src::Hills), shoe(true), "long")));
            }
        }
        // Start times: a warm-up ends 3-6 minutes before the run that follows it.
        let mut prev_end: Option<(i64, i64)> = None; // (weekday, end second)
        for (d, evening, mut kind) in day {
            let date = first + Duration::days(w * 7 + d);
            let mut start_s = if evening {
                rng.int(17 * 3600 + 30 * 60, 19 * 3600)
            } else {
                rng.int(6 * 3600 + 15 * 60, 7 * 3600 + 45 * 60)
            };
            if (w, d) == HOT_AFTERNOON {
                // Four hours earlier than an evening run: 13:30-15:00, in the day's heat.
                start_s -= 4 * 3600;
            }
            if let (Some((pd, end)), Kind::Run { .. }) = (prev_end, &kind) {
                if pd == d {
                    start_s = end + rng.int(180, 360);
                }
            }
            if let Kind::Run {
                temp_c, tag, shape, ..
            } = &mut kind
            {
                *temp_c = weather(w, d, evening) + rng.range(-1.5, 1.5);
                let dur = build_trace(bases.get(shape.src), shape)
                    .last()
                    .map_or(0, |p| p.t_ms / 1000);
                prev_end = (*tag == "warmup").then_some((d, start_s + dur));
            } else {
                prev_end = None;
            }
            out.push(Session {
                date,
                start_s,
                kind,
            });
        }
    }
    out
}

/// What was written.
pub struct Written {
    /// Files written (GPX, activities.csv, calfguard.toml).
    pub files: usize,
    /// Total bytes.
    pub bytes: u64,
}

fn strava_date(t: DateTime<Utc>) -> String {
    t.format("%b %-d, %Y, %-I:%M:%S %p").to_string()
}

fn day_part(local_s: i64) -> &'static str {
    match local_s / 3600 {
        0..=11 => "Morning",
        12..=16 => "Afternoon",
        _ => "Evening",
    }
}

/// Write the sample athlete into `out` (created if missing; files of the same names are
/// replaced). `real` is the folder of real fixtures.
pub fn generate(real: &Path, out: &Path) -> Result<Written> {
    let bases = Bases::load(real)?;
    let mut rng = Rng(SEED);
    let sessions = plan(&mut rng, &bases);
    let acts = out.join("activities");
    std::fs::create_dir_all(&acts)?;
    let mut csv = String::from(
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename\n",
    );
    let mut written = Written { files: 0, bytes: 0 };
    let mut write = |path: PathBuf, text: &str| -> Result<()> {
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.files += 1;
        written.bytes += text.len() as u64;
        Ok(())
    };
    let mut names: Vec<String> = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        let local = s.date.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(s.start_s);
        let start = Berlin
            .from_local_datetime(&local)
            .single()
            .context("ambiguous local time")?
            .with_timezone(&Utc);
        let (tag, sport, strava_type, title, gear, desc, pts) = match &s.kind {
            Kind::Run {
                shape,
                gear,
                temp_c,
                tag,
            } => {
                let b = bases.get(shape.src);
                let mut pts = thin(&build_trace(b, shape));
                set_temperature(&mut pts, &bases.fenix2, *temp_c);
                let title = match *tag {
                    "warmup" => "Warm-up".to_string(),
                    "long" => format!("{} Long Run", day_part(s.start_s)),
                    "intervals" => "Intervals".to_string(),
                    "hills" => "Hill Run".to_string(),
                    _ => format!("{} Run", day_part(s.start_s)),
                };
                let desc = format!(
                    "Made by examples/sample_athlete.rs from fixtures/real/{}",
                    b.file
                );
                (*tag, Sport::Running, "Run", title, *gear, desc, pts)
            }
            Kind::Strength => {
                // 35 minutes of the hike's recorded heart rate, at one place (indoors).
                let from = 1800 * 1000 + rng.int(0, 1800) * 1000;
                let home = &bases.stryd.pts[0];
                let mut pts: Vec<Pt> = bases
                    .hike
                    .pts
                    .iter()
                    .filter(|p| p.t_ms >= from && p.t_ms <= from + 35 * 60 * 1000)
                    .map(|p| Pt {
                        t_ms: p.t_ms - from,
                        lat: home.lat,
                        lon: home.lon,
                        ele: None,
                        hr: p.hr,
                        temp: None,
                    })
                    .collect();
                pts = thin(&pts);
                (
                    "strength",
                    Sport::StrengthTraining,
                    "Weight Training",
                    format!("{} Weight Training", day_part(s.start_s)),
                    "",
                    format!(
                        "Made by examples/sample_athlete.rs: heart rate from fixtures/real/{}",
                        bases.hike.file
                    ),
                    pts,
                )
            }
        };
        let mut name = format!("{}_{tag}", s.date);
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{}_{tag}{k}", s.date);
            k += 1;
        }
        names.push(name.clone());
        let file = format!("activities/{name}.gpx");
        write(out.join(&file), &gpx(&title, &desc, sport, start, &pts))?;
        let _ = writeln!(
            csv,
            "{},\"{}\",{},{},{},{}",
            1_700_000_001 + i as u64,
            strava_date(start),
            title,
            strava_type,
            gear,
            file
        );
    }
    write(out.join("activities.csv"), &csv)?;
    write(out.join("calfguard.toml"), CONFIG)?;
    Ok(written)
}

/// The sample athlete's configuration.
const CONFIG: &str = "\
# The sample athlete (generated by examples/sample_athlete.rs; see docs/sample-athlete.md).

[athlete]
name = \"Sam Sample\"
hr_max_bpm = 192
hr_rest_bpm = 50
sex = \"male\"
birth_year = 1990
weight_kg = 70.0
height_cm = 178
threshold_pace = \"4:45\"
time_zone = \"Europe/Berlin\"

[heat]
# What Sam drinks on a run (ACSM/Sawka 2007 advise drinking to keep the loss under 2 %).
fluid_intake_l_per_h = 0.4

[thresholds]
# Lowered from 700 km so that 16 weeks can show FW-KM: the sample's main pair passes it in
# October. Real shoes usually start an export with unknown mileage already on them.
shoe_max_km = 360
";

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .context("usage: sample_athlete OUT_DIR (e.g. fixtures/sample-athlete)")?;
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/real");
    let w = generate(&real, Path::new(&out))?;
    println!(
        "sample_athlete: wrote {} files, {:.1} MB, into {out}",
        w.files,
        w.bytes as f64 / 1e6
    );
    Ok(())
}
