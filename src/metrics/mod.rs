//! Per-activity metrics: pure functions over an activity's samples.
//!
//! One module per family. Every function here:
//! - takes SI inputs and returns SI outputs, with the unit in the name (`_m`, `_s`, `_bpm`, `_c`);
//! - never panics, whatever the input (empty slices, one sample, `None` everywhere, time going
//!   backwards, NaN or infinite values);
//! - never returns NaN or an infinity: where a value cannot be computed it returns `None` (or 0
//!   for sums over nothing, as documented per function).
//!
//! The formulas, thresholds and citations are in `docs/metrics.md`, with full references.
//!
//! # Time policy shared by all time-weighted metrics
//! Samples without a time are ignored. The time series is walked in file order keeping a clock
//! (the latest time seen so far). A sample whose time is later than the clock closes an
//! *interval* of `dt = time − clock`; the clock then moves to its time. Intervals longer than
//! [`MAX_GAP_S`] are pauses (auto-pause, lost signal) and are not counted. Samples whose time is
//! not later than the clock (duplicate or backwards time) close no interval. Each counted interval
//! takes its values (speed, HR, cadence, temperature) from the sample that closes it. With this
//! rule the counted time can never exceed the elapsed time `max(time) − min(time)`, and cutting a
//! series at a sample `k` whose time is the latest so far into `samples[..=k]` and `samples[k..]`
//! (sample `k` in both) splits every time-weighted sum exactly in two.

pub mod cadence;
pub mod distance;
pub mod elevation;
pub mod finish;
pub mod heat;
pub mod hr;
pub mod hrtime;
pub mod intensity;
pub mod load;
pub mod profile;
pub mod record;
pub mod reduce;
#[cfg(test)]
mod reference;
pub mod series;
pub mod sweat;

use crate::model::Sample;

/// Longest interval between two samples that still counts as recorded time, in seconds.
///
/// Longer intervals are pauses (auto-pause, stopped watch, lost signal) and contribute nothing to
/// moving time, time in zones, TRIMP, heat minutes or cadence.
pub const MAX_GAP_S: f64 = 10.0;

/// One counted interval of the time series (see the module's time policy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Index of the sample that closes the interval (its values describe the interval).
    pub end: usize,
    /// Duration of the interval in seconds, in `(0, MAX_GAP_S]`.
    pub dt_s: f64,
}

/// The counted intervals of a series: time advancing by at most [`MAX_GAP_S`] seconds.
///
/// # Units
/// `dt_s` in seconds.
///
/// # References
/// Policy ours; see the module documentation and `docs/metrics.md` "Time policy".
pub fn counted_intervals(samples: &[Sample]) -> Vec<Interval> {
    let mut out = Vec::with_capacity(samples.len());
    let mut clock: Option<i64> = None;
    for (i, s) in samples.iter().enumerate() {
        let Some(t) = s.time_utc_ms else { continue };
        match clock {
            None => clock = Some(t),
            Some(c) if t > c => {
                // i128 so that absurd times (i64::MIN .. i64::MAX) cannot overflow.
                let dt_s = span_s(c, t);
                if dt_s <= MAX_GAP_S {
                    out.push(Interval { end: i, dt_s });
                }
                clock = Some(t);
            }
            Some(_) => {}
        }
    }
    out
}

/// Elapsed (wall-clock) time of a series: latest minus earliest sample time, pauses included.
///
/// Returns 0 when fewer than two samples have a time.
///
/// # Units
/// Seconds.
///
/// # References
/// Same as the device's elapsed (wall-clock) time, FIT `total_elapsed_time`.
pub fn elapsed_s(samples: &[Sample]) -> f64 {
    let mut times = samples.iter().filter_map(|s| s.time_utc_ms);
    let Some(first) = times.next() else {
        return 0.0;
    };
    let (lo, hi) = times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t)));
    span_s(lo, hi)
}

/// Seconds from `a_ms` to `b_ms` (negative if `b` is earlier); never overflows.
///
/// The difference is taken in `i64` when it fits (always, for real times) and in `i128`
/// otherwise; both convert the same integer to `f64`, so the result is the same bit for bit
/// (the `i128` conversion alone was 4 % of the GPX profile).
#[inline]
pub(crate) fn span_s(a_ms: i64, b_ms: i64) -> f64 {
    match b_ms.checked_sub(a_ms) {
        Some(d) => d as f64 / 1000.0,
        None => (i128::from(b_ms) - i128::from(a_ms)) as f64 / 1000.0,
    }
}

