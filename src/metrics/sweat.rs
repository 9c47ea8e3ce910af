//! Estimated sweat loss of a run (ACSM running VO₂ → heat balance → Gonzalez 2009 equation).
//!
//! See `docs/metrics.md` section "Sweat loss".

use super::check;

/// Energy per millilitre of oxygen, in J/mL (≈ 4.8 kcal/L).
pub const O2_ENERGY_J_PER_ML: f64 = 20.1;

/// Assumed mean skin temperature while running, in °C.
pub const SKIN_TEMP_C: f64 = 35.0;

/// Intrinsic clothing insulation of shorts and T-shirt, in m²·K/W (0.3 clo × 0.155).
pub const CLOTHING_INSULATION_M2K_PER_W: f64 = 0.0465;

/// Clothing area factor for light running clothes (ISO 9920: 1 + 0.31·clo ≈ 1.1).
pub const CLOTHING_AREA_FACTOR: f64 = 1.1;

/// Linear radiative heat-transfer coefficient, in W/(m²·K).
pub const RADIATIVE_COEFF_W_PER_M2K: f64 = 4.7;

/// Moisture permeability index of light running clothes (dimensionless).
pub const PERMEABILITY_INDEX: f64 = 0.45;

/// Lewis relation, in K/kPa.
pub const LEWIS_K_PER_KPA: f64 = 16.5;

/// Inputs of [`sweat_estimate`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweatInput {
    /// Air temperature, °C (weather data or a corrected device temperature).
    pub air_temp_c: f64,
    /// Relative humidity, %.
    pub rh_pct: f64,
    /// Mean moving speed, m/s (level running assumed).
    pub speed_mps: f64,
    /// Moving time, s.
    pub duration_s: f64,
    /// Body mass, kg.
    pub body_mass_kg: f64,
    /// Height, m.
    pub height_m: f64,
    /// Fluid drunk per hour, L/h; `None` = no drinking.
    pub fluid_intake_l_per_h: Option<f64>,
}

/// Result of [`sweat_estimate`], with the intermediate terms for transparency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweatEstimate {
    /// Predicted sweat rate, L/h.
    pub sweat_rate_l_per_h: f64,
    /// Sweat lost over the run, L (≈ kg).
    pub sweat_loss_l: f64,
    /// Sweat lost minus fluid drunk over the run, L; negative when more was drunk.
    pub net_loss_l: f64,
    /// `net_loss_l` as % of body mass (1 L ≈ 1 kg); flag above 2 %.
    pub body_mass_loss_pct: f64,
    /// Inside Gonzalez 2009's data range (Ta 15–46 °C, vapour pressure 0.27–4.45 kPa, metabolic
    /// rate ≤ 450 W/m²) and the ACSM running equation's speeds (≥ 2.2 m/s). Running faster than
    /// about 2.6 m/s exceeds 450 W/m², so most runs are extrapolations.
    pub within_validity: bool,
    /// Body surface area (Du Bois), m².
    pub bsa_m2: f64,
    /// Metabolic rate per body surface area, W/m².
    pub metabolic_w_per_m2: f64,
    /// Evaporation required for heat balance, W/m².
    pub ereq_w_per_m2: f64,
    /// Maximal evaporative capacity of the environment, W/m².
    pub emax_w_per_m2: f64,
}

/// Saturation vapour pressure (Bureau of Meteorology / Magnus form), kPa:
/// `0.6105 · exp(17.27·T / (237.7 + T))`.
fn saturation_kpa(temp_c: f64) -> f64 {
    0.6105 * (17.27 * temp_c / (237.7 + temp_c)).exp()
}

/// Du Bois body surface area: `BSA = 0.007184 · W^0.425 · H^0.725` (W in kg, H in cm).
///
/// # Units
/// kg and m in, m² out.
///
/// # References
/// Du Bois D, Du Bois EF 1916, Arch Intern Med 17:863–871.
pub fn bsa_du_bois_m2(body_mass_kg: f64, height_m: f64) -> Option<f64> {
    if !(body_mass_kg.is_finite() && height_m.is_finite() && body_mass_kg > 0.0 && height_m > 0.0) {
        return None;
    }
    check(0.007184 * body_mass_kg.powf(0.425) * (height_m * 100.0).powf(0.725))
}

