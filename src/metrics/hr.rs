//! Heart-rate zones, time in zones, Banister and Edwards TRIMP, and an HRmax estimate.
//!
//! See `docs/metrics.md` sections "Heart-rate zones", "Banister TRIMP", "Edwards TRIMP" and
//! "HRmax estimate".

use super::{check, counted_intervals, finite, median, span_s, Interval};
use crate::model::{Sample, Sex};

/// Default lower bounds of zones 1–5 as fractions of HRmax (or of the heart-rate reserve):
/// 50/60/70/80/90 % (Edwards 1993).
pub const DEFAULT_ZONE_FRACTIONS: [f64; 5] = [0.5, 0.6, 0.7, 0.8, 0.9];

/// Heart rate above which a reading is rejected when estimating HRmax, in bpm.
pub const HR_MAX_PLAUSIBLE_BPM: f64 = 230.0;

/// Largest plausible change of heart rate per second when estimating HRmax, in bpm.
pub const HR_MAX_JUMP_BPM_PER_S: f64 = 30.0;

/// Shortest time the cleaned heart rate must stay at or above a value for it to be an
/// activity's peak, seconds.
pub const HR_PEAK_HOLD_S: f64 = 15.0;

/// [`HR_PEAK_HOLD_S`] in milliseconds: the least time difference `span_s` maps to at least
/// [`HR_PEAK_HOLD_S`].
const HR_PEAK_HOLD_MS: i64 = 15_000;

/// Heart rate accepted as a measurement: finite and within 25..=250 bpm.
pub(crate) fn valid_hr(x: Option<f64>) -> Option<f64> {
    finite(x).filter(|v| (25.0..=250.0).contains(v))
}

/// The valid heart rate of sample `i`, if any.
pub(crate) fn hr_at(samples: &[Sample], i: usize) -> Option<f64> {
    samples.get(i).and_then(|s| valid_hr(s.hr_bpm))
}

/// `(hr_rest, hr_max)` if usable: finite, 0 ≤ rest < max ≤ 250 bpm.
pub(crate) fn valid_rest_max(hr_rest_bpm: f64, hr_max_bpm: f64) -> Option<(f64, f64)> {
    (hr_rest_bpm.is_finite()
        && hr_max_bpm.is_finite()
        && hr_rest_bpm >= 0.0
        && hr_rest_bpm < hr_max_bpm
        && hr_max_bpm <= 250.0)
        .then_some((hr_rest_bpm, hr_max_bpm))
}

/// Five heart-rate zones, by their lower bounds in bpm.
///
/// Zone 0 is below zone 1; zone 5 has no upper bound (readings above HRmax stay in zone 5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Zones {
    lower_bpm: [f64; 5],
}

impl Zones {
    /// Zones by percent of HRmax: lower bound of zone i = `f_i · HRmax`, with
    /// [`DEFAULT_ZONE_FRACTIONS`] (50/60/70/80/90 %).
    ///
    /// `None` unless 0 < HRmax ≤ 250 bpm.
    ///
    /// # References
    /// Edwards S 1993, *The Heart Rate Monitor Book* (zones of 10 % HRmax).
    ///
    /// # Units
    /// bpm.
    pub fn percent_max(hr_max_bpm: f64) -> Option<Zones> {
        Zones::from_fractions(0.0, hr_max_bpm, DEFAULT_ZONE_FRACTIONS)
    }

    /// Zones by heart-rate reserve (Karvonen): lower bound of zone i =
    /// `HRrest + f_i · (HRmax − HRrest)`, with [`DEFAULT_ZONE_FRACTIONS`].
    ///
    /// `None` unless 0 ≤ HRrest < HRmax ≤ 250 bpm.
    ///
    /// # References
    /// Karvonen MJ, Kentala E, Mustala O 1957, Ann Med Exp Biol Fenn 35:307–315.
    ///
    /// # Units
    /// bpm.
    pub fn reserve(hr_rest_bpm: f64, hr_max_bpm: f64) -> Option<Zones> {
        Zones::from_fractions(hr_rest_bpm, hr_max_bpm, DEFAULT_ZONE_FRACTIONS)
    }

