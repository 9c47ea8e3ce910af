//! Reading `calfguard.toml` into each layer's parameters: every key checked for its type and
//! range, unknown sections and keys refused by name.

use super::{Config, ConfigError};
use crate::athlete::AthleteConfig;
use crate::dedup::DedupRules;
use crate::flags::Thresholds;
use crate::ingest::export::Limits;
use crate::localtime::parse_zone;
use crate::metrics::finish::{FinishOptions, ZoneBasis};
use crate::metrics::reduce::MetricParams;
use crate::model::Sex;
use crate::text::clip;
use crate::units::Units;
use chrono::Datelike;
use std::path::PathBuf;

struct Reader<'a> {
    path: &'a str,
    table: toml::Table,
}

impl Reader<'_> {
    fn err(&self, message: String) -> ConfigError {
        ConfigError {
            path: self.path.to_string(),
            message,
        }
    }

    fn section(&self, name: &str, allowed: &[&str]) -> Result<Option<&toml::Table>, ConfigError> {
        let Some(v) = self.table.get(name) else {
            return Ok(None);
        };
        let t = v
            .as_table()
            .ok_or_else(|| self.err(format!("`{name}` must be a section ([{name}])")))?;
        for key in t.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(self.err(format!(
                    "unknown key `{name}.{}`; allowed: {}",
                    clip(key),
                    allowed.join(", ")
                )));
            }
        }
        Ok(Some(t))
    }

    fn number(
        &self,
        t: Option<&toml::Table>,
        section: &str,
        key: &str,
        range: (f64, f64),
        unit: &str,
    ) -> Result<Option<f64>, ConfigError> {
        let Some(v) = t.and_then(|t| t.get(key)) else {
            return Ok(None);
        };
        let x = match v {
            toml::Value::Integer(i) => *i as f64,
            toml::Value::Float(f) => *f,
            other => {
                return Err(self.err(format!(
                    "`{section}.{key}` = {}: must be a number from {} to {} {unit}",
                    clip(&other.to_string()),
                    range.0,
                    range.1
                )))
            }
        };
        if !(x.is_finite() && x >= range.0 && x <= range.1) {
            return Err(self.err(format!(
                "`{section}.{key}` = {x}: must be a number from {} to {} {unit}",
                range.0, range.1
            )));
        }
        Ok(Some(x))
    }

    fn string(
        &self,
        t: Option<&toml::Table>,
        section: &str,
        key: &str,
    ) -> Result<Option<String>, ConfigError> {
        match t.and_then(|t| t.get(key)) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.err(format!(
                "`{section}.{key}` = {}: must be a string",
                clip(&other.to_string())
            ))),
        }
    }
}

/// The `[thresholds]` keys: every field of [`Thresholds`] and of its
/// [`crate::periods::PeriodParams`] (`docs/flags.md`).
pub const THRESHOLD_KEYS: &[&str] = &[
    "spike_window_days",
    "spike_low",
    "spike_medium",
    "spike_high",
    "max_run_speed_mps",
    "ramp_weekly_pct",
    "ramp_min_base_m",
    "ramp_two_week_pct",
    "ramp_habit_weeks",
    "acwr_max",
    "monotony_max",
    "strain_percentile",
    "strain_min_monotony",
    "strain_history_weeks",
    "strain_min_weeks",
    "history_days",
    "break_days",
    "warmup_link_max_gap_min",
    "warmup_separate_min_min",
    "warmup_max_run_min",
    "warmup_pattern_days",
    "warmup_pattern_of",
    "warmup_pattern_poor",
    "long_run_min",
    "hot_wbgt_c",
    "hot_heat_index_c",
    "very_hot_wbgt_c",
    "sweat_loss_max_pct",
    "heat_gap_days",
    "heat_acclim_days",
    "electrolytes_min",
    "downhill_ratio",
    "downhill_min_m",
    "downhill_run_min_m",
    "downhill_weeks",
    "strength_per_week",
    "strength_weeks",
    "strength_repeat_weeks",
    "single_shoe_min_runs",
    "shoe_max_km",
    "new_shoe_days",
    "new_shoe_share_pct",
];