/// Time-weighted mean `Σ v·dt / Σ dt` of `(value, dt_s)` pairs; `None` when `Σ dt` is 0.
pub(crate) fn time_weighted_mean(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (sum, secs) = pairs
        .into_iter()
        .fold((0.0, 0.0), |(s, t), (v, dt)| (s + v * dt, t + dt));
    if secs > 0.0 {
        check(sum / secs)
    } else {
        None
    }
}

/// A value if it is present and finite.
pub(crate) fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// A finite result, or `None`.
pub(crate) fn check(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Median of finite values; `None` when empty.
///
/// The middle order statistics are selected (`select_nth_unstable`, linear time) rather than
/// sorted: in the total order of `f64` an order statistic is one value, bit for bit, however it
/// is found.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    // Selection on integer keys ordered as `total_cmp` orders the values (the same bijection
    // `total_cmp` uses), which compare faster than the floats.
    let key = |x: f64| {
        let b = x.to_bits() as i64;
        b ^ ((((b >> 63) as u64) >> 1) as i64)
    };
    let value = |k: i64| f64::from_bits((k ^ ((((k >> 63) as u64) >> 1) as i64)) as u64);
    let mut v: Vec<i64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .map(key)
        .collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    let (below, mid, _) = v.select_nth_unstable(n / 2);
    let mid = value(*mid);
    let m = if n % 2 == 1 {
        mid
    } else {
        // the largest of the lower half is order statistic n/2 − 1
        let lower = below.iter().copied().max().map_or(mid, value);
        (lower + mid) / 2.0
    };
    check(m)
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Builders for test series.
    use crate::model::Sample;

    /// A sample at `t_s` seconds after a fixed epoch.
    pub fn at(t_s: f64) -> Sample {
        Sample {
            time_utc_ms: Some(1_700_000_000_000 + (t_s * 1000.0).round() as i64),
            ..Sample::default()
        }
    }

    /// Samples every `dt_s` seconds, `n` of them, with a function filling each one.
    pub fn series(n: usize, dt_s: f64, mut f: impl FnMut(usize, &mut Sample)) -> Vec<Sample> {
        (0..n)
            .map(|i| {
                let mut s = at(i as f64 * dt_s);
                f(i, &mut s);
                s
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn intervals_skip_gaps_and_backwards_time() {
        // times 0, 1, 2, 20 (gap 18 s: pause), 21, 19 (backwards: ignored), 22
        let s: Vec<Sample> = [0.0, 1.0, 2.0, 20.0, 21.0, 19.0, 22.0]
            .iter()
            .map(|&t| at(t))
            .collect();
        let iv = counted_intervals(&s);
        let ends: Vec<usize> = iv.iter().map(|i| i.end).collect();
        assert_eq!(ends, vec![1, 2, 4, 6]);
        let total: f64 = iv.iter().map(|i| i.dt_s).sum();
        // 1 + 1 + 1 + 1 = 4 counted seconds; elapsed 22 − 0 = 22
        assert_eq!(total, 4.0);
        assert_eq!(elapsed_s(&s), 22.0);
    }

    #[test]
    fn intervals_of_nothing() {
        assert!(counted_intervals(&[]).is_empty());
        assert!(counted_intervals(&[at(0.0)]).is_empty());
        assert!(counted_intervals(&[Sample::default(), Sample::default()]).is_empty());
        assert_eq!(elapsed_s(&[]), 0.0);
        assert_eq!(elapsed_s(&[at(5.0)]), 0.0);
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let s = vec![
            Sample {
                time_utc_ms: Some(i64::MIN),
                ..Sample::default()
            },
            Sample {
                time_utc_ms: Some(i64::MAX),
                ..Sample::default()
            },
        ];
        assert!(counted_intervals(&s).is_empty());
        assert!(elapsed_s(&s).is_finite());
    }

    #[test]
    fn median_works() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 1.0]), Some(1.0));
    }

    /// The sort-based form `median` replaced.
    fn sorted_median(values: &[f64]) -> Option<f64> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => check(v[n / 2]),
            _ => check((v[n / 2 - 1] + v[n / 2]) / 2.0),
        }
    }

    proptest! {
        /// Selection gives the sorted median, bit for bit.
        #[test]
        fn median_equals_its_sorted_form(
            values in prop::collection::vec(prop_oneof![
                4 => (0u32..40).prop_map(f64::from),
                4 => -1e3f64..1e3,
                1 => Just(f64::NAN),
                1 => Just(-0.0),
            ], 0..200),
        ) {
            let m = median(&values);
            prop_assert_eq!(m.map(f64::to_bits), sorted_median(&values).map(f64::to_bits));
        }
    }

    fn wild() -> impl Strategy<Value = Option<f64>> {
        prop::option::of(prop_oneof![
            4 => -100.0f64..300.0,
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(f64::MAX),
            1 => Just(0.0),
        ])
    }

    fn wild_sample() -> impl Strategy<Value = Sample> {
        (
            prop::option::of(-5_000i64..15_000),
            (wild(), wild(), wild(), wild()),
            (wild(), wild(), wild(), wild()),
        )
            .prop_map(|(dt, (lat, lon, alt, dist), (v, hr, cad, temp))| Sample {
                time_utc_ms: dt,
                lat_deg: lat.map(|x| x / 3.0),
                lon_deg: lon,
                altitude_m: alt,
                distance_m: dist,
                speed_mps: v.map(|x| x / 20.0),
                hr_bpm: hr,
                cadence_spm: cad,
                temp_c: temp.map(|x| x / 5.0),
                power_w: None,
            })
    }

    fn fin(x: f64) -> bool {
        x.is_finite()
    }

    fn fin_opt(x: Option<f64>) -> bool {
        x.is_none_or(f64::is_finite)
    }

    proptest! {
        /// Whatever the input, no metric panics or returns NaN or an infinity.
        #[test]
        fn no_metric_returns_nan(raw in prop::collection::vec(wild_sample(), 0..60)) {
            // make times cumulative (with backwards steps) where present
            let mut t = 0i64;
            let s: Vec<Sample> = raw
                .into_iter()
                .map(|mut x| {
                    if let Some(dt) = x.time_utc_ms {
                        t += dt;
                        x.time_utc_ms = Some(t);
                    }
                    x
                })
                .collect();
            prop_assert!(fin(elapsed_s(&s)));
            prop_assert!(fin(distance::moving_s(&s, 0.5)));
            prop_assert!(fin_opt(distance::track_length_m(&s, 12.0)));
            prop_assert!(distance::speed_estimates_mps(&s).into_iter().all(fin_opt));
            let (a, d) = elevation::ascent_descent_m(&s, 3.0);
            prop_assert!(fin(a) && fin(d));
            let sd = elevation::steep_descent(&s, -0.1, 50.0);
            prop_assert!(fin(sd.descent_m) && fin(sd.dist_m) && fin_opt(sd.duration_s));
            prop_assert!(fin(sd.profile_descent_m));
            let z = hr::Zones::reserve(50.0, 190.0).unwrap();
            prop_assert!(hr::time_in_zones_s(&s, &z).iter().all(|x| fin(*x)));
            prop_assert!(fin_opt(hr::trimp_banister(&s, 50.0, 190.0, None)));
            prop_assert!(fin_opt(hr::trimp_edwards(&s, 190.0)));
            prop_assert!(fin_opt(hr::hr_max_estimate_bpm([s.as_slice()])));
            let p = load::LoadParams {
                hr_rest_bpm: Some(50.0),
                hr_max_bpm: Some(190.0),
                threshold_speed_mps: Some(4.0),
                ..load::LoadParams::default()
            };
            prop_assert!(fin(load::load(&s, &p).0));
            prop_assert!(fin(load::load(&s, &load::LoadParams::default()).0));
            let h = intensity::hardness(&s, Some(190.0));
            prop_assert!(fin_opt(h.hard_hr_minutes));
            let w = intensity::warmup(&s, Some(190.0), 600.0);
            prop_assert!(fin_opt(w.warmup_hr_pct) && fin_opt(w.z45_minutes));
            prop_assert!(fin_opt(w.pace_ratio) && fin(w.easy_s));
            prop_assert!(fin_opt(heat::heat_minutes(&s, Some(60.0), 2.0)));
            prop_assert!(fin_opt(heat::mean_temp_c(&s, 0.0)));
            prop_assert!(fin_opt(cadence::mean_cadence_spm(&s, 0.5)));
        }
    }
}
