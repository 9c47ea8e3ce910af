//! Training load of one activity in Banister-TRIMP units, from HR, pace or duration.
//!
//! See `docs/metrics.md` section "Load".

use super::distance::{
    moving_from_speeds, speed_estimates_mps, DEFAULT_STATIONARY_SPEED_MPS, MAX_FOOT_SPEED_MPS,
};
use super::hr::{banister_rate_per_min, hr_at, hr_covered_s, valid_rest_max};
use super::series::Series;
use super::{check, counted_intervals, Interval};
use crate::model::{LoadSource, Sample, Sex};

/// Share of moving time that must have heart rate (or speed) for that source to be used.
pub const MIN_COVERAGE: f64 = 0.5;

/// Heart-rate-reserve fraction taken as threshold intensity for the pace scaling (88 % HRR).
pub const THRESHOLD_HRR: f64 = 0.88;

/// Heart-rate-reserve fraction of an easy run for the duration fallback (65 % HRR).
pub const EASY_HRR: f64 = 0.65;

/// The athlete values and settings [`load`] needs. Missing values switch to the next source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadParams {
    /// Resting heart rate in bpm (needed for HR load).
    pub hr_rest_bpm: Option<f64>,
    /// Maximum heart rate in bpm (needed for HR load).
    pub hr_max_bpm: Option<f64>,
    /// Sex for the Banister constants; `None` uses the mean of both curves.
    pub sex: Option<Sex>,
    /// Threshold (about 1-hour race) running speed in m/s (needed for pace load).
    pub threshold_speed_mps: Option<f64>,
    /// Below this speed a sample is stationary, in m/s (default 0.5).
    pub stationary_speed_mps: f64,
    /// Speeds above this are spikes and are ignored for pace load, in m/s (default 12).
    pub max_speed_mps: f64,
}

impl Default for LoadParams {
    fn default() -> Self {
        LoadParams {
            hr_rest_bpm: None,
            hr_max_bpm: None,
            sex: None,
            threshold_speed_mps: None,
            stationary_speed_mps: DEFAULT_STATIONARY_SPEED_MPS,
            max_speed_mps: MAX_FOOT_SPEED_MPS,
        }
    }
}

/// Factor that turns rTSS-like points into Banister TRIMP units:
/// `K = 60 · banister_rate(0.88 HRR) / 100`, so that one hour at threshold pace (100 points)
/// equals the Banister TRIMP of one hour at 88 % HRR.
///
/// Men `60 · 0.88 · 0.64 · e^(1.92·0.88) / 100 = 1.8306`; women `60 · 0.88 · 0.86 ·
/// e^(1.67·0.88) / 100 = 1.9741`; unknown sex (mean curve) `1.9024`.
///
/// # Units
/// TRIMP units per rTSS point.
///
/// # References
/// Banister constants: Morton et al. 1990; TSS: Allen & Coggan. Anchor at 88 % HRR ours.
pub fn pace_scale(sex: Option<Sex>) -> f64 {
    60.0 * banister_rate_per_min(THRESHOLD_HRR, sex) / 100.0
}

/// TRIMP per moving minute of an easy run: the Banister rate at 65 % HRR.
///
/// Men `0.65 · 0.64 · e^(1.92·0.65) = 1.4491`; women `0.65 · 0.86 · e^(1.67·0.65) = 1.6552`;
/// unknown sex `1.5521` (about 93 per hour).
///
/// # Units
/// TRIMP units per minute.
///
/// # References
/// Banister constants: Morton et al. 1990. Anchor at 65 % HRR ours.
pub fn easy_rate_per_min(sex: Option<Sex>) -> f64 {
    banister_rate_per_min(EASY_HRR, sex)
}

/// Heart-rate coverage: seconds of moving intervals with a valid heart rate / moving seconds.
///
/// `None` when there is no moving time.
///
/// # Units
/// A fraction in [0, 1].
///
/// # References
/// Threshold use in [`load`] ours (50 %).
pub fn hr_coverage(samples: &[Sample], stationary_speed_mps: f64) -> Option<f64> {
    let moving = moving_intervals(samples, &speed_estimates_mps(samples), stationary_speed_mps);
    let total: f64 = moving.iter().map(|iv| iv.dt_s).sum();
    (total > 0.0)
        .then(|| hr_covered_s(samples, &moving) / total)
        .and_then(check)
}

fn moving_intervals(
    samples: &[Sample],
    speeds: &[Option<f64>],
    stationary_speed_mps: f64,
) -> Vec<Interval> {
    let moving = moving_from_speeds(
        speeds,
        &super::distance::climbing_mask(samples),
        stationary_speed_mps,
    );
    counted_intervals(samples)
        .into_iter()
        .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
        .collect()
}

