//! Average cadence.
//!
//! See `docs/metrics.md` section "Cadence".

use super::distance::moving_mask;
use super::series::Series;
use super::{counted_intervals, finite, time_weighted_mean, Interval};
use crate::model::Sample;

/// Largest cadence accepted as a measurement, in steps (or revolutions) per minute.
pub const MAX_CADENCE_SPM: f64 = 400.0;

/// Average cadence over moving time: `Σ dt·cadence / Σ dt` over the counted intervals (gaps ≤
/// 10 s) whose closing sample is moving (see [`moving_mask`]) and has a cadence in
/// `(0, 400]` spm.
///
/// Zero cadence is treated as a sensor dropout (or standing), not as a value: including it would
/// pull the average of a run with a few stops towards 0. `None` when no moving interval has a
/// cadence.
///
/// # Units
/// Steps per minute for foot sports (readers double FIT strides), revolutions per minute for
/// cycling; `stationary_speed_mps` in metres per second (default 0.5).
///
/// # References
/// Definition ours (time-weighted, moving only); see `docs/metrics.md` "Cadence".
pub fn mean_cadence_spm(samples: &[Sample], stationary_speed_mps: f64) -> Option<f64> {
    let moving = moving_mask(samples, stationary_speed_mps);
    mean_cadence_from(samples, &counted_intervals(samples), &moving)
}

/// [`mean_cadence_spm`] over a [`Series`] (its intervals and speed estimates).
pub fn mean_cadence_series(series: &Series<'_>, stationary_speed_mps: f64) -> Option<f64> {
    mean_cadence_from(
        series.samples(),
        series.intervals(),
        &series.moving_at(stationary_speed_mps),
    )
}

fn mean_cadence_from(samples: &[Sample], intervals: &[Interval], moving: &[bool]) -> Option<f64> {
    time_weighted_mean(
        intervals
            .iter()
            .filter(|iv| moving.get(iv.end).copied().unwrap_or(false))
            .filter_map(|iv| {
                let cad = finite(samples.get(iv.end)?.cadence_spm)?;
                (cad > 0.0 && cad <= MAX_CADENCE_SPM).then_some((cad, iv.dt_s))
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn cadence_hand_case() {
        // 1 Hz, device speed 3 m/s; intervals closed by samples 1..=10:
        // samples 1–6 at 170 spm, 7–8 at 180 spm, sample 9 cadence 0 (dropout), sample 10 standing
        // → (6 × 170 + 2 × 180) / 8 = 1380 / 8 = 172.5
        let s = series(11, 1.0, |i, s| {
            s.speed_mps = Some(if i == 10 { 0.0 } else { 3.0 });
            s.cadence_spm = Some(match i {
                0..=6 => 170.0,
                7 | 8 => 180.0,
                9 => 0.0,
                _ => 200.0,
            });
        });
        assert_eq!(mean_cadence_spm(&s, 0.5), Some(172.5));
    }

    #[test]
    fn cadence_edge_cases() {
        assert_eq!(mean_cadence_spm(&[], 0.5), None);
        let no_cad = series(10, 1.0, |_, s| s.speed_mps = Some(3.0));
        assert_eq!(mean_cadence_spm(&no_cad, 0.5), None);
        let one = series(1, 1.0, |_, s| s.cadence_spm = Some(170.0));
        assert_eq!(mean_cadence_spm(&one, 0.5), None);
        let bad = series(10, 1.0, |i, s| {
            s.cadence_spm = Some(if i % 2 == 0 { f64::NAN } else { 1e9 })
        });
        assert_eq!(mean_cadence_spm(&bad, f64::NAN), None);
        // pauses: a 60 s gap is not counted, whatever the cadence after it
        let mut gap = series(5, 1.0, |_, s| s.cadence_spm = Some(160.0));
        gap.push(at(64.0));
        gap[5].cadence_spm = Some(100.0);
        assert_eq!(mean_cadence_spm(&gap, 0.5), Some(160.0));
    }
}
