//! Hard-run detection (time in zones 4–5, pace surges) and warm-up quality.
//!
//! See `docs/metrics.md` sections "Hard run" and "Warm-up".

use super::hr::{hr_at, time_in_zones_s, Zones};
use super::series::Series;
use super::{check, merge_by_key, span_s, Interval};
use crate::model::{Sample, WarmupStatus};
use serde::{Deserialize, Serialize};

/// Minutes at ≥ 80 % HRmax (zones 4–5) that make a run hard.
pub const HARD_Z45_MIN: f64 = 10.0;

/// Number of pace surges that make a run hard.
pub const HARD_MIN_SURGES: usize = 3;

/// A surge is faster than this multiple of the run's median speed.
pub const SURGE_SPEED_FACTOR: f64 = 1.10;

/// Shortest surge: fast running time of a bout, in seconds.
pub const SURGE_MIN_S: f64 = 30.0;

/// Shortest recovery that separates two bouts, in seconds (shorter dips are merged).
pub const SURGE_MIN_RECOVERY_S: f64 = 10.0;

/// Default warm-up window from the first sample, in seconds (10 min).
pub const DEFAULT_WARMUP_WINDOW_S: f64 = 600.0;

/// Mean HR above this fraction of HRmax in the window means a cold start.
pub const COLD_START_HR_FRACTION: f64 = 0.80;

/// More than this many minutes in zones ≥ 4 in the window means a cold start.
pub const COLD_START_Z45_MIN: f64 = 2.0;

/// A first-window pace within this factor of the median pace means a cold start (1.05 = 5 %).
pub const COLD_START_PACE_RATIO: f64 = 1.05;

/// A warm-up minute is easy below this fraction of HRmax (when judged by heart rate).
pub const EASY_HR_FRACTION: f64 = 0.75;

/// Easy running from the start of at least this long is an adequate warm-up, in seconds.
pub const ADEQUATE_WARMUP_S: f64 = 300.0;

/// Easy running from the start shorter than this is no warm-up, in seconds.
pub const SHORT_WARMUP_S: f64 = 60.0;

/// Whether a run was hard, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardness {
    /// Minutes at ≥ 80 % HRmax; `None` without HRmax or heart rate.
    pub z45_minutes: Option<f64>,
    /// Number of pace surges.
    pub surges: usize,
    /// `z45_minutes ≥ 10` or `surges ≥ 3`.
    pub hard: bool,
}

/// Minutes in zones 4–5 (≥ 80 % HRmax) over the counted intervals.
///
/// `None` when HRmax is unusable or no counted interval has heart rate.
///
/// # Units
/// bpm in, minutes out.
///
/// # References
/// Edwards 1993 zones (4–5 = ≥ 80 % HRmax).
pub fn z45_minutes(samples: &[Sample], hr_max_bpm: f64) -> Option<f64> {
    let zones = Zones::percent_max(hr_max_bpm)?;
    let t = time_in_zones_s(samples, &zones);
    if t.iter().sum::<f64>() <= 0.0 {
        return None;
    }
    check((t[4] + t[5]) / 60.0)
}

/// Number of pace surges.
///
/// Over the moving intervals with a speed (≤ 12 m/s), an interval is *fast* when its speed is
/// above [`SURGE_SPEED_FACTOR`] × the median of those speeds (pace more than 10 % faster than the
/// median pace). Fast intervals form a bout; slow intervals, stops and gaps are recovery. A
/// recovery shorter than [`SURGE_MIN_RECOVERY_S`] (10 s) does not end a bout (GPS noise), a
/// longer one does. A bout with at least [`SURGE_MIN_S`] (30 s) of fast time is a surge.
///
/// # Units
/// A count.
///
/// # References
/// Definition and thresholds ours; see `docs/metrics.md` "Hard run".
pub fn surges(samples: &[Sample]) -> usize {
    surges_series(&Series::new(samples))
}

