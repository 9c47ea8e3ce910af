//! Every number a person reads, with its unit, in the chosen [`Units`]: the summary, the chart's
//! axes and the page go through here; nothing else turns a number and a unit into text. CSV
//! columns stay SI and are written by [`super::csv`].

use crate::flags::message::Part;
use crate::flags::{Code, Message, Quantity, Unit};
use crate::units::{fahrenheit, feet, km, miles, Units, KM_PER_MI, M_PER_FT, M_PER_MI};

/// Distance in km or mi.
pub fn distance(m: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{:.1} km", m / 1000.0),
        Units::Imperial => format!("{:.1} mi", miles(m)),
    }
}

/// Elevation in m or ft.
pub fn elevation(m: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{m:.0} m"),
        Units::Imperial => format!("{:.0} ft", feet(m)),
    }
}

/// Pace per km or per mi from seconds per km.
pub fn pace(s_per_km: f64, units: Units) -> String {
    let (s, unit) = match units {
        Units::Metric => (s_per_km, "km"),
        Units::Imperial => (s_per_km * KM_PER_MI, "mi"),
    };
    let s = s.round() as i64;
    format!("{}:{:02} min/{unit}", s / 60, s % 60)
}

/// Temperature in °C or °F.
pub fn temperature(c: f64, units: Units) -> String {
    match units {
        Units::Metric => format!("{c:.1} °C"),
        Units::Imperial => format!("{:.1} °F", fahrenheit(c)),
    }
}

/// A number with at most `decimals` decimals, trailing zeros trimmed; empty for `None`, NaN or
/// infinity, so no non-finite value ever reaches a CSV or a page.
pub fn num(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.decimals$}");
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            if s == "-0" {
                "0".to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

/// A distance in the display unit: km or mi.
pub fn distance_value(m: f64, units: Units) -> f64 {
    match units {
        Units::Metric => km(m),
        Units::Imperial => miles(m),
    }
}

/// The display unit of distances: `km` or `mi`.
pub fn distance_unit(units: Units) -> &'static str {
    match units {
        Units::Metric => "km",
        Units::Imperial => "mi",
    }
}

/// A height difference in the display unit: m or ft.
pub fn elevation_value(m: f64, units: Units) -> f64 {
    match units {
        Units::Metric => m,
        Units::Imperial => feet(m),
    }
}

/// The display unit of height differences: `m` or `ft`.
pub fn elevation_unit(units: Units) -> &'static str {
    match units {
        Units::Metric => "m",
        Units::Imperial => "ft",
    }
}

/// A flag's message as text in `units`: distances in km or mi (at least one decimal in mi),
/// height differences in m or ft, temperatures in °C or °F, paces per km or mi; names from
/// files (shoes) exactly as they are. The CSV files take the metric text.
pub fn render(message: &Message, units: Units) -> String {
    let mut out = String::new();
    for part in message.parts() {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Value(q) => out.push_str(&quantity(q, units)),
        }
    }
    out
}

/// One quantity as text in `units`.
pub fn quantity(q: &Quantity, units: Units) -> String {
    let imperial = units == Units::Imperial;
    match q {
        Quantity::Distance { m, decimals } if imperial => {
            format!("{:.*} mi", (*decimals).max(1), miles(*m))
        }
        Quantity::Distance { m, decimals } => format!("{:.*} km", decimals, km(*m)),
        Quantity::Elevation { m, decimals } if imperial => format!("{:.*} ft", decimals, feet(*m)),
        Quantity::Elevation { m, decimals } => format!("{:.*} m", decimals, m),
        Quantity::Temperature { c, decimals } if imperial => {
            format!("{:.*} °F", decimals, fahrenheit(*c))
        }
        Quantity::Temperature { c, decimals } => format!("{:.*} °C", decimals, c),
        Quantity::Pace { s_per_km } => pace(*s_per_km, units),
        Quantity::Minutes { min, decimals } => format!("{:.*}", decimals, min),
        Quantity::Percent { pct, decimals } => format!("{:.*}%", decimals, pct),
        Quantity::Number { v, decimals } => format!("{:.*}", decimals, v),
        Quantity::Count(n) => n.to_string(),
        Quantity::Date(d) => d.to_string(),
        Quantity::Word(w) => w.to_string(),
        Quantity::Name(name) => name.clone(),
    }
}

