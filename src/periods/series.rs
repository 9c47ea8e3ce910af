//! The load model as pure functions over a continuous daily load series (index 0 is the first
//! day; a day without activity is 0). See `docs/periods.md` for the formulas.

/// Smoothing constant of the Williams et al. (2017) EWMA: `λ = 2 / (N + 1)`.
pub fn williams_lambda(n_days: f64) -> f64 {
    2.0 / (n_days + 1.0)
}

/// Exponentially weighted moving average, `E_t = λ·x_t + (1 − λ)·E_{t−1}`, seeded with
/// `E_{−1} = 0` (no load before the series starts).
pub fn ewma(daily: &[f64], lambda: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(daily.len());
    let mut e = 0.0;
    for &x in daily {
        e = lambda * x + (1.0 - lambda) * e;
        out.push(e);
    }
    out
}

/// `a / b`, or `None` when `b` is not positive.
fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// EWMA acute:chronic workload ratio (Williams 2017): EWMA with N = 7 over EWMA with N = 28
/// (λ = 0.25 and 2/29), per day; `None` while the chronic EWMA is 0.
pub fn acwr_ewma(daily: &[f64]) -> Vec<Option<f64>> {
    let a = ewma(daily, williams_lambda(7.0));
    let c = ewma(daily, williams_lambda(28.0));
    a.iter().zip(&c).map(|(&a, &c)| ratio(a, c)).collect()
}

/// Sum of the last `window` days up to and including each day (days before the series
/// start count as 0).
pub fn rolling_sum(daily: &[f64], window: usize) -> Vec<f64> {
    (0..daily.len())
        .map(|i| daily[(i + 1).saturating_sub(window)..=i].iter().sum())
        .collect()
}

/// Rolling (coupled) acute:chronic ratio: sum of the last 7 days / (sum of the last 28 days / 4);
/// `None` while the 28-day sum is 0.
pub fn acwr_rolling(daily: &[f64]) -> Vec<Option<f64>> {
    let a = rolling_sum(daily, 7);
    let c = rolling_sum(daily, 28);
    a.iter().zip(&c).map(|(&a, &c)| ratio(a, c / 4.0)).collect()
}

/// Mean and population standard deviation (divide by n).
pub fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    Some((mean, var.sqrt()))
}

/// Foster (1998) monotony of one week's daily loads (rest days 0): mean / SD, with the
/// population SD; `None` when the SD is 0 (also for a week with no load).
pub fn monotony(week: &[f64]) -> Option<f64> {
    let (mean, sd) = mean_sd(week)?;
    // A relative tolerance, so equal loads that differ only by rounding count as SD 0.
    if sd <= 1e-9 * mean.abs().max(1.0) {
        return None;
    }
    Some(mean / sd)
}

/// Foster (1998) strain: weekly load × monotony; `None` when monotony is undefined.
pub fn strain(week: &[f64]) -> Option<f64> {
    monotony(week).map(|m| week.iter().sum::<f64>() * m)
}

/// Banister time constants: fitness (CTL) 42 days, fatigue (ATL) 7 days.
pub const CTL_DAYS: f64 = 42.0;
/// See [`CTL_DAYS`].
pub const ATL_DAYS: f64 = 7.0;

/// Fitness, fatigue and form on one day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pmc {
    /// Chronic training load (fitness) at the end of the day.
    pub ctl: f64,
    /// Acute training load (fatigue) at the end of the day.
    pub atl: f64,
    /// Training stress balance (form) on the day: CTL − ATL at the end of the previous day.
    pub tsb: f64,
}

/// Banister impulse-response as exponential moving averages (GoldenCheetah form):
/// `X_t = X_{t−1}·e^{−1/τ} + load_t·(1 − e^{−1/τ})`, τ = 42 (CTL) and 7 (ATL), seeded at 0.
/// `TSB_t = CTL_{t−1} − ATL_{t−1}` (form going into the day, before its training; 0 on day 0).
pub fn banister(daily: &[f64]) -> Vec<Pmc> {
    let kc = 1.0 - (-1.0 / CTL_DAYS).exp();
    let ka = 1.0 - (-1.0 / ATL_DAYS).exp();
    let (mut ctl, mut atl) = (0.0, 0.0);
    let mut out = Vec::with_capacity(daily.len());
    for &x in daily {
        let tsb = ctl - atl;
        ctl += kc * (x - ctl);
        atl += ka * (x - atl);
        out.push(Pmc { ctl, atl, tsb });
    }
    out
}

/// Percentile with linear interpolation between closest ranks (the "type 7" rule of R and
/// NumPy's default): position `p/100 · (n − 1)` in the sorted values.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = (p / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(v[lo] + (v[hi] - v[lo]) * (pos - lo as f64))
}

/// Percentage change `(now / before − 1) · 100`; `None` when `before` is not positive.
pub fn change_pct(now: f64, before: f64) -> Option<f64> {
    ratio(now, before).map(|r| (r - 1.0) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ewma_by_hand() {
        // λ = 0.25: E0 = 0.25·100 = 25; E1 = 0.25·0 + 0.75·25 = 18.75; E2 = 0.25·100 + 0.75·18.75 = 39.0625
        let e = ewma(&[100.0, 0.0, 100.0], williams_lambda(7.0));
        assert!(close(e[0], 25.0) && close(e[1], 18.75) && close(e[2], 39.0625));
        assert!(close(williams_lambda(28.0), 2.0 / 29.0));
    }

    #[test]
    fn rolling_sums_by_hand() {
        assert_eq!(
            rolling_sum(&[1.0, 2.0, 3.0, 4.0], 2),
            vec![1.0, 3.0, 5.0, 7.0]
        );
    }

    #[test]
    fn monotony_strain_by_hand() {
        // loads 10,10,10,10,10,0,0: mean 50/7; SD = sqrt((5·(10−50/7)² + 2·(50/7)²)/7)
        // = sqrt((5·(20/7)² + 2·(50/7)²)/7) = sqrt((2000 + 5000)/49/7) = sqrt(20.408…) = 4.5175
        // monotony = 7.1429 / 4.5175 = 1.5811 (= sqrt(2.5)); strain = 50 · 1.5811 = 79.06
        let w = [10.0, 10.0, 10.0, 10.0, 10.0, 0.0, 0.0];
        assert!(close(monotony(&w).unwrap(), 2.5f64.sqrt()));
        assert!(close(strain(&w).unwrap(), 50.0 * 2.5f64.sqrt()));
        assert_eq!(monotony(&[5.0; 7]), None);
        assert_eq!(monotony(&[0.0; 7]), None);
    }

    #[test]
    fn percentile_type7() {
        // sorted 1,2,3,4: p90 at 0.9·3 = 2.7 → 3 + 0.7·(4 − 3) = 3.7
        assert!(close(percentile(&[4.0, 1.0, 3.0, 2.0], 90.0).unwrap(), 3.7));
        assert_eq!(percentile(&[], 90.0), None);
    }

    #[test]
    fn change_pct_guards_zero() {
        assert!(close(change_pct(11.0, 10.0).unwrap(), 10.0));
        assert_eq!(change_pct(5.0, 0.0), None);
    }
}
