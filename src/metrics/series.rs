//! What the per-activity metrics share, computed once per activity.
//!
//! [`Series::new`] walks an activity's samples for the counted intervals (the time policy of
//! [`super`]), the speed estimate of every sample ([`super::distance::speed_estimates_mps`], linear) and
//! the moving mask. The jitter-filtered GPS track, the consecutive position distances it is made
//! of, and the moving intervals with a speed (pace surges and the warm-up) are computed on first
//! use and kept. `summary::summarize` builds one `Series` per activity and hands it to every
//! metric, so no per-sample quantity is computed twice and no metric rescans the samples around
//! each sample. Every metric that takes a `Series` gives the same result, bit for bit, as its
//! sample-slice form (tested in `metrics::reference` against the straightforward
//! implementations).

use super::distance::{
    climbing_mask, cumulative_track_with, geo_points, moving_from_speeds, normalised_max_speed,
    position_steps_m, speed_estimates_with, GeoPoint, DEFAULT_STATIONARY_SPEED_MPS,
    MAX_FOOT_SPEED_MPS,
};
use super::{check, counted_intervals, finite, median, span_s, Interval};
use crate::model::Sample;
use std::borrow::Cow;
use std::cell::OnceCell;

/// One moving interval with a plausible speed: `(interval, end time in s from the first sample,
/// speed in m/s)`.
pub(crate) type SpeedInterval = (Interval, f64, f64);

/// The moving intervals with a speed ≤ 12 m/s, and the median of their speeds.
#[derive(Clone, Debug, Default)]
pub(crate) struct SpeedIntervals {
    pub items: Vec<SpeedInterval>,
    /// Median of the running speeds (≥ 2.0 m/s, `intensity::RUNNING_MIN_SPEED_MPS`): stops and
    /// walking excluded; `None` unless > 0.
    pub running_median_mps: Option<f64>,
}

/// The median of the running speeds (≥ [`super::distance::RUNNING_MIN_SPEED_MPS`]) among `speeds`; `None` unless
/// there is one and it is > 0.
pub(crate) fn running_median(speeds: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = speeds
        .filter(|v| *v >= super::distance::RUNNING_MIN_SPEED_MPS)
        .collect();
    median(&v).filter(|m| *m > 0.0)
}

/// An activity's samples with what the metrics share (see the module documentation).
#[derive(Debug)]
pub struct Series<'a> {
    samples: &'a [Sample],
    intervals: Vec<Interval>,
    speeds: Vec<Option<f64>>,
    climbing: Vec<bool>,
    moving: Vec<bool>,
    t0_ms: Option<i64>,
    geo: OnceCell<Vec<GeoPoint>>,
    steps: OnceCell<Vec<f64>>,
    foot_track: OnceCell<Vec<Option<f64>>>,
    speed_intervals: OnceCell<SpeedIntervals>,
    xs: OnceCell<Vec<Option<f64>>>,
    elevation_profile: OnceCell<Vec<(f64, f64, Option<f64>)>>,
}

impl<'a> Series<'a> {
    /// Intervals, speeds and moving mask (at [`DEFAULT_STATIONARY_SPEED_MPS`]) of `samples`.
    pub fn new(samples: &'a [Sample]) -> Series<'a> {
        let geo = OnceCell::new();
        let speeds = speed_estimates_with(samples, &geo);
        let climbing = climbing_mask(samples);
        let moving = moving_from_speeds(&speeds, &climbing, DEFAULT_STATIONARY_SPEED_MPS);
        Series {
            samples,
            intervals: counted_intervals(samples),
            speeds,
            climbing,
            moving,
            t0_ms: samples.iter().find_map(|s| s.time_utc_ms),
            geo,
            steps: OnceCell::new(),
            foot_track: OnceCell::new(),
            speed_intervals: OnceCell::new(),
            xs: OnceCell::new(),
            elevation_profile: OnceCell::new(),
        }
    }

    /// The samples.
    pub fn samples(&self) -> &'a [Sample] {
        self.samples
    }

    /// The counted intervals ([`super::counted_intervals`]).
    pub fn intervals(&self) -> &[Interval] {
        &self.intervals
    }

    /// The speed estimate of every sample ([`super::distance::speed_estimates_mps`]).
    pub fn speeds(&self) -> &[Option<f64>] {
        &self.speeds
    }

