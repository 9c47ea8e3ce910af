//! Heart-rate metrics evaluated after the whole history is read.
//!
//! HRmax and HRrest come from the configuration, else from the files (FIT `zones_target`,
//! `user_profile`), else from an estimate over the whole history: they are only known once every
//! file is read. So that no file is parsed twice, each activity's reduced summary keeps an
//! [`HrProfile`]: the time spent at each heart rate over the moving counted intervals and over
//! the other ones ([`super::hrtime::HrSeconds`], whole milliseconds), the cleaned heart-rate
//! values the HRmax estimate pools, and the warm-up window's [`WarmupData`]. Every heart-rate
//! metric is a sum over intervals of a function of the interval's heart rate, so evaluating it on
//! these histograms gives the same value as on the samples (up to the order of floating-point
//! additions); `tests::profile_matches_samples_on_real_files` checks that against the
//! sample-based functions.

use super::check;
use super::hr::{
    banister_rate_per_min, clean_hr_timed, hr_at, hr_max_from_peaks, sustained_peak_of,
    valid_rest_max, Zones,
};
use super::hrtime::{HrSeconds, HrSecondsBuilder};
use super::intensity::{warmup_data_series, WarmupData, DEFAULT_WARMUP_WINDOW_S};
use super::load::MIN_COVERAGE;
use super::series::Series;
use crate::model::{Sample, Sex};
use serde::{Deserialize, Serialize};

/// What an activity's heart-rate metrics need, without its samples.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HrProfile {
    /// Time at each heart rate over the moving intervals (for the load).
    pub moving: HrSeconds,
    /// The same over the counted intervals that are not moving: with `moving`, every counted
    /// interval with heart rate ([`HrProfile::all`]).
    pub still: HrSeconds,
    /// Moving seconds, with or without heart rate.
    pub moving_s: f64,
    /// The cleaned heart-rate values (see `hr::clean_hr_bpm`) and how often each occurs.
    pub cleaned: Vec<(f64, u32)>,
    /// The highest cleaned heart rate held for 15 s (`hr::sustained_peak_bpm`), bpm.
    #[serde(default)]
    pub peak_bpm: Option<f64>,
    /// The warm-up window.
    pub warmup: WarmupData,
}

/// The distinct values, ascending, and how often each occurs.
///
/// The cleaned heart rates are medians of whole bpm, so multiples of 0.5 bpm: those are counted
/// in an array indexed by half-bpm (linear time); anything else is sorted.
fn count_values(timed: &[(Option<i64>, f64)]) -> Vec<(f64, u32)> {
    const SLOTS: usize = 512;
    let slot = |v: f64| {
        let h = v * 2.0;
        ((1.0..SLOTS as f64).contains(&h) && f64::from(h as u32) == h).then_some(h as usize)
    };
    if timed.iter().all(|&(_, v)| slot(v).is_some()) {
        let mut counts = [0u32; SLOTS];
        for &(_, v) in timed {
            if let Some(k) = slot(v) {
                counts[k] += 1;
            }
        }
        return counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(k, &c)| (k as f64 / 2.0, c))
            .collect();
    }
    // (values equal in the total order are the same bits: an unstable sort is enough)
    let mut values: Vec<f64> = timed.iter().map(|x| x.1).collect();
    values.sort_unstable_by(f64::total_cmp);
    let mut counts: Vec<(f64, u32)> = Vec::new();
    for v in values {
        match counts.last_mut() {
            Some(last) if last.0 == v => last.1 += 1,
            _ => counts.push((v, 1)),
        }
    }
    counts
}

impl HrProfile {
    /// Build the profile of one activity.
    pub fn from_samples(samples: &[Sample]) -> HrProfile {
        HrProfile::from_series(&Series::new(samples))
    }

    /// Build the profile of one activity from its [`Series`].
    pub fn from_series(series: &Series<'_>) -> HrProfile {
        let samples = series.samples();
        let moving_mask = series.moving();
        let mut still = HrSecondsBuilder::new();
        let mut moving = HrSecondsBuilder::new();
        let mut moving_s = 0.0;
        for &iv in series.intervals() {
            let hr = hr_at(samples, iv.end);
            let is_moving = moving_mask.get(iv.end).copied().unwrap_or(false);
            if is_moving {
                moving_s += iv.dt_s;
            }
            if let Some(hr) = hr {
                if is_moving {
                    moving.add(hr, iv.dt_s);
                } else {
                    still.add(hr, iv.dt_s);
                }
            }
        }
        let timed = clean_hr_timed(samples);
        let peak_bpm = sustained_peak_of(&timed);
        let counts = count_values(&timed);
        HrProfile {
            moving: moving.finish(),
            still: still.finish(),
            moving_s,
            cleaned: counts,
            peak_bpm,
            warmup: warmup_data_series(series, DEFAULT_WARMUP_WINDOW_S),
        }
    }

