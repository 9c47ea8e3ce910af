//! Distance along the track, speed estimates and moving time.
//!
//! See `docs/metrics.md` sections "Track length", "Speed estimate" and "Moving time".

use super::{check, counted_intervals, finite, span_s};
use crate::model::{Sample, Sport};
use std::cell::OnceCell;

/// Mean Earth radius of the GRS80 ellipsoid, in metres (Moritz 2000), as `geo` uses.
pub const EARTH_MEAN_RADIUS_M: f64 = crate::geo::EARTH_RADIUS_M;

/// Below this speed a sample counts as stationary, in metres per second.
pub const DEFAULT_STATIONARY_SPEED_MPS: f64 = 0.5;

/// Fastest plausible speed on foot; faster steps are GPS spikes. Metres per second.
pub const MAX_FOOT_SPEED_MPS: f64 = 12.0;

/// Fastest plausible speed for other sports; faster steps are GPS spikes. Metres per second.
pub const MAX_OTHER_SPEED_MPS: f64 = 30.0;

/// Smallest displacement from the last accepted point that adds to the track length, in metres.
pub const MIN_STEP_M: f64 = 1.0;

/// Half-width of the centred window used to estimate speed from distances or positions, in seconds.
pub const SPEED_HALF_WINDOW_S: f64 = 5.0;

/// Speeds from which a foot activity is running rather than walking, m/s (the preferred
/// walk-to-run transition, about 2.0 m/s: Hreljac 1993).
pub const RUNNING_MIN_SPEED_MPS: f64 = 2.0;

/// Climbing or descending at least this fast is moving, whatever the horizontal speed, m/s
/// (300 m/h: a mountain runner's hike up a steep slope is well under 0.5 m/s horizontally).
pub const CLIMB_MOVING_MPS: f64 = 300.0 / 3600.0;

/// Half-width of the time window over which the vertical speed is taken, seconds.
pub const CLIMB_HALF_WINDOW_S: f64 = 60.0;

/// Most samples scanned on each side of a sample for its speed window (bounds the cost).
const SPEED_WINDOW_MAX_SAMPLES: usize = 64;

/// Great-circle distance between two points on a sphere of radius [`EARTH_MEAN_RADIUS_M`].
///
/// `d = 2R·atan2(√a, √(1−a))`, `a = sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2)`.
///
/// Returns `None` when a coordinate is not finite or out of range (|lat| > 90°, |lon| > 180°).
///
/// # Units
/// Degrees in (WGS84 latitude and longitude), metres out.
///
/// # References
/// Sinnott RW 1984, "Virtues of the Haversine", Sky and Telescope 68(2):159. Radius: Moritz H 2000,
/// "Geodetic Reference System 1980", Journal of Geodesy 74:128–133.
pub fn haversine_m(lat1_deg: f64, lon1_deg: f64, lat2_deg: f64, lon2_deg: f64) -> Option<f64> {
    let ok_lat = |x: f64| x.is_finite() && x.abs() <= 90.0;
    let ok_lon = |x: f64| x.is_finite() && x.abs() <= 180.0;
    if !(ok_lat(lat1_deg) && ok_lat(lat2_deg) && ok_lon(lon1_deg) && ok_lon(lon2_deg)) {
        return None;
    }
    // The formula lives in `crate::geo` (the readers' track length uses it too).
    check(crate::geo::haversine_m(
        lat1_deg, lon1_deg, lat2_deg, lon2_deg,
    ))
}

/// The spike limit for a sport: [`MAX_FOOT_SPEED_MPS`] for sports on foot, else
/// [`MAX_OTHER_SPEED_MPS`].
///
/// # Units
/// Metres per second.
///
/// # References
/// Limits ours: 12 m/s (43 km/h) is about the fastest sprint ever timed (≈ 12.3 m/s), far above
/// any runner's pace between two samples; 30 m/s (108 km/h) is above road-cycling descents.
pub fn max_speed_mps(sport: &Sport) -> f64 {
    if sport.has_steps() {
        MAX_FOOT_SPEED_MPS
    } else {
        MAX_OTHER_SPEED_MPS
    }
}

/// A sample's position, if both coordinates are finite and in range.
pub(crate) fn position(s: &Sample) -> Option<(f64, f64)> {
    let lat = finite(s.lat_deg)?;
    let lon = finite(s.lon_deg)?;
    (lat.abs() <= 90.0 && lon.abs() <= 180.0).then_some((lat, lon))
}

