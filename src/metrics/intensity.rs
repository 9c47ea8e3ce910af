//! Hard-run detection (time at ≥ 88 % HRmax, pace surges on the flat) and warm-up quality.
//!
//! See `docs/metrics.md` sections "Hard run" and "Warm-up".

use super::elevation::sample_grades_series;
use super::hr::{hr_at, time_in_zones_s, Zones};
use super::hrtime::{HrSeconds, HrSecondsBuilder};
use super::series::Series;
use super::{check, counted_intervals, span_s};
use crate::model::{Sample, WarmupStatus};
use serde::{Deserialize, Serialize};

/// Minutes at ≥ [`HARD_HR_FRACTION`] of HRmax that make a run hard.
pub const HARD_HR_MIN: f64 = 10.0;

/// The heart rate, as a fraction of HRmax, above which time counts toward a hard run: 88 %,
/// about the second ventilatory threshold (Seiler & Kjerland 2006).
pub const HARD_HR_FRACTION: f64 = 0.88;

/// A run whose heart rate speaks for it (covering half its moving time) with a mean under this
/// fraction of HRmax is easy, whatever its surges.
pub const SURGE_HR_VETO_FRACTION: f64 = 0.75;

pub use super::distance::RUNNING_MIN_SPEED_MPS;

/// A surge counts only where the ground is this flat: |grade| below 3 %.
pub const SURGE_MAX_GRADE: f64 = 0.03;

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

/// A first-window pace within this factor of the median running pace means a cold start
/// (1.05 = 5 %).
pub const COLD_START_PACE_RATIO: f64 = 1.05;

/// A warm-up minute is easy by pace when its pace is at least this factor slower than the
/// session's median running pace (1.10 = 10 % slower).
pub const EASY_PACE_FACTOR: f64 = 1.10;

/// Heart rate lags the effort: the first minutes of the window are not judged by it, seconds.
pub const HR_LAG_IGNORED_S: f64 = 120.0;

/// Runs longer than this get no warm-up verdict (they start slowly by necessity), seconds.
pub const WARMUP_MAX_RUN_S: f64 = 7200.0;

/// An activity that ends at most this long before a run's start is its warm-up, seconds.
pub const WARMUP_LINK_MAX_GAP_S: f64 = 900.0;

/// A race-like effort: at least this share of the heart-rate time at ≥ 88 % HRmax ...
pub const RACE_HARD_SHARE: f64 = 0.5;

/// ... and at least this many minutes of it.
pub const RACE_HARD_MIN: f64 = 15.0;

/// A warm-up minute is easy below this fraction of HRmax (when judged by heart rate).
pub const EASY_HR_FRACTION: f64 = 0.75;

/// Easy running from the start of at least this long is an adequate warm-up, in seconds.
pub const ADEQUATE_WARMUP_S: f64 = 300.0;

/// Easy running from the start shorter than this is no warm-up, in seconds.
pub const SHORT_WARMUP_S: f64 = 60.0;

/// Whether a run was hard, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hardness {
    /// Minutes at ≥ 88 % HRmax; `None` without HRmax or heart rate.
    pub hard_hr_minutes: Option<f64>,
    /// Number of pace surges (on the flat, against the median running speed).
    pub surges: usize,
    /// The surges do not count: heart rate covers half the moving time and its mean is under
    /// 75 % of HRmax.
    pub surges_vetoed: bool,
    /// `hard_hr_minutes ≥ 10`, or `surges ≥ 3` and not vetoed.
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

/// Minutes at ≥ [`HARD_HR_FRACTION`] (88 %) of HRmax over the counted intervals with heart rate.
///
/// `None` when HRmax is unusable (0 < HRmax ≤ 250) or no counted interval has heart rate.
///
/// # Units
/// bpm in, minutes out.
///
/// # References
/// Seiler KS, Kjerland GØ 2006, Scand J Med Sci Sports 16(1):49–56 (zone 3, above the second
/// ventilatory threshold, at about 87–88 % HRmax and above).
pub fn hard_hr_minutes(samples: &[Sample], hr_max_bpm: f64) -> Option<f64> {
    if !(hr_max_bpm.is_finite() && hr_max_bpm > 0.0 && hr_max_bpm <= 250.0) {
        return None;
    }
    let (mut any, mut secs) = (false, 0.0);
    for iv in counted_intervals(samples) {
        if let Some(hr) = hr_at(samples, iv.end) {
            any = true;
            if hr >= HARD_HR_FRACTION * hr_max_bpm {
                secs += iv.dt_s;
            }
        }
    }
    any.then(|| secs / 60.0).and_then(check)
}