    /// Which samples move at the default threshold ([`super::distance::moving_mask`] at 0.5 m/s).
    pub fn moving(&self) -> &[bool] {
        &self.moving
    }

    /// Which samples move at a given threshold: the kept mask at the default one.
    pub fn moving_at(&self, stationary_speed_mps: f64) -> Cow<'_, [bool]> {
        let thr = if stationary_speed_mps.is_finite() && stationary_speed_mps >= 0.0 {
            stationary_speed_mps
        } else {
            DEFAULT_STATIONARY_SPEED_MPS
        };
        if thr == DEFAULT_STATIONARY_SPEED_MPS {
            Cow::Borrowed(&self.moving)
        } else {
            Cow::Owned(moving_from_speeds(&self.speeds, &self.climbing, thr))
        }
    }

    /// Time of the first timed sample, in file order.
    pub fn t0_ms(&self) -> Option<i64> {
        self.t0_ms
    }

    /// Moving time ([`super::distance::moving_s`] at the default threshold), seconds.
    pub fn moving_s(&self) -> f64 {
        self.intervals
            .iter()
            .filter(|iv| self.moving.get(iv.end).copied().unwrap_or(false))
            .map(|iv| iv.dt_s)
            .sum()
    }

    /// The counted intervals whose closing sample moves at the threshold.
    pub fn moving_intervals(&self, stationary_speed_mps: f64) -> Vec<Interval> {
        let moving = self.moving_at(stationary_speed_mps);
        self.intervals
            .iter()
            .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
            .copied()
            .collect()
    }

    fn geo(&self) -> &[GeoPoint] {
        self.geo.get_or_init(|| geo_points(self.samples))
    }

    fn steps(&self) -> &[f64] {
        self.steps.get_or_init(|| position_steps_m(self.geo()))
    }

    /// [`super::distance::cumulative_track_m`]; the one at the on-foot limit (12 m/s, which steep
    /// descent uses) is kept.
    pub fn cumulative_track_m(&self, max_speed_mps: f64) -> Cow<'_, [Option<f64>]> {
        let max = normalised_max_speed(max_speed_mps);
        let track =
            || cumulative_track_with(self.samples, &self.speeds, self.geo(), self.steps(), max);
        if max == MAX_FOOT_SPEED_MPS {
            Cow::Borrowed(self.foot_track.get_or_init(track))
        } else {
            Cow::Owned(track())
        }
    }

    /// [`super::distance::track_length_m`].
    pub fn track_length_m(&self, max_speed_mps: f64) -> Option<f64> {
        self.cumulative_track_m(max_speed_mps)
            .iter()
            .flatten()
            .last()
            .copied()
            .and_then(check)
    }

    /// The horizontal position of every sample ([`sample_x`]: steep descent and the grades of
    /// the surge rule share it).
    pub(crate) fn sample_x(&self) -> &[Option<f64>] {
        self.xs.get_or_init(|| sample_x(self))
    }

    /// The altitude profile against [`Series::sample_x`] ([`profile_with`]).
    pub(crate) fn elevation_profile(&self) -> &[(f64, f64, Option<f64>)] {
        self.elevation_profile
            .get_or_init(|| profile_with(self, self.sample_x()))
    }

    /// The moving intervals with a speed ≤ 12 m/s and their median speed (surges, warm-up).
    pub(crate) fn speed_intervals(&self) -> &SpeedIntervals {
        self.speed_intervals.get_or_init(|| {
            let mut items: Vec<SpeedInterval> = Vec::with_capacity(self.intervals.len());
            for iv in &self.intervals {
                if !self.moving.get(iv.end).copied().unwrap_or(false) {
                    continue;
                }
                let Some(v) = self.speeds.get(iv.end).copied().flatten() else {
                    continue;
                };
                let Some(t) = self.samples.get(iv.end).and_then(|s| s.time_utc_ms) else {
                    continue;
                };
                let Some(t0) = self.t0_ms else { continue };
                if v <= MAX_FOOT_SPEED_MPS {
                    items.push((*iv, span_s(t0, t), v));
                }
            }
            let running_median_mps = running_median(items.iter().map(|x| x.2));
            SpeedIntervals {
                items,
                running_median_mps,
            }
        })
    }
}

