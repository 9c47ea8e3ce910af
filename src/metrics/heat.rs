//! Heat: NWS heat index, BoM simplified WBGT, ACSM flag bands and minutes in hot conditions.
//!
//! See `docs/metrics.md` sections "Heat index", "Simplified WBGT", "Heat band" and "Heat minutes".

use super::{check, counted_intervals, finite, time_weighted_mean, Interval};
use crate::model::{HeatBand, Sample};

/// Heat index at or above which conditions are hot when humidity is known, in °C.
pub const HOT_HEAT_INDEX_C: f64 = 27.0;

/// Air temperature at or above which conditions are hot when humidity is unknown, in °C.
pub const HOT_AIR_TEMP_C: f64 = 25.0;

fn c_to_f(c: f64) -> f64 {
    c * 9.0 / 5.0 + 32.0
}

fn f_to_c(f: f64) -> f64 {
    (f - 32.0) * 5.0 / 9.0
}

fn valid_rh(rh_pct: f64) -> Option<f64> {
    (rh_pct.is_finite() && (0.0..=100.0).contains(&rh_pct)).then_some(rh_pct)
}

/// Rothfusz regression (°F, %), without adjustments.
fn rothfusz_f(t: f64, rh: f64) -> f64 {
    -42.379 + 2.049_015_23 * t + 10.143_331_27 * rh
        - 0.224_755_41 * t * rh
        - 0.006_837_83 * t * t
        - 0.054_817_17 * rh * rh
        + 0.001_228_74 * t * t * rh
        + 0.000_852_82 * t * rh * rh
        - 0.000_001_99 * t * t * rh * rh
}

/// NWS heat index ("apparent temperature" in the shade, light wind).
///
/// With `T` in °F and `RH` in %:
/// 1. Steadman's simple formula averaged with `T`:
///    `HI = 0.5·[T + 61.0 + (T − 68.0)·1.2 + RH·0.094]` (this expression *is* the average of `T`
///    and `61 + 1.2(T − 68) + 0.094RH`). If `HI < 80 °F`, that is the result.
/// 2. Otherwise the Rothfusz regression
///    `−42.379 + 2.04901523T + 10.14333127RH − 0.22475541T·RH − 0.00683783T² − 0.05481717RH²
///    + 0.00122874T²RH + 0.00085282T·RH² − 0.00000199T²RH²`,
/// 3. minus `[(13 − RH)/4]·√([17 − |T − 95|]/17)` if `RH < 13 %` and `80 ≤ T ≤ 112 °F`,
/// 4. plus `[(RH − 85)/10]·[(87 − T)/5]` if `RH > 85 %` and `80 ≤ T ≤ 87 °F`.
///
/// `None` when the temperature is not finite or RH is outside 0–100 %. The regression is not
/// valid outside Steadman's data range; no extrapolation guard is applied beyond finiteness. As in
/// the NWS algorithm, the switch at 80 °F is discontinuous: in dry air just above it the
/// regression can give a lower value than the simple formula just below it.
///
/// # Units
/// Temperature in °C, relative humidity in %, result in °C.
///
/// # References
/// Rothfusz LP 1990, NWS Technical Attachment SR 90-23; Steadman RG 1979, J Appl Meteorol
/// 18:861–873; NWS WPC "The Heat Index Equation" (full references: docs/metrics.md).
pub fn heat_index_c(temp_c: f64, rh_pct: f64) -> Option<f64> {
    let rh = valid_rh(rh_pct)?;
    if !temp_c.is_finite() {
        return None;
    }
    let t = c_to_f(temp_c);
    let simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094);
    let hi = if simple < 80.0 {
        simple
    } else {
        let mut hi = rothfusz_f(t, rh);
        if rh < 13.0 && (80.0..=112.0).contains(&t) {
            hi -= (13.0 - rh) / 4.0 * ((17.0 - (t - 95.0).abs()) / 17.0).sqrt();
        } else if rh > 85.0 && (80.0..=87.0).contains(&t) {
            hi += (rh - 85.0) / 10.0 * ((87.0 - t) / 5.0);
        }
        hi
    };
    check(f_to_c(hi))
}

