//! Ascent and descent with GoldenCheetah's hysteresis, and steep (eccentric) descent.
//!
//! See `docs/metrics.md` sections "Ascent and descent" and "Steep descent".

use super::series::Series;
use super::{finite, MAX_GAP_S};
use crate::model::Sample;

/// Default hysteresis for ascent and descent, in metres (GoldenCheetah `GC_ELEVATION_HYSTERESIS`).
pub const DEFAULT_HYSTERESIS_M: f64 = 3.0;

/// Default grade at or below which a stretch is steep downhill (−10 %, about −5.7°).
pub const DEFAULT_STEEP_GRADE: f64 = -0.10;

/// Default shortest horizontal length of a steep stretch, in metres.
pub const DEFAULT_MIN_HORIZONTAL_M: f64 = 50.0;

/// Spacing of the regular distance grid the altitude profile is resampled on, in metres.
pub const GRID_STEP_M: f64 = 5.0;

/// Width of the centred moving-average window that smooths the altitude profile, in metres.
pub const SMOOTH_WINDOW_M: f64 = 50.0;

/// Half-width of the horizontal window over which a sample's grade is taken, in metres.
pub const GRADE_HALF_WINDOW_M: f64 = 50.0;

/// Most grid steps a profile may have (5 000 km at 5 m); longer profiles are not analysed.
const MAX_GRID_STEPS: usize = 1_000_000;

/// Ascent and descent with GoldenCheetah's hysteresis.
///
/// Walk the altitudes (skipping `None` and non-finite values) with a reference altitude `r`, set
/// to the first value. For each next altitude `a`:
/// - if `a > r + h`: ascent += `a − r`, `r = a`;
/// - else if `a < r − h`: descent += `r − a`, `r = a`;
/// - else nothing (noise smaller than `h`).
///
/// A threshold that is not finite or ≤ 0.1 m falls back to [`DEFAULT_HYSTERESIS_M`], as
/// GoldenCheetah does. Returns `(ascent_m, descent_m)`, both ≥ 0 and finite.
///
/// # Units
/// Metres in, metres out.
///
/// # References
/// GoldenCheetah `src/Metrics/BasicRideMetrics.cpp` (`ElevationGain`, `ElevationLoss`,
/// `GC_ELEVATION_HYSTERESIS`, default 3.0 m); see docs/metrics.md.
pub fn hysteresis_gain_loss(alts: &[Option<f64>], threshold_m: f64) -> (f64, f64) {
    hysteresis_over(alts.iter().copied(), threshold_m)
}

/// [`hysteresis_gain_loss`] over any sequence of altitudes.
fn hysteresis_over(alts: impl Iterator<Item = Option<f64>>, threshold_m: f64) -> (f64, f64) {
    let h = if threshold_m.is_finite() && threshold_m > 0.1 {
        threshold_m
    } else {
        DEFAULT_HYSTERESIS_M
    };
    let mut reference: Option<f64> = None;
    let (mut gain, mut loss) = (0.0, 0.0);
    for a in alts.filter_map(finite) {
        match reference {
            None => reference = Some(a),
            Some(r) if a > r + h => {
                gain += a - r;
                reference = Some(a);
            }
            Some(r) if a < r - h => {
                loss += r - a;
                reference = Some(a);
            }
            Some(_) => {}
        }
    }
    if gain.is_finite() && loss.is_finite() {
        (gain, loss)
    } else {
        (0.0, 0.0)
    }
}

/// [`hysteresis_gain_loss`] over the samples' `altitude_m`.
///
/// # Units
/// Metres.
///
/// # References
/// GoldenCheetah `BasicRideMetrics.cpp`; see [`hysteresis_gain_loss`].
pub fn ascent_descent_m(samples: &[Sample], threshold_m: f64) -> (f64, f64) {
    hysteresis_over(samples.iter().map(|s| s.altitude_m), threshold_m)
}

/// Descent on steep downhill stretches (eccentric calf load).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SteepDescent {
    /// Vertical metres descended on steep stretches (smoothed profile), ≥ 0.
    pub descent_m: f64,
    /// Horizontal length of the steep stretches, in metres.
    pub dist_m: f64,
    /// Time spent on the steep stretches, in seconds; `None` when the samples have no times.
    pub duration_s: Option<f64>,
    /// All descent of the same smoothed profile, steep or not, in metres (≥ `descent_m`).
    pub profile_descent_m: f64,
}