/// Whole minutes: `257 minutes`.
pub fn minutes(min: f64) -> String {
    format!("{min:.0} minutes")
}

/// A heart rate: `188 bpm`; `None` when unknown.
pub fn heart_rate(bpm: Option<f64>) -> Option<String> {
    bpm.map(|v| format!("{v:.0} bpm"))
}

/// A duration: `48 min`, `1 h 05 min`.
pub fn duration(s: f64) -> String {
    let m = (s / 60.0).round() as i64;
    if m >= 60 {
        format!("{} h {:02} min", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

/// The unit of a flag's value and threshold as shown (`docs/flags.md`), and the factor from the
/// stored number (SI, or km for a shoe's distance) to it.
pub fn flag_unit(unit: Unit, units: Units) -> (&'static str, f64) {
    let imperial = units == Units::Imperial;
    match unit {
        Unit::Percent => ("%", 1.0),
        Unit::Ratio => ("ratio", 1.0),
        Unit::Load => ("load", 1.0),
        Unit::PercentHrMax => ("% HRmax", 1.0),
        Unit::Minutes => ("min", 1.0),
        Unit::PercentBodyMass => ("% body mass", 1.0),
        Unit::Days => ("days", 1.0),
        Unit::Elevation if imperial => ("ft", 1.0 / M_PER_FT),
        Unit::Elevation => ("m", 1.0),
        Unit::SessionsPerWeek => ("sessions/week", 1.0),
        Unit::Pairs => ("pairs", 1.0),
        Unit::Distance if imperial => ("mi", 1000.0 / M_PER_MI),
        Unit::Distance => ("km", 1.0),
        Unit::PercentOfWeek => ("% of the week", 1.0),
    }
}

/// A flag's value or threshold with its code's unit ([`flag_unit`]); empty for `None`.
pub fn flag_number(v: Option<f64>, code: Code, units: Units) -> String {
    let (unit, factor) = flag_unit(code.unit(), units);
    let s = num(v.map(|v| v * factor), 2);
    if s.is_empty() {
        s
    } else {
        format!("{s} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_finite_and_trimmed() {
        assert_eq!(num(Some(10000.0), 2), "10000");
        assert_eq!(num(Some(1.23456), 3), "1.235");
        assert_eq!(num(Some(-0.0001), 2), "0");
        assert_eq!(num(Some(f64::NAN), 2), "");
        assert_eq!(num(Some(f64::INFINITY), 2), "");
        assert_eq!(num(None, 2), "");
    }

    #[test]
    fn units_convert_at_the_edge() {
        assert_eq!(distance(10_000.0, Units::Metric), "10.0 km");
        assert_eq!(distance(16_093.44, Units::Imperial), "10.0 mi");
        assert_eq!(pace(300.0, Units::Metric), "5:00 min/km");
        assert_eq!(pace(300.0, Units::Imperial), "8:03 min/mi");
        assert_eq!(temperature(30.0, Units::Imperial), "86.0 °F");
        assert_eq!(elevation(100.0, Units::Imperial), "328 ft");
        assert_eq!(duration(3_900.0), "1 h 05 min");
    }

    #[test]
    fn messages_follow_the_units_and_names_stay() {
        use crate::flags::message::message;
        let m = message!(
            "Shoe \"{}\" has now carried at least {} in this export.",
            Quantity::name("Trail 10 km racer"),
            Quantity::distance(404_321.0, 0)
        );
        assert_eq!(
            render(&m, Units::Metric),
            "Shoe \"Trail 10 km racer\" has now carried at least 404 km in this export."
        );
        assert_eq!(
            render(&m, Units::Imperial),
            "Shoe \"Trail 10 km racer\" has now carried at least 251.2 mi in this export."
        );
        let m = message!(
            "{} of steep descent, WBGT {}, {}.",
            Quantity::elevation(69.36, 0),
            Quantity::temperature(30.0, 1),
            Quantity::percent(12.345, 1)
        );
        assert_eq!(
            render(&m, Units::Metric),
            "69 m of steep descent, WBGT 30.0 °C, 12.3%."
        );
        assert_eq!(
            render(&m, Units::Imperial),
            "228 ft of steep descent, WBGT 86.0 °F, 12.3%."
        );
    }
}