/// Water vapour pressure from temperature and relative humidity (Bureau of Meteorology form):
/// `e = (RH/100) · 6.105 · exp(17.27·Ta / (237.7 + Ta))`.
///
/// # Units
/// °C and % in, hPa out.
///
/// # References
/// Australian Bureau of Meteorology, "About the WBGT and Apparent Temperature indices".
pub fn vapour_pressure_hpa(temp_c: f64, rh_pct: f64) -> Option<f64> {
    let rh = valid_rh(rh_pct)?;
    check(rh / 100.0 * 6.105 * (17.27 * temp_c / (237.7 + temp_c)).exp())
}

/// Simplified WBGT of the Australian Bureau of Meteorology: `0.567·Ta + 0.393·e + 3.94`, with `e`
/// from [`vapour_pressure_hpa`].
///
/// It assumes moderately high sun and light wind, so it overestimates WBGT in cloud, wind or at
/// night. `None` for a non-finite temperature or RH outside 0–100 %.
///
/// # Units
/// °C and % in, °C out.
///
/// # References
/// Australian Bureau of Meteorology, "Thermal Comfort observations" (formula from ACSM 1984, Med J
/// Aust 141:876); full references in docs/metrics.md.
pub fn wbgt_simple_c(temp_c: f64, rh_pct: f64) -> Option<f64> {
    if !temp_c.is_finite() {
        return None;
    }
    let e = vapour_pressure_hpa(temp_c, rh_pct)?;
    check(0.567 * temp_c + 0.393 * e + 3.94)
}

/// The ACSM flag for a WBGT: white < 10, green < 18, yellow < 23, red ≤ 28, black > 28 °C.
///
/// `None` for a non-finite WBGT.
///
/// # Units
/// °C.
///
/// # References
/// ACSM 1984 position stand on heat injuries; Armstrong LE et al. 1996, Med Sci Sports Exerc
/// 28(12):i–x, "Heat and cold illnesses during distance running" (docs/metrics.md).
pub fn heat_band(wbgt_c: f64) -> Option<HeatBand> {
    if !wbgt_c.is_finite() {
        return None;
    }
    Some(if wbgt_c < 10.0 {
        HeatBand::White
    } else if wbgt_c < 18.0 {
        HeatBand::Green
    } else if wbgt_c < 23.0 {
        HeatBand::Yellow
    } else if wbgt_c <= 28.0 {
        HeatBand::Red
    } else {
        HeatBand::Black
    })
}

/// Whether conditions are hot: heat index ≥ [`HOT_HEAT_INDEX_C`] (27 °C, the lower edge of the
/// NWS "caution" band, 80 °F) when relative humidity is known and valid, else air temperature ≥
/// [`HOT_AIR_TEMP_C`] (25 °C).
///
/// `None` for a non-finite temperature.
///
/// # Units
/// °C and %.
///
/// # References
/// NWS heat-index "caution" band from 80 °F (27 °C); thresholds ours (docs/metrics.md).
pub fn is_hot(temp_c: f64, rh_pct: Option<f64>) -> Option<bool> {
    if !temp_c.is_finite() {
        return None;
    }
    match rh_pct.and_then(|rh| heat_index_c(temp_c, rh)) {
        Some(hi) => Some(hi >= HOT_HEAT_INDEX_C),
        None => Some(temp_c >= HOT_AIR_TEMP_C),
    }
}

/// A sample's temperature corrected for the wrist offset (`temp_c − wrist_offset_c`).
fn corrected_temp_c(s: &Sample, wrist_offset_c: f64) -> Option<f64> {
    let offset = if wrist_offset_c.is_finite() {
        wrist_offset_c
    } else {
        0.0
    };
    finite(s.temp_c).map(|t| t - offset)
}

/// Minutes in hot conditions ([`is_hot`]) over the counted intervals (gaps ≤ 10 s) whose closing
/// sample has a temperature.
///
/// The device temperature is corrected as `temp_c − wrist_offset_c` (default offset 0; a wrist
/// watch reads high from skin heat, so a positive offset such as 2–5 °C can be configured, or the
/// samples' temperatures replaced by weather data). `rh_pct` is one humidity for the whole
/// activity (weather data); `None` uses the air-temperature rule. `None` when no counted interval
/// has a temperature.
///
/// # Units
/// °C and % in, minutes out.
///
/// # References
/// Wrist-temperature caveat: docs/metrics.md. Rule: [`is_hot`].
pub fn heat_minutes(samples: &[Sample], rh_pct: Option<f64>, wrist_offset_c: f64) -> Option<f64> {
    heat_minutes_over(samples, &counted_intervals(samples), rh_pct, wrist_offset_c)
}