impl SteepDescent {
    const ZERO: SteepDescent = SteepDescent {
        descent_m: 0.0,
        dist_m: 0.0,
        duration_s: None,
        profile_descent_m: 0.0,
    };
}

/// Descent on stretches whose smoothed grade is at or below `grade_threshold` over at least
/// `min_horizontal_m` of horizontal distance.
///
/// 1. **Profile.** Horizontal distance `x` is the device distance `distance_m` when any sample has
///    one (samples without it are skipped), otherwise the jitter-filtered GPS track
///    ([`super::distance::cumulative_track_m`] with the on-foot spike limit, 12 m/s). Samples
///    with a finite altitude (|altitude| ≤ 10⁶ m) and an `x` are kept in order; a sample whose
///    `x` is below the previous kept one is skipped, one with the same `x` replaces it.
/// 2. **Grid.** The profile is resampled by linear interpolation on a regular grid every
///    [`GRID_STEP_M`] (5 m) from the first `x` (a trailing partial step is dropped); times are
///    interpolated the same way.
/// 3. **Smoothing.** Grid altitude `s_j` = mean of the grid altitudes within ±25 m (11 grid points,
///    a [`SMOOTH_WINDOW_M`] = 50 m window), the profile's end values repeated past its ends.
/// 4. **Grade.** Each grid step has grade `g_j = (s_{j+1} − s_j) / 5 m`.
/// 5. **Stretches.** Maximal runs of consecutive steps with `g_j ≤ grade_threshold` are steep
///    stretches; those at least `min_horizontal_m` long count. `descent_m` sums `s_start − s_end`
///    over them, `dist_m` their lengths, `duration_s` the interpolated step times (a step that took
///    longer than 10 s, i.e. < 0.5 m/s, is a stop and adds no time).
///
/// Properties: `descent_m ≤ profile_descent_m ≤` the sum of all altitude drops of the raw samples
/// (a moving average never adds variation). The hysteresis descent can be smaller than
/// `descent_m` by up to its threshold per descent, so compare with `profile_descent_m`. The
/// smoothing loses about 1–3 m of descent at each end of a steep stretch.
///
/// A `grade_threshold` that is not finite falls back to −0.10; above 0 it is taken as 0. A
/// `min_horizontal_m` that is not finite or negative falls back to 50 m. Profiles longer than
/// 5 000 km give zeros.
///
/// # Units
/// Grade as a fraction (−0.10 = −10 %), distances and altitudes in metres, time in seconds.
///
/// # References
/// Bontemps B et al. 2020, Sports Med 50(12):2083–2110 (median downhill protocol −12 %); Maeo S et
/// al. 2017, Sci Rep 7:5769 (plantar-flexor damage at −15 %); docs/metrics.md. Threshold and window
/// are ours.
pub fn steep_descent(
    samples: &[Sample],
    grade_threshold: f64,
    min_horizontal_m: f64,
) -> SteepDescent {
    steep_descent_series(&Series::new(samples), grade_threshold, min_horizontal_m)
}