    /// Zones with lower bounds `HRrest + f_i · (HRmax − HRrest)`; pass `hr_rest_bpm = 0` for
    /// percent of HRmax.
    ///
    /// `None` unless 0 ≤ HRrest < HRmax ≤ 250 bpm and the fractions are finite, in `[0, 1.5]` and
    /// strictly increasing.
    ///
    /// # Units
    /// bpm; fractions dimensionless.
    ///
    /// # References
    /// Karvonen et al. 1957; Edwards 1993 (see [`Zones::reserve`], [`Zones::percent_max`]).
    pub fn from_fractions(hr_rest_bpm: f64, hr_max_bpm: f64, fractions: [f64; 5]) -> Option<Zones> {
        let (rest, max) = valid_rest_max(hr_rest_bpm, hr_max_bpm)?;
        let ok = fractions
            .iter()
            .all(|f| f.is_finite() && (0.0..=1.5).contains(f))
            && fractions.windows(2).all(|w| w[0] < w[1]);
        ok.then(|| Zones {
            lower_bpm: fractions.map(|f| rest + f * (max - rest)),
        })
    }

    /// Lower bounds of zones 1–5, in bpm.
    pub fn lower_bounds_bpm(&self) -> [f64; 5] {
        self.lower_bpm
    }

    /// Zone of a heart rate: 0 below zone 1, else 1–5. `None` for a non-finite value.
    pub fn zone_of(&self, hr_bpm: f64) -> Option<usize> {
        if !hr_bpm.is_finite() {
            return None;
        }
        Some(self.lower_bpm.iter().filter(|&&lo| hr_bpm >= lo).count())
    }
}

/// Seconds in each zone: index 0 is below zone 1, indices 1–5 are zones 1–5.
///
/// Each counted interval (gap ≤ 10 s, time advancing; see [`super::counted_intervals`]) whose
/// closing sample has a valid heart rate (25–250 bpm) adds its duration to that heart rate's
/// zone. Intervals without heart rate are not counted.
///
/// # Units
/// Seconds.
///
/// # References
/// Edwards 1993; Karvonen et al. 1957 (full references: docs/metrics.md).
pub fn time_in_zones_s(samples: &[Sample], zones: &Zones) -> [f64; 6] {
    let mut out = [0.0; 6];
    for iv in counted_intervals(samples) {
        let zone = hr_at(samples, iv.end).and_then(|hr| zones.zone_of(hr));
        if let Some(z) = zone {
            out[z.min(5)] += iv.dt_s;
        }
    }
    out
}

/// Seconds of counted intervals that have a valid heart rate (HR coverage numerator).
///
/// # Units
/// Seconds.
///
/// # References
/// Time policy: [`super::counted_intervals`].
pub fn hr_time_s(samples: &[Sample]) -> f64 {
    hr_covered_s(samples, &counted_intervals(samples))
}

/// Seconds of the given intervals whose closing sample has a valid heart rate.
pub(crate) fn hr_covered_s(samples: &[Sample], intervals: &[Interval]) -> f64 {
    intervals
        .iter()
        .filter(|iv| hr_at(samples, iv.end).is_some())
        .map(|iv| iv.dt_s)
        .sum()
}

/// Banister constants `(a, b)`: men 0.64/1.92, women 0.86/1.67.
fn banister_constants(sex: Sex) -> (f64, f64) {
    match sex {
        Sex::Male => (0.64, 1.92),
        Sex::Female => (0.86, 1.67),
    }
}