/// Speed estimate for every sample.
///
/// For each sample, in order of preference:
/// 1. the device speed `speed_mps`, if finite and ≥ 0;
/// 2. the device distance covered across a centred window of ±[`SPEED_HALF_WINDOW_S`] s:
///    `(d_last − d_first) / (t_last − t_first)` over the earliest and latest samples in the window
///    that have `distance_m` (needs a span ≥ 1 s and a non-decreasing distance);
/// 3. the straight-line displacement between the earliest and latest positioned samples in the
///    same window, divided by their time difference (span ≥ 1 s).
///
/// The window of sample `i` holds the timed samples among `samples[i − 64 ..= i + 64]` whose time
/// is within ±5 s of sample `i`'s; of two samples with the same time, the earlier one in the file
/// is taken (as `earliest` and as `latest`).
///
/// `None` where the sample has no time and no device speed, or nothing above applies. The window
/// smooths GPS jitter: a watch standing still wanders a few metres, which over 10 s is well below
/// 0.5 m/s, whereas per-second steps would look like walking.
///
/// **Cost.** Linear: where the times in a window do not go backwards (every real recording), the
/// window slides with two pointers and each sample enters and leaves it once; a window holding a
/// backward time step is scanned instead (at most 129 samples).
///
/// # Units
/// Metres per second.
///
/// # References
/// Window and order of preference ours; see `docs/metrics.md` "Speed estimate".
pub fn speed_estimates_mps(samples: &[Sample]) -> Vec<Option<f64>> {
    speed_estimates_with(samples, &OnceCell::new())
}

/// A sample's position with the cosine of its latitude, computed once per activity so that each
/// haversine below needs no cosine ([`crate::geo::haversine_cos_m`], the same result bit for bit
/// as [`haversine_m`]). `cos` is NaN where the sample has no valid position.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GeoPoint {
    lat: f64,
    lon: f64,
    cos: f64,
}

impl GeoPoint {
    fn valid(&self) -> bool {
        !self.cos.is_nan()
    }
}

/// The [`GeoPoint`] of every sample.
pub(crate) fn geo_points(samples: &[Sample]) -> Vec<GeoPoint> {
    samples
        .iter()
        .map(|s| match position(s) {
            Some((lat, lon)) => GeoPoint {
                lat,
                lon,
                cos: lat.to_radians().cos(),
            },
            None => GeoPoint {
                lat: f64::NAN,
                lon: f64::NAN,
                cos: f64::NAN,
            },
        })
        .collect()
}

/// Haversine distance between samples `a` and `b`; `None` unless both have a valid position and
/// the distance is finite.
fn haversine_between(geo: &[GeoPoint], a: usize, b: usize) -> Option<f64> {
    let (p, q) = (geo.get(a)?, geo.get(b)?);
    if !(p.valid() && q.valid()) {
        return None;
    }
    check(crate::geo::haversine_cos_m(
        p.lat, p.lon, p.cos, q.lat, q.lon, q.cos,
    ))
}

/// The earliest and latest samples of one kind (timed with a distance, or timed with a position)
/// in a sliding window `[lo, end)`, kept up to date as the window's edges move right.
#[derive(Clone, Copy, Debug)]
struct Ends {
    /// No sample of this kind in `[lo, scan)`.
    scan: usize,
    /// The latest sample of this kind that entered the window, and its time.
    last: Option<(usize, i64)>,
    /// The first of the consecutive samples of this kind that share `last`'s time.
    run_first: usize,
}

impl Ends {
    fn new(lo: usize) -> Ends {
        Ends {
            scan: lo,
            last: None,
            run_first: lo,
        }
    }

    /// Sample `k` of this kind, at time `t`, enters the window on the right.
    fn push(&mut self, k: usize, t: i64) {
        if self.last.is_none_or(|(_, lt)| lt != t) {
            self.run_first = k;
        }
        self.last = Some((k, t));
    }

    /// `(earliest, latest)` of this kind in `[lo, end)`, where times do not go backwards: the
    /// first sample of the kind, and the first one with the latest time (the scan's tie rule).
    fn get(&mut self, lo: usize, end: usize, is: impl Fn(usize) -> bool) -> Option<(usize, usize)> {
        self.scan = self.scan.max(lo);
        while self.scan < end && !is(self.scan) {
            self.scan += 1;
        }
        // A sample of the kind at `scan` < `end` entered the window, so `last` ≥ `scan`; when
        // `last`'s run of equal times starts before `scan`, `scan` itself belongs to it.
        (self.scan < end && self.last.is_some()).then(|| (self.scan, self.run_first.max(self.scan)))
    }
}

/// The window of one sample: `[lo, end)` and the ends of each kind in it.
#[derive(Clone, Copy, Debug)]
struct Window {
    centre: usize,
    lo: usize,
    end: usize,
    dist: Ends,
    pos: Ends,
}