/// Training load of one activity, in Banister TRIMP units, and the source it came from.
///
/// Over the moving intervals (counted intervals, gaps ≤ 10 s, whose closing sample is moving):
/// 1. **Hr** when HRrest and HRmax are usable and heart rate covers ≥ [`MIN_COVERAGE`] (50 %) of
///    moving time: Banister TRIMP `Σ dt_min · x · a·e^(b·x)` over the moving intervals with heart
///    rate, scaled up by `moving time / time with HR` (missing stretches assumed like the rest).
/// 2. **Pace** when a threshold speed is given and speed (device, distance or GPS; ≤
///    `max_speed_mps`) covers ≥ 50 % of moving time: rTSS-like points
///    `Σ dt_h · IF² · 100` with `IF = v / v_threshold` (= threshold pace / pace), scaled up to the
///    moving time like HR, times [`pace_scale`] (≈ 1.90) so that an hour at threshold equals the
///    Banister TRIMP of an hour at 88 % HRR.
/// 3. **Duration** otherwise: moving minutes × [`easy_rate_per_min`] (≈ 1.55 per minute, the
///    Banister rate at 65 % HRR), i.e. every run counted as easy.
///
/// Always finite and ≥ 0; `(0, Duration)` without moving time.
///
/// # Units
/// Heart rates in bpm, speeds in m/s; load in TRIMP units.
///
/// # References
/// Banister 1991 and Morton et al. 1990 (TRIMP, docs/metrics.md); rTSS after TrainingPeaks' running
/// TSS (Allen & Coggan's TSS = hours × IF² × 100). The 88 % and 65 % HRR anchors are ours.
pub fn load(samples: &[Sample], params: &LoadParams) -> (f64, LoadSource) {
    let speeds = speed_estimates_mps(samples);
    let moving = moving_intervals(samples, &speeds, params.stationary_speed_mps);
    load_from(samples, &speeds, &moving, params)
}

/// [`load`] over a [`Series`] (its intervals and speed estimates).
pub fn load_series(series: &Series<'_>, params: &LoadParams) -> (f64, LoadSource) {
    let moving = series.moving_intervals(params.stationary_speed_mps);
    load_from(series.samples(), series.speeds(), &moving, params)
}

fn load_from(
    samples: &[Sample],
    speeds: &[Option<f64>],
    moving: &[Interval],
    params: &LoadParams,
) -> (f64, LoadSource) {
    let moving_s: f64 = moving.iter().map(|iv| iv.dt_s).sum();
    if !(moving_s > 0.0 && moving_s.is_finite()) {
        return (0.0, LoadSource::Duration);
    }
    if let Some(l) = hr_load(samples, moving, moving_s, params) {
        return (l, LoadSource::Hr);
    }
    if let Some(l) = pace_load(speeds, moving, moving_s, params) {
        return (l, LoadSource::Pace);
    }
    let l = moving_s / 60.0 * easy_rate_per_min(params.sex);
    (check(l).unwrap_or(0.0), LoadSource::Duration)
}

fn hr_load(samples: &[Sample], moving: &[Interval], moving_s: f64, p: &LoadParams) -> Option<f64> {
    let (rest, max) = valid_rest_max(p.hr_rest_bpm?, p.hr_max_bpm?)?;
    let (mut trimp, mut hr_s) = (0.0, 0.0);
    for iv in moving {
        if let Some(hr) = hr_at(samples, iv.end) {
            trimp += iv.dt_s / 60.0 * banister_rate_per_min((hr - rest) / (max - rest), p.sex);
            hr_s += iv.dt_s;
        }
    }
    if hr_s / moving_s < MIN_COVERAGE {
        return None;
    }
    check(trimp * moving_s / hr_s)
}

fn pace_load(
    speeds: &[Option<f64>],
    moving: &[Interval],
    moving_s: f64,
    p: &LoadParams,
) -> Option<f64> {
    let v_thr = p
        .threshold_speed_mps
        .filter(|v| v.is_finite() && *v > 0.0)?;
    let max_speed = if p.max_speed_mps.is_finite() && p.max_speed_mps > 0.0 {
        p.max_speed_mps
    } else {
        MAX_FOOT_SPEED_MPS
    };
    let (mut points, mut speed_s) = (0.0, 0.0);
    for iv in moving {
        let Some(v) = speeds.get(iv.end).copied().flatten() else {
            continue;
        };
        if v > max_speed {
            continue;
        }
        let intensity = v / v_thr;
        points += iv.dt_s / 3600.0 * intensity * intensity * 100.0;
        speed_s += iv.dt_s;
    }
    if speed_s / moving_s < MIN_COVERAGE {
        return None;
    }
    check(points * moving_s / speed_s * pace_scale(p.sex))
}

#[cfg(test)]
mod tests {
    use super::super::hr::trimp_banister;
    use super::super::testutil::*;
    use super::*;