// One line per key: name, type, allowed range and unit. The `as` casts are no-ops for f64.
#[allow(clippy::unnecessary_cast)]
fn read_thresholds(r: &Reader) -> Result<Thresholds, ConfigError> {
    let t = r.section("thresholds", THRESHOLD_KEYS)?;
    let mut th = Thresholds::default();
    macro_rules! set {
        ($target:expr; $($key:ident: $ty:ty = ($lo:expr, $hi:expr, $unit:expr)),* $(,)?) => {
            $(if let Some(v) = r.number(t, "thresholds", stringify!($key), ($lo, $hi), $unit)? {
                $target.$key = v as $ty;
            })*
        };
    }
    set!(th;
        spike_window_days: i64 = (1.0, 365.0, "days"),
        spike_low: f64 = (0.0, 10.0, "(a fraction)"),
        spike_medium: f64 = (0.0, 10.0, "(a fraction)"),
        spike_high: f64 = (0.0, 10.0, "(a fraction)"),
        max_run_speed_mps: f64 = (1.0, 50.0, "m/s"),
        ramp_weekly_pct: f64 = (0.0, 1000.0, "%"),
        ramp_min_base_m: f64 = (0.0, 1000000.0, "m"),
        ramp_two_week_pct: f64 = (0.0, 1000.0, "%"),
        ramp_habit_weeks: usize = (1.0, 52.0, "weeks"),
        acwr_max: f64 = (0.5, 10.0, ""),
        monotony_max: f64 = (0.5, 20.0, ""),
        strain_percentile: f64 = (1.0, 100.0, "%"),
        strain_min_monotony: f64 = (0.0, 20.0, ""),
        strain_history_weeks: usize = (1.0, 104.0, "weeks"),
        strain_min_weeks: usize = (1.0, 104.0, "weeks"),
        history_days: i64 = (0.0, 365.0, "days"),
        break_days: i64 = (1.0, 365.0, "days"),
        warmup_link_max_gap_min: f64 = (0.0, 240.0, "min"),
        warmup_separate_min_min: f64 = (0.0, 120.0, "min"),
        warmup_max_run_min: f64 = (1.0, 1440.0, "min"),
        warmup_pattern_days: i64 = (1.0, 365.0, "days"),
        warmup_pattern_of: usize = (1.0, 100.0, "runs"),
        warmup_pattern_poor: usize = (1.0, 100.0, "runs"),
        very_hot_wbgt_c: f64 = (0.0, 50.0, "°C"),
        sweat_loss_max_pct: f64 = (0.0, 20.0, "% of body mass"),
        heat_gap_days: i64 = (1.0, 365.0, "days"),
        heat_acclim_days: usize = (1.0, 60.0, "days"),
        electrolytes_min: f64 = (1.0, 1440.0, "min"),
        downhill_ratio: f64 = (1.0, 100.0, ""),
        downhill_min_m: f64 = (0.0, 100000.0, "m"),
        downhill_run_min_m: f64 = (0.0, 100000.0, "m"),
        downhill_weeks: usize = (1.0, 52.0, "weeks"),
        strength_per_week: f64 = (0.0, 14.0, "sessions"),
        strength_weeks: usize = (1.0, 52.0, "weeks"),
        strength_repeat_weeks: usize = (1.0, 520.0, "weeks"),
        single_shoe_min_runs: usize = (1.0, 1000.0, "runs"),
        shoe_max_km: f64 = (1.0, 100000.0, "km"),
        new_shoe_days: i64 = (1.0, 365.0, "days"),
        new_shoe_share_pct: f64 = (0.0, 100.0, "%"),
    );
    set!(th.periods;
        long_run_min: f64 = (1.0, 1440.0, "min"),
        hot_wbgt_c: f64 = (0.0, 50.0, "°C"),
        hot_heat_index_c: f64 = (0.0, 70.0, "°C"),
    );
    Ok(th)
}

fn read_metrics(r: &Reader) -> Result<(MetricParams, ZoneBasis), ConfigError> {
    let t = r.section(
        "metrics",
        &[
            "elevation_hysteresis_m",
            "steep_grade_pct",
            "steep_min_horizontal_m",
            "hr_zones",
        ],
    )?;
    let d = MetricParams::default();
    let params = MetricParams {
        hysteresis_m: r
            .number(t, "metrics", "elevation_hysteresis_m", (0.1, 50.0), "m")?
            .unwrap_or(d.hysteresis_m),
        steep_grade: r
            .number(
                t,
                "metrics",
                "steep_grade_pct",
                (-60.0, -1.0),
                "% (negative)",
            )?
            .map(|p| p / 100.0)
            .unwrap_or(d.steep_grade),
        steep_min_horizontal_m: r
            .number(t, "metrics", "steep_min_horizontal_m", (5.0, 5000.0), "m")?
            .unwrap_or(d.steep_min_horizontal_m),
        ..d
    };
    let zones = match r.string(t, "metrics", "hr_zones")?.as_deref() {
        None | Some("max") => ZoneBasis::PercentMax,
        Some("reserve") => ZoneBasis::Reserve,
        Some(other) => {
            return Err(r.err(format!(
                "`metrics.hr_zones` = \"{}\": must be \"max\" (% of HRmax) or \"reserve\" (% of heart-rate reserve)",
                clip(other)
            )))
        }
    };
    Ok((params, zones))
}

