//! Shoes (`--gear FILE`): which pair each run was in.
//!
//! A CSV with a `shoe` column and, per row, either a date range (`from`, `to`: local dates
//! `YYYY-MM-DD`, both inclusive; an empty `to` means "still in use") or a `source` naming one
//! activity's file (the whole source, or its file name). A run takes the shoe of the row that
//! names its source, else of the first row whose range holds its local date. The file wins over
//! the gear column of a Strava export's `activities.csv`. [`GearFile::parse`] reads the file;
//! [`GearFile::apply`] gives the runs their shoes.

use crate::metrics::record::ActivityRecord;
use chrono::NaiveDate;
use std::path::Path;

#[derive(Clone, Debug, PartialEq)]
enum Rule {
    Range(NaiveDate, Option<NaiveDate>),
    Source(String),
}

/// Most bytes read of a shoes file (`--gear`).
pub const MAX_GEAR_BYTES: u64 = 4 << 20;

/// A parsed shoes file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GearFile {
    rows: Vec<(String, Rule)>,
}

impl GearFile {
    /// Parse the text of a shoes file; errors name the line.
    pub fn parse(text: &str) -> Result<GearFile, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| format!("not a readable CSV: {e}"))?
            .clone();
        let col = |n: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(n));
        let shoe_c = col("shoe")
            .or_else(|| col("gear"))
            .ok_or("no `shoe` column (expected shoe,from,to or shoe,source)")?;
        let (from_c, to_c, source_c) = (col("from"), col("to"), col("source"));
        if from_c.is_none() && source_c.is_none() {
            return Err(
                "no `from` or `source` column (expected shoe,from,to or shoe,source)".into(),
            );
        }
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let line = i + 2;
            let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).filter(|v| !v.is_empty());
            let Some(shoe) = get(Some(shoe_c)) else {
                continue;
            };
            if shoe.len() > crate::ingest::MAX_TEXT_BYTES {
                return Err(format!(
                    "line {line}: shoe name longer than {} bytes: '{}'",
                    crate::ingest::MAX_TEXT_BYTES,
                    crate::text::clip(shoe)
                ));
            }
            let date = |v: &str| {
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
                    format!(
                        "line {line}: '{}' is not a date (YYYY-MM-DD)",
                        crate::text::clip(v)
                    )
                })
            };
            let rule = match (get(source_c), get(from_c)) {
                (Some(src), _) => Rule::Source(src.to_string()),
                (None, Some(from)) => {
                    let to = get(to_c).map(date).transpose()?;
                    let from = date(from)?;
                    if to.is_some_and(|t| t < from) {
                        return Err(format!("line {line}: `to` is before `from`"));
                    }
                    Rule::Range(from, to)
                }
                (None, None) => {
                    return Err(format!("line {line}: give a `from` date or a `source`"));
                }
            };
            rows.push((shoe.to_string(), rule));
        }
        Ok(GearFile { rows })
    }

    /// Read a shoes file.
    pub fn load(path: &Path) -> Result<GearFile, String> {
        let text = crate::text::read_limited(path, MAX_GEAR_BYTES, "gear file")
            .map_err(|e| format!("{e} ('{}')", path.display()))?;
        GearFile::parse(&text).map_err(|e| format!("gear file '{}': {e}", path.display()))
    }

    /// The shoe of a run with this source and local date.
    pub fn shoe_for(&self, source: &str, date: NaiveDate) -> Option<&str> {
        let name = source.rsplit(['/', '\\', '!']).next().unwrap_or(source);
        self.rows
            .iter()
            .find(|(_, r)| matches!(r, Rule::Source(s) if s == source || s == name))
            .or_else(|| {
                self.rows.iter().find(|(_, r)| {
                    matches!(r, Rule::Range(from, to) if date >= *from && to.is_none_or(|t| date <= t))
                })
            })
            .map(|(shoe, _)| shoe.as_str())
    }

    /// Give every run the shoe this file names for it (it wins over Strava's gear column).
    pub fn apply(&self, activities: &mut [ActivityRecord]) {
        for a in activities.iter_mut().filter(|a| a.sport.is_running()) {
            if let Some(shoe) = self.shoe_for(&a.source, a.start_local().date_naive()) {
                a.gear = Some(shoe.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn ranges_and_sources() {
        let g = GearFile::parse(
            "shoe,from,to,source\nPegasus,2026-01-01,2026-06-30,\nTrail,,,export.zip!activities/7.gpx\nNovablast,2026-07-01,,\n",
        )
        .unwrap();
        assert_eq!(g.shoe_for("a.fit", d("2026-03-01")), Some("Pegasus"));
        assert_eq!(g.shoe_for("a.fit", d("2026-08-01")), Some("Novablast"));
        assert_eq!(
            g.shoe_for("export.zip!activities/7.gpx", d("2026-03-01")),
            Some("Trail")
        );
        assert_eq!(g.shoe_for("/x/7.gpx", d("2025-03-01")), None);
        assert_eq!(g.shoe_for("b.fit", d("2025-12-31")), None);
    }

    #[test]
    fn errors_name_the_line() {
        assert!(GearFile::parse("name\nx\n")
            .unwrap_err()
            .contains("no `shoe` column"));
        let e = GearFile::parse("shoe,from,to\nA,2026-13-01,\n").unwrap_err();
        assert_eq!(e, "line 2: '2026-13-01' is not a date (YYYY-MM-DD)");
        let e = GearFile::parse("shoe,from,to\nA,2026-02-01,2026-01-01\n").unwrap_err();
        assert!(e.contains("line 2: `to` is before `from`"));
    }
}