/// [`speed_estimates_mps`], sharing the positions with their cosines (computed on first use,
/// only where a window needs a haversine) with the caller.
pub(crate) fn speed_estimates_with(
    samples: &[Sample],
    geo: &OnceCell<Vec<GeoPoint>>,
) -> Vec<Option<f64>> {
    const TIMED: u8 = 1;
    const DIST: u8 = 2;
    const POS: u8 = 4;
    let n = samples.len();
    // One pass: device speeds, which samples are timed with a distance or with a position, and
    // the timed samples whose time is earlier than the previous timed sample's (backward steps).
    let mut out: Vec<Option<f64>> = Vec::with_capacity(n);
    let mut kinds: Vec<u8> = Vec::with_capacity(n);
    let mut times: Vec<i64> = Vec::with_capacity(n);
    let mut back_steps: Vec<usize> = Vec::new();
    let mut prev: Option<i64> = None;
    let mut needed = false;
    for (k, s) in samples.iter().enumerate() {
        let device = finite(s.speed_mps).filter(|v| *v >= 0.0);
        let mut kind = 0;
        times.push(s.time_utc_ms.unwrap_or_default());
        if let Some(t) = s.time_utc_ms {
            kind = TIMED;
            if finite(s.distance_m).is_some() {
                kind |= DIST;
            }
            if position(s).is_some() {
                kind |= POS;
            }
            if prev.is_some_and(|p| t < p) {
                back_steps.push(k);
            }
            prev = Some(t);
            needed |= device.is_none();
        }
        out.push(device);
        kinds.push(kind);
    }
    if !needed {
        return out;
    }
    // True when the timed samples of `samples[a..=b]` never go back in time.
    let monotone = |a: usize, b: usize| {
        let j = back_steps.partition_point(|&m| m < a);
        back_steps.get(j).is_none_or(|&m| m > b)
    };
    let (times, kinds) = (&times[..], &kinds[..]);
    let kind = |k: usize| kinds.get(k).copied().unwrap_or(0);
    let time = |k: usize| times.get(k).copied().unwrap_or_default();
    // Whether sample `k` is untimed or timed before `t` (the left edge passes over it).
    let early = |k: usize, t: i64| kind(k) & TIMED == 0 || time(k) < t;
    let has_dist = |k: usize| kind(k) & DIST != 0;
    let has_pos = |k: usize| kind(k) & POS != 0;
    let half_ms = (SPEED_HALF_WINDOW_S * 1000.0) as i64;
    let w = SPEED_WINDOW_MAX_SAMPLES;
    let mut win: Option<Window> = None;
    for (i, slot) in out.iter_mut().enumerate() {
        if slot.is_some() {
            continue;
        }
        if kind(i) & TIMED == 0 {
            continue;
        }
        let t0 = time(i);
        let (wlo, whi) = (i.saturating_sub(w), (i + w).min(n - 1));
        if !monotone(wlo, whi) {
            win = None;
            *slot = speed_scan_at(samples, i);
            continue;
        }
        // Reuse the previous window when the times from its left edge to this one's right edge
        // do not go backwards: both edges then only move right.
        let mut s = match win.take() {
            Some(s) if s.end >= wlo && monotone(s.centre.saturating_sub(w), whi) => s,
            _ => Window {
                centre: i,
                lo: wlo,
                end: wlo,
                dist: Ends::new(wlo),
                pos: Ends::new(wlo),
            },
        };
        s.centre = i;
        let (lo_t, hi_t) = (t0.saturating_sub(half_ms), t0.saturating_add(half_ms));
        // Right edge: every sample up to `i`, then the later ones within `hi_t`.
        while s.end <= i || (s.end <= whi && (kind(s.end) & TIMED == 0 || time(s.end) <= hi_t)) {
            let k = kind(s.end);
            if k & DIST != 0 {
                s.dist.push(s.end, time(s.end));
            }
            if k & POS != 0 {
                s.pos.push(s.end, time(s.end));
            }
            s.end += 1;
        }
        // Left edge: past the samples earlier than `lo_t` (never past `i`).
        s.lo = s.lo.max(wlo);
        while s.lo < i && early(s.lo, lo_t) {
            s.lo += 1;
        }
        let dist = s.dist.get(s.lo, s.end, has_dist);
        let pos = s.pos.get(s.lo, s.end, has_pos);
        *slot = window_speed(samples, geo, dist, pos);
        win = Some(s);
    }
    out
}

/// The speed of one window from its earliest and latest samples with distance and position.
fn window_speed(
    samples: &[Sample],
    geo: &OnceCell<Vec<GeoPoint>>,
    dist: Option<(usize, usize)>,
    pos: Option<(usize, usize)>,
) -> Option<f64> {
    let at = |k: usize| samples.get(k);
    if let Some((a, b)) = dist {
        let (sa, sb) = (at(a)?, at(b)?);
        let (ta, tb) = (sa.time_utc_ms?, sb.time_utc_ms?);
        let (da, db) = (finite(sa.distance_m)?, finite(sb.distance_m)?);
        let dt = span_s(ta, tb);
        if dt >= 1.0 && db >= da {
            return check((db - da) / dt);
        }
    }
    if let Some((a, b)) = pos {
        let dt = span_s(at(a)?.time_utc_ms?, at(b)?.time_utc_ms?);
        if dt >= 1.0 {
            let geo = geo.get_or_init(|| geo_points(samples));
            return check(haversine_between(geo, a, b)? / dt);
        }
    }
    None
}