    /// 10 min at 1 Hz, device speed 3 m/s; HR 150 on samples where `has_hr(i)`.
    fn run(has_hr: impl Fn(usize) -> bool) -> Vec<Sample> {
        series(601, 1.0, |i, s| {
            s.speed_mps = Some(3.0);
            s.hr_bpm = has_hr(i).then_some(150.0);
        })
    }

    fn athlete(sex: Option<Sex>) -> LoadParams {
        LoadParams {
            hr_rest_bpm: Some(60.0),
            hr_max_bpm: Some(180.0),
            sex,
            threshold_speed_mps: Some(4.0),
            ..LoadParams::default()
        }
    }

    #[test]
    fn scaling_constants() {
        // hand values in the docs
        assert!((pace_scale(Some(Sex::Male)) - 1.830_619).abs() < 1e-6);
        assert!((pace_scale(Some(Sex::Female)) - 1.974_111).abs() < 1e-6);
        assert!((pace_scale(None) - 1.902_365).abs() < 1e-6);
        assert!((easy_rate_per_min(Some(Sex::Male)) - 1.449_082).abs() < 1e-6);
        assert!((easy_rate_per_min(Some(Sex::Female)) - 1.655_154).abs() < 1e-6);
        assert!((easy_rate_per_min(None) - 1.552_118).abs() < 1e-6);
    }

    #[test]
    fn hr_load_hand_case() {
        // 10 min at HR 150 with rest 60 / max 180, men: 20.25934 (see hr::banister_hand_case)
        let (l, src) = load(&run(|_| true), &athlete(Some(Sex::Male)));
        assert_eq!(src, LoadSource::Hr);
        assert!((l - 20.25934).abs() < 1e-4, "{l}");
        // HR on 60 % of the intervals: 360 s of TRIMP scaled by 600/360 → the same 20.25934
        let (l, src) = load(&run(|i| i % 5 < 3), &athlete(Some(Sex::Male)));
        assert_eq!(src, LoadSource::Hr);
        assert!((l - 20.25934).abs() < 1e-4, "{l}");
        assert!((hr_coverage(&run(|i| i % 5 < 3), 0.5).unwrap() - 0.6).abs() < 1e-9);
    }

    #[test]
    fn pace_load_hand_case() {
        // HR on 40 % only → pace. IF = 3 / 4 = 0.75; 10 min = 1/6 h
        // rTSS = 1/6 × 0.5625 × 100 = 9.375; × 1.830619 (men) = 17.16205
        let (l, src) = load(&run(|i| i % 5 < 2), &athlete(Some(Sex::Male)));
        assert_eq!(src, LoadSource::Pace);
        assert!((l - 17.16205).abs() < 1e-4, "{l}");
    }

    #[test]
    fn duration_load_hand_case() {
        // no HR, no threshold pace: 10 min × 1.449082 (men) = 14.49082
        let p = LoadParams {
            sex: Some(Sex::Male),
            ..LoadParams::default()
        };
        let (l, src) = load(&run(|_| false), &p);
        assert_eq!(src, LoadSource::Duration);
        assert!((l - 14.49082).abs() < 1e-4, "{l}");
        assert_eq!(load(&[], &p), (0.0, LoadSource::Duration));
        assert_eq!(load(&run(|_| true)[..1], &p), (0.0, LoadSource::Duration));
    }

    #[test]
    fn hour_at_threshold_matches_hr_at_88_pct_hrr() {
        // pace: 1 h at threshold speed; HR: 1 h at 60 + 0.88 × 120 = 165.6 bpm
        let s = series(3601, 1.0, |_, s| {
            s.speed_mps = Some(4.0);
            s.hr_bpm = Some(165.6);
        });
        for sex in [None, Some(Sex::Male), Some(Sex::Female)] {
            let mut p = athlete(sex);
            let hr = trimp_banister(&s, 60.0, 180.0, sex).unwrap();
            p.hr_max_bpm = None;
            let (pace, src) = load(&s, &p);
            assert_eq!(src, LoadSource::Pace);
            assert!((pace - hr).abs() < 1e-6, "{pace} vs {hr}");
        }
    }

    #[test]
    fn bad_values_never_give_nan() {
        let s = series(100, 1.0, |i, s| {
            s.speed_mps = Some(if i % 2 == 0 { f64::NAN } else { f64::INFINITY });
            s.hr_bpm = Some(f64::NAN);
        });
        let p = LoadParams {
            hr_rest_bpm: Some(f64::NAN),
            hr_max_bpm: Some(f64::INFINITY),
            threshold_speed_mps: Some(0.0),
            stationary_speed_mps: f64::NAN,
            max_speed_mps: f64::NAN,
            sex: None,
        };
        let (l, _) = load(&s, &p);
        assert!(l.is_finite() && l >= 0.0);
    }
}
