//! The straightforward per-activity metrics that the linear ones replaced, kept to test them.
//!
//! Test-only. Every function here is the code as it was before the metrics were made linear:
//! the speed estimate scans a window of up to 129 samples around every sample, each metric
//! recomputes the counted intervals and the speed estimates it needs, the GPS track computes each
//! haversine with its own cosines, the heart-rate running median allocates per sample. Only
//! unchanged helpers (`finite`, `check`, `median`, `time_weighted_mean`, `position`,
//! `haversine_m`, `hr_at`, `banister_rate_per_min`, the zone and heat rules) are shared.
//!
//! The tests below require the linear implementations ([`super::series::Series`] and the
//! functions built on it, as `metrics::reduce` calls them) to give **the same results, bit for
//! bit** (tolerance 0), on every activity of `fixtures/real`, of the sample athlete and, when
//! `CALFGUARD_CORPUS` is set, of the shared corpus; on variants of those activities without
//! device speed (and without device distance), which send every sample through the speed window;
//! and on random series (backward and duplicate times, missing values, dense sampling).

use super::distance::{haversine_m, position, DEFAULT_STATIONARY_SPEED_MPS, MAX_FOOT_SPEED_MPS};
use super::distance::{MAX_OTHER_SPEED_MPS, MIN_STEP_M, SPEED_HALF_WINDOW_S};
use super::elevation::{SteepDescent, DEFAULT_HYSTERESIS_M, DEFAULT_MIN_HORIZONTAL_M};
use super::elevation::{DEFAULT_STEEP_GRADE, GRID_STEP_M, SMOOTH_WINDOW_M};
use super::heat::is_hot;
use super::hr::HR_MAX_PLAUSIBLE_BPM;
use super::hr::{banister_rate_per_min, hr_at, valid_rest_max, HR_MAX_JUMP_BPM_PER_S};
use super::hrtime::HrSeconds;
use super::intensity::{WarmupData, DEFAULT_WARMUP_WINDOW_S, EASY_PACE_FACTOR};
use super::intensity::{RUNNING_MIN_SPEED_MPS, SURGE_MAX_GRADE};
use super::intensity::{SURGE_MIN_RECOVERY_S, SURGE_MIN_S, SURGE_SPEED_FACTOR};
use super::load::{easy_rate_per_min, pace_scale, LoadParams, MIN_COVERAGE};
use super::profile::HrProfile;
use super::series::profile_points;
use super::{check, finite, median, time_weighted_mean, Interval, MAX_GAP_S};
use crate::model::LoadSource;
use crate::model::Sample;

const SPEED_WINDOW_MAX_SAMPLES: usize = 64;
const MAX_GRID_STEPS: usize = 1_000_000;

pub fn span_s(a_ms: i64, b_ms: i64) -> f64 {
    (i128::from(b_ms) - i128::from(a_ms)) as f64 / 1000.0
}