/// Earliest and latest `(time_ms, value)` seen in a window.
type Span<T> = ((i64, T), (i64, T));

/// The speed estimate of sample `i` by scanning its window: used where the window's times go
/// backwards (the sliding window needs them in order).
fn speed_scan_at(samples: &[Sample], i: usize) -> Option<f64> {
    let s = samples.get(i)?;
    if let Some(v) = finite(s.speed_mps).filter(|v| *v >= 0.0) {
        return Some(v);
    }
    let t0 = s.time_utc_ms?;
    let half_ms = (SPEED_HALF_WINDOW_S * 1000.0) as i64;
    let (lo_t, hi_t) = (t0.saturating_sub(half_ms), t0.saturating_add(half_ms));
    let lo = i.saturating_sub(SPEED_WINDOW_MAX_SAMPLES);
    let hi = (i + SPEED_WINDOW_MAX_SAMPLES).min(samples.len() - 1);
    // Earliest and latest (by time) samples in the window with distance, and with position.
    let mut dist: Option<Span<f64>> = None;
    let mut pos: Option<Span<(f64, f64)>> = None;
    for w in samples.get(lo..=hi)? {
        let Some(t) = w.time_utc_ms else { continue };
        if t < lo_t || t > hi_t {
            continue;
        }
        if let Some(d) = finite(w.distance_m) {
            dist = Some(match dist {
                None => ((t, d), (t, d)),
                Some((a, b)) => (
                    if t < a.0 { (t, d) } else { a },
                    if t > b.0 { (t, d) } else { b },
                ),
            });
        }
        if let Some(p) = position(w) {
            pos = Some(match pos {
                None => ((t, p), (t, p)),
                Some((a, b)) => (
                    if t < a.0 { (t, p) } else { a },
                    if t > b.0 { (t, p) } else { b },
                ),
            });
        }
    }
    if let Some(((ta, da), (tb, db))) = dist {
        let dt = span_s(ta, tb);
        if dt >= 1.0 && db >= da {
            return check((db - da) / dt);
        }
    }
    if let Some(((ta, pa), (tb, pb))) = pos {
        let dt = span_s(ta, tb);
        if dt >= 1.0 {
            return check(haversine_m(pa.0, pa.1, pb.0, pb.1)? / dt);
        }
    }
    None
}

/// Distance from each positioned sample to the previous positioned sample (NaN for the first
/// one and for samples without a valid position): one haversine per consecutive pair.
pub(crate) fn position_steps_m(geo: &[GeoPoint]) -> Vec<f64> {
    let mut prev: Option<usize> = None;
    (0..geo.len())
        .map(|i| {
            if !geo[i].valid() {
                return f64::NAN;
            }
            let d = prev
                .and_then(|p| haversine_between(geo, p, i))
                .unwrap_or(f64::NAN);
            prev = Some(i);
            d
        })
        .collect()
}

/// Cumulative jitter-filtered track distance at every sample.
///
/// Walks the positioned samples keeping an *anchor* (the last accepted point). For each next
/// point `p` at distance `d` from the anchor:
/// 1. if both have times and `p` is not later than the anchor (duplicate or backwards time), `p` is
///    skipped;
/// 2. if `d / dt > max_speed_mps` the step is a GPS spike and `p` is skipped (the anchor stays, so
///    a genuine relocation is accepted once enough time has passed);
/// 3. if `p` is stationary (its [speed estimate](speed_estimates_mps) is below
///    [`DEFAULT_STATIONARY_SPEED_MPS`]), the anchor moves to `p` and nothing is added (drift);
/// 4. if `d` < [`MIN_STEP_M`], `p` is skipped (jitter smaller than a step);
/// 5. otherwise `d` is added and the anchor moves to `p`.
///
/// Without times the speed tests are skipped and every step of at least 1 m counts.
///
/// Returns, per sample, the distance so far where the sample has a valid position and was not
/// skipped as a spike or out of order, else `None`.
///
/// **Cost.** Linear; where the anchor is the previous positioned sample (nearly always), `d` is
/// that pair's distance, computed once per pair and shared by every track of the activity.
///
/// # Units
/// Metres; `max_speed_mps` in metres per second (see [`max_speed_mps`]).
///
/// # References
/// Haversine: see [`haversine_m`]. Spike, drift and step rules are ours (`docs/metrics.md`).
pub fn cumulative_track_m(samples: &[Sample], max_speed_mps: f64) -> Vec<Option<f64>> {
    let geo = OnceCell::new();
    let speeds = speed_estimates_with(samples, &geo);
    let geo = geo.get_or_init(|| geo_points(samples));
    let steps = position_steps_m(geo);
    cumulative_track_with(samples, &speeds, geo, &steps, max_speed_mps)
}