/// [`surges`] over a [`Series`] (its moving intervals with a speed, kept for the warm-up).
pub fn surges_series(series: &Series<'_>) -> usize {
    let iv = series.speed_intervals();
    let Some(med) = iv.median_mps else {
        return 0;
    };
    let fast = SURGE_SPEED_FACTOR * med;
    let mut count = 0;
    let mut bout_s = 0.0;
    let mut recovery_s = 0.0;
    let mut prev_end: Option<f64> = None;
    for &(i, t_end, v) in &iv.items {
        // time not covered by these intervals (pauses, stops, gaps) is recovery
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
        if v > fast {
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

/// A run is hard when it has ≥ [`HARD_Z45_MIN`] (10) minutes at ≥ 80 % HRmax, or ≥
/// [`HARD_MIN_SURGES`] (3) [pace surges](surges).
///
/// The HR rule catches tempo runs and races; the surge rule catches interval sessions and runs
/// without heart rate.
///
/// # Units
/// HRmax in bpm.
///
/// # References
/// Definition ours; zones from Edwards 1993.
pub fn hardness(samples: &[Sample], hr_max_bpm: Option<f64>) -> Hardness {
    let z45 = hr_max_bpm.and_then(|m| z45_minutes(samples, m));
    let n = surges(samples);
    Hardness {
        z45_minutes: z45,
        surges: n,
        hard: z45.is_some_and(|m| m >= HARD_Z45_MIN) || n >= HARD_MIN_SURGES,
    }
}

/// Warm-up quality of the first window of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warmup {
    /// Time-weighted mean HR in the window as % of HRmax.
    pub warmup_hr_pct: Option<f64>,
    /// Minutes at ≥ 80 % HRmax in the window.
    pub z45_minutes: Option<f64>,
    /// Window pace / the run's median pace (= median speed / window mean speed); < 1 is faster.
    pub pace_ratio: Option<f64>,
    /// The cold-start detector fired.
    pub cold_start: bool,
    /// Counted seconds of easy running from the start (whole easy minutes before the first
    /// non-easy one), within the window.
    pub easy_s: f64,
    /// Verdict.
    pub status: WarmupStatus,
}

/// Warm-up quality in the first `window_s` seconds (default 600) after the first timed sample.
///
/// Only meaningful for hard runs ([`hardness`]); easy runs need no warm-up.
///
/// **Basis.** Heart rate when HRmax is given and ≥ 50 % of the window's counted time has heart
/// rate; otherwise speed.
///
/// **Cold start** (a detector of ours, not a published one):
/// - HR basis: mean HR > 80 % HRmax, or > 2 min at ≥ 80 % HRmax (zones 4–5);
/// - speed basis: window pace within 5 % of the run's median pace (`pace_ratio ≤ 1.05`; median
///   over the run's moving intervals, window pace from the window's time-weighted mean speed).
///
/// Pace is only the fallback because on interval days the median pace mixes efforts and
/// recoveries, so an easy jog can sit near it.
///
/// **Easy minutes.** The window is cut into 60 s bins from the start (intervals by end time). A
/// bin is easy when its mean HR < 75 % HRmax (HR basis) or its mean speed is at least 5 % slower
/// than the median (speed basis); bins with no data are skipped. `easy_s` is the counted time of
/// the leading easy bins.
///
/// **Status.** `Adequate` when there is no cold start or `easy_s ≥ 300 s` (Bishop's 5–10 min);
/// otherwise `None` when `easy_s < 60 s` (hard from the first minute), else `Short`. `Unknown`
/// without a basis.
///
/// # Units
/// bpm and seconds in; % and minutes out.
///
/// # References
/// Bishop D 2003, Sports Med 33(7):483–498; Fradkin AJ et al. 2010, J Strength Cond Res
/// 24(1):140–148 (docs/metrics.md); the detector and thresholds are heuristics, ours.
pub fn warmup(samples: &[Sample], hr_max_bpm: Option<f64>, window_s: f64) -> Warmup {
    warmup_data(samples, window_s).evaluate(hr_max_bpm)
}

/// What [`warmup`] needs from the first window of a run, without HRmax: kept in an activity's
/// reduced summary so the verdict can be given once HRmax is known for the whole history
/// (configured, from the files, or estimated), without reading the file again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmupData {
    /// Counted seconds in the window.
    pub window_total_s: f64,
    /// Seconds at each heart rate in the window: `(hr_bpm, seconds)`, sorted by heart rate.
    pub hr_hist: Vec<(f64, f64)>,
    /// Per 60-s bin from the start: `(Σ hr·dt, Σ dt)` of the intervals with heart rate.
    pub bin_hr: Vec<(f64, f64)>,
    /// Per 60-s bin: counted seconds.
    pub bin_t: Vec<f64>,
    /// Per 60-s bin: easy by speed (mean speed at least 5 % slower than the median), `None`
    /// without speed.
    pub bin_speed_easy: Vec<Option<bool>>,
    /// Window pace / the run's median pace.
    pub pace_ratio: Option<f64>,
}

/// Collect [`WarmupData`] from the first `window_s` seconds (default 600) of a run.
pub fn warmup_data(samples: &[Sample], window_s: f64) -> WarmupData {
    warmup_data_series(&Series::new(samples), window_s)
}

/// [`warmup_data`] over a [`Series`] (its intervals and moving intervals with a speed).
pub fn warmup_data_series(series: &Series<'_>, window_s: f64) -> WarmupData {
    let window = if window_s.is_finite() && window_s > 0.0 {
        window_s
    } else {
        DEFAULT_WARMUP_WINDOW_S
    };
    let samples = series.samples();
    let t0 = series.t0_ms();
    let rel = |i: usize| -> Option<f64> {
        let t = samples.get(i)?.time_utc_ms?;
        Some(span_s(t0?, t))
    };
    // Intervals end at strictly increasing times (each moves the clock forward), so those in
    // the window are a prefix.
    let in_window: Vec<Interval> = series
        .intervals()
        .iter()
        .take_while(|iv| rel(iv.end).is_some_and(|t| t <= window))
        .copied()
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
    let merged = merge_by_key(hr_hist);

    let speed_iv = series.speed_intervals();
    let med = speed_iv.median_mps;
    let (mut v_sum, mut v_s) = (0.0, 0.0);
    let mut bin_v = vec![(0.0, 0.0); bins];
    // (a subsequence of the intervals: a prefix of it is in the window)
    for (iv, t, v) in speed_iv.items.iter().take_while(|x| x.1 <= window) {
        v_sum += v * iv.dt_s;
        v_s += iv.dt_s;
        let b = bin_of(*t);
        bin_v[b].0 += v * iv.dt_s;
        bin_v[b].1 += iv.dt_s;
    }
    let window_speed = (v_s > 0.0).then(|| v_sum / v_s).filter(|v| *v > 0.0);
    let pace_ratio = match (med, window_speed) {
        (Some(m), Some(w)) => check(m / w),
        _ => None,
    };
    let bin_speed_easy = bin_v
        .iter()
        .map(|&(sum, secs)| {
            (secs > 0.0).then(|| med.is_some_and(|m| sum / secs * COLD_START_PACE_RATIO <= m))
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

impl WarmupData {
    /// The verdict for a given HRmax (see [`warmup`] for the rules).
    pub fn evaluate(&self, hr_max_bpm: Option<f64>) -> Warmup {
        let hr_max = hr_max_bpm.filter(|m| m.is_finite() && *m > 0.0 && *m <= 250.0);
        let (mut hr_sum, mut hr_s, mut z45_s) = (0.0, 0.0, 0.0);
        for &(hr, dt) in &self.hr_hist {
            hr_sum += hr * dt;
            hr_s += dt;
            if hr_max.is_some_and(|m| hr >= COLD_START_HR_FRACTION * m) {
                z45_s += dt;
            }
        }
        let warmup_hr_pct = hr_max
            .filter(|_| hr_s > 0.0)
            .and_then(|m| check(hr_sum / hr_s / m * 100.0));
        let z45 = (hr_max.is_some() && hr_s > 0.0).then_some(z45_s / 60.0);
        let hr_basis =
            hr_max.is_some() && self.window_total_s > 0.0 && hr_s / self.window_total_s >= 0.5;
        let pace_ratio = self.pace_ratio;
        let cold_start = if hr_basis {
            warmup_hr_pct.is_some_and(|p| p > COLD_START_HR_FRACTION * 100.0)
                || z45.is_some_and(|m| m > COLD_START_Z45_MIN)
        } else {
            pace_ratio.is_some_and(|r| r <= COLD_START_PACE_RATIO)
        };
        let speed_basis = !hr_basis && pace_ratio.is_some();

        let mut easy_s = 0.0;
        for (b, t) in self.bin_t.iter().enumerate() {
            let easy = if hr_basis {
                let (sum, secs) = self.bin_hr.get(b).copied().unwrap_or((0.0, 0.0));
                if secs <= 0.0 {
                    continue;
                }
                hr_max.is_some_and(|m| sum / secs < EASY_HR_FRACTION * m)
            } else {
                match self.bin_speed_easy.get(b).copied().flatten() {
                    None => continue,
                    Some(e) => e,
                }
            };
            if !easy {
                break;
            }
            easy_s += t;
        }

        let status = if !(hr_basis || speed_basis) {
            WarmupStatus::Unknown
        } else if !cold_start || easy_s >= ADEQUATE_WARMUP_S {
            WarmupStatus::Adequate
        } else if easy_s < SHORT_WARMUP_S {
            WarmupStatus::None
        } else {
            WarmupStatus::Short
        };
        Warmup {
            warmup_hr_pct,
            z45_minutes: z45,
            pace_ratio,
            cold_start,
            easy_s,
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    /// 1 Hz run of `n` seconds with speed and HR from functions of the second.
    fn run(n: usize, v: impl Fn(usize) -> f64, hr: impl Fn(usize) -> Option<f64>) -> Vec<Sample> {
        series(n + 1, 1.0, |i, s| {
            s.speed_mps = Some(v(i));
            s.hr_bpm = hr(i);
        })
    }

    #[test]
    fn surges_hand_case() {
        // 30 min at 3 m/s with four 60 s bouts at 4 m/s (> 1.1 × median 3 = 3.3), 4 min apart,
        // plus a 20 s bout (too short) and a 5 s dip inside the first bout (merged)
        let fast = |i: usize| {
            let bout = (300..360).contains(&i)
                || (600..660).contains(&i)
                || (900..960).contains(&i)
                || (1200..1260).contains(&i)
                || (1500..1520).contains(&i);
            let dip = (320..325).contains(&i);
            bout && !dip
        };
        let s = run(1800, |i| if fast(i) { 4.0 } else { 3.0 }, |_| None);
        assert_eq!(surges(&s), 4);
        let h = hardness(&s, None);
        assert_eq!((h.surges, h.hard, h.z45_minutes), (4, true, None));
        // a steady run has none
        let steady = run(1800, |i| 3.0 + 0.1 * ((i % 7) as f64 - 3.0) / 3.0, |_| None);
        assert_eq!(surges(&steady), 0);
        assert!(!hardness(&steady, None).hard);
        assert_eq!(surges(&[]), 0);
    }

    #[test]
    fn hard_by_heart_rate() {
        // HRmax 190: 80 % = 152. 12 min at 160 after 20 min at 130 → z45 = 12 min → hard
        let s = run(
            1920,
            |_| 3.0,
            |i| Some(if i > 1200 { 160.0 } else { 130.0 }),
        );
        let h = hardness(&s, Some(190.0));
        assert!((h.z45_minutes.unwrap() - 12.0).abs() < 1e-9);
        assert!(h.hard);
        // 9 min is not enough
        let s = run(
            1740,
            |_| 3.0,
            |i| Some(if i > 1200 { 160.0 } else { 130.0 }),
        );
        assert!(!hardness(&s, Some(190.0)).hard);
    }

    #[test]
    fn warmup_adequate_short_none() {
        // HRmax 200. Easy = < 150 bpm; cold start = mean > 160 or > 2 min ≥ 160.
        // adequate: 10 min at 130 then hard at 175
        let s = run(
            2400,
            |_| 3.0,
            |i| Some(if i <= 600 { 130.0 } else { 175.0 }),
        );
        let w = warmup(&s, Some(200.0), 600.0);
        assert_eq!(w.status, WarmupStatus::Adequate);
        assert!(!w.cold_start);
        assert!((w.warmup_hr_pct.unwrap() - 65.0).abs() < 1e-9);
        assert_eq!(w.z45_minutes, Some(0.0));
        assert_eq!(w.easy_s, 600.0);
        // short: 3 min at 130, then 175 → window: 180 s easy, 420 s ≥ 160 (7 min > 2) → cold
        let s = run(
            2400,
            |_| 3.0,
            |i| Some(if i <= 180 { 130.0 } else { 175.0 }),
        );
        let w = warmup(&s, Some(200.0), 600.0);
        assert!(w.cold_start);
        assert_eq!(w.easy_s, 180.0);
        assert_eq!(w.status, WarmupStatus::Short);
        // mean HR = (180 × 130 + 420 × 175) / 600 = 161.5 → 80.75 %
        assert!((w.warmup_hr_pct.unwrap() - 80.75).abs() < 1e-9);
        assert!((w.z45_minutes.unwrap() - 7.0).abs() < 1e-9);
        // none: 175 from the start
        let s = run(2400, |_| 3.0, |_| Some(175.0));
        let w = warmup(&s, Some(200.0), 600.0);
        assert_eq!(w.status, WarmupStatus::None);
        assert_eq!(w.easy_s, 0.0);
        // 5 min easy then hard: cold start by z45 (5 min) but adequate warm-up
        let s = run(
            2400,
            |_| 3.0,
            |i| Some(if i <= 300 { 130.0 } else { 175.0 }),
        );
        let w = warmup(&s, Some(200.0), 600.0);
        assert!(w.cold_start);
        assert_eq!(w.status, WarmupStatus::Adequate);
    }

    #[test]
    fn warmup_by_pace() {
        // no HR. Run: 10 min at 2.5 m/s then 30 min at 3.5 m/s. Median 3.5;
        // window mean 2.5 → pace_ratio 3.5 / 2.5 = 1.4 > 1.05 → no cold start
        let s = run(2400, |i| if i <= 600 { 2.5 } else { 3.5 }, |_| None);
        let w = warmup(&s, Some(190.0), 600.0);
        assert!((w.pace_ratio.unwrap() - 1.4).abs() < 1e-9);
        assert_eq!(w.status, WarmupStatus::Adequate);
        assert_eq!(w.warmup_hr_pct, None);
        // starting at the median pace is a cold start with no easy minute
        let s = run(2400, |_| 3.5, |_| None);
        let w = warmup(&s, None, 600.0);
        assert!((w.pace_ratio.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(w.status, WarmupStatus::None);
    }

    #[test]
    fn warmup_edge_cases() {
        let w = warmup(&[], Some(190.0), f64::NAN);
        assert_eq!(w.status, WarmupStatus::Unknown);
        assert_eq!(w.easy_s, 0.0);
        let s = series(1, 1.0, |_, s| s.hr_bpm = Some(150.0));
        assert_eq!(warmup(&s, Some(190.0), 600.0).status, WarmupStatus::Unknown);
        // HR only, no HRmax, no speed (treadmill without pod): unknown
        let s = series(1000, 1.0, |_, s| s.hr_bpm = Some(150.0));
        assert_eq!(warmup(&s, None, 600.0).status, WarmupStatus::Unknown);
        // bad HRmax
        assert_eq!(
            warmup(&s, Some(f64::INFINITY), 600.0).status,
            WarmupStatus::Unknown
        );
    }
}
