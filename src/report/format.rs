//! Every number a person reads, with its unit, in the chosen [`Units`]: the summary, the chart's
//! axes and the page go through here; nothing else turns a number and a unit into text. CSV
//! columns stay SI and are written by [`super::csv`].

use crate::flags::Code;
use crate::units::{feet, miles, Units, KM_PER_MI, M_PER_FT, M_PER_MI};

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
        Units::Imperial => format!("{:.1} °F", crate::units::fahrenheit(c)),
    }
}

/// A flag message in the chosen units: the rules write metric sentences ("12.8 km", "69 m");
/// in imperial mode every number followed by the unit word `km` or `m` is converted to `mi` or
/// `ft`. Other words and numbers are left as they are.
pub fn message_in(text: &str, units: Units) -> String {
    if units == Units::Metric {
        return text.to_string();
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let next = words.get(i + 1).copied().unwrap_or("");
        let unit = next.trim_end_matches([',', '.', ';', ':', ')']);
        let tail = &next[unit.len()..];
        let number = w
            .trim_start_matches('(')
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
        let lead = &w[..w.len() - w.trim_start_matches('(').len()];
        let decimals = w.split_once('.').map_or(0, |(_, d)| d.len());
        match (number, unit) {
            (Some(v), "km") => {
                out.push(format!("{lead}{:.*}", decimals.max(1), v / KM_PER_MI));
                out.push(format!("mi{tail}"));
                i += 2;
            }
            (Some(v), "m") => {
                out.push(format!("{lead}{:.0}", feet(v)));
                out.push(format!("ft{tail}"));
                i += 2;
            }
            _ => {
                out.push(w.to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
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

/// The unit of a flag's value and threshold (as documented in `docs/flags.md`), and the factor
/// from the stored (SI) number to the unit shown.
pub fn flag_unit(code: Code, units: Units) -> (&'static str, f64) {
    let imperial = units == Units::Imperial;
    match code {
        Code::OtSpike | Code::OtRamp10 | Code::OtRamp2w => ("%", 1.0),
        Code::OtAcwr | Code::OtMonotony => ("ratio", 1.0),
        Code::OtStrain => ("load", 1.0),
        Code::WuNone | Code::WuShort => ("% HRmax", 1.0),
        Code::HeatLong | Code::ElLong => ("min", 1.0),
        Code::HeatSweat => ("% body mass", 1.0),
        Code::HeatAcclim => ("days", 1.0),
        Code::DhSpike | Code::DhNew if imperial => ("ft", 1.0 / M_PER_FT),
        Code::DhSpike | Code::DhNew => ("m", 1.0),
        Code::StLow => ("sessions/week", 1.0),
        Code::FwSingle => ("pairs", 1.0),
        Code::FwKm if imperial => ("mi", 1000.0 / M_PER_MI),
        Code::FwKm => ("km", 1.0),
        Code::FwNew => ("% of the week", 1.0),
    }
}

/// A flag's value or threshold with the rule's unit ([`flag_unit`]); empty for `None`.
pub fn flag_number(v: Option<f64>, code: Code, units: Units) -> String {
    let (unit, factor) = flag_unit(code, units);
    let s = super::csv::num(v.map(|v| v * factor), 2);
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
    fn flag_messages_follow_the_units() {
        let m = "Shoe \"Pegasus 40\" has now carried at least 404 km in this export.";
        assert_eq!(message_in(m, Units::Metric), m);
        assert_eq!(
            message_in(m, Units::Imperial),
            "Shoe \"Pegasus 40\" has now carried at least 251.0 mi in this export."
        );
        assert_eq!(
            message_in(
                "This week: 69 m of steep descent (12.8 km run), 40 min.",
                Units::Imperial
            ),
            "This week: 226 ft of steep descent (8.0 mi run), 40 min."
        );
    }
}