/// Altitudes beyond ±this are treated as missing, in metres (keeps sums finite).
const MAX_ABS_ALTITUDE_M: f64 = 1.0e6;

/// The horizontal position of every sample: the device distance when any sample has one, else
/// the jitter-filtered GPS track at the on-foot limit.
fn sample_x(series: &Series<'_>) -> Vec<Option<f64>> {
    let samples = series.samples();
    let use_device = samples.iter().any(|s| finite(s.distance_m).is_some());
    if use_device {
        samples.iter().map(|s| finite(s.distance_m)).collect()
    } else {
        let track = series.cumulative_track_m(MAX_FOOT_SPEED_MPS);
        (0..samples.len())
            .map(|i| track.get(i).copied().flatten())
            .collect()
    }
}

/// Profile points `(x_m, altitude_m, time_s)` with non-decreasing `x`, `x` from `xs`
/// ([`sample_x`]; [`Series::elevation_profile`] keeps it; steep descent and the grades
/// of `super::elevation` read it).
fn profile_with(series: &Series<'_>, xs: &[Option<f64>]) -> Vec<(f64, f64, Option<f64>)> {
    profile_points(series.samples(), series.t0_ms(), xs)
}

/// The profile points of `samples` at positions `xs` (one per sample; `None` or a missing entry
/// leaves the sample out), times counted from `t0_ms`: samples without a plausible altitude are
/// left out, a point that goes back is dropped and one at the same `x` replaces the previous one.
/// Shared with the reference implementation, which computes its `xs` its own way.
pub(crate) fn profile_points(
    samples: &[Sample],
    t0_ms: Option<i64>,
    xs: &[Option<f64>],
) -> Vec<(f64, f64, Option<f64>)> {
    let mut out: Vec<(f64, f64, Option<f64>)> = Vec::with_capacity(samples.len());
    for (i, s) in samples.iter().enumerate() {
        let x = xs.get(i).copied().flatten();
        let alt = finite(s.altitude_m).filter(|a| a.abs() <= MAX_ABS_ALTITUDE_M);
        let (Some(x), Some(a)) = (x, alt) else {
            continue;
        };
        let t = match (s.time_utc_ms, t0_ms) {
            (Some(t), Some(t0)) => Some(span_s(t0, t)),
            _ => None,
        };
        match out.last_mut() {
            Some(prev) if x < prev.0 => {}
            Some(prev) if x == prev.0 => *prev = (x, a, t),
            _ => out.push((x, a, t)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::distance;
    use super::super::testutil::*;
    use super::*;
    use crate::model::Sample;

    #[test]
    fn series_caches_agree_with_the_functions() {
        // 1 Hz walk north at 1.1 m/s with a 30 s stop and a 20 s pause
        let mut s: Vec<Sample> = series(400, 1.0, |i, s| {
            let moving = !(100..130).contains(&i);
            let k = if i < 100 {
                i
            } else if i < 130 {
                100
            } else {
                i - 30
            };
            s.lat_deg = Some(45.0 + k as f64 * 0.00001);
            s.lon_deg = Some(7.0);
            if !moving {
                s.lat_deg = Some(45.001);
            }
        });
        for x in s.iter_mut().skip(300) {
            x.time_utc_ms = x.time_utc_ms.map(|t| t + 20_000);
        }
        let sr = Series::new(&s);
        assert_eq!(sr.speeds(), distance::speed_estimates_mps(&s).as_slice());
        assert_eq!(sr.moving_s(), distance::moving_s(&s, 0.5));
        assert_eq!(
            sr.cumulative_track_m(12.0).as_ref(),
            distance::cumulative_track_m(&s, 12.0).as_slice()
        );
        assert_eq!(
            sr.cumulative_track_m(f64::NAN).as_ref(),
            distance::cumulative_track_m(&s, 30.0).as_slice()
        );
        assert_eq!(sr.track_length_m(12.0), distance::track_length_m(&s, 12.0));
        assert_eq!(sr.moving_at(f64::NAN).as_ref(), sr.moving());
        assert_eq!(
            sr.moving_at(2.0).as_ref(),
            distance::moving_mask(&s, 2.0).as_slice()
        );
        assert!(sr.moving_intervals(0.5).len() < sr.intervals().len());
    }
}