/// [`steep_descent`] over a [`Series`] (its GPS track at the on-foot limit, when the samples
/// have no device distance).
pub fn steep_descent_series(
    series: &Series<'_>,
    grade_threshold: f64,
    min_horizontal_m: f64,
) -> SteepDescent {
    let grade_thr = if grade_threshold.is_finite() {
        grade_threshold.min(0.0)
    } else {
        DEFAULT_STEEP_GRADE
    };
    let min_len = if min_horizontal_m.is_finite() && min_horizontal_m >= 0.0 {
        min_horizontal_m
    } else {
        DEFAULT_MIN_HORIZONTAL_M
    };
    let profile = series.elevation_profile();
    let (Some(first), Some(last)) = (profile.first(), profile.last()) else {
        return SteepDescent::ZERO;
    };
    let length = last.0 - first.0;
    let steps_f = (length / GRID_STEP_M).floor();
    if !(steps_f >= 1.0 && steps_f <= MAX_GRID_STEPS as f64) {
        return SteepDescent::ZERO;
    }
    let steps = steps_f as usize;
    let (alt, time) = resample(profile, first.0, steps);
    let smooth = smooth(&alt);

    // a NaN grade is never steep, so the walk below always advances
    let steep = |k: usize| (smooth[k + 1] - smooth[k]) / GRID_STEP_M <= grade_thr;
    let mut out = SteepDescent::ZERO;
    out.profile_descent_m = (0..steps)
        .map(|k| (smooth[k] - smooth[k + 1]).max(0.0))
        .sum();
    let mut duration = 0.0;
    let mut j = 0;
    while j < steps {
        if !steep(j) {
            j += 1;
            continue;
        }
        let start = j;
        while j < steps && steep(j) {
            j += 1;
        }
        let len = (j - start) as f64 * GRID_STEP_M;
        if len >= min_len {
            out.descent_m += smooth[start] - smooth[j];
            out.dist_m += len;
            for k in start..j {
                if let (Some(a), Some(b)) = (time[k], time[k + 1]) {
                    let dt = b - a;
                    if dt > 0.0 && dt <= MAX_GAP_S {
                        duration += dt;
                    }
                }
            }
        }
    }
    out.duration_s = time.iter().any(Option::is_some).then_some(duration);
    let finite_or_zero = |x: f64| if x.is_finite() { x.max(0.0) } else { 0.0 };
    out.descent_m = finite_or_zero(out.descent_m);
    out.profile_descent_m = finite_or_zero(out.profile_descent_m).max(out.descent_m);
    out.dist_m = finite_or_zero(out.dist_m);
    out
}

/// The grade at every sample: `(alt(x + 50 m) − alt(x − 50 m)) / 100 m` on the altitude profile
/// of [`steep_descent`] (altitude against horizontal distance, linearly interpolated, without the
/// grid smoothing), the window cut at the profile's ends; `None` where the sample has no
/// horizontal position, the profile has fewer than two points or the window is shorter than
/// 50 m. Over 100 m a ±1.5 m altitude error moves the grade by ±3 %.
///
/// # Units
/// A fraction (−0.10 = −10 %).
///
/// # References
/// Ours (docs/metrics.md "Hard run", used for pace surges).
pub fn sample_grades(samples: &[Sample]) -> Vec<Option<f64>> {
    sample_grades_series(&Series::new(samples))
}

/// [`sample_grades`] over a [`Series`].
pub fn sample_grades_series(series: &Series<'_>) -> Vec<Option<f64>> {
    let xs = series.sample_x();
    let prof = series.elevation_profile();
    let (Some(first), Some(last)) = (prof.first(), prof.last()) else {
        return vec![None; xs.len()];
    };
    let (x_min, x_max) = (first.0, last.0);
    // `k` = the number of profile points at or before `x` (the partition point of `p.0 <= x`),
    // carried from one query to the next: it only moves forward while the queries do (the
    // samples' distances grow), and a query that goes back finds it by binary search. The
    // same `k`, so the same values, as a binary search for every query.
    let cursor = |k: &mut usize, last: &mut f64, x: f64| {
        if x >= *last {
            while *k < prof.len() && prof[*k].0 <= x {
                *k += 1;
            }
        } else {
            *k = prof.partition_point(|p| p.0 <= x);
        }
        *last = x;
    };
    let alt_at = |k: usize, x: f64| -> f64 {
        match (k.checked_sub(1).and_then(|j| prof.get(j)), prof.get(k)) {
            (Some(a), Some(b)) if b.0 > a.0 => a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1),
            (Some(a), _) => a.1,
            (None, Some(b)) => b.1,
            (None, None) => f64::NAN,
        }
    };
    let (mut k_lo, mut k_hi) = (0usize, 0usize);
    let (mut last_lo, mut last_hi) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    xs.iter()
        .map(|x| {
            let x = (*x)?;
            let lo = (x - GRADE_HALF_WINDOW_M).max(x_min);
            let hi = (x + GRADE_HALF_WINDOW_M).min(x_max);
            let span = hi - lo;
            if span.is_nan() || span < GRADE_HALF_WINDOW_M {
                return None;
            }
            cursor(&mut k_lo, &mut last_lo, lo);
            cursor(&mut k_hi, &mut last_hi, hi);
            let g = (alt_at(k_hi, hi) - alt_at(k_lo, lo)) / (hi - lo);
            g.is_finite().then_some(g)
        })
        .collect()
}