pub fn counted_intervals(samples: &[Sample]) -> Vec<Interval> {
    let mut out = Vec::with_capacity(samples.len());
    let mut clock: Option<i64> = None;
    for (i, s) in samples.iter().enumerate() {
        let Some(t) = s.time_utc_ms else { continue };
        match clock {
            None => clock = Some(t),
            Some(c) if t > c => {
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

// ---- distance.rs ----

pub fn speed_estimates_mps(samples: &[Sample]) -> Vec<Option<f64>> {
    (0..samples.len())
        .map(|i| speed_estimate_at(samples, i))
        .collect()
}

type Span<T> = ((i64, T), (i64, T));

fn speed_estimate_at(samples: &[Sample], i: usize) -> Option<f64> {
    let s = samples.get(i)?;
    if let Some(v) = finite(s.speed_mps).filter(|v| *v >= 0.0) {
        return Some(v);
    }
    let t0 = s.time_utc_ms?;
    let half_ms = (SPEED_HALF_WINDOW_S * 1000.0) as i64;
    let (lo_t, hi_t) = (t0.saturating_sub(half_ms), t0.saturating_add(half_ms));
    let lo = i.saturating_sub(SPEED_WINDOW_MAX_SAMPLES);
    let hi = (i + SPEED_WINDOW_MAX_SAMPLES).min(samples.len() - 1);
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

pub fn cumulative_track_m(samples: &[Sample], max_speed_mps: f64) -> Vec<Option<f64>> {
    let max_speed = if max_speed_mps.is_finite() && max_speed_mps > 0.0 {
        max_speed_mps
    } else {
        MAX_OTHER_SPEED_MPS
    };
    let speeds = speed_estimates_mps(samples);
    let mut out = vec![None; samples.len()];
    let mut total = 0.0_f64;
    let mut anchor: Option<(Option<i64>, (f64, f64))> = None;
    for (i, s) in samples.iter().enumerate() {
        let Some(p) = position(s) else { continue };
        let Some((at, ap)) = anchor else {
            anchor = Some((s.time_utc_ms, p));
            out[i] = Some(total);
            continue;
        };
        let Some(d) = haversine_m(ap.0, ap.1, p.0, p.1) else {
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
            anchor = Some((s.time_utc_ms, p));
        } else if d >= MIN_STEP_M {
            total += d;
            anchor = Some((s.time_utc_ms, p));
        } else {
            continue;
        }
        out[i] = Some(total);
    }
    out
}

pub fn track_length_m(samples: &[Sample], max_speed_mps: f64) -> Option<f64> {
    cumulative_track_m(samples, max_speed_mps)
        .into_iter()
        .flatten()
        .last()
        .and_then(check)
}

pub fn moving_mask(samples: &[Sample], stationary_speed_mps: f64) -> Vec<bool> {
    moving_from_speeds(samples, &speed_estimates_mps(samples), stationary_speed_mps)
}

/// (The vertical rule came after the linear rewrite: the shared `climbing_mask` is used as is.)
fn moving_from_speeds(
    samples: &[Sample],
    speeds: &[Option<f64>],
    stationary_speed_mps: f64,
) -> Vec<bool> {
    let thr = if stationary_speed_mps.is_finite() && stationary_speed_mps >= 0.0 {
        stationary_speed_mps
    } else {
        DEFAULT_STATIONARY_SPEED_MPS
    };
    let climbing = super::distance::climbing_mask(samples);
    speeds
        .iter()
        .zip(climbing)
        .map(|(v, c)| v.is_none_or(|v| v >= thr) || c)
        .collect()
}

pub fn moving_s(samples: &[Sample], stationary_speed_mps: f64) -> f64 {
    let moving = moving_mask(samples, stationary_speed_mps);
    counted_intervals(samples)
        .iter()
        .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
        .map(|iv| iv.dt_s)
        .sum()
}

// ---- cadence.rs, heat.rs ----

pub fn mean_cadence_spm(samples: &[Sample], stationary_speed_mps: f64) -> Option<f64> {
    let moving = moving_mask(samples, stationary_speed_mps);
    time_weighted_mean(
        counted_intervals(samples)
            .into_iter()
            .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
            .filter_map(|iv| {
                let cad = finite(samples.get(iv.end)?.cadence_spm)?;
                (cad > 0.0 && cad <= super::cadence::MAX_CADENCE_SPM).then_some((cad, iv.dt_s))
            }),
    )
}

fn corrected_temp_c(s: &Sample, wrist_offset_c: f64) -> Option<f64> {
    let offset = if wrist_offset_c.is_finite() {
        wrist_offset_c
    } else {
        0.0
    };
    finite(s.temp_c).map(|t| t - offset)
}

pub fn heat_minutes(samples: &[Sample], rh_pct: Option<f64>, wrist_offset_c: f64) -> Option<f64> {
    let mut any = false;
    let mut hot_s = 0.0;
    for iv in counted_intervals(samples) {
        let Some(t) = samples
            .get(iv.end)
            .and_then(|s| corrected_temp_c(s, wrist_offset_c))
        else {
            continue;
        };
        any = true;
        if is_hot(t, rh_pct) == Some(true) {
            hot_s += iv.dt_s;
        }
    }
    if any {
        check(hot_s / 60.0)
    } else {
        None
    }
}

pub fn mean_temp_c(samples: &[Sample], wrist_offset_c: f64) -> Option<f64> {
    time_weighted_mean(counted_intervals(samples).into_iter().filter_map(|iv| {
        let t = corrected_temp_c(samples.get(iv.end)?, wrist_offset_c)?;
        Some((t, iv.dt_s))
    }))
}

// ---- load.rs ----

fn moving_intervals(
    samples: &[Sample],
    speeds: &[Option<f64>],
    stationary_speed_mps: f64,
) -> Vec<Interval> {
    let moving = moving_from_speeds(samples, speeds, stationary_speed_mps);
    counted_intervals(samples)
        .into_iter()
        .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
        .collect()
}

pub fn load(samples: &[Sample], params: &LoadParams) -> (f64, LoadSource) {
    let speeds = speed_estimates_mps(samples);
    let moving = moving_intervals(samples, &speeds, params.stationary_speed_mps);
    let moving_s: f64 = moving.iter().map(|iv| iv.dt_s).sum();
    if !(moving_s > 0.0 && moving_s.is_finite()) {
        return (0.0, LoadSource::Duration);
    }
    if let Some(l) = hr_load(samples, &moving, moving_s, params) {
        return (l, LoadSource::Hr);
    }
    if let Some(l) = pace_load(&speeds, &moving, moving_s, params) {
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

// ---- intensity.rs ----

fn speed_intervals(samples: &[Sample]) -> Vec<(Interval, f64, f64)> {
    let speeds = speed_estimates_mps(samples);
    let moving = moving_from_speeds(samples, &speeds, DEFAULT_STATIONARY_SPEED_MPS);
    let t0 = samples.iter().find_map(|s| s.time_utc_ms);
    counted_intervals(samples)
        .into_iter()
        .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
        .filter_map(|iv| {
            let v = speeds.get(iv.end).copied().flatten()?;
            let t = samples.get(iv.end)?.time_utc_ms?;
            let rel = span_s(t0?, t);
            (v <= MAX_FOOT_SPEED_MPS).then_some((iv, rel, v))
        })
        .collect()
}

fn median_running_speed(iv: &[(Interval, f64, f64)]) -> Option<f64> {
    let v: Vec<f64> = iv
        .iter()
        .map(|x| x.2)
        .filter(|v| *v >= RUNNING_MIN_SPEED_MPS)
        .collect();
    median(&v).filter(|m| *m > 0.0)
}

pub fn surges(samples: &[Sample]) -> usize {
    let iv = speed_intervals(samples);
    let Some(med) = median_running_speed(&iv) else {
        return 0;
    };
    // (the grades came after the linear rewrite: shared)
    let grades = super::elevation::sample_grades(samples);
    let flat = |i: usize| {
        grades
            .get(i)
            .copied()
            .flatten()
            .is_none_or(|g| g.abs() < SURGE_MAX_GRADE)
    };
    let fast = SURGE_SPEED_FACTOR * med;
    let mut count = 0;
    let mut bout_s = 0.0;
    let mut recovery_s = 0.0;
    let mut prev_end: Option<f64> = None;
    for (i, t_end, v) in iv {
        if let Some(p) = prev_end {
            recovery_s += (t_end - i.dt_s - p).max(0.0);
        }
        prev_end = Some(t_end);
        if recovery_s >= SURGE_MIN_RECOVERY_S {
            if bout_s >= SURGE_MIN_S {
                count += 1;
            }
            bout_s = 0.0;
        }
        if v > fast && flat(i.end) {
            bout_s += i.dt_s;
            recovery_s = 0.0;
        } else {
            recovery_s += i.dt_s;
        }
    }
    if bout_s >= SURGE_MIN_S {
        count += 1;
    }
    count
}

pub fn warmup_data(samples: &[Sample], window_s: f64) -> WarmupData {
    let window = if window_s.is_finite() && window_s > 0.0 {
        window_s
    } else {
        DEFAULT_WARMUP_WINDOW_S
    };
    let t0 = samples.iter().find_map(|s| s.time_utc_ms);
    let rel = |i: usize| -> Option<f64> {
        let t = samples.get(i)?.time_utc_ms?;
        Some(span_s(t0?, t))
    };
    let in_window: Vec<Interval> = counted_intervals(samples)
        .into_iter()
        .filter(|iv| rel(iv.end).is_some_and(|t| t <= window))
        .collect();
    let window_total_s: f64 = in_window.iter().map(|iv| iv.dt_s).sum();

    let bins = (window / 60.0).ceil().max(1.0) as usize;
    let bin_of = |t: f64| (((t - 1e-9) / 60.0).floor().max(0.0) as usize).min(bins - 1);
    let mut hr_hist: Vec<(f64, f64)> = Vec::new();
    let mut bin_hr = vec![(0.0, 0.0); bins];
    let mut bin_t = vec![0.0; bins];
    for iv in &in_window {
        let hr = hr_at(samples, iv.end);
        if let Some(hr) = hr {
            hr_hist.push((hr, iv.dt_s));
        }
        let Some(t) = rel(iv.end) else { continue };
        let b = bin_of(t);
        bin_t[b] += iv.dt_s;
        if let Some(hr) = hr {
            bin_hr[b].0 += hr * iv.dt_s;
            bin_hr[b].1 += iv.dt_s;
        }
    }
    let merged = HrSeconds::from_pairs(hr_hist);

    let speed_iv = speed_intervals(samples);
    let med = median_running_speed(&speed_iv);
    let (mut v_sum, mut v_s) = (0.0, 0.0);
    let mut bin_v = vec![(0.0, 0.0); bins];
    for (iv, t, v) in &speed_iv {
        if *t <= window {
            v_sum += v * iv.dt_s;
            v_s += iv.dt_s;
            let b = bin_of(*t);
            bin_v[b].0 += v * iv.dt_s;
            bin_v[b].1 += iv.dt_s;
        }
    }
    let window_speed = (v_s > 0.0).then(|| v_sum / v_s).filter(|v| *v > 0.0);
    let pace_ratio = match (med, window_speed) {
        (Some(m), Some(w)) => check(m / w),
        _ => None,
    };
    let bin_speed_easy = bin_v
        .iter()
        .map(|&(sum, secs)| {
            (secs > 0.0).then(|| med.is_some_and(|m| sum / secs * EASY_PACE_FACTOR <= m))
        })
        .collect();
    WarmupData {
        window_total_s,
        hr_hist: merged,
        bin_hr,
        bin_t,
        bin_speed_easy,
        pace_ratio,
    }
}

// ---- hr.rs, profile.rs ----

pub fn clean_hr_bpm(samples: &[Sample]) -> Vec<f64> {
    let mut kept: Vec<f64> = Vec::new();
    let mut last: Option<(Option<i64>, f64)> = None;
    for s in samples {
        let Some(hr) = finite(s.hr_bpm).filter(|v| (25.0..=HR_MAX_PLAUSIBLE_BPM).contains(v))
        else {
            continue;
        };
        if let Some((lt, lhr)) = last {
            let dt_s = match (lt, s.time_utc_ms) {
                (Some(a), Some(b)) => span_s(a, b).max(1.0),
                _ => 1.0,
            };
            if (hr - lhr).abs() > HR_MAX_JUMP_BPM_PER_S * dt_s {
                continue;
            }
        }
        kept.push(hr);
        last = Some((s.time_utc_ms, hr));
    }
    (0..kept.len())
        .filter_map(|i| {
            let lo = i.saturating_sub(2);
            let hi = (i + 3).min(kept.len());
            kept.get(lo..hi).and_then(median)
        })
        .collect()
}

pub fn hr_profile(samples: &[Sample]) -> HrProfile {
    let speeds = speed_estimates_mps(samples);
    let moving_mask = moving_from_speeds(samples, &speeds, DEFAULT_STATIONARY_SPEED_MPS);
    let mut still = Vec::new();
    let mut moving = Vec::new();
    let mut moving_s = 0.0;
    for iv in counted_intervals(samples) {
        let hr = hr_at(samples, iv.end);
        let is_moving = moving_mask.get(iv.end).copied().unwrap_or(false);
        if is_moving {
            moving_s += iv.dt_s;
        }
        if let Some(hr) = hr {
            if is_moving {
                moving.push((hr, iv.dt_s));
            } else {
                still.push((hr, iv.dt_s));
            }
        }
    }
    let mut cleaned = clean_hr_bpm(samples);
    cleaned.sort_by(f64::total_cmp);
    let mut counts: Vec<(f64, u32)> = Vec::new();
    for v in cleaned {
        match counts.last_mut() {
            Some(last) if last.0 == v => last.1 += 1,
            _ => counts.push((v, 1)),
        }
    }
    HrProfile {
        moving: HrSeconds::from_pairs(moving),
        still: HrSeconds::from_pairs(still),
        moving_s,
        cleaned: counts,
        peak_bpm: sustained_peak_bpm(samples),
        warmup: warmup_data(samples, DEFAULT_WARMUP_WINDOW_S),
    }
}

/// The sustained peak by brute force: every window scanned (the cleaning is shared).
pub fn sustained_peak_bpm(samples: &[Sample]) -> Option<f64> {
    let mut pts: Vec<(i64, f64)> = Vec::new();
    for (t, v) in super::hr::clean_hr_timed(samples) {
        let Some(t) = t else { continue };
        if pts.last().is_none_or(|p| t > p.0) {
            pts.push((t, v));
        }
    }
    let mut best: Option<f64> = None;
    for i in 0..pts.len() {
        let Some(j) =
            (i..pts.len()).find(|&j| span_s(pts[i].0, pts[j].0) >= super::hr::HR_PEAK_HOLD_S)
        else {
            break;
        };
        let m = pts[i..=j].iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        best = Some(best.map_or(m, |b: f64| b.max(m)));
    }
    best.and_then(check)
}

// ---- elevation.rs ----

pub fn hysteresis_gain_loss(alts: &[Option<f64>], threshold_m: f64) -> (f64, f64) {
    let h = if threshold_m.is_finite() && threshold_m > 0.1 {
        threshold_m
    } else {
        DEFAULT_HYSTERESIS_M
    };
    let mut reference: Option<f64> = None;
    let (mut gain, mut loss) = (0.0, 0.0);
    for a in alts.iter().copied().filter_map(finite) {
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

pub fn ascent_descent_m(samples: &[Sample], threshold_m: f64) -> (f64, f64) {
    let alts: Vec<Option<f64>> = samples.iter().map(|s| s.altitude_m).collect();
    hysteresis_gain_loss(&alts, threshold_m)
}

const STEEP_ZERO: SteepDescent = SteepDescent {
    descent_m: 0.0,
    dist_m: 0.0,
    duration_s: None,
    profile_descent_m: 0.0,
};

pub fn steep_descent(
    samples: &[Sample],
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
    let profile = profile(samples);
    let (Some(first), Some(last)) = (profile.first(), profile.last()) else {
        return STEEP_ZERO;
    };
    let length = last.0 - first.0;
    let steps_f = (length / GRID_STEP_M).floor();
    if !(steps_f >= 1.0 && steps_f <= MAX_GRID_STEPS as f64) {
        return STEEP_ZERO;
    }
    let steps = steps_f as usize;
    let (alt, time) = resample(&profile, first.0, steps);
    let smooth = smooth(&alt);

    let steep = |k: usize| (smooth[k + 1] - smooth[k]) / GRID_STEP_M <= grade_thr;
    let mut out = STEEP_ZERO;
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

fn profile(samples: &[Sample]) -> Vec<(f64, f64, Option<f64>)> {
    let use_device = samples.iter().any(|s| finite(s.distance_m).is_some());
    let xs: Vec<Option<f64>> = if use_device {
        samples.iter().map(|s| finite(s.distance_m)).collect()
    } else {
        cumulative_track_m(samples, MAX_FOOT_SPEED_MPS)
    };
    let t0 = samples.iter().find_map(|s| s.time_utc_ms);
    profile_points(samples, t0, &xs)
}

fn resample(
    profile: &[(f64, f64, Option<f64>)],
    x0: f64,
    steps: usize,
) -> (Vec<f64>, Vec<Option<f64>>) {
    let mut alt = Vec::with_capacity(steps + 1);
    let mut time = Vec::with_capacity(steps + 1);
    let mut k = 0;
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

fn smooth(alt: &[f64]) -> Vec<f64> {
    let half = (SMOOTH_WINDOW_M / 2.0 / GRID_STEP_M).round() as isize;
    let n = alt.len() as isize;
    let width = (2 * half + 1) as f64;
    (0..n)
        .map(|j| {
            let sum: f64 = (j - half..=j + half)
                .map(|k| alt[k.clamp(0, n - 1) as usize])
                .sum();
            sum / width
        })
        .collect()
}

#[cfg(test)]
mod tests;