    /// Seconds at each heart rate over all the counted intervals, ascending: `(hr_bpm,
    /// seconds)`.
    pub fn all(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.moving.plus(&self.still)
    }

    /// No counted interval with heart rate.
    fn no_hr(&self) -> bool {
        self.moving.is_empty() && self.still.is_empty()
    }

    /// Seconds with heart rate.
    pub fn hr_s(&self) -> f64 {
        self.all().map(|p| p.1).sum()
    }

    /// Seconds in each zone (index 0 below zone 1), as `hr::time_in_zones_s`.
    pub fn time_in_zones_s(&self, zones: &Zones) -> [f64; 6] {
        let mut out = [0.0; 6];
        for (hr, dt) in self.all() {
            if let Some(z) = zones.zone_of(hr) {
                out[z.min(5)] += dt;
            }
        }
        out
    }

    /// Banister TRIMP, as `hr::trimp_banister`.
    pub fn trimp_banister(
        &self,
        hr_rest_bpm: f64,
        hr_max_bpm: f64,
        sex: Option<Sex>,
    ) -> Option<f64> {
        let (rest, max) = valid_rest_max(hr_rest_bpm, hr_max_bpm)?;
        if self.no_hr() {
            return None;
        }
        check(
            self.all()
                .map(|(hr, dt)| dt / 60.0 * banister_rate_per_min((hr - rest) / (max - rest), sex))
                .sum(),
        )
    }

    /// Edwards TRIMP, as `hr::trimp_edwards`.
    pub fn trimp_edwards(&self, hr_max_bpm: f64) -> Option<f64> {
        let zones = Zones::percent_max(hr_max_bpm)?;
        let t = self.time_in_zones_s(&zones);
        if t.iter().sum::<f64>() <= 0.0 {
            return None;
        }
        check(t.iter().enumerate().map(|(i, s)| i as f64 * s / 60.0).sum())
    }

    /// Minutes at or above `hr_bpm` over the counted intervals with heart rate; `None` without
    /// any (as `intensity::hard_hr_minutes`).
    pub fn minutes_at_or_above(&self, hr_bpm: f64) -> Option<f64> {
        if self.no_hr() || !hr_bpm.is_finite() {
            return None;
        }
        check(
            self.all()
                .filter(|p| p.0 >= hr_bpm)
                .map(|p| p.1)
                .sum::<f64>()
                / 60.0,
        )
    }

    /// Time-weighted mean heart rate over the counted intervals with heart rate, when heart rate
    /// covers at least half of the moving time (`load::MIN_COVERAGE`): an HR record that speaks
    /// for the run. bpm.
    pub fn covering_mean_bpm(&self) -> Option<f64> {
        let moving_hr: f64 = self.moving.iter().map(|p| p.1).sum();
        if !(self.moving_s > 0.0 && moving_hr / self.moving_s >= MIN_COVERAGE) {
            return None;
        }
        let hr_s = self.hr_s();
        (hr_s > 0.0)
            .then(|| self.all().map(|(h, dt)| h * dt).sum::<f64>() / hr_s)
            .and_then(check)
    }

    /// Minutes at ≥ 80 % HRmax, as `intensity::z45_minutes`.
    pub fn z45_minutes(&self, hr_max_bpm: f64) -> Option<f64> {
        let zones = Zones::percent_max(hr_max_bpm)?;
        let t = self.time_in_zones_s(&zones);
        if t.iter().sum::<f64>() <= 0.0 {
            return None;
        }
        check((t[4] + t[5]) / 60.0)
    }

    /// The heart-rate load of `load::load`: Banister TRIMP over the moving intervals with heart
    /// rate, scaled up to the moving time; `None` when heart rate covers less than half of it.
    pub fn hr_load(&self, hr_rest_bpm: f64, hr_max_bpm: f64, sex: Option<Sex>) -> Option<f64> {
        let (rest, max) = valid_rest_max(hr_rest_bpm, hr_max_bpm)?;
        if self.moving_s.is_nan() || self.moving_s <= 0.0 {
            return None;
        }
        let (mut trimp, mut hr_s) = (0.0, 0.0);
        for (hr, dt) in self.moving.iter() {
            trimp += dt / 60.0 * banister_rate_per_min((hr - rest) / (max - rest), sex);
            hr_s += dt;
        }
        if hr_s / self.moving_s < MIN_COVERAGE {
            return None;
        }
        check(trimp * self.moving_s / hr_s)
    }
}