/// Linear interpolation of altitude and time at `x0 + j·GRID_STEP_M`, `j = 0..=steps`.
fn resample(
    profile: &[(f64, f64, Option<f64>)],
    x0: f64,
    steps: usize,
) -> (Vec<f64>, Vec<Option<f64>>) {
    let mut alt = Vec::with_capacity(steps + 1);
    let mut time = Vec::with_capacity(steps + 1);
    let mut k = 0; // profile[k].0 <= x < profile[k + 1].0
    for j in 0..=steps {
        let x = x0 + j as f64 * GRID_STEP_M;
        while k + 1 < profile.len() && profile[k + 1].0 <= x {
            k += 1;
        }
        let a = profile[k];
        match profile.get(k + 1) {
            Some(b) if b.0 > a.0 => {
                let f = ((x - a.0) / (b.0 - a.0)).clamp(0.0, 1.0);
                alt.push(a.1 + f * (b.1 - a.1));
                time.push(match (a.2, b.2) {
                    (Some(ta), Some(tb)) => Some(ta + f * (tb - ta)),
                    _ => None,
                });
            }
            _ => {
                alt.push(a.1);
                time.push(a.2);
            }
        }
    }
    (alt, time)
}

/// Centred moving average over ±(window/2) with the end values repeated.
fn smooth(alt: &[f64]) -> Vec<f64> {
    let half = (SMOOTH_WINDOW_M / 2.0 / GRID_STEP_M).round() as isize;
    let n = alt.len() as isize;
    let width = (2 * half + 1) as f64;
    (0..n)
        .map(|j| {
            // Away from the ends the window is a plain slice (the same additions in the same
            // order as with the clamped indices).
            let sum: f64 = match alt.get((j - half).max(0) as usize..=(j + half).max(0) as usize) {
                Some(w) if j >= half => w.iter().sum(),
                _ => (j - half..=j + half)
                    .map(|k| alt[k.clamp(0, n - 1) as usize])
                    .sum(),
            };
            sum / width
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use proptest::prelude::*;

    /// Grades with a binary search for every window end, as first written.
    fn grades_by_search(samples: &[Sample]) -> Vec<Option<f64>> {
        let series = Series::new(samples);
        let xs = series.sample_x();
        let prof = series.elevation_profile();
        let (Some(first), Some(last)) = (prof.first(), prof.last()) else {
            return vec![None; xs.len()];
        };
        let alt_at = |x: f64| -> f64 {
            let k = prof.partition_point(|p| p.0 <= x);
            match (k.checked_sub(1).and_then(|j| prof.get(j)), prof.get(k)) {
                (Some(a), Some(b)) if b.0 > a.0 => a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1),
                (Some(a), _) => a.1,
                (None, Some(b)) => b.1,
                (None, None) => f64::NAN,
            }
        };
        xs.iter()
            .map(|x| {
                let x = (*x)?;
                let lo = (x - GRADE_HALF_WINDOW_M).max(first.0);
                let hi = (x + GRADE_HALF_WINDOW_M).min(last.0);
                let span = hi - lo;
                if span.is_nan() || span < GRADE_HALF_WINDOW_M {
                    return None;
                }
                let g = (alt_at(hi) - alt_at(lo)) / (hi - lo);
                g.is_finite().then_some(g)
            })
            .collect()
    }

    #[test]
    fn grade_windows_by_cursor_equal_the_search() {
        // Hills, a device distance that restarts at 0 half-way (a lap reset), gaps in
        // altitude and distance: the moving cursors give the binary search's grades.
        let s = series(4000, 1.0, |i, x| {
            x.distance_m = (i % 53 != 0).then_some(if i < 2000 {
                i as f64 * 3.1
            } else {
                (i - 2000) as f64 * 2.9
            });
            x.altitude_m =
                (i % 89 != 0).then_some((i as f64 / 40.0).sin() * 25.0 + i as f64 * 0.02);
        });
        let fast = sample_grades(&s);
        assert_eq!(fast, grades_by_search(&s));
        assert!(
            fast.iter().flatten().any(|g| *g > 0.03) && fast.iter().flatten().any(|g| *g < -0.03)
        );
    }

    #[test]
    fn hysteresis_hand_case() {
        let alts = [
            Some(100.0),
            Some(101.0),
            Some(102.0),
            Some(104.0), // 104 > 100 + 3 → gain 4, ref 104
            Some(103.0),
            Some(99.0), // 99 < 104 − 3 → loss 5, ref 99
            Some(100.0),
            Some(95.0), // 95 < 96 → loss 4, ref 95
            None,
            Some(f64::NAN),
            Some(97.0),
            Some(101.0), // 101 > 98 → gain 6, ref 101
        ];
        assert_eq!(hysteresis_gain_loss(&alts, 3.0), (10.0, 9.0));
        // exactly h above the reference is not counted (strict comparison)
        assert_eq!(
            hysteresis_gain_loss(&[Some(0.0), Some(3.0), Some(0.0)], 3.0),
            (0.0, 0.0)
        );
        // ≤ 0.1 m falls back to 3 m
        assert_eq!(hysteresis_gain_loss(&alts, 0.05), (10.0, 9.0));
    }

    #[test]
    fn hysteresis_edge_cases() {
        assert_eq!(hysteresis_gain_loss(&[], 3.0), (0.0, 0.0));
        assert_eq!(hysteresis_gain_loss(&[Some(5.0)], 3.0), (0.0, 0.0));
        assert_eq!(hysteresis_gain_loss(&[None, None], 3.0), (0.0, 0.0));
        let inf = [
            Some(0.0),
            Some(f64::INFINITY),
            Some(f64::MAX),
            Some(-f64::MAX),
        ];
        let (g, l) = hysteresis_gain_loss(&inf, 3.0);
        assert!(g.is_finite() && l.is_finite());
        assert_eq!(ascent_descent_m(&[], 3.0), (0.0, 0.0));
    }

    /// 1 Hz samples, 1 m of device distance per second, altitude from a function of distance.
    fn slope(n: usize, f: impl Fn(f64) -> f64) -> Vec<Sample> {
        series(n, 1.0, |i, s| {
            s.distance_m = Some(i as f64);
            s.altitude_m = Some(f(i as f64));
        })
    }

    #[test]
    fn steep_constant_slope_hand_case() {
        // 200 m at −20 %: 40 grid steps, raw grid altitude a_k = 100 − k (1 m per 5 m step).
        // Smoothing ±5 points with end values repeated:
        //   s_0  = 100 − (1+2+3+4+5)/11 = 100 − 15/11
        //   s_40 = 60 + 15/11
        // every step is steeper than −10 % (the gentlest, at the ends, is −6/11 m per 5 m = −10.9 %)
        // descent = 40 − 30/11 = 37.2727 m over 200 m, 5 s per step → 200 s.
        let s = slope(201, |x| 100.0 - 0.2 * x);
        let d = steep_descent(&s, DEFAULT_STEEP_GRADE, DEFAULT_MIN_HORIZONTAL_M);
        assert!((d.descent_m - (40.0 - 30.0 / 11.0)).abs() < 1e-9, "{d:?}");
        assert_eq!(d.dist_m, 200.0);
        assert!((d.duration_s.unwrap() - 200.0).abs() < 1e-9);
        assert!((d.profile_descent_m - d.descent_m).abs() < 1e-9);
    }

    #[test]
    fn gentle_or_short_descents_do_not_count() {
        // −5 % everywhere: never steep
        let gentle = slope(401, |x| 100.0 - 0.05 * x);
        let d = steep_descent(&gentle, -0.10, 50.0);
        assert_eq!(d.descent_m, 0.0);
        assert!(d.profile_descent_m > 15.0);
        // 30 m at −20 % between flats: smoothed peak grade −12 % over 20 m + 2 × 5 m of ramp,
        // i.e. a 30 m steep stretch, shorter than 50 m
        let short = slope(301, |x| 100.0 - 0.2 * (x - 100.0).clamp(0.0, 30.0));
        let d = steep_descent(&short, -0.10, 50.0);
        assert_eq!(d.descent_m, 0.0, "{d:?}");
        assert!(d.profile_descent_m > 5.9);
    }

    #[test]
    fn steep_uphill_is_not_descent() {
        let up = slope(201, |x| 0.2 * x);
        assert_eq!(steep_descent(&up, -0.10, 50.0).descent_m, 0.0);
    }

    #[test]
    fn steep_from_gps_positions() {
        // no device distance: 1 Hz points going north 3.336 m per step, dropping 0.6672 m (−20 %)
        let s = series(101, 1.0, |i, s| {
            s.lat_deg = Some(45.0 + i as f64 * 0.00003);
            s.lon_deg = Some(7.0);
            s.altitude_m = Some(500.0 - 0.2 * 3.33585 * i as f64);
        });
        let d = steep_descent(&s, -0.10, 50.0);
        // 333.6 m → 66 grid steps (330 m); ends lose 30/11 of a step's drop (1 m) ≈ 2.73 m
        assert!((d.dist_m - 330.0).abs() < 1e-9, "{d:?}");
        assert!((d.descent_m - (66.0 - 30.0 / 11.0)).abs() < 0.01, "{d:?}");
    }

    #[test]
    fn steep_edge_cases() {
        let zero = SteepDescent {
            descent_m: 0.0,
            dist_m: 0.0,
            duration_s: None,
            profile_descent_m: 0.0,
        };
        assert_eq!(steep_descent(&[], -0.1, 50.0), zero);
        assert_eq!(steep_descent(&[at(0.0)], -0.1, 50.0), zero);
        // altitudes but no distance and no positions
        let s = series(100, 1.0, |i, s| s.altitude_m = Some(-(i as f64)));
        assert_eq!(steep_descent(&s, -0.1, 50.0), zero);
        // absurd distance: not analysed
        let mut s = slope(3, |x| -x);
        s[2].distance_m = Some(1e12);
        assert_eq!(steep_descent(&s, -0.1, 50.0).descent_m, 0.0);
        // NaN parameters fall back to the defaults
        let s = slope(201, |x| 100.0 - 0.2 * x);
        let d = steep_descent(&s, f64::NAN, f64::NAN);
        assert!((d.descent_m - (40.0 - 30.0 / 11.0)).abs() < 1e-9);
        // backwards distance is skipped
        let mut s = slope(201, |x| 100.0 - 0.2 * x);
        s[100].distance_m = Some(3.0);
        assert!(steep_descent(&s, -0.1, 50.0).descent_m > 30.0);
    }

    proptest! {
        #[test]
        fn steep_descent_within_total_descent(
            steps in prop::collection::vec((0.0f64..20.0, -8.0f64..6.0, any::<bool>()), 0..300)
        ) {
            let mut x = 0.0;
            let mut a = 500.0;
            let s: Vec<Sample> = steps.iter().enumerate().map(|(i, &(dx, da, has_alt))| {
                x += dx;
                a += da;
                let mut s = at(i as f64);
                s.distance_m = Some(x);
                s.altitude_m = has_alt.then_some(a);
                s
            }).collect();
            let d = steep_descent(&s, -0.10, 50.0);
            let raw_drops: f64 = s
                .iter()
                .filter_map(|s| s.altitude_m)
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| (w[0] - w[1]).max(0.0))
                .sum();
            prop_assert!(d.descent_m >= 0.0 && d.descent_m.is_finite());
            prop_assert!(d.descent_m <= d.profile_descent_m + 1e-9);
            prop_assert!(d.profile_descent_m <= raw_drops + 1e-6);
            prop_assert!(d.dist_m <= x + 1e-9);
        }

        #[test]
        fn ascent_splits_at_reference_moves(
            alts in prop::collection::vec(prop::option::of(-50.0f64..50.0), 2..100),
            k in 0usize..100,
        ) {
            // Cutting at a sample where the full walk moved its reference (sample in both halves)
            // adds up exactly: the second half starts with the same reference.
            let k = k % alts.len();
            let full = hysteresis_gain_loss(&alts, 3.0);
            let before = hysteresis_gain_loss(&alts[..k], 3.0);
            let upto = hysteresis_gain_loss(&alts[..=k], 3.0);
            let first_valid = alts.iter().position(|a| a.is_some());
            let moved = upto != before || first_valid == Some(k);
            if moved && alts[k].is_some() {
                let rest = hysteresis_gain_loss(&alts[k..], 3.0);
                prop_assert!((full.0 - (upto.0 + rest.0)).abs() < 1e-9);
                prop_assert!((full.1 - (upto.1 + rest.1)).abs() < 1e-9);
            }
            prop_assert!(full.0 >= 0.0 && full.1 >= 0.0);
        }
    }
}