/// Number of pace surges.
///
/// Over the moving intervals with a speed (≤ 12 m/s), the *running* ones are those at
/// ≥ [`RUNNING_MIN_SPEED_MPS`] (2.0 m/s; stops and walking excluded) and their median speed is
/// the reference. An interval is *fast* when its speed is above [`SURGE_SPEED_FACTOR`] × that
/// median (pace more than 10 % faster than the median running pace) **and** the ground is
/// near-flat, |grade| < [`SURGE_MAX_GRADE`] (3 %; grade from
/// [`super::elevation::sample_grades`], a sample without one counts as flat). Fast intervals
/// form a bout; other intervals, stops and gaps are recovery. A recovery shorter than
/// [`SURGE_MIN_RECOVERY_S`] (10 s) does not end a bout (GPS noise), a longer one does. A bout
/// with at least [`SURGE_MIN_S`] (30 s) of fast time is a surge.
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
    let Some(med) = iv.running_median_mps else {
        return 0;
    };
    let grades = sample_grades_series(series);
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

/// The hard-run rule from its parts: `hard_hr_minutes ≥ 10`, or `surges ≥ 3` unless the HR
/// record speaks for the run (`covering_mean_bpm`, see [`super::profile::HrProfile`]) with a
/// mean under 75 % of HRmax.
pub fn hard_rule(
    hard_hr_minutes: Option<f64>,
    surges: usize,
    covering_mean_bpm: Option<f64>,
    hr_max_bpm: Option<f64>,
) -> Hardness {
    let vetoed = match (covering_mean_bpm, hr_max_bpm) {
        (Some(mean), Some(max)) => mean < SURGE_HR_VETO_FRACTION * max,
        _ => false,
    };
    Hardness {
        hard_hr_minutes,
        surges,
        surges_vetoed: vetoed,
        hard: hard_hr_minutes.is_some_and(|m| m >= HARD_HR_MIN)
            || (surges >= HARD_MIN_SURGES && !vetoed),
    }
}

/// A run is hard when it has ≥ [`HARD_HR_MIN`] (10) minutes at ≥ 88 % HRmax, or ≥
/// [`HARD_MIN_SURGES`] (3) [pace surges](surges) and no HR record saying otherwise (heart rate
/// covering half the moving time with a mean under 75 % HRmax).
///
/// The HR rule catches tempo runs, intervals and races; the surge rule interval sessions and
/// runs without heart rate.
///
/// # Units
/// HRmax in bpm.
///
/// # References
/// Seiler & Kjerland 2006 (88 % HRmax); surge rule ours.
pub fn hardness(samples: &[Sample], hr_max_bpm: Option<f64>) -> Hardness {
    let hr_min = hr_max_bpm.and_then(|m| hard_hr_minutes(samples, m));
    let series = Series::new(samples);
    let n = surges_series(&series);
    hard_rule(hr_min, n, covering_mean_bpm(&series), hr_max_bpm)
}