/// Banister TRIMP per minute at a heart-rate-reserve fraction `x`: `x · a · e^(b·x)`.
///
/// `x` is clamped to `[0, 1]` (non-finite gives 0). For unknown sex the mean of the men's and
/// women's values is used: `x · (0.64·e^(1.92x) + 0.86·e^(1.67x)) / 2`. That lies exactly halfway
/// between the two curves at every intensity, so the error for either sex is at most half the gap
/// between them (about 5 % at 75 % HRR), whereas the men's constants alone would understate
/// women's TRIMP by the whole gap (about 10 %).
///
/// # Units
/// TRIMP units per minute.
///
/// # References
/// Banister EW 1991, in *Physiological Testing of the High-Performance Athlete*; constants from
/// Morton RH, Fitz-Clarke JR, Banister EW 1990, J Appl Physiol 69(3):1171–1177.
pub fn banister_rate_per_min(hrr_fraction: f64, sex: Option<Sex>) -> f64 {
    let x = if hrr_fraction.is_finite() {
        hrr_fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let w = |sex: Sex| {
        let (a, b) = banister_constants(sex);
        x * a * (b * x).exp()
    };
    match sex {
        Some(sex) => w(sex),
        None => (w(Sex::Male) + w(Sex::Female)) / 2.0,
    }
}

/// Banister TRIMP: `Σ dt_min · x · a · e^(b·x)` with `x = (HR − HRrest) / (HRmax − HRrest)`
/// clamped to `[0, 1]`, over the counted intervals (gaps ≤ 10 s) that have a valid heart rate.
///
/// Constants by sex as in [`banister_rate_per_min`] (unknown sex: mean of both curves).
/// `None` when the rest/max values are unusable (need 0 ≤ rest < max ≤ 250) or no interval has a
/// heart rate.
///
/// # Units
/// Heart rates in bpm; result in TRIMP units (≈ minutes × intensity weighting).
///
/// # References
/// Banister 1991; Morton, Fitz-Clarke & Banister 1990 (see [`banister_rate_per_min`]).
pub fn trimp_banister(
    samples: &[Sample],
    hr_rest_bpm: f64,
    hr_max_bpm: f64,
    sex: Option<Sex>,
) -> Option<f64> {
    let (rest, max) = valid_rest_max(hr_rest_bpm, hr_max_bpm)?;
    let mut any = false;
    let mut total = 0.0;
    for iv in counted_intervals(samples) {
        let Some(hr) = hr_at(samples, iv.end) else {
            continue;
        };
        any = true;
        total += iv.dt_s / 60.0 * banister_rate_per_min((hr - rest) / (max - rest), sex);
    }
    if any {
        check(total)
    } else {
        None
    }
}

/// Edwards TRIMP: `Σ_i minutes in zone i × i` with zones at 50/60/70/80/90 % HRmax (weights 1–5;
/// below 50 % counts 0; above HRmax counts 5).
///
/// `None` when HRmax is unusable or no counted interval has a heart rate.
///
/// # Units
/// HRmax in bpm; result in TRIMP units (weighted minutes).
///
/// # References
/// Edwards S 1993, *The Heart Rate Monitor Book* (docs/metrics.md).
pub fn trimp_edwards(samples: &[Sample], hr_max_bpm: f64) -> Option<f64> {
    let zones = Zones::percent_max(hr_max_bpm)?;
    let t = time_in_zones_s(samples, &zones);
    if t.iter().sum::<f64>() <= 0.0 {
        return None;
    }
    check(t.iter().enumerate().map(|(i, s)| i as f64 * s / 60.0).sum())
}

/// Heart rate cleaned for the HRmax estimate.
///
/// 1. Readings that are not finite, below 25 or above [`HR_MAX_PLAUSIBLE_BPM`] (230) are dropped.
/// 2. Optical spikes: a reading that differs from the last kept one by more than
///    [`HR_MAX_JUMP_BPM_PER_S`] (30 bpm) per second of time between them (at least 1 s counted;
///    samples without time count as 1 s apart) is dropped. The allowance grows with time, so a real
///    change is accepted after a few seconds.
/// 3. The kept readings are smoothed with a centred 5-sample running median (fewer at the ends).
///
/// # Units
/// bpm.
///
/// # References
/// Smoothing against optical spikes and its thresholds are ours (docs/metrics.md).
pub fn clean_hr_bpm(samples: &[Sample]) -> Vec<f64> {
    clean_hr_timed(samples).into_iter().map(|x| x.1).collect()
}

/// [`clean_hr_bpm`] with the time of the sample each value was kept from.
pub(crate) fn clean_hr_timed(samples: &[Sample]) -> Vec<(Option<i64>, f64)> {
    // The kept readings with their times, then smoothed in place: one vector, no second pass
    // over the samples (the two readings before `i`, already overwritten, are kept aside).
    let mut out: Vec<(Option<i64>, f64)> = Vec::with_capacity(samples.len());
    for s in samples {
        let Some(hr) = finite(s.hr_bpm).filter(|v| (25.0..=HR_MAX_PLAUSIBLE_BPM).contains(v))
        else {
            continue;
        };
        if let Some(&(lt, lhr)) = out.last() {
            let dt_s = match (lt, s.time_utc_ms) {
                (Some(a), Some(b)) => span_s(a, b).max(1.0),
                _ => 1.0,
            };
            if (hr - lhr).abs() > HR_MAX_JUMP_BPM_PER_S * dt_s {
                continue;
            }
        }
        out.push((s.time_utc_ms, hr));
    }
    // (every kept value is within 25..=230 bpm: see `median_of_few`)
    let n = out.len();
    let mut before = [0.0_f64; 2]; // the kept readings at i − 2 and i − 1
    let mut written = 0;
    for i in 0..n {
        let (t, v) = out[i];
        if i >= 2 && i + 2 < n {
            // the common case, a full window: no sorting
            let m = median_of_5(before[0], before[1], v, out[i + 1].1, out[i + 2].1);
            before = [before[1], v];
            out[written] = (t, m);
            written += 1;
            continue;
        }
        let mut w = [0.0_f64; 5];
        let mut k = 0;
        if i >= 2 {
            w[k] = before[0];
            k += 1;
        }
        if i >= 1 {
            w[k] = before[1];
            k += 1;
        }
        for x in &out[i..(i + 3).min(n)] {
            w[k] = x.1;
            k += 1;
        }
        before = [before[1], v];
        if let Some(m) = median_of_few(&w[..k]) {
            out[written] = (t, m);
            written += 1;
        }
    }
    out.truncate(written);
    out
}

/// An activity's peak heart rate: the highest value the [cleaned](clean_hr_bpm) heart rate stays
/// at or above for at least [`HR_PEAK_HOLD_S`] (15 s).
///
/// Over the cleaned values with a time that moves the clock forward (later than every one
/// before), for each value `i` the window runs to the first value `j` with
/// `t_j − t_i ≥ 15 s`; the peak is the largest minimum over these windows (a sliding-window
/// minimum, linear time). A single spike, or a few seconds of an optical sensor locking onto the
/// cadence, cannot make it. `None` when no window spans 15 s.
///
/// # Units
/// bpm.
///
/// # References
/// Ours (docs/metrics.md "HRmax estimate").
pub fn sustained_peak_bpm(samples: &[Sample]) -> Option<f64> {
    sustained_peak_of(&clean_hr_timed(samples))
}

/// [`sustained_peak_bpm`] of cleaned values already computed.
pub(crate) fn sustained_peak_of(cleaned: &[(Option<i64>, f64)]) -> Option<f64> {
    let mut ts: Vec<i64> = Vec::with_capacity(cleaned.len());
    let mut vs: Vec<f64> = Vec::with_capacity(cleaned.len());
    for &(t, v) in cleaned {
        let Some(t) = t else { continue };
        if ts.last().is_some_and(|&p| t <= p) {
            continue;
        }
        ts.push(t);
        vs.push(v);
    }
    let n = ts.len();
    // `span_s(ts[a], ts[b]) >= HR_PEAK_HOLD_S` for b ≥ a (times increase), on the integers
    // (`hold_ms_is_the_hold_time` checks the threshold; `span_s` is monotone; a difference too
    // large for an i64 saturates, and is held either way).
    let held = |a: usize, b: usize| ts[b].saturating_sub(ts[a]) >= HR_PEAK_HOLD_MS;
    // A monotone queue of indices (values increasing from `head`): each index is pushed once,
    // so a vector with a moving head is enough.
    let mut dq: Vec<usize> = Vec::with_capacity(n);
    let mut head = 0;
    let mut end = 0; // exclusive end of the window of `i`
    let mut best: Option<f64> = None;
    for i in 0..n {
        while end < n && (end <= i || !held(i, end - 1)) {
            let v = vs[end];
            while dq.len() > head && dq.last().is_some_and(|&b| vs[b] >= v) {
                dq.pop();
            }
            dq.push(end);
            end += 1;
        }
        if end == 0 || !held(i, end - 1) {
            break;
        }
        while dq.get(head).is_some_and(|&f| f < i) {
            head += 1;
        }
        if let Some(&f) = dq.get(head) {
            let m = vs[f];
            best = Some(best.map_or(m, |b: f64| b.max(m)));
        }
    }
    best.and_then(check)
}

/// HRmax from per-activity peaks ([`sustained_peak_bpm`]): the second highest, so that one
/// recording with a faulty sensor cannot set it; the only one when there is one.
pub fn hr_max_from_peaks(mut peaks: Vec<f64>) -> Option<f64> {
    peaks.retain(|p| p.is_finite());
    peaks.sort_by(|a, b| b.total_cmp(a));
    peaks.get(1).or(peaks.first()).copied().and_then(check)
}

/// The median of five positive finite values, [`median_of_few`] without its sort: the least and
/// the greatest of the first four cannot be the median (three values are at least the one and at
/// most the other), so it is the median of the other three. Every step returns one of its
/// operands, so the value is the same, bit for bit (equal positive values have the same bits).
#[inline]
fn median_of_5(a: f64, b: f64, c: f64, d: f64, e: f64) -> f64 {
    let (a, b) = if b < a { (b, a) } else { (a, b) };
    let (c, d) = if d < c { (d, c) } else { (c, d) };
    // drop min(a, c) and max(b, d)
    let lo = if c < a { a } else { c };
    let hi = if d < b { d } else { b };
    // the median of lo, hi, e
    let (lo, hi) = if hi < lo { (hi, lo) } else { (lo, hi) };
    if e < lo {
        lo
    } else if hi < e {
        hi
    } else {
        e
    }
}

/// [`super::median`] of 1 to 5 positive finite values, without allocating: the same value, bit
/// for bit (where every value is positive and finite, `<` orders as `total_cmp` does).
fn median_of_few(values: &[f64]) -> Option<f64> {
    let n = values.len();
    debug_assert!(values.iter().all(|&x| x > 0.0 && x < f64::INFINITY));
    if n == 0 || n > 5 {
        return median(values);
    }
    let mut v = [0.0_f64; 5];
    v[..n].copy_from_slice(values);
    // insertion sort of n ≤ 5 values
    for i in 1..n {
        let x = v[i];
        let mut j = i;
        while j > 0 && x < v[j - 1] {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    check(m)
}

/// HRmax estimate: the second highest of the activities' [peaks](sustained_peak_bpm) (the
/// highest heart rate held for 15 s in each), see [`hr_max_from_peaks`].
///
/// Pass an athlete's whole history: the estimate is only as high as the hardest efforts in it,
/// so a history of easy runs underestimates HRmax. `None` when no activity has a peak.
///
/// # Units
/// bpm.
///
/// # References
/// docs/metrics.md (prefer the observed maximum over age formulas such as Tanaka H et al. 2001,
/// J Am Coll Cardiol 37(1):153–156, `208 − 0.7·age`).
pub fn hr_max_estimate_bpm<'a>(activities: impl IntoIterator<Item = &'a [Sample]>) -> Option<f64> {
    hr_max_from_peaks(
        activities
            .into_iter()
            .filter_map(sustained_peak_bpm)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hold_ms_is_the_hold_time() {
        // `span_s` is monotone in the difference: these two pin the threshold
        assert!(span_s(0, HR_PEAK_HOLD_MS) >= HR_PEAK_HOLD_S);
        assert!(span_s(0, HR_PEAK_HOLD_MS - 1) < HR_PEAK_HOLD_S);
        assert!(span_s(-5_000_123, -5_000_123 + HR_PEAK_HOLD_MS) >= HR_PEAK_HOLD_S);
    }

    proptest! {
        #[test]
        fn median_of_5_is_median_of_few(v in prop::array::uniform5(prop_oneof![
            (25u32..=230).prop_map(f64::from),
            (50u32..=460).prop_map(|h| f64::from(h) / 2.0),
            25.0f64..=230.0,
        ])) {
            prop_assert_eq!(
                Some(median_of_5(v[0], v[1], v[2], v[3], v[4]).to_bits()),
                median_of_few(&v).map(f64::to_bits)
            );
        }
    }

    fn hr_series(hrs: &[Option<f64>]) -> Vec<Sample> {
        series(hrs.len(), 1.0, |i, s| s.hr_bpm = hrs[i])
    }

    fn constant(minutes: usize, hr: f64) -> Vec<Sample> {
        series(minutes * 60 + 1, 1.0, |_, s| s.hr_bpm = Some(hr))
    }

    #[test]
    fn zone_bounds() {
        let z = Zones::percent_max(200.0).unwrap();
        assert_eq!(z.lower_bounds_bpm(), [100.0, 120.0, 140.0, 160.0, 180.0]);
        assert_eq!(z.zone_of(99.9), Some(0));
        assert_eq!(z.zone_of(100.0), Some(1));
        assert_eq!(z.zone_of(179.9), Some(4));
        assert_eq!(z.zone_of(180.0), Some(5));
        assert_eq!(z.zone_of(240.0), Some(5));
        assert_eq!(z.zone_of(f64::NAN), None);
        // Karvonen: 60 + f × 120
        let r = Zones::reserve(60.0, 180.0).unwrap();
        assert_eq!(r.lower_bounds_bpm(), [120.0, 132.0, 144.0, 156.0, 168.0]);
        assert!(Zones::reserve(180.0, 60.0).is_none());
        assert!(Zones::percent_max(f64::NAN).is_none());
        assert!(Zones::from_fractions(0.0, 200.0, [0.5, 0.5, 0.7, 0.8, 0.9]).is_none());
    }

    #[test]
    fn time_in_zones_hand_case() {
        // 1 Hz; the first sample closes no interval. HRmax 200 → bounds 100/120/140/160/180.
        // 110 → z1 (1 s), 130, 130 → z2 (2 s), None → uncounted, 170 → z4, 190 → z5, 90 → z0
        let s = hr_series(&[
            Some(150.0),
            Some(110.0),
            Some(130.0),
            Some(130.0),
            None,
            Some(170.0),
            Some(190.0),
            Some(90.0),
        ]);
        let z = Zones::percent_max(200.0).unwrap();
        assert_eq!(time_in_zones_s(&s, &z), [1.0, 1.0, 2.0, 0.0, 1.0, 1.0]);
        assert_eq!(hr_time_s(&s), 6.0);
        assert_eq!(time_in_zones_s(&[], &z), [0.0; 6]);
    }

    #[test]
    fn banister_hand_case() {
        // rest 60, max 180, 10 min at 150: x = 90/120 = 0.75
        // men:   10 × 0.75 × 0.64 × e^(1.92×0.75) = 10 × 0.48 × 4.220696 = 20.25934
        // women: 10 × 0.75 × 0.86 × e^(1.67×0.75) = 10 × 0.645 × 3.499080 = 22.56906
        // unknown: (20.25934 + 22.56906) / 2 = 21.41420
        let s = constant(10, 150.0);
        let m = trimp_banister(&s, 60.0, 180.0, Some(Sex::Male)).unwrap();
        let f = trimp_banister(&s, 60.0, 180.0, Some(Sex::Female)).unwrap();
        let u = trimp_banister(&s, 60.0, 180.0, None).unwrap();
        assert!((m - 20.25934).abs() < 1e-4, "{m}");
        assert!((f - 22.56906).abs() < 1e-4, "{f}");
        assert!((u - 21.41420).abs() < 1e-4, "{u}");
    }

    #[test]
    fn banister_clamps_and_edges() {
        // below rest counts 0, above max counts as x = 1
        let low = constant(1, 50.0);
        assert_eq!(trimp_banister(&low, 60.0, 180.0, None), Some(0.0));
        let high = constant(1, 200.0);
        let at_max = constant(1, 180.0);
        assert_eq!(
            trimp_banister(&high, 60.0, 180.0, Some(Sex::Male)),
            trimp_banister(&at_max, 60.0, 180.0, Some(Sex::Male))
        );
        // no HR, one sample, bad parameters
        let no_hr = series(100, 1.0, |_, _| {});
        assert_eq!(trimp_banister(&no_hr, 60.0, 180.0, None), None);
        assert_eq!(trimp_banister(&high[..1], 60.0, 180.0, None), None);
        assert_eq!(trimp_banister(&high, 180.0, 60.0, None), None);
        assert_eq!(trimp_banister(&high, f64::NAN, 180.0, None), None);
        assert_eq!(trimp_edwards(&no_hr, 190.0), None);
        assert_eq!(trimp_edwards(&high, f64::INFINITY), None);
        // pauses do not count: the same 10 min with a 5-minute gap in the middle
        let mut paused = constant(10, 150.0);
        for s in paused.iter_mut().skip(300) {
            s.time_utc_ms = s.time_utc_ms.map(|t| t + 300_000);
        }
        let a = trimp_banister(&paused, 60.0, 180.0, None).unwrap();
        let b = trimp_banister(&constant(10, 150.0), 60.0, 180.0, None).unwrap();
        // one 301 s interval is dropped: 599 of 600 s remain
        assert!((a - b * 599.0 / 600.0).abs() < 1e-9);
    }

    #[test]
    fn edwards_hand_case() {
        // HRmax 200: 5 min at 130 (65 % → zone 2) then 5 min at 185 (92.5 % → zone 5)
        // = 5 × 2 + 5 × 5 = 35
        let s = series(601, 1.0, |i, s| {
            s.hr_bpm = Some(if i <= 300 { 130.0 } else { 185.0 })
        });
        let e = trimp_edwards(&s, 200.0).unwrap();
        assert!((e - 35.0).abs() < 1e-9, "{e}");
    }

    #[test]
    fn hr_max_rejects_spikes() {
        // 170 bpm throughout, with a 240 (implausible), a lone 215 (jump of 45 in 1 s) and two
        // consecutive 195s (accepted jumps, removed by the 5-sample median)
        let mut hrs = vec![Some(170.0); 600];
        hrs[100] = Some(240.0);
        hrs[200] = Some(215.0);
        hrs[300] = Some(195.0);
        hrs[301] = Some(195.0);
        let s = hr_series(&hrs);
        assert_eq!(hr_max_estimate_bpm([s.as_slice()]), Some(170.0));
        assert_eq!(hr_max_estimate_bpm([&[][..]]), None);
        assert_eq!(hr_max_estimate_bpm(Vec::<&[Sample]>::new()), None);
    }

    #[test]
    fn peak_is_held_for_15_s() {
        // ramp HR_i = 30 + 0.2 i, i = 0..999 at 1 Hz: the window of i ends at i + 15, its
        // minimum is HR_i; the last full window starts at 984 → 30 + 0.2 × 984 = 226.8
        let s = series(1000, 1.0, |i, s| s.hr_bpm = Some(30.0 + 0.2 * i as f64));
        let m = sustained_peak_bpm(&s).unwrap();
        assert!((m - 226.8).abs() < 1e-9, "{m}");
        // 170 throughout with 10 s at 200 (climbing 10 bpm/s, accepted): not held → 170
        let burst = |len: usize| {
            series(600, 1.0, move |i, s| {
                s.hr_bpm = Some(if (300..300 + len).contains(&i) {
                    200.0
                } else if (297..300).contains(&i) {
                    170.0 + 10.0 * (i - 296) as f64
                } else {
                    170.0
                })
            })
        };
        assert_eq!(sustained_peak_bpm(&burst(10)), Some(170.0));
        // 30 s at 200: held → 200
        assert_eq!(sustained_peak_bpm(&burst(30)), Some(200.0));
        // fewer than 15 s of data: none
        assert_eq!(
            sustained_peak_bpm(&series(10, 1.0, |_, s| s.hr_bpm = Some(150.0))),
            None
        );
    }

    #[test]
    fn hr_max_is_the_second_highest_peak() {
        let run = |hr: f64| series(120, 1.0, move |_, s| s.hr_bpm = Some(hr));
        let (a, b, c) = (run(180.0), run(195.0), run(210.0));
        assert_eq!(
            hr_max_estimate_bpm([a.as_slice(), c.as_slice(), b.as_slice()]),
            Some(195.0)
        );
        assert_eq!(hr_max_estimate_bpm([a.as_slice()]), Some(180.0));
        assert_eq!(hr_max_from_peaks(vec![f64::NAN]), None);
    }

    fn arb_hr_series() -> impl Strategy<Value = Vec<Sample>> {
        prop::collection::vec(
            (
                -2000i64..12_000,
                prop::option::of(prop_oneof![20.0f64..240.0, Just(f64::NAN)]),
            ),
            0..120,
        )
        .prop_map(|v| {
            let mut t = 0;
            v.into_iter()
                .map(|(dt, hr)| {
                    t += dt;
                    Sample {
                        time_utc_ms: Some(t),
                        hr_bpm: hr,
                        ..Sample::default()
                    }
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn trimp_grows_with_hr(h1 in 30.0f64..220.0, h2 in 30.0f64..220.0, minutes in 1usize..30) {
            let (lo, hi) = if h1 <= h2 { (h1, h2) } else { (h2, h1) };
            for sex in [None, Some(Sex::Male), Some(Sex::Female)] {
                let a = trimp_banister(&constant(minutes, lo), 50.0, 190.0, sex).unwrap();
                let b = trimp_banister(&constant(minutes, hi), 50.0, 190.0, sex).unwrap();
                prop_assert!(a <= b + 1e-12);
            }
            let a = trimp_edwards(&constant(minutes, lo), 190.0).unwrap();
            let b = trimp_edwards(&constant(minutes, hi), 190.0).unwrap();
            prop_assert!(a <= b + 1e-12);
        }

        #[test]
        fn zones_and_trimp_split_additively(s in arb_hr_series(), k in 0usize..120) {
            // cut at sample k, which goes into both halves
            // at a sample whose time is the latest so far (the time policy's clock)
            let k = k.min(s.len().saturating_sub(1));
            let tk = s.get(k).and_then(|x| x.time_utc_ms);
            prop_assume!(s.iter().take(k).all(|x| x.time_utc_ms <= tk));
            let (a, b) = if s.is_empty() { (&s[..], &s[..]) } else { (&s[..=k], &s[k..]) };
            let z = Zones::percent_max(190.0).unwrap();
            let (tf, ta, tb) = (time_in_zones_s(&s, &z), time_in_zones_s(a, &z), time_in_zones_s(b, &z));
            for i in 0..6 {
                prop_assert!((tf[i] - (ta[i] + tb[i])).abs() < 1e-9);
            }
            let f = |x: &[Sample]| trimp_banister(x, 50.0, 190.0, None).unwrap_or(0.0);
            prop_assert!((f(&s) - (f(a) + f(b))).abs() < 1e-9);
            let e = |x: &[Sample]| trimp_edwards(x, 190.0).unwrap_or(0.0);
            prop_assert!((e(&s) - (e(a) + e(b))).abs() < 1e-9);
            if let Some(m) = hr_max_estimate_bpm([s.as_slice()]) {
                prop_assert!(m.is_finite() && (25.0..=230.0).contains(&m));
            }
        }
    }
}