/// Parse a pace `m:ss` (per km) or a number of seconds per km.
pub fn parse_pace_s_per_km(s: &str) -> Option<f64> {
    let s = s.trim().trim_end_matches("/km").trim();
    let secs = match s.split_once(':') {
        Some((m, sec)) => {
            m.trim().parse::<u32>().ok()? as f64 * 60.0 + sec.trim().parse::<f64>().ok()?
        }
        None => s.parse::<f64>().ok()?,
    };
    secs.is_finite().then_some(secs)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`, as editors count
/// them; an offset inside a character or past the end is taken at the nearest boundary before.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Parse the text of a configuration file. `path` names it in error messages.
pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
        path: path.to_string(),
        message: match e.span() {
            Some(span) => {
                let (line, column) = line_column(text, span.start);
                format!(
                    "not valid TOML at line {line}, column {column}: {}",
                    clip(e.message())
                )
            }
            None => format!("not valid TOML: {}", clip(e.message())),
        },
    })?;
    let r = Reader { path, table };
    for key in r.table.keys() {
        if ![
            "athlete",
            "heat",
            "metrics",
            "thresholds",
            "duplicates",
            "limits",
        ]
        .contains(&key.as_str())
        {
            return Err(r.err(format!(
                "unknown section `{}`; allowed: athlete, heat, metrics, thresholds, duplicates, limits",
                clip(key)
            )));
        }
    }
    let a = r.section(
        "athlete",
        &[
            "name",
            "hr_max_bpm",
            "hr_rest_bpm",
            "sex",
            "birth_year",
            "weight_kg",
            "height_cm",
            "threshold_pace",
            "time_zone",
            "units",
        ],
    )?;
    let this_year = chrono::Utc::now().year() as f64;
    let mut time_zone = None;
    let mut units = None;
    let mut athlete = AthleteConfig {
        name: r.string(a, "athlete", "name")?,
        hr_max_bpm: r.number(a, "athlete", "hr_max_bpm", (100.0, 230.0), "bpm")?,
        hr_rest_bpm: r.number(a, "athlete", "hr_rest_bpm", (25.0, 120.0), "bpm")?,
        birth_year: r
            .number(a, "athlete", "birth_year", (1900.0, this_year), "")?
            .map(|y| y as i32),
        weight_kg: r.number(a, "athlete", "weight_kg", (25.0, 250.0), "kg")?,
        height_cm: r.number(a, "athlete", "height_cm", (100.0, 250.0), "cm")?,
        ..AthleteConfig::default()
    };
    if let Some(name) = athlete
        .name
        .as_deref()
        .filter(|n| n.len() > crate::ingest::MAX_TEXT_BYTES)
    {
        return Err(r.err(format!(
            "`athlete.name` = \"{}\": longer than {} bytes",
            clip(name),
            crate::ingest::MAX_TEXT_BYTES
        )));
    }
    if let (Some(max), Some(rest)) = (athlete.hr_max_bpm, athlete.hr_rest_bpm) {
        if rest >= max {
            return Err(r.err(format!(
                "`athlete.hr_rest_bpm` = {rest}: must be below `athlete.hr_max_bpm` = {max}"
            )));
        }
    }
    if let Some(s) = r.string(a, "athlete", "sex")? {
        athlete.sex = Some(match s.to_ascii_lowercase().as_str() {
            "female" | "f" => Sex::Female,
            "male" | "m" => Sex::Male,
            _ => {
                return Err(r.err(format!(
                "`athlete.sex` = \"{}\": must be \"female\" or \"male\" (leave it out if unknown)",
                clip(&s)
            )))
            }
        });
    }
    if let Some(p) = a.and_then(|t| t.get("threshold_pace")) {
        let text = match p {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match parse_pace_s_per_km(&text) {
            Some(s) if (120.0..=900.0).contains(&s) => athlete.threshold_pace_s_per_km = Some(s),
            _ => {
                return Err(r.err(format!(
                    "`athlete.threshold_pace` = {}: must be a pace per km from \"2:00\" to \"15:00\" (min:s)",
                    clip(&p.to_string())
                )))
            }
        }
    }
    if let Some(z) = r.string(a, "athlete", "time_zone")? {
        time_zone = Some(parse_zone(&z).map_err(|e| r.err(format!("`athlete.time_zone`: {e}")))?);
    }
    if let Some(u) = r.string(a, "athlete", "units")? {
        units = Some(Units::parse(&u).ok_or_else(|| {
            r.err(format!(
                "`athlete.units` = \"{}\": must be \"metric\" or \"imperial\"",
                clip(&u)
            ))
        })?);
    }

    let h = r.section("heat", &["wrist_temp_offset_c", "fluid_intake_l_per_h"])?;
    let wrist_offset = r.number(h, "heat", "wrist_temp_offset_c", (-10.0, 20.0), "°C")?;
    let wrist_temp_offset_c = wrist_offset.unwrap_or(0.0);
    let fluid_intake = r.number(
        h,
        "heat",
        "fluid_intake_l_per_h",
        (0.0, 3.0),
        "litres per hour",
    )?;
    let fluid_intake_l_per_h = fluid_intake.unwrap_or(0.0);

    let d = r.section(
        "duplicates",
        &[
            "max_start_diff_s",
            "min_overlap",
            "max_duration_diff",
            "max_distance_diff",
            "duration_slack_s",
            "distance_slack_m",
            "max_track_diff_m",
            "conflict_overlap",
        ],
    )?;
    let def = DedupRules::default();
    let frac = (0.0, 1.0);
    let duplicates = DedupRules {
        max_start_diff_s: r
            .number(d, "duplicates", "max_start_diff_s", (0.0, 3600.0), "s")?
            .unwrap_or(def.max_start_diff_s),
        min_overlap: r
            .number(d, "duplicates", "min_overlap", frac, "(a fraction)")?
            .unwrap_or(def.min_overlap),
        max_duration_diff: r
            .number(d, "duplicates", "max_duration_diff", frac, "(a fraction)")?
            .unwrap_or(def.max_duration_diff),
        max_distance_diff: r
            .number(d, "duplicates", "max_distance_diff", frac, "(a fraction)")?
            .unwrap_or(def.max_distance_diff),
        duration_slack_s: r
            .number(d, "duplicates", "duration_slack_s", (0.0, 3600.0), "s")?
            .unwrap_or(def.duration_slack_s),
        distance_slack_m: r
            .number(d, "duplicates", "distance_slack_m", (0.0, 10_000.0), "m")?
            .unwrap_or(def.distance_slack_m),
        max_track_diff_m: r
            .number(d, "duplicates", "max_track_diff_m", (0.0, 100_000.0), "m")?
            .unwrap_or(def.max_track_diff_m),
        conflict_overlap: r
            .number(d, "duplicates", "conflict_overlap", frac, "(a fraction)")?
            .unwrap_or(def.conflict_overlap),
    };

    let l = r.section("limits", &["max_file_mb", "max_in_flight_mb"])?;
    let mut limits = Limits::default();
    if let Some(mb) = r.number(l, "limits", "max_file_mb", (1.0, 65_536.0), "MB")? {
        limits.max_file_bytes = (mb * 1_048_576.0) as u64;
    }
    if let Some(mb) = r.number(l, "limits", "max_in_flight_mb", (1.0, 65_536.0), "MB")? {
        limits.max_in_flight_bytes = (mb * 1_048_576.0) as u64;
    }

    let (metrics, zones) = read_metrics(&r)?;
    let mut thresholds = read_thresholds(&r)?;
    // The heat rules judge wrist temperatures and sweat loss only with these stated.
    thresholds.wrist_offset_set = wrist_offset.is_some();
    thresholds.fluid_intake_l_per_h = fluid_intake;
    Ok(Config {
        path: Some(PathBuf::from(path)),
        metrics: MetricParams {
            wrist_temp_offset_c,
            threshold_speed_mps: athlete.threshold_pace_s_per_km.map(|p| 1000.0 / p),
            ..metrics
        },
        finish: FinishOptions {
            zones,
            fluid_intake_l_per_h,
        },
        athlete,
        time_zone,
        units,
        duplicates,
        limits,
        thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let c = parse("calfguard.toml", super::super::DEFAULT_CONFIG).unwrap();
        assert_eq!(
            c,
            Config {
                path: Some(PathBuf::from("calfguard.toml")),
                ..Config::default()
            }
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = parse("c.toml", "[athlete]\nname = \"Ana\"\nhr_max_bpm = = 188\n").unwrap_err();
        assert!(
            e.message
                .starts_with("not valid TOML at line 3, column 14: "),
            "{e}"
        );
        // Columns count characters, not bytes.
        let e = parse("c.toml", "[athlete]\nname = \"Åsa\" x\n").unwrap_err();
        assert!(e.message.contains("at line 2, column 14"), "{e}");
        let e = parse("c.toml", "[athlete\n").unwrap_err();
        assert!(e.message.contains("at line 1, column "), "{e}");
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 3), (2, 1));
        assert_eq!(line_column("ab\ncd", 99), (2, 3));
        assert_eq!(line_column("é", 1), (1, 1));
    }

    #[test]
    fn values_are_read_and_checked() {
        let c = parse(
            "c.toml",
            "[athlete]\nname = \"Ana\"\nhr_max_bpm = 188\nhr_rest_bpm = 50.5\nsex = \"female\"\n\
             threshold_pace = \"4:30\"\ntime_zone = \"Europe/Berlin\"\nunits = \"imperial\"\n\
             [duplicates]\nmax_start_diff_s = 90\n",
        )
        .unwrap();
        assert_eq!(c.athlete.hr_max_bpm, Some(188.0));
        assert_eq!(c.athlete.hr_rest_bpm, Some(50.5));
        assert_eq!(c.athlete.sex, Some(Sex::Female));
        assert_eq!(c.athlete.threshold_pace_s_per_km, Some(270.0));
        assert_eq!(c.units, Some(Units::Imperial));
        assert_eq!(c.metrics.threshold_speed_mps, Some(1000.0 / 270.0));
        assert_eq!(c.duplicates.max_start_diff_s, 90.0);
        let c = parse(
            "c.toml",
            "[limits]\nmax_file_mb = 10\nmax_in_flight_mb = 64\n",
        )
        .unwrap();
        assert_eq!(c.limits.max_file_bytes, 10 << 20);
        assert_eq!(c.limits.max_in_flight_bytes, 64 << 20);
    }

    #[test]
    fn every_threshold_key_is_read() {
        // Each listed key must be settable: a value outside every range is rejected by name.
        for key in THRESHOLD_KEYS {
            let e = parse("c.toml", &format!("[thresholds]\n{key} = -1000000\n")).unwrap_err();
            assert!(
                e.message.contains(&format!("`thresholds.{key}`")),
                "{key}: {e}"
            );
        }
        let c = parse(
            "c.toml",
            "[thresholds]\nshoe_max_km = 300\nacwr_max = 1.3\n",
        )
        .unwrap();
        assert_eq!(c.thresholds.shoe_max_km, 300.0);
        assert_eq!(c.thresholds.acwr_max, 1.3);
    }

    #[test]
    fn errors_name_key_value_and_what_is_allowed() {
        let e = parse("c.toml", "[athlete]\nhr_max_bpm = 260\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml: `athlete.hr_max_bpm` = 260: must be a number from 100 to 230 bpm"
        );
        let e = parse("c.toml", "[athlete]\nhrmax = 180\n").unwrap_err();
        assert!(e
            .message
            .starts_with("unknown key `athlete.hrmax`; allowed: name, hr_max_bpm"));
        let e = parse("c.toml", "[athlete]\nsex = \"x\"\n").unwrap_err();
        assert!(e.message.contains("must be \"female\" or \"male\""));
        let e = parse("c.toml", "[athlete]\nhr_max_bpm = 105\nhr_rest_bpm = 110\n").unwrap_err();
        assert!(e.message.contains("must be below `athlete.hr_max_bpm`"));
        let e = parse("c.toml", "[athlete]\nthreshold_pace = \"fast\"\n").unwrap_err();
        assert!(e.message.contains("`athlete.threshold_pace` = \"fast\""));
        let e = parse("c.toml", "[athlete]\ntime_zone = \"Mars/Base\"\n").unwrap_err();
        assert!(e.message.contains("not an IANA time zone"));
        let e = parse(
            "c.toml",
            &format!("[athlete]\nname = \"{}\"\n", "n".repeat(300)),
        )
        .unwrap_err();
        assert!(
            e.message.contains("longer than 256 bytes")
                && e.message.contains("(200 more characters)"),
            "{e}"
        );
        let e = parse("c.toml", "[athletes]\n").unwrap_err();
        assert!(e.message.contains("unknown section `athletes`"));
        let e = parse("c.toml", "[athlete\n").unwrap_err();
        assert!(e.message.starts_with("not valid TOML"));
    }

    #[test]
    fn paces_parse() {
        assert_eq!(parse_pace_s_per_km("4:30"), Some(270.0));
        assert_eq!(parse_pace_s_per_km("5:05/km"), Some(305.0));
        assert_eq!(parse_pace_s_per_km("300"), Some(300.0));
        assert_eq!(parse_pace_s_per_km("x"), None);
    }
}