/// The time-weighted mean heart rate over the counted intervals with heart rate, when heart
/// rate covers at least half of the moving time (as `profile::HrProfile::covering_mean_bpm`).
fn covering_mean_bpm(series: &Series<'_>) -> Option<f64> {
    let samples = series.samples();
    let moving = series.moving();
    let (mut moving_s, mut moving_hr_s, mut sum, mut hr_s) = (0.0, 0.0, 0.0, 0.0);
    for iv in series.intervals() {
        let hr = hr_at(samples, iv.end);
        if moving.get(iv.end).copied().unwrap_or(false) {
            moving_s += iv.dt_s;
            if hr.is_some() {
                moving_hr_s += iv.dt_s;
            }
        }
        if let Some(h) = hr {
            sum += h * iv.dt_s;
            hr_s += iv.dt_s;
        }
    }
    let covered = moving_s > 0.0 && moving_hr_s / moving_s >= super::load::MIN_COVERAGE;
    (covered && hr_s > 0.0).then(|| sum / hr_s).and_then(check)
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
/// Only meaningful for hard runs ([`hardness`]); easy runs need no warm-up. Races and runs over
/// two hours get no verdict, and an activity ending up to 15 minutes before the start is a
/// warm-up whatever its intensity: both need more than the run's samples and are applied by
/// `metrics::finish` (`WarmupStatus::NotJudged`, [`link_warmups`]).
///
/// **Basis.** Pace first: when the window has speeds and the run a median *running* speed
/// (moving intervals at ≥ 2.0 m/s, stops and walking excluded). Else heart rate, when HRmax is
/// given and ≥ 50 % of the window's counted time has heart rate.
///
/// **Cold start** (a detector of ours, not a published one):
/// - pace basis: window pace within 5 % of the median running pace (`pace_ratio ≤ 1.05`, window
///   pace from the window's time-weighted mean speed);
/// - HR basis, the first 2 minutes ignored (heart rate lags the effort): the mean HR of the
///   later minutes of the window > 80 % HRmax, or more than 2 of those minutes with a mean
///   ≥ 80 % HRmax.
///
/// **Easy minutes.** The window is cut into 60 s bins from the start (intervals by end time).
/// Pace basis: a bin is easy when its mean speed is at least 10 % slower than the median running
/// speed (`speed × 1.10 ≤ median`). HR basis: a bin is easy when its mean HR < 75 % HRmax; the
/// first 2 bins are not judged and count as easy when the third one is. Bins with no data are
/// skipped. `easy_s` is the counted time of the leading easy bins.
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
    /// Time at each heart rate in the window.
    pub hr_hist: HrSeconds,
    /// Per 60-s bin from the start: `(Σ hr·dt, Σ dt)` of the intervals with heart rate.
    pub bin_hr: Vec<(f64, f64)>,
    /// Per 60-s bin: counted seconds.
    pub bin_t: Vec<f64>,
    /// Per 60-s bin: easy by speed (mean speed at least 10 % slower than the median running
    /// speed), `None` without speed.
    pub bin_speed_easy: Vec<Option<bool>>,
    /// Window pace / the run's median running pace.
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
    let intervals = series.intervals();
    let in_window = &intervals[..intervals
        .iter()
        .position(|iv| !rel(iv.end).is_some_and(|t| t <= window))
        .unwrap_or(intervals.len())];
    let window_total_s: f64 = in_window.iter().map(|iv| iv.dt_s).sum();

    let bins = (window / 60.0).ceil().max(1.0) as usize;
    let bin_of = |t: f64| (((t - 1e-9) / 60.0).floor().max(0.0) as usize).min(bins - 1);
    let mut hr_hist = HrSecondsBuilder::new();
    let mut bin_hr = vec![(0.0, 0.0); bins];
    let mut bin_t = vec![0.0; bins];
    for iv in in_window {
        let hr = hr_at(samples, iv.end);
        if let Some(hr) = hr {
            hr_hist.add(hr, iv.dt_s);
        }
        let Some(t) = rel(iv.end) else { continue };
        let b = bin_of(t);
        bin_t[b] += iv.dt_s;
        if let Some(hr) = hr {
            bin_hr[b].0 += hr * iv.dt_s;
            bin_hr[b].1 += iv.dt_s;
        }
    }
    let merged = hr_hist.finish();

    let speed_iv = series.speed_intervals();
    let med = speed_iv.running_median_mps;
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

impl WarmupData {
    /// The verdict for a given HRmax (see [`warmup`] for the rules).
    pub fn evaluate(&self, hr_max_bpm: Option<f64>) -> Warmup {
        let hr_max = hr_max_bpm.filter(|m| m.is_finite() && *m > 0.0 && *m <= 250.0);
        let (mut hr_sum, mut hr_s, mut z45_s) = (0.0, 0.0, 0.0);
        for (hr, dt) in self.hr_hist.iter() {
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
        let pace_ratio = self.pace_ratio;
        let pace_basis = pace_ratio.is_some();
        let hr_basis = !pace_basis
            && hr_max.is_some()
            && self.window_total_s > 0.0
            && hr_s / self.window_total_s >= 0.5;
        let ignored_bins = (HR_LAG_IGNORED_S / 60.0).round() as usize;
        let bin_mean_hr = |b: usize| {
            let (sum, secs) = self.bin_hr.get(b).copied().unwrap_or((0.0, 0.0));
            (secs > 0.0).then(|| sum / secs)
        };

        let (cold_start, easy_s) = if pace_basis {
            let cold = pace_ratio.is_some_and(|r| r <= COLD_START_PACE_RATIO);
            let mut easy_s = 0.0;
            for (b, t) in self.bin_t.iter().enumerate() {
                match self.bin_speed_easy.get(b).copied().flatten() {
                    None => continue,
                    Some(true) => easy_s += t,
                    Some(false) => break,
                }
            }
            (cold, easy_s)
        } else if let (true, Some(m)) = (hr_basis, hr_max) {
            // the minutes after the ignored ones
            let (mut sum, mut secs, mut hot_s) = (0.0, 0.0, 0.0);
            for b in ignored_bins..self.bin_hr.len() {
                let (s, t) = self.bin_hr[b];
                sum += s;
                secs += t;
                if bin_mean_hr(b).is_some_and(|h| h >= COLD_START_HR_FRACTION * m) {
                    hot_s += t;
                }
            }
            let cold = (secs > 0.0 && sum / secs > COLD_START_HR_FRACTION * m)
                || hot_s > COLD_START_Z45_MIN * 60.0;
            let mut easy_s = 0.0;
            let mut judged_any = false;
            for (b, t) in self.bin_t.iter().enumerate().skip(ignored_bins) {
                let Some(h) = bin_mean_hr(b) else { continue };
                if h >= EASY_HR_FRACTION * m {
                    break;
                }
                if !judged_any {
                    // the ignored first minutes are as easy as the first judged one
                    easy_s += self.bin_t.iter().take(ignored_bins.min(b)).sum::<f64>();
                    judged_any = true;
                }
                easy_s += t;
            }
            (cold, easy_s)
        } else {
            (false, 0.0)
        };

        let status = if !(hr_basis || pace_basis) {
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

/// A race-like effort: at least [`RACE_HARD_MIN`] (15) minutes and [`RACE_HARD_SHARE`] (half) of
/// the heart-rate time at ≥ 88 % HRmax. Heuristic, ours: files do not say which runs were races;
/// a continuous threshold run of 30 minutes or more looks the same.
pub fn race_like(hard_hr_minutes: Option<f64>, hr_minutes: f64) -> bool {
    hard_hr_minutes.is_some_and(|m| {
        m >= RACE_HARD_MIN && hr_minutes > 0.0 && m / hr_minutes >= RACE_HARD_SHARE
    })
}

/// What [`link_warmups`] needs of one activity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarmupLink {
    /// Start, milliseconds since the epoch (UTC).
    pub start_ms: i64,
    /// End (start plus elapsed time), milliseconds since the epoch (UTC).
    pub end_ms: i64,
    /// The run's verdict, if it has one that a preceding activity can change (`Short`, `None`).
    pub verdict: Option<WarmupStatus>,
    /// The activity counts in the history (a plausible date).
    pub usable: bool,
}

/// The runs whose warm-up was another activity: for each run with a `Short` or `None` verdict,
/// an activity (usable, other than itself) of at least 5 minutes that ends at most
/// [`WARMUP_LINK_MAX_GAP_S`] (15 min) before the run starts, and no later than 60 s after (clock
/// differences between devices), whatever its intensity, makes the verdict `Adequate`. Returns
/// the indices to change, ascending. A pure function of the list: the same for any order of
/// evaluation.
pub fn link_warmups(acts: &[WarmupLink]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..acts.len()).filter(|&i| acts[i].usable).collect();
    order.sort_by_key(|&i| (acts[i].end_ms, i));
    let ends: Vec<i64> = order.iter().map(|&i| acts[i].end_ms).collect();
    let mut out = Vec::new();
    for (i, a) in acts.iter().enumerate() {
        if !matches!(a.verdict, Some(WarmupStatus::Short | WarmupStatus::None)) || !a.usable {
            continue;
        }
        let from = a.start_ms - (WARMUP_LINK_MAX_GAP_S * 1000.0) as i64;
        let to = a.start_ms + 60_000;
        let lo = ends.partition_point(|&e| e < from);
        let hi = ends.partition_point(|&e| e <= to);
        let linked = order[lo..hi].iter().any(|&j| {
            let b = &acts[j];
            j != i
                && b.start_ms < a.start_ms
                && (b.end_ms - b.start_ms) as f64 >= ADEQUATE_WARMUP_S * 1000.0
        });
        if linked {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    /// 1 Hz run of `n` seconds without speed, HR from a function of the second.
    fn run_no_speed(n: usize, hr: impl Fn(usize) -> Option<f64>) -> Vec<Sample> {
        series(n + 1, 1.0, |i, s| s.hr_bpm = hr(i))
    }

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
        assert_eq!((h.surges, h.hard, h.hard_hr_minutes), (4, true, None));
        // the same bouts with heart rate at 65 % of HRmax 200 throughout: an easy run with
        // strides, not an interval session
        let easy = run(1800, |i| if fast(i) { 4.0 } else { 3.0 }, |_| Some(130.0));
        let h = hardness(&easy, Some(200.0));
        assert_eq!((h.surges, h.surges_vetoed, h.hard), (4, true, false));
        // on a 6 % slope the bouts are not surges (downhill strides are terrain)
        let mut hilly = s.clone();
        for (k, x) in hilly.iter_mut().enumerate() {
            x.distance_m = Some(3.0 * k as f64);
            x.altitude_m = Some(100.0 - 0.06 * 3.0 * k as f64);
        }
        assert_eq!(surges(&hilly), 0);
        // walking breaks do not lower the reference: 3 m/s running with 60 s walks at 1.4 m/s
        // every 3 min; the median running speed stays 3 m/s, so no surges
        let runwalk = run(1800, |i| if i % 180 < 60 { 1.4 } else { 3.0 }, |_| None);
        assert_eq!(surges(&runwalk), 0);
        // a steady run has none
        let steady = run(1800, |i| 3.0 + 0.1 * ((i % 7) as f64 - 3.0) / 3.0, |_| None);
        assert_eq!(surges(&steady), 0);
        assert!(!hardness(&steady, None).hard);
        assert_eq!(surges(&[]), 0);
    }

    #[test]
    fn hard_by_heart_rate() {
        // HRmax 190: 88 % = 167.2. 12 min at 170 after 20 min at 130 → 12 min → hard
        let s = run(
            1920,
            |_| 3.0,
            |i| Some(if i > 1200 { 170.0 } else { 130.0 }),
        );
        let h = hardness(&s, Some(190.0));
        assert!((h.hard_hr_minutes.unwrap() - 12.0).abs() < 1e-9);
        assert!(h.hard);
        // 9 min is not enough
        let s = run(
            1740,
            |_| 3.0,
            |i| Some(if i > 1200 { 170.0 } else { 130.0 }),
        );
        assert!(!hardness(&s, Some(190.0)).hard);
        // 12 min at 160 (84 %): hard by the old 80 % rule, not by 88 %
        let s = run(
            1920,
            |_| 3.0,
            |i| Some(if i > 1200 { 160.0 } else { 130.0 }),
        );
        let h = hardness(&s, Some(190.0));
        assert_eq!((h.hard_hr_minutes, h.hard), (Some(0.0), false));
        assert!((z45_minutes(&s, 190.0).unwrap() - 12.0).abs() < 1e-9);
    }

    #[test]
    fn races_and_neighbours() {
        assert!(race_like(Some(30.0), 40.0));
        assert!(!race_like(Some(12.0), 14.0), "too short");
        assert!(
            !race_like(Some(20.0), 60.0),
            "a tempo block inside a longer run"
        );
        assert!(!race_like(None, 60.0));
        let min = 60_000;
        let at = |start: i64, mins: i64, verdict| WarmupLink {
            start_ms: start * min,
            end_ms: (start + mins) * min,
            verdict,
            usable: true,
        };
        let acts = [
            at(0, 12, None),                           // 0: a 12-min jog ending at 12
            at(20, 40, Some(WarmupStatus::None)),      // 1: 8 min later: warmed up
            at(100, 3, None),                          // 2: a 3-min stroll ending at 103
            at(110, 40, Some(WarmupStatus::Short)),    // 3: too short a warm-up
            at(200, 10, None),                         // 4: ends at 210
            at(230, 40, Some(WarmupStatus::None)),     // 5: 20 min later: not linked
            at(300, 30, Some(WarmupStatus::Short)),    // 6: a hard run ending at 330
            at(340, 40, Some(WarmupStatus::None)),     // 7: linked to 6, whatever its intensity
            at(500, 40, Some(WarmupStatus::Adequate)), // 8: nothing to change
        ];
        assert_eq!(link_warmups(&acts), vec![1, 7]);
        let mut unusable = acts;
        unusable[0].usable = false;
        assert_eq!(link_warmups(&unusable), vec![7]);
    }

    #[test]
    fn warmup_by_heart_rate_ignores_the_first_two_minutes() {
        // no speed (treadmill without a pod): judged by heart rate. HRmax 200: easy < 150 bpm;
        // cold start = later minutes' mean > 160 or > 2 of them ≥ 160.
        let hr_run = |hr: fn(usize) -> f64| run_no_speed(2400, move |i| Some(hr(i)));
        // 10 min at 130, then 175: adequate
        let w = warmup(
            &hr_run(|i| if i <= 600 { 130.0 } else { 175.0 }),
            Some(200.0),
            600.0,
        );
        assert_eq!(
            (w.status, w.cold_start, w.easy_s),
            (WarmupStatus::Adequate, false, 600.0)
        );
        assert!((w.warmup_hr_pct.unwrap() - 65.0).abs() < 1e-9);
        // 3 min at 130, then 175: the first two minutes count with the third (easy) → 180 s
        let w = warmup(
            &hr_run(|i| if i <= 180 { 130.0 } else { 175.0 }),
            Some(200.0),
            600.0,
        );
        assert!(w.cold_start);
        assert_eq!((w.status, w.easy_s), (WarmupStatus::Short, 180.0));
        // mean over the window (180 × 130 + 420 × 175) / 600 = 161.5 → 80.75 %
        assert!((w.warmup_hr_pct.unwrap() - 80.75).abs() < 1e-9);
        // heart rate lagging for 100 s (130) behind a hard start: the first minute no longer
        // counts as easy (it did: "short"); the run started hard
        let w = warmup(
            &hr_run(|i| if i <= 100 { 130.0 } else { 175.0 }),
            Some(200.0),
            600.0,
        );
        assert_eq!((w.status, w.easy_s), (WarmupStatus::None, 0.0));
    }

    #[test]
    fn warmup_by_pace_first() {
        // 10 min at 2.5 m/s then 30 min at 3.5: median running speed 3.5; window mean 2.5 →
        // pace_ratio 1.4, the 10 bins ≥ 10 % slower → adequate
        let s = run(2400, |i| if i <= 600 { 2.5 } else { 3.5 }, |_| None);
        let w = warmup(&s, Some(190.0), 600.0);
        assert!((w.pace_ratio.unwrap() - 1.4).abs() < 1e-9);
        assert_eq!((w.status, w.easy_s), (WarmupStatus::Adequate, 600.0));
        // starting at the median pace: a cold start with no easy minute, even though heart rate
        // is low for 10 min (pace comes first)
        let s = run(
            2400,
            |_| 3.5,
            |i| Some(if i <= 600 { 120.0 } else { 175.0 }),
        );
        let w = warmup(&s, Some(200.0), 600.0);
        assert!((w.pace_ratio.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(w.status, WarmupStatus::None);
        // 3 min at 3.0 (≥ 10 % slower than 3.5), then 3.5: window mean 3.35 → ratio 1.045, a
        // cold start after 3 easy minutes → short
        let s = run(2400, |i| if i <= 180 { 3.0 } else { 3.5 }, |_| None);
        let w = warmup(&s, None, 600.0);
        assert_eq!((w.status, w.easy_s), (WarmupStatus::Short, 180.0));
        // 6 min walking at 1.4 m/s first: walking is not in the median running speed, and the
        // walk is an easy warm-up
        let s = run(2400, |i| if i <= 360 { 1.4 } else { 3.5 }, |_| None);
        let w = warmup(&s, None, 600.0);
        assert_eq!((w.status, w.easy_s), (WarmupStatus::Adequate, 360.0));
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
