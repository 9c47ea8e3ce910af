//! Hourly weather from a CSV file (`--weather FILE`), joined to activities by time.
//!
//! Accepted headers (case-insensitive; a unit in parentheses after the name is allowed):
//! - time: `time`, `timestamp`, `date_time`;
//! - air temperature: `temp_c`, `temperature`, `temperature_2m` (°C; `(°F)` is converted);
//! - relative humidity: `rh_pct`, `relative_humidity`, `relative_humidity_2m`, `humidity` (%);
//! - wind (optional): `wind_mps`, `wind_speed`, `wind_speed_10m` (m/s; `(km/h)` and `(mph)` are
//!   converted).
//!
//! Times are ISO 8601 (`2026-07-01T14:00`, with seconds, with `Z` or an offset, or with a space).
//! A time without an offset is UTC, unless the file's preamble (Open-Meteo's CSV export starts
//! with a metadata block: `latitude,longitude,...,utc_offset_seconds,...`) states an offset.
//! Lines before the header are skipped. Values between two hours are interpolated linearly; a
//! time more than 90 minutes from any row has no weather.

use crate::metrics::reduce::Weathered;
use crate::model::Sample;
use chrono::{DateTime, NaiveDateTime};
use std::path::Path;

/// One hour of weather.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeatherRow {
    /// Time, milliseconds since the Unix epoch (UTC).
    pub time_utc_ms: i64,
    /// Air temperature, °C.
    pub temp_c: Option<f64>,
    /// Relative humidity, %.
    pub rh_pct: Option<f64>,
    /// Wind speed, m/s.
    pub wind_mps: Option<f64>,
}

/// Weather at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Conditions {
    /// Air temperature, °C.
    pub temp_c: Option<f64>,
    /// Relative humidity, %.
    pub rh_pct: Option<f64>,
    /// Wind speed, m/s.
    pub wind_mps: Option<f64>,
}

/// An hourly weather series, sorted by time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weather {
    rows: Vec<WeatherRow>,
}

const MAX_GAP_MS: i64 = 90 * 60 * 1000;

/// Most bytes read of a weather file (`--weather`): 64 MiB, decades of hourly rows.
pub const MAX_WEATHER_BYTES: u64 = 64 << 20;

fn parse_time(s: &str, offset_s: i64) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)) {
        return Some(t.timestamp_millis());
    }
    // `2026-07-01T10:00Z`: UTC without seconds.
    let (s, offset_s) = match s.strip_suffix('Z') {
        Some(naive) => (naive, 0),
        None => (s, offset_s),
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis() - offset_s * 1000);
        }
    }
    None
}

