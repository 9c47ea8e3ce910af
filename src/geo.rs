//! Small geodesy helpers shared by the readers and later stages.

/// Mean Earth radius in metres (IUGG R1), the radius every track length in calfguard uses.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two WGS84 positions given in degrees (haversine
/// formula on a sphere of radius [`EARTH_RADIUS_M`]).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    haversine_cos_m(
        lat1,
        lon1,
        lat1.to_radians().cos(),
        lat2,
        lon2,
        lat2.to_radians().cos(),
    )
}

/// [`haversine_m`] with the cosines of both latitudes (in radians) given, so that a track
/// walker computes each point's cosine once. Same result, bit for bit, as [`haversine_m`].
pub fn haversine_cos_m(lat1: f64, lon1: f64, cos1: f64, lat2: f64, lon2: f64, cos2: f64) -> f64 {
    let dp = lat2.to_radians() - lat1.to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + cos1 * cos2 * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_known_values() {
        assert_eq!(haversine_m(45.0, 7.0, 45.0, 7.0), 0.0);
        // One degree of latitude on the mean sphere: 2*pi*R/360.
        let one_deg = 2.0 * std::f64::consts::PI * EARTH_RADIUS_M / 360.0;
        assert!((haversine_m(0.0, 0.0, 1.0, 0.0) - one_deg).abs() < 1e-6);
        // Antipodes: half the circumference, no NaN from rounding.
        let half = std::f64::consts::PI * EARTH_RADIUS_M;
        assert!((haversine_m(0.0, 0.0, 0.0, 180.0) - half).abs() < 1e-6);
    }
}