/// The HRmax estimate of `hr::hr_max_estimate_bpm` over many activities: the second highest of
/// their peaks (`hr::hr_max_from_peaks`).
pub fn hr_max_estimate_from<'a>(profiles: impl IntoIterator<Item = &'a HrProfile>) -> Option<f64> {
    hr_max_from_peaks(profiles.into_iter().filter_map(|p| p.peak_bpm).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_bytes;
    use crate::metrics::hr::{hr_max_estimate_bpm, time_in_zones_s, trimp_banister, trimp_edwards};
    use crate::metrics::intensity::{hard_rule, hardness, surges, warmup, z45_minutes};
    use crate::metrics::load::{load, LoadParams};
    use crate::model::LoadSource;

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn profile_matches_samples_on_real_files() {
        let files: &[(&str, &[u8])] = &[
            (
                "fenix2",
                include_bytes!("../../fixtures/real/pyfitparse_fenix2_run_hr_temp.fit"),
            ),
            (
                "stryd",
                include_bytes!("../../fixtures/real/pyfitparse_stryd_run_devfields.fit"),
            ),
            (
                "fr965",
                include_bytes!("../../fixtures/real/jkfit_fr965_run_power_stamina.fit"),
            ),
            (
                "edge810",
                include_bytes!("../../fixtures/real/pyfitparse_edge810_ride_power.fit"),
            ),
            (
                "endomondo",
                include_bytes!("../../fixtures/real/phpgpx_endomondo_hike_2seg_hr.gpx"),
            ),
        ];
        let mut all_samples = Vec::new();
        let mut profiles = Vec::new();
        for (name, bytes) in files {
            for a in read_bytes(name, bytes).unwrap() {
                let p = HrProfile::from_samples(&a.samples);
                for (rest, max, sex) in [(50.0, 190.0, None), (60.0, 175.0, Some(Sex::Female))] {
                    let zones = Zones::percent_max(max).unwrap();
                    let zs = time_in_zones_s(&a.samples, &zones);
                    let zp = p.time_in_zones_s(&zones);
                    for i in 0..6 {
                        assert!((zs[i] - zp[i]).abs() < 1e-6, "{name} zone {i}");
                    }
                    assert!(close(
                        trimp_banister(&a.samples, rest, max, sex),
                        p.trimp_banister(rest, max, sex)
                    ));
                    assert!(close(trimp_edwards(&a.samples, max), p.trimp_edwards(max)));
                    assert!(close(z45_minutes(&a.samples, max), p.z45_minutes(max)));
                    let h = hardness(&a.samples, Some(max));
                    let hp = hard_rule(
                        p.minutes_at_or_above(0.88 * max),
                        surges(&a.samples),
                        p.covering_mean_bpm(),
                        Some(max),
                    );
                    assert_eq!(
                        (h.hard, h.surges_vetoed),
                        (hp.hard, hp.surges_vetoed),
                        "{name}"
                    );
                    assert!(close(h.hard_hr_minutes, hp.hard_hr_minutes), "{name}");
                    let params = LoadParams {
                        hr_rest_bpm: Some(rest),
                        hr_max_bpm: Some(max),
                        sex,
                        ..LoadParams::default()
                    };
                    let (l, src) = load(&a.samples, &params);
                    match p.hr_load(rest, max, sex) {
                        Some(hl) => {
                            assert_eq!(src, LoadSource::Hr, "{name}");
                            assert!((l - hl).abs() <= 1e-9 * l.max(1.0), "{name}: {l} vs {hl}");
                        }
                        None => assert_ne!(src, LoadSource::Hr, "{name}"),
                    }
                    let w = warmup(&a.samples, Some(max), DEFAULT_WARMUP_WINDOW_S);
                    let wp = p.warmup.evaluate(Some(max));
                    assert_eq!(w.status, wp.status, "{name}");
                    assert!(close(w.warmup_hr_pct, wp.warmup_hr_pct), "{name}");
                    assert!((w.easy_s - wp.easy_s).abs() < 1e-9, "{name}");
                }
                profiles.push(p);
                all_samples.push(a.samples);
            }
        }
        let direct = hr_max_estimate_bpm(all_samples.iter().map(|s| s.as_slice()));
        assert!(direct.is_some());
        assert!(close(direct, hr_max_estimate_from(&profiles)));
    }
}