fn unit_of(header: &str) -> String {
    header
        .split_once('(')
        .map(|(_, u)| u.trim_end_matches(')').trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn name_of(header: &str) -> String {
    header
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

impl Weather {
    /// Parse the text of a weather CSV. Errors name the line and what is wrong.
    pub fn parse(text: &str) -> Result<Weather, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines: Vec<&str> = text.lines().collect();
        // Open-Meteo preamble: a metadata header with utc_offset_seconds, then its values.
        let mut offset_s = 0i64;
        if let (Some(h), Some(v)) = (lines.first(), lines.get(1)) {
            let names: Vec<String> = h.split(',').map(name_of).collect();
            if let Some(i) = names.iter().position(|n| n == "utc_offset_seconds") {
                if let Some(x) = v
                    .split(',')
                    .nth(i)
                    .and_then(|x| x.trim().parse::<i64>().ok())
                {
                    offset_s = x;
                }
            }
        }
        let header_at = lines
            .iter()
            .position(|l| {
                let first = name_of(l.split(',').next().unwrap_or(""));
                matches!(first.as_str(), "time" | "timestamp" | "date_time")
            })
            .ok_or(
                "no header line starting with `time` (expected time,temp_c,rh_pct[,wind_mps])",
            )?;
        let headers: Vec<&str> = lines[header_at].split(',').collect();
        let find = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.contains(&name_of(h).as_str()))
        };
        let temp_col = find(&[
            "temp_c",
            "temperature",
            "temperature_2m",
            "temp",
            "air_temperature",
        ]);
        let rh_col = find(&[
            "rh_pct",
            "relative_humidity",
            "relative_humidity_2m",
            "humidity",
            "rh",
        ]);
        let wind_col = find(&["wind_mps", "wind_speed", "wind_speed_10m", "wind"]);
        if temp_col.is_none() {
            return Err(format!(
                "line {}: no temperature column (temp_c or temperature_2m)",
                header_at + 1
            ));
        }
        let temp_f = temp_col.is_some_and(|c| unit_of(headers[c]).contains('f'));
        let wind_factor = match wind_col.map(|c| unit_of(headers[c])) {
            Some(u) if u == "km/h" || u == "kmh" => 1.0 / 3.6,
            Some(u) if u == "mph" => 0.44704,
            Some(u) if u == "kn" || u == "knots" => 0.514444,
            _ => 1.0,
        };
        let mut rows = Vec::new();
        for (i, line) in lines.iter().enumerate().skip(header_at + 1) {
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split(',').collect();
            let time = cells
                .first()
                .and_then(|t| parse_time(t, offset_s))
                .ok_or_else(|| {
                    format!(
                        "line {}: not a time: '{}'",
                        i + 1,
                        crate::text::clip(cells.first().unwrap_or(&""))
                    )
                })?;
            let num = |c: Option<usize>| -> Result<Option<f64>, String> {
                let Some(cell) = c.and_then(|c| cells.get(c)).map(|s| s.trim()) else {
                    return Ok(None);
                };
                if cell.is_empty() {
                    return Ok(None);
                }
                cell.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| {
                        format!(
                            "line {}: not a number: '{}'",
                            i + 1,
                            crate::text::clip(cell)
                        )
                    })
            };
            let mut temp_c = num(temp_col)?;
            if temp_f {
                temp_c = temp_c.map(|f| (f - 32.0) * 5.0 / 9.0);
            }
            let rh_pct = num(rh_col)?;
            if let Some(rh) = rh_pct {
                if !(0.0..=100.0).contains(&rh) {
                    return Err(format!(
                        "line {}: relative humidity {rh} is not 0-100 %",
                        i + 1
                    ));
                }
            }
            if let Some(t) = temp_c {
                if !(-60.0..=60.0).contains(&t) {
                    return Err(format!(
                        "line {}: temperature {t} °C is out of range",
                        i + 1
                    ));
                }
            }
            rows.push(WeatherRow {
                time_utc_ms: time,
                temp_c,
                rh_pct,
                wind_mps: num(wind_col)?.map(|w| w * wind_factor),
            });
        }
        rows.sort_by_key(|r| r.time_utc_ms);
        rows.dedup_by_key(|r| r.time_utc_ms);
        Ok(Weather { rows })
    }

    /// Read a weather file.
    pub fn load(path: &Path) -> Result<Weather, String> {
        let text = crate::text::read_limited(path, MAX_WEATHER_BYTES, "weather file")
            .map_err(|e| format!("{e} ('{}')", path.display()))?;
        Weather::parse(&text).map_err(|e| format!("weather file '{}': {e}", path.display()))
    }

    /// Number of hourly rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The conditions at a moment: linear interpolation between the two rows around it, or the
    /// nearest row within 90 minutes at the ends; nothing when no row is that close.
    pub fn at(&self, time_utc_ms: i64) -> Option<Conditions> {
        let i = self.rows.partition_point(|r| r.time_utc_ms <= time_utc_ms);
        let before = i.checked_sub(1).and_then(|j| self.rows.get(j));
        let after = self.rows.get(i);
        match (before, after) {
            (Some(a), Some(b)) if b.time_utc_ms - a.time_utc_ms <= 2 * MAX_GAP_MS => {
                let span = (b.time_utc_ms - a.time_utc_ms) as f64;
                let w = if span > 0.0 {
                    (time_utc_ms - a.time_utc_ms) as f64 / span
                } else {
                    0.0
                };
                let mix = |x: Option<f64>, y: Option<f64>| match (x, y) {
                    (Some(x), Some(y)) => Some(x + (y - x) * w),
                    (x, y) => {
                        if w < 0.5 {
                            x
                        } else {
                            y
                        }
                    }
                };
                Some(Conditions {
                    temp_c: mix(a.temp_c, b.temp_c),
                    rh_pct: mix(a.rh_pct, b.rh_pct),
                    wind_mps: mix(a.wind_mps, b.wind_mps),
                })
            }
            (a, b) => {
                let near = [a, b]
                    .into_iter()
                    .flatten()
                    .filter(|r| (r.time_utc_ms - time_utc_ms).abs() <= MAX_GAP_MS)
                    .min_by_key(|r| (r.time_utc_ms - time_utc_ms).abs())?;
                Some(Conditions {
                    temp_c: near.temp_c,
                    rh_pct: near.rh_pct,
                    wind_mps: near.wind_mps,
                })
            }
        }
    }

    /// Join the weather to an activity's samples by time: the samples with the temperature
    /// of the weather at their times, and the mean relative humidity over the samples it
    /// covers; `None` when the weather covers none of them.
    pub fn join(&self, samples: &[Sample]) -> Option<Weathered> {
        let mut out = Vec::with_capacity(samples.len());
        let (mut rh_sum, mut rh_n, mut covered) = (0.0, 0usize, 0usize);
        for s in samples {
            let mut s2 = s.clone();
            s2.temp_c = None;
            if let Some(c) = s.time_utc_ms.and_then(|t| self.at(t)) {
                s2.temp_c = c.temp_c;
                if c.temp_c.is_some() {
                    covered += 1;
                }
                if let Some(rh) = c.rh_pct {
                    rh_sum += rh;
                    rh_n += 1;
                }
            }
            out.push(s2);
        }
        (covered > 0).then(|| Weathered {
            samples: out,
            rh_pct: (rh_n > 0).then(|| rh_sum / rh_n as f64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn plain_header_and_interpolation() {
        let w = Weather::parse("time,temp_c,rh_pct,wind_mps\n2026-07-01T10:00:00Z,20,50,2\n2026-07-01T11:00:00Z,30,70,4\n").unwrap();
        let c = w.at(ms("2026-07-01T10:30:00Z")).unwrap();
        assert_eq!(
            (c.temp_c, c.rh_pct, c.wind_mps),
            (Some(25.0), Some(60.0), Some(3.0))
        );
        // Near the ends: the nearest row within 90 minutes.
        assert_eq!(w.at(ms("2026-07-01T12:20:00Z")).unwrap().temp_c, Some(30.0));
        assert_eq!(w.at(ms("2026-07-01T13:00:00Z")), None);
        assert_eq!(w.at(ms("2026-07-01T08:00:00Z")), None);
    }

    #[test]
    fn open_meteo_export_with_preamble_units_and_offset() {
        let text =
            "latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation\n\
                    52.52,13.41,38.0,7200,Europe/Berlin,CEST\n\
                    \n\
                    time,temperature_2m (°C),relative_humidity_2m (%),wind_speed_10m (km/h)\n\
                    2026-07-01T12:00,31.5,40,18.0\n\
                    2026-07-01T13:00,32.5,38,\n";
        let w = Weather::parse(text).unwrap();
        assert_eq!(w.len(), 2);
        // 12:00 local (+02:00) is 10:00 UTC.
        let c = w.at(ms("2026-07-01T10:00:00Z")).unwrap();
        assert_eq!(c.temp_c, Some(31.5));
        assert_eq!(c.rh_pct, Some(40.0));
        assert!((c.wind_mps.unwrap() - 5.0).abs() < 1e-9);
    }

    #[test]
    fn bad_files_name_the_line() {
        assert!(Weather::parse("a,b\n1,2\n")
            .unwrap_err()
            .contains("no header"));
        let e = Weather::parse("time,temp_c,rh_pct\n2026-07-01T10:00Z,hot,50\n").unwrap_err();
        assert_eq!(e, "line 2: not a number: 'hot'");
        let e = Weather::parse("time,temp_c,rh_pct\n2026-07-01T10:00Z,20,150\n").unwrap_err();
        assert!(e.contains("line 2: relative humidity 150"));
        let e = Weather::parse("time,rh_pct\n2026-07-01T10:00Z,50\n").unwrap_err();
        assert!(e.contains("no temperature column"));
        let f = Weather::parse("time,temperature (°F),humidity\n2026-07-01 10:00,86,40\n").unwrap();
        assert!((f.at(ms("2026-07-01T10:00:00Z")).unwrap().temp_c.unwrap() - 30.0).abs() < 1e-9);
    }
}
