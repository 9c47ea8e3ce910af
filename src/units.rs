//! Units of what a person reads (summary, chart, page), and the conversions between them.
//!
//! Inside calfguard every number is SI with its unit in the name (`distance_m`, `temp_c`); the
//! CSV files stay SI whatever the units. Only `report::format` turns numbers into text in the
//! chosen units. This module is a leaf: it imports nothing of the crate, and every layer may use
//! it.

/// The units of the summary, chart and report page (CSV columns stay SI).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Units {
    /// km, m, min/km, °C.
    #[default]
    Metric,
    /// mi, ft, min/mi, °F.
    Imperial,
}

impl Units {
    /// The name used in the configuration file and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Units::Metric => "metric",
            Units::Imperial => "imperial",
        }
    }

    /// Parse `metric` or `imperial`.
    pub fn parse(name: &str) -> Option<Units> {
        match name {
            "metric" => Some(Units::Metric),
            "imperial" => Some(Units::Imperial),
            _ => None,
        }
    }
}

/// Metres in one international mile.
pub const M_PER_MI: f64 = 1609.344;
/// Kilometres in one international mile.
pub const KM_PER_MI: f64 = 1.609344;
/// Metres in one international foot.
pub const M_PER_FT: f64 = 0.3048;

/// Metres to kilometres.
pub fn km(m: f64) -> f64 {
    m / 1000.0
}

/// Metres to miles.
pub fn miles(m: f64) -> f64 {
    m / M_PER_MI
}

/// Metres to feet.
pub fn feet(m: f64) -> f64 {
    m / M_PER_FT
}

/// Degrees Celsius to degrees Fahrenheit.
pub fn fahrenheit(c: f64) -> f64 {
    c * 9.0 / 5.0 + 32.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(miles(16_093.44), 10.0);
        assert_eq!(feet(30.48), 100.0);
        assert_eq!(fahrenheit(30.0), 86.0);
        assert_eq!(km(1500.0), 1.5);
        assert_eq!(Units::parse("imperial"), Some(Units::Imperial));
        assert_eq!(Units::Metric.as_str(), "metric");
        assert_eq!(Units::parse("si"), None);
    }
}