/// [`cumulative_track_m`] from the speed estimates, positions ([`geo_points`]) and consecutive
/// distances ([`position_steps_m`]) of the same samples.
pub(crate) fn cumulative_track_with(
    samples: &[Sample],
    speeds: &[Option<f64>],
    geo: &[GeoPoint],
    steps: &[f64],
    max_speed_mps: f64,
) -> Vec<Option<f64>> {
    let max_speed = normalised_max_speed(max_speed_mps);
    let mut out = vec![None; samples.len()];
    let mut total = 0.0_f64;
    // (index, time) of the anchor, and the index of the previous positioned sample.
    let mut anchor: Option<(usize, Option<i64>)> = None;
    let mut prev: Option<usize> = None;
    for (i, s) in samples.iter().enumerate() {
        if !geo.get(i).is_some_and(GeoPoint::valid) {
            continue;
        }
        let after = prev.replace(i);
        let Some((ai, at)) = anchor else {
            anchor = Some((i, s.time_utc_ms));
            out[i] = Some(total);
            continue;
        };
        let d = if after == Some(ai) {
            steps.get(i).copied().and_then(check)
        } else {
            haversine_between(geo, ai, i)
        };
        let Some(d) = d else {
            continue;
        };
        if let (Some(ta), Some(tp)) = (at, s.time_utc_ms) {
            if tp <= ta {
                continue;
            }
            let dt = span_s(ta, tp);
            if d / dt > max_speed {
                continue;
            }
        }
        let stationary = speeds
            .get(i)
            .copied()
            .flatten()
            .is_some_and(|v| v < DEFAULT_STATIONARY_SPEED_MPS);
        if stationary {
            anchor = Some((i, s.time_utc_ms));
        } else if d >= MIN_STEP_M {
            total += d;
            anchor = Some((i, s.time_utc_ms));
        } else {
            continue;
        }
        out[i] = Some(total);
    }
    out
}

/// The spike limit actually used for `max_speed_mps`: itself when finite and > 0, else
/// [`MAX_OTHER_SPEED_MPS`].
pub(crate) fn normalised_max_speed(max_speed_mps: f64) -> f64 {
    if max_speed_mps.is_finite() && max_speed_mps > 0.0 {
        max_speed_mps
    } else {
        MAX_OTHER_SPEED_MPS
    }
}

/// Length of the recorded track with GPS spikes and stationary drift removed.
///
/// The last value of [`cumulative_track_m`]. `None` when no sample has a valid position.
///
/// # Units
/// Metres; `max_speed_mps` in metres per second.
///
/// # References
/// Haversine: see [`haversine_m`]. The filter is ours (documented heuristics).
pub fn track_length_m(samples: &[Sample], max_speed_mps: f64) -> Option<f64> {
    cumulative_track_m(samples, max_speed_mps)
        .into_iter()
        .flatten()
        .last()
        .and_then(check)
}

/// Which samples are moving: speed estimate ≥ `stationary_speed_mps`, or speed unknown, or
/// [climbing or descending](climbing_mask) at ≥ [`CLIMB_MOVING_MPS`] (300 m/h).
///
/// A sample with no speed information at all (treadmill without a foot pod, HR-only files) counts
/// as moving: only pauses (gaps) can then be detected. A non-finite or negative threshold falls
/// back to [`DEFAULT_STATIONARY_SPEED_MPS`].
///
/// # Units
/// `stationary_speed_mps` in metres per second.
///
/// # References
/// Threshold ours (0.5 m/s ≈ 1.8 km/h, slower than any walk); the vertical rule is ours too
/// (issue 16: a 101 km mountain race had 6.5 h "not moving" on its climbs).
pub fn moving_mask(samples: &[Sample], stationary_speed_mps: f64) -> Vec<bool> {
    moving_from_speeds(
        &speed_estimates_mps(samples),
        &climbing_mask(samples),
        stationary_speed_mps,
    )
}

/// [`moving_mask`] from speed estimates already computed with [`speed_estimates_mps`] and the
/// [`climbing_mask`].
pub(crate) fn moving_from_speeds(
    speeds: &[Option<f64>],
    climbing: &[bool],
    stationary_speed_mps: f64,
) -> Vec<bool> {
    let thr = if stationary_speed_mps.is_finite() && stationary_speed_mps >= 0.0 {
        stationary_speed_mps
    } else {
        DEFAULT_STATIONARY_SPEED_MPS
    };
    speeds
        .iter()
        .enumerate()
        .map(|(i, v)| v.is_none_or(|v| v >= thr) || climbing.get(i).copied().unwrap_or(false))
        .collect()
}