/// [`heat_minutes`] over the counted intervals of the samples, already computed
/// ([`super::series::Series::intervals`]; they depend on the times only).
pub fn heat_minutes_over(
    samples: &[Sample],
    intervals: &[Interval],
    rh_pct: Option<f64>,
    wrist_offset_c: f64,
) -> Option<f64> {
    let mut any = false;
    let mut hot_s = 0.0;
    for iv in intervals {
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

/// Time-weighted mean temperature over the counted intervals, corrected by the wrist offset.
///
/// `None` when no counted interval has a temperature.
///
/// # Units
/// °C.
///
/// # References
/// Time policy: [`super::counted_intervals`].
pub fn mean_temp_c(samples: &[Sample], wrist_offset_c: f64) -> Option<f64> {
    mean_temp_over(samples, &counted_intervals(samples), wrist_offset_c)
}

/// [`mean_temp_c`] over the counted intervals of the samples, already computed.
pub fn mean_temp_over(
    samples: &[Sample],
    intervals: &[Interval],
    wrist_offset_c: f64,
) -> Option<f64> {
    time_weighted_mean(intervals.iter().filter_map(|iv| {
        let t = corrected_temp_c(samples.get(iv.end)?, wrist_offset_c)?;
        Some((t, iv.dt_s))
    }))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;
    use proptest::prelude::*;

    fn hi_f(t_f: f64, rh: f64) -> f64 {
        c_to_f(heat_index_c(f_to_c(t_f), rh).unwrap())
    }

    #[test]
    fn heat_index_nws_table() {
        // NWS heat index chart (weather.gov/ama/heatindex), tolerance ±1.5 °F
        for (t, rh, table) in [
            (90.0, 60.0, 100.0),
            (80.0, 40.0, 80.0),
            (100.0, 50.0, 118.0),
            (86.0, 90.0, 105.0),
        ] {
            let got = hi_f(t, rh);
            assert!(
                (got - table).abs() <= 1.5,
                "{t} °F {rh} %: {got} vs {table}"
            );
        }
    }

    #[test]
    fn heat_index_branches() {
        // simple branch: 70 °F, 50 % → 0.5 × (70 + 61 + 2.4 + 4.7) = 69.05 °F
        assert!((hi_f(70.0, 50.0) - 69.05).abs() < 1e-9);
        // 80 °F, 40 %: 0.5 × (80 + 61 + 14.4 + 3.76) = 79.58 < 80 → simple value
        assert!((hi_f(80.0, 40.0) - 79.58).abs() < 1e-9);
        // dry adjustment at 100 °F, 10 %: −(3/4)·√(12/17) = −0.630146
        let adj = 0.75 * (12.0f64 / 17.0).sqrt();
        assert!((hi_f(100.0, 10.0) - (rothfusz_f(100.0, 10.0) - adj)).abs() < 1e-9);
        // humid adjustment at 84 °F, 95 %: +(10/10)·(3/5) = +0.6
        assert!((hi_f(84.0, 95.0) - (rothfusz_f(84.0, 95.0) + 0.6)).abs() < 1e-9);
        // invalid inputs
        assert_eq!(heat_index_c(f64::NAN, 50.0), None);
        assert_eq!(heat_index_c(30.0, 101.0), None);
        assert_eq!(heat_index_c(30.0, f64::NAN), None);
        assert_eq!(heat_index_c(f64::MAX, 50.0), None);
    }

    #[test]
    fn wbgt_worked_example() {
        // 30 °C, 60 %: e = 0.6 × 6.105 × exp(518.1 / 267.7) = 25.372 hPa
        // WBGT = 0.567 × 30 + 0.393 × 25.372 + 3.94 = 17.01 + 9.971 + 3.94 = 30.921
        let e = vapour_pressure_hpa(30.0, 60.0).unwrap();
        assert!((e - 25.3723).abs() < 1e-3, "{e}");
        let w = wbgt_simple_c(30.0, 60.0).unwrap();
        assert!((w - 30.9213).abs() < 1e-3, "{w}");
        assert_eq!(wbgt_simple_c(f64::INFINITY, 60.0), None);
        assert_eq!(wbgt_simple_c(30.0, -1.0), None);
    }

    #[test]
    fn bands() {
        assert_eq!(heat_band(9.9), Some(HeatBand::White));
        assert_eq!(heat_band(10.0), Some(HeatBand::Green));
        assert_eq!(heat_band(18.0), Some(HeatBand::Yellow));
        assert_eq!(heat_band(23.0), Some(HeatBand::Red));
        assert_eq!(heat_band(28.0), Some(HeatBand::Red));
        assert_eq!(heat_band(28.1), Some(HeatBand::Black));
        assert_eq!(heat_band(f64::NAN), None);
        assert_eq!(HeatBand::Black.as_str(), "black");
    }

    #[test]
    fn hot_rule() {
        // 26 °C dry air is hot by air temperature (≥ 25) but not by heat index at 20 % RH:
        // 78.8 °F → simple HI = 0.5 × (78.8 + 61 + 12.96 + 1.88) = 77.32 °F = 25.18 °C < 27
        assert_eq!(is_hot(26.0, None), Some(true));
        assert_eq!(is_hot(26.0, Some(20.0)), Some(false));
        // 30 °C, 60 % → HI ≈ 32.8 °C
        assert_eq!(is_hot(30.0, Some(60.0)), Some(true));
        assert_eq!(is_hot(24.9, None), Some(false));
        // invalid humidity falls back to air temperature
        assert_eq!(is_hot(26.0, Some(f64::NAN)), Some(true));
        assert_eq!(is_hot(f64::NAN, None), None);
    }

    #[test]
    fn heat_minutes_hand_case() {
        // 1 Hz, 10 min: first 4 min at 28 °C, then 6 min at 22 °C; the wrist reads 2 °C high.
        // corrected: 26 °C (hot by air rule) for intervals 1..=240, 20 °C after → 4 min hot
        let s = series(601, 1.0, |i, s| {
            s.temp_c = Some(if i <= 240 { 28.0 } else { 22.0 })
        });
        let m = heat_minutes(&s, None, 2.0).unwrap();
        assert!((m - 4.0).abs() < 1e-9, "{m}");
        // without the offset: 28 °C is hot, 22 °C is not, still 4 min
        assert!((heat_minutes(&s, None, 0.0).unwrap() - 4.0).abs() < 1e-9);
        // with offset 4 °C nothing is hot (24 °C)
        assert_eq!(heat_minutes(&s, None, 4.0), Some(0.0));
        // mean: (240 × 26 + 360 × 20) / 600 = 22.4
        assert!((mean_temp_c(&s, 2.0).unwrap() - 22.4).abs() < 1e-9);
        let none = series(10, 1.0, |_, _| {});
        assert_eq!(heat_minutes(&none, None, 0.0), None);
        assert_eq!(mean_temp_c(&none, 0.0), None);
        assert_eq!(heat_minutes(&[], Some(50.0), f64::NAN), None);
    }

    proptest! {
        #[test]
        fn heat_functions_are_finite_or_none(t in -1e6f64..1e6, rh in -10.0f64..110.0) {
            for v in [heat_index_c(t, rh), wbgt_simple_c(t, rh), vapour_pressure_hpa(t, rh)]
                .into_iter()
                .flatten()
            {
                prop_assert!(v.is_finite());
            }
        }

        #[test]
        fn heat_index_grows_with_humidity_when_hot(t in 29.0f64..40.0, rh in 13.0f64..84.0) {
            // where the regression always applies (≥ 84.2 °F), more humidity never feels cooler.
            // Near 80 °F the switch from the simple formula to the regression is discontinuous
            // (27.5 °C: 26.64 °C at 13 % RH, 26.28 °C at 14 %), as in the NWS algorithm itself.
            let a = heat_index_c(t, rh).unwrap();
            let b = heat_index_c(t, rh + 1.0).unwrap();
            prop_assert!(b >= a - 1e-9);
        }
    }
}