/// Estimated sweat loss of a run, assuming no drinking unless `fluid_intake_l_per_h` is given.
///
/// 1. Running VO₂ (ACSM, level): `VO₂ = 3.5 + 0.2·v` mL·kg⁻¹·min⁻¹, `v` in m/min.
/// 2. Metabolic rate `M = VO₂ · mass · 20.1 J/mL / 60` W, per m² of Du Bois BSA. External work is
///    taken as 0 (level running).
/// 3. Dry heat loss `R + C = (T_sk − T_a) / I_T` with `T_sk` = 35 °C and total insulation
///    `I_T = I_cl + 1 / (f_cl · (h_c + h_r))`: shorts and T-shirt `I_cl` = 0.0465 m²K/W (0.3 clo),
///    `f_cl` = 1.1, `h_r` = 4.7 W/m²K, `h_c = 8.3 · v^0.6` W/m²K with the running speed in m/s as
///    air speed (still air, at least 0.2 m/s).
/// 4. `E_req = max(0, M − (R + C))`.
/// 5. `E_max = 16.5 · i_m · (P_sk − P_a) / I_T` (Lewis relation, `i_m` = 0.45), with `P_sk` the
///    saturation vapour pressure at 35 °C and `P_a = RH · P_sat(T_a)`, at least 0.
/// 6. Gonzalez 2009: `ṁsw = 147 + 1.527·E_req − 0.87·E_max` g·m⁻²·h⁻¹, at least 0;
///    `L/h = ṁsw · BSA / 1000`.
///
/// For 70 kg, 1.75 m, 8.5–15 km/h at 15–35 °C and 50 % RH this gives 0.22–1.79 L/h, the ACSM
/// range of roughly 0.4–1.8 L/h. No sun, no wind: it underestimates in sunshine.
///
/// `None` when an input is not finite, RH is outside 0–100 %, speed is negative, duration is
/// negative, or mass or height are not positive.
///
/// # Units
/// See [`SweatInput`] and [`SweatEstimate`].
///
/// # References
/// ACSM's Guidelines for Exercise Testing and Prescription (running equation); Gonzalez RR et al.
/// 2009, J Appl Physiol 107(2):379–388; Sawka MN et al. 2007, Med Sci Sports Exerc
/// 39(2):377–390 (2 % body mass, 0.4–1.8 L/h); ISO 9920 / ISO 7933 (clothing and convection
/// terms); full references in docs/metrics.md.
pub fn sweat_estimate(input: &SweatInput) -> Option<SweatEstimate> {
    let SweatInput {
        air_temp_c: ta,
        rh_pct: rh,
        speed_mps: v,
        duration_s,
        body_mass_kg: mass,
        height_m,
        fluid_intake_l_per_h,
    } = *input;
    let intake = fluid_intake_l_per_h.unwrap_or(0.0);
    let all_finite = [ta, rh, v, duration_s, intake]
        .iter()
        .all(|x| x.is_finite());
    if !all_finite || !(0.0..=100.0).contains(&rh) || v < 0.0 || duration_s < 0.0 || intake < 0.0 {
        return None;
    }
    if ta <= -237.0 {
        return None;
    }
    let bsa = bsa_du_bois_m2(mass, height_m)?;
    let vo2 = 3.5 + 0.2 * v * 60.0;
    let m = vo2 * mass * O2_ENERGY_J_PER_ML / 60.0 / bsa;
    let hc = 8.3 * v.max(0.2).powf(0.6);
    let it = CLOTHING_INSULATION_M2K_PER_W
        + 1.0 / (CLOTHING_AREA_FACTOR * (hc + RADIATIVE_COEFF_W_PER_M2K));
    let dry = (SKIN_TEMP_C - ta) / it;
    let ereq = (m - dry).max(0.0);
    let pa = rh / 100.0 * saturation_kpa(ta);
    let emax =
        (LEWIS_K_PER_KPA * PERMEABILITY_INDEX * (saturation_kpa(SKIN_TEMP_C) - pa) / it).max(0.0);
    let msw = (147.0 + 1.527 * ereq - 0.87 * emax).max(0.0);
    let rate = msw * bsa / 1000.0;
    let hours = duration_s / 3600.0;
    let loss = rate * hours;
    let net = loss - intake * hours;
    let within_validity =
        (15.0..=46.0).contains(&ta) && (0.27..=4.45).contains(&pa) && m <= 450.0 && v >= 2.2;
    Some(SweatEstimate {
        sweat_rate_l_per_h: check(rate)?,
        sweat_loss_l: check(loss)?,
        net_loss_l: check(net)?,
        body_mass_loss_pct: check(net / mass * 100.0)?,
        within_validity,
        bsa_m2: bsa,
        metabolic_w_per_m2: check(m)?,
        ereq_w_per_m2: check(ereq)?,
        emax_w_per_m2: check(emax)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(ta: f64, rh: f64, v: f64) -> SweatInput {
        SweatInput {
            air_temp_c: ta,
            rh_pct: rh,
            speed_mps: v,
            duration_s: 3600.0,
            body_mass_kg: 70.0,
            height_m: 1.75,
            fluid_intake_l_per_h: None,
        }
    }

    #[test]
    fn hand_computed_case() {
        // 70 kg, 1.75 m, 3 m/s (180 m/min) for 1 h at 30 °C, 60 % RH:
        // VO₂ = 3.5 + 0.2 × 180 = 39.5 mL/kg/min; M = 39.5 × 70 × 20.1 / 60 = 926.275 W
        // BSA = 0.007184 × 70^0.425 × 175^0.725 = 1.84814 m² → M = 501.192 W/m²
        // h_c = 8.3 × 3^0.6 = 16.0454; I_T = 0.0465 + 1 / (1.1 × 20.7454) = 0.0903213
        // R + C = (35 − 30) / 0.0903213 = 55.358 → E_req = 445.834 W/m²
        // P_a = 0.6 × 4.22872 = 2.53723 kPa; P_sk = 5.60165 kPa
        // E_max = 16.5 × 0.45 × 3.06442 / 0.0903213 = 251.915 W/m²
        // ṁsw = 147 + 1.527 × 445.834 − 0.87 × 251.915 = 608.623 g/m²/h
        // rate = 608.623 × 1.84814 / 1000 = 1.12482 L/h → 1.607 % of 70 kg
        let e = sweat_estimate(&input(30.0, 60.0, 3.0)).unwrap();
        assert!((e.bsa_m2 - 1.84814).abs() < 1e-4);
        assert!((e.metabolic_w_per_m2 - 501.192).abs() < 1e-2);
        assert!((e.ereq_w_per_m2 - 445.834).abs() < 1e-2);
        assert!((e.emax_w_per_m2 - 251.915).abs() < 1e-2);
        assert!((e.sweat_rate_l_per_h - 1.12482).abs() < 1e-4, "{e:?}");
        assert!((e.sweat_loss_l - 1.12482).abs() < 1e-4);
        assert!((e.body_mass_loss_pct - 1.12482 / 70.0 * 100.0).abs() < 1e-3);
        assert!(!e.within_validity); // 501 W/m² > 450
                                     // drinking 0.5 L/h: net 0.62482 L = 0.8926 %
        let mut i = input(30.0, 60.0, 3.0);
        i.fluid_intake_l_per_h = Some(0.5);
        let d = sweat_estimate(&i).unwrap();
        assert!((d.net_loss_l - 0.62482).abs() < 1e-4);
        assert!((d.body_mass_loss_pct - 0.8926).abs() < 1e-3);
    }

    #[test]
    fn calibrated_to_acsm_range() {
        // 8.5–15 km/h, 15–35 °C, 50 % RH: within ~0.2–1.8 L/h (ACSM 0.4–1.8)
        for ta in [15.0, 20.0, 25.0, 30.0, 35.0] {
            for v in [8.5 / 3.6, 15.0 / 3.6] {
                let r = sweat_estimate(&input(ta, 50.0, v))
                    .unwrap()
                    .sweat_rate_l_per_h;
                assert!((0.2..=1.85).contains(&r), "{ta} °C {v} m/s: {r}");
            }
        }
        // slow running in the validity range
        assert!(
            sweat_estimate(&input(20.0, 50.0, 2.4))
                .unwrap()
                .within_validity
        );
    }

    #[test]
    fn invalid_inputs() {
        assert!(sweat_estimate(&input(f64::NAN, 50.0, 3.0)).is_none());
        assert!(sweat_estimate(&input(30.0, 120.0, 3.0)).is_none());
        assert!(sweat_estimate(&input(30.0, 50.0, -1.0)).is_none());
        assert!(sweat_estimate(&input(-300.0, 50.0, 3.0)).is_none());
        let mut i = input(30.0, 50.0, 3.0);
        i.body_mass_kg = 0.0;
        assert!(sweat_estimate(&i).is_none());
        i.body_mass_kg = 70.0;
        i.height_m = f64::INFINITY;
        assert!(sweat_estimate(&i).is_none());
        // very cold: no sweat predicted, not negative
        let cold = sweat_estimate(&input(-20.0, 50.0, 2.5)).unwrap();
        assert!(cold.sweat_rate_l_per_h >= 0.0);
        // standing still for zero time
        let mut z = input(25.0, 50.0, 0.0);
        z.duration_s = 0.0;
        assert_eq!(sweat_estimate(&z).unwrap().sweat_loss_l, 0.0);
    }

    proptest! {
        #[test]
        fn hotter_and_faster_sweat_more(
            ta in -10.0f64..45.0, dt in 0.0f64..10.0,
            rh in 0.0f64..100.0,
            v in 2.0f64..6.0, dv in 0.0f64..2.0,
        ) {
            let base = sweat_estimate(&input(ta, rh, v)).unwrap().sweat_rate_l_per_h;
            let hotter = sweat_estimate(&input(ta + dt, rh, v)).unwrap().sweat_rate_l_per_h;
            let faster = sweat_estimate(&input(ta, rh, v + dv)).unwrap().sweat_rate_l_per_h;
            prop_assert!(hotter >= base - 1e-9, "hotter {hotter} < {base}");
            prop_assert!(faster >= base - 1e-9, "faster {faster} < {base}");
            prop_assert!(base.is_finite() && base >= 0.0);
        }
    }
}