/// Which samples climb or descend at ≥ [`CLIMB_MOVING_MPS`] (300 m/h).
///
/// The vertical speed of a timed sample at time `t` is `|alt_b − alt_a| / (t_b − t_a)` between
/// the earliest altitude sample `a` at or after `t − 60 s` and the latest `b` at or before
/// `t + 60 s` ([`CLIMB_HALF_WINDOW_S`]), taken among the samples with a time and a finite
/// altitude whose time is later than every one before them (the time policy's clock); the span
/// `t_b − t_a` must be at least 60 s, so a window cut by a pause or the ends of the recording is
/// not judged. Over two minutes a barometric altimeter's noise (decimetres) is far below the 10 m
/// the threshold needs.
///
/// # Units
/// Seconds and metres in; a mask out.
///
/// # References
/// Ours (docs/metrics.md "Moving time").
pub fn climbing_mask(samples: &[Sample]) -> Vec<bool> {
    let Some((t0, points)) = climb_points(samples) else {
        return vec![false; samples.len()];
    };
    // The window's ends `lo` (first point at or after t - W) and `hi` (first point after
    // t + W) move forward with the samples' times, so the whole pass is linear; a sample whose
    // time goes back (a clock jump) finds them again by binary search. Same ends either way.
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut last_t = f64::NEG_INFINITY;
    samples
        .iter()
        .map(|s| {
            let Some(t) = s.time_utc_ms.map(|t| span_s(t0, t)) else {
                return false;
            };
            if t >= last_t {
                while lo < points.len() && points[lo].0 < t - CLIMB_HALF_WINDOW_S {
                    lo += 1;
                }
                while hi < points.len() && points[hi].0 <= t + CLIMB_HALF_WINDOW_S {
                    hi += 1;
                }
            } else {
                lo = points.partition_point(|p| p.0 < t - CLIMB_HALF_WINDOW_S);
                hi = points.partition_point(|p| p.0 <= t + CLIMB_HALF_WINDOW_S);
            }
            last_t = t;
            climbs_over(&points[lo.min(hi)..hi])
        })
        .collect()
}

/// True when the altitude points of a window (oldest first) span at least
/// `CLIMB_HALF_WINDOW_S` and climb or descend at `CLIMB_MOVING_MPS` or more between its ends.
fn climbs_over(window: &[(f64, f64)]) -> bool {
    let (Some(&a), Some(&b)) = (window.first(), window.last()) else {
        return false;
    };
    let span = b.0 - a.0;
    window.len() >= 2 && span >= CLIMB_HALF_WINDOW_S && (b.1 - a.1).abs() / span >= CLIMB_MOVING_MPS
}

/// The altitude points [`climbing_mask`] measures vertical speed over: `(seconds since the first
/// timed sample, altitude_m)` of the samples whose clock advances, with the first time (ms);
/// `None` with fewer than two.
fn climb_points(samples: &[Sample]) -> Option<(i64, Vec<(f64, f64)>)> {
    let t0 = samples.iter().find_map(|s| s.time_utc_ms)?;
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut clock: Option<i64> = None;
    for s in samples {
        let Some(t) = s.time_utc_ms else { continue };
        if clock.is_some_and(|c| t <= c) {
            continue;
        }
        clock = Some(t);
        if let Some(alt) = finite(s.altitude_m) {
            points.push((span_s(t0, t), alt));
        }
    }
    (points.len() >= 2).then_some((t0, points))
}

/// Moving time: the counted intervals (gaps ≤ [`super::MAX_GAP_S`], time advancing) whose closing
/// sample is moving (see [`moving_mask`]).
///
/// Always `0 ≤ moving_s ≤ elapsed_s`. Returns 0 for fewer than two timed samples.
///
/// # Units
/// Seconds; `stationary_speed_mps` in metres per second (default
/// [`DEFAULT_STATIONARY_SPEED_MPS`]).
///
/// # References
/// Gap and speed rules ours; see `docs/metrics.md` "Moving time".
pub fn moving_s(samples: &[Sample], stationary_speed_mps: f64) -> f64 {
    let moving = moving_mask(samples, stationary_speed_mps);
    counted_intervals(samples)
        .iter()
        .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
        .map(|iv| iv.dt_s)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::elapsed_s;
    use super::super::testutil::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn haversine_one_degree() {
        // 1° of arc = R·π/180 = 6_371_008.8 × 0.017453292519943295 = 111_195.0797 m
        let d = haversine_m(0.0, 0.0, 1.0, 0.0).unwrap();
        assert!((d - 111_195.079_7).abs() < 1e-3, "{d}");
        let e = haversine_m(0.0, 0.0, 0.0, 1.0).unwrap();
        assert!((e - d).abs() < 1e-6);
        // symmetric, zero on the same point
        assert_eq!(haversine_m(10.0, 20.0, 10.0, 20.0), Some(0.0));
        let ab = haversine_m(45.0, 7.0, 45.1, 7.2).unwrap();
        let ba = haversine_m(45.1, 7.2, 45.0, 7.0).unwrap();
        assert!((ab - ba).abs() < 1e-9);
        // antipodes: half circumference π·R = 20_015_114.4 m
        let h = haversine_m(0.0, 0.0, 0.0, 180.0).unwrap();
        assert!((h - 20_015_114.35).abs() < 0.1, "{h}");
    }

    #[test]
    fn haversine_rejects_bad_input() {
        assert_eq!(haversine_m(f64::NAN, 0.0, 0.0, 0.0), None);
        assert_eq!(haversine_m(0.0, f64::INFINITY, 0.0, 0.0), None);
        assert_eq!(haversine_m(91.0, 0.0, 0.0, 0.0), None);
        assert_eq!(haversine_m(0.0, 0.0, 0.0, -181.0), None);
    }

    /// 1 Hz samples moving north by `step_deg` latitude per second.
    fn north(n: usize, step_deg: f64) -> Vec<Sample> {
        series(n, 1.0, |i, s| {
            s.lat_deg = Some(45.0 + i as f64 * step_deg);
            s.lon_deg = Some(7.0);
        })
    }

    #[test]
    fn straight_track_length() {
        // 11 points, 10 steps of 0.00003° = 0.00003 × 111_195.08 = 3.33585 m → 33.3585 m
        let s = north(11, 0.00003);
        let len = track_length_m(&s, MAX_FOOT_SPEED_MPS).unwrap();
        assert!((len - 33.3585).abs() < 1e-3, "{len}");
    }

    #[test]
    fn spike_is_ignored() {
        let mut s = north(11, 0.00003);
        // sample 5 jumps ~1.1 km east: 1100 m in 1 s is far above 12 m/s
        s[5].lon_deg = Some(7.014);
        let len = track_length_m(&s, MAX_FOOT_SPEED_MPS).unwrap();
        // the anchor stays at sample 4 and the next step goes 4 → 6 on the same straight line
        assert!((len - 33.3585).abs() < 1e-3, "{len}");
    }

    #[test]
    fn stationary_drift_is_not_accumulated() {
        // 60 s standing still with the fix wandering ±0.000005° (±0.56 m) in a cycle of 4
        let offs = [0.0, 0.000005, 0.0, -0.000005];
        let s = series(60, 1.0, |i, s| {
            s.lat_deg = Some(45.0 + offs[i % 4]);
            s.lon_deg = Some(7.0 + offs[(i + 1) % 4]);
        });
        assert_eq!(track_length_m(&s, MAX_FOOT_SPEED_MPS), Some(0.0));
        // but summing raw steps would give ~0.8 m × 59
        assert!(moving_s(&s, DEFAULT_STATIONARY_SPEED_MPS) < 1e-9);
    }

    #[test]
    fn device_speed_drives_stationary() {
        // moving positions but the device says 0 m/s: drift, not distance
        let mut s = north(11, 0.00003);
        for x in &mut s {
            x.speed_mps = Some(0.0);
        }
        assert_eq!(track_length_m(&s, MAX_FOOT_SPEED_MPS), Some(0.0));
    }

    #[test]
    fn track_edge_cases() {
        assert_eq!(track_length_m(&[], 12.0), None);
        assert_eq!(track_length_m(&[at(0.0)], 12.0), None);
        let one = north(1, 0.0);
        assert_eq!(track_length_m(&one, 12.0), Some(0.0));
        // backwards time: the out-of-order point is skipped
        let mut s = north(5, 0.00003);
        s[2].time_utc_ms = s[0].time_utc_ms;
        let len = track_length_m(&s, f64::NAN).unwrap();
        assert!(len.is_finite() && len > 0.0);
    }

    #[test]
    fn speed_from_device_distance() {
        // distance grows 3 m per second: window speed 3 m/s
        let s = series(20, 1.0, |i, s| s.distance_m = Some(3.0 * i as f64));
        let v = speed_estimates_mps(&s);
        for x in v {
            assert!((x.unwrap() - 3.0).abs() < 1e-9);
        }
    }

    #[test]
    fn climbing_counts_as_moving() {
        // 20 min hiking up a steep slope: 0.3 m/s horizontal (below 0.5 m/s), 0.12 m/s up
        // (432 m/h ≥ 300 m/h); then 10 min standing with ±0.4 m of altimeter noise; then
        // 10 min on the flat at 0.3 m/s (slow, no climb).
        let s = series(2401, 1.0, |i, x| {
            x.speed_mps = Some(if (1200..1800).contains(&i) { 0.0 } else { 0.3 });
            x.altitude_m = Some(if i < 1200 {
                i as f64 * 0.12
            } else {
                144.0 + if i % 2 == 0 { 0.4 } else { -0.4 }
            });
        });
        let c = climbing_mask(&s);
        assert!(c[..1140].iter().all(|&b| b), "the climb");
        assert!(c[1300..].iter().all(|&b| !b), "standing and the flat");
        // the climb's 1199 s count, less the last ~20 s before the top, where the window reaches
        // into the flat and its mean vertical speed drops under 300 m/h
        let mv = moving_s(&s, DEFAULT_STATIONARY_SPEED_MPS);
        assert!((1150.0..=1240.0).contains(&mv), "{mv}");
        // without altitude nothing would move
        let flat: Vec<Sample> = s
            .iter()
            .map(|x| Sample {
                altitude_m: None,
                ..x.clone()
            })
            .collect();
        assert_eq!(moving_s(&flat, DEFAULT_STATIONARY_SPEED_MPS), 0.0);
        assert!(climbing_mask(&[]).is_empty());
    }

    /// The window search by binary search for every sample, as it was written first.
    fn climbing_mask_by_search(samples: &[Sample]) -> Vec<bool> {
        let Some((t0, points)) = climb_points(samples) else {
            return vec![false; samples.len()];
        };
        samples
            .iter()
            .map(|s| {
                let Some(t) = s.time_utc_ms.map(|t| span_s(t0, t)) else {
                    return false;
                };
                let lo = points.partition_point(|p| p.0 < t - CLIMB_HALF_WINDOW_S);
                let hi = points.partition_point(|p| p.0 <= t + CLIMB_HALF_WINDOW_S);
                climbs_over(&points[lo.min(hi)..hi])
            })
            .collect()
    }

    #[test]
    fn climbing_mask_linear_pass_equals_the_search() {
        // A climb, a clock that jumps back 10 minutes and forward again, samples without time
        // or altitude, uneven steps: the two-pointer pass finds the same windows.
        let mut s = series(3000, 1.0, |i, x| {
            x.speed_mps = Some(0.3);
            x.altitude_m = (i % 97 != 0).then_some((i as f64 * 0.13).sin() * 3.0 + i as f64 * 0.1);
        });
        for (i, x) in s.iter_mut().enumerate() {
            if let Some(t) = x.time_utc_ms.as_mut() {
                if (1500..1700).contains(&i) {
                    *t -= 600_000;
                }
                *t += (i as i64 % 7) * 300;
            }
            if i % 211 == 0 {
                x.time_utc_ms = None;
            }
        }
        let fast = climbing_mask(&s);
        assert_eq!(fast, climbing_mask_by_search(&s));
        assert!(fast.iter().any(|&b| b) && fast.iter().any(|&b| !b));
    }

    #[test]
    fn moving_time_hand_case() {
        // t = 0..=100 running (device 3 m/s): 100 intervals of 1 s → 100 s
        // t = 101..=130 standing (0 m/s): 30 intervals, not counted
        // t = 190..=210 running: the 60 s gap 130→190 is a pause; 20 intervals of 1 s → 20 s
        let mut s = Vec::new();
        for t in 0..=100 {
            let mut x = at(t as f64);
            x.speed_mps = Some(3.0);
            s.push(x);
        }
        for t in 101..=130 {
            let mut x = at(t as f64);
            x.speed_mps = Some(0.0);
            s.push(x);
        }
        for t in 190..=210 {
            let mut x = at(t as f64);
            x.speed_mps = Some(3.0);
            s.push(x);
        }
        assert_eq!(moving_s(&s, DEFAULT_STATIONARY_SPEED_MPS), 120.0);
        assert_eq!(elapsed_s(&s), 210.0);
    }

    #[test]
    fn moving_without_speed_counts_time() {
        // HR-only file, samples every 2 s for 60 s: 30 intervals × 2 s
        let s = series(31, 2.0, |_, s| s.hr_bpm = Some(120.0));
        assert_eq!(moving_s(&s, 0.5), 60.0);
        assert_eq!(moving_s(&[], 0.5), 0.0);
        assert_eq!(moving_s(&s[..1], 0.5), 0.0);
    }

    fn arb_sample() -> impl Strategy<Value = (i64, Option<f64>, Option<(f64, f64)>)> {
        (
            -3000i64..15000,
            prop::option::of(prop_oneof![0.0..8.0, Just(f64::NAN), Just(f64::INFINITY)]),
            prop::option::of((-0.001f64..0.001, -0.001f64..0.001)),
        )
    }

    proptest! {
        #[test]
        fn moving_never_exceeds_elapsed(steps in prop::collection::vec(arb_sample(), 0..80)) {
            let mut t = 0i64;
            let s: Vec<Sample> = steps.iter().map(|&(dt, v, p)| {
                t += dt;
                Sample {
                    time_utc_ms: Some(t),
                    speed_mps: v,
                    lat_deg: p.map(|p| 45.0 + p.0),
                    lon_deg: p.map(|p| 7.0 + p.1),
                    ..Sample::default()
                }
            }).collect();
            let m = moving_s(&s, 0.5);
            prop_assert!(m.is_finite() && m >= 0.0);
            prop_assert!(m <= elapsed_s(&s) + 1e-9);
            if let Some(len) = track_length_m(&s, 12.0) {
                prop_assert!(len.is_finite() && len >= 0.0);
            }
        }
    }
}
