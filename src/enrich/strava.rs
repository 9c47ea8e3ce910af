//! Strava's `activities.csv`: sport names for files that lack one, the gear column, and the
//! sessions listed without a file (strength training logged by hand).
//! [`parse_list`] reads the list; [`apply`] gives one activity its entry.

use crate::ingest::cap_text;
use crate::metrics::record::ActivityRecord;
use crate::model::Sport;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::HashMap;

/// Strava activity types that are strength work (Strava's own names, compared without case).
/// A row of one of these types without a file is a strength session for ST-LOW.
pub const STRENGTH_TYPES: [&str; 5] = ["Weight Training", "Workout", "Crossfit", "Yoga", "Pilates"];

/// A session Strava lists without a file (logged by hand, or a gym session).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedSession {
    /// The list and the row's activity: `export.zip!activities.csv (activity 123)`.
    pub source: String,
    /// `Activity ID`, if the list has one (identifies a row listed in two copies of the list).
    pub id: Option<String>,
    /// `Activity Type`.
    pub activity_type: Option<String>,
    /// `Activity Date` (Strava writes UTC), if it parses.
    pub start_utc: Option<DateTime<Utc>>,
    /// One of [`STRENGTH_TYPES`].
    pub strength: bool,
}

/// What one `activities.csv` holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityList {
    /// The entries of rows with a file, keyed as [`parse_activity_list`] says.
    pub entries: HashMap<String, StravaEntry>,
    /// Rows without a file, in the list's order.
    pub without_file: Vec<ListedSession>,
}

/// Strava's `Activity Date` (UTC): `Jan 2, 2026, 7:05:09 AM` as the export writes it in English,
/// also `2 Jan 2026, 07:05:09`, `2026-01-02 07:05:09` and RFC 3339.
pub fn parse_strava_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%b %d, %Y, %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
        "%d %b %Y, %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(|t| t.and_utc())
}

/// What `activities.csv` says about one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StravaEntry {
    /// `Activity Type` (e.g. `Run`, `Trail Run`, `Ride`, `Weight Training`).
    pub activity_type: Option<String>,
    /// `Activity Gear` (e.g. `Pegasus 40`).
    pub gear: Option<String>,
    /// A field was longer than [`crate::ingest::MAX_TEXT_BYTES`] bytes and was cut.
    pub cut: bool,
}

/// Rows whose `Filename` is longer than this are ignored (no file has such a name).
const MAX_FILENAME_BYTES: usize = 4096;

/// Parse an `activities.csv` found at `list_source` (a path or `archive.zip!activities.csv`).
///
/// Returns the entries keyed by the source the activity file has in this run: the `Filename`
/// column (`activities/123.fit.gz`) resolved against the list's folder or archive. Rows without
/// a file name are ignored; an unreadable list gives an error message.
pub fn parse_activity_list(
    list_source: &str,
    bytes: &[u8],
) -> Result<HashMap<String, StravaEntry>, String> {
    parse_list(list_source, bytes).map(|l| l.entries)
}

/// Parse an `activities.csv` found at `list_source`: the entries of rows with a file (as
/// [`parse_activity_list`]) and the rows without one.
pub fn parse_list(list_source: &str, bytes: &[u8]) -> Result<ActivityList, String> {
    let base = list_source
        .get(..list_source.len().saturating_sub("activities.csv".len()))
        .unwrap_or("");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("not a readable activities.csv: {e}"))?
        .clone();
    let col = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let Some(file_col) = col(&["Filename"]) else {
        return Err("activities.csv has no Filename column".to_string());
    };
    let type_col = col(&["Activity Type", "Type"]);
    let gear_col = col(&["Activity Gear", "Gear"]);
    let id_col = col(&["Activity ID"]);
    let date_col = col(&["Activity Date", "Date"]);
    let mut out = HashMap::new();
    let mut without_file = Vec::new();
    for row in reader.records().flatten() {
        let file = row.get(file_col).map(str::trim).unwrap_or("");
        if file.is_empty() {
            let cell = |c: Option<usize>| {
                c.and_then(|c| row.get(c))
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| cap_text(v).0.trim_end().to_string())
            };
            let (id, activity_type) = (cell(id_col), cell(type_col));
            let strength = activity_type
                .as_deref()
                .is_some_and(|t| STRENGTH_TYPES.iter().any(|s| s.eq_ignore_ascii_case(t)));
            without_file.push(ListedSession {
                source: match &id {
                    Some(id) => format!("{list_source} (activity {id})"),
                    None => format!("{list_source} (row {})", without_file.len() + 1),
                },
                id,
                activity_type,
                start_utc: cell(date_col).as_deref().and_then(parse_strava_date),
                strength,
            });
            continue;
        }
        if file.len() > MAX_FILENAME_BYTES {
            continue;
        }
        let mut cut = false;
        let mut field = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    let (kept, was_cut) = cap_text(v);
                    cut |= was_cut;
                    kept.trim_end().to_string()
                })
        };
        let (activity_type, gear) = (field(type_col), field(gear_col));
        out.insert(
            format!("{base}{file}"),
            StravaEntry {
                activity_type,
                gear,
                cut,
            },
        );
    }
    Ok(ActivityList {
        entries: out,
        without_file,
    })
}

/// Name the sport of an activity whose file gave none (or only an inferred one) from Strava's
/// activity list, and keep the gear.
pub fn apply(s: &mut ActivityRecord, entry: Option<&StravaEntry>) {
    let Some(entry) = entry else {
        return;
    };
    s.gear.clone_from(&entry.gear);
    if entry.cut {
        s.warnings.side.push(crate::ingest::xml::text_cut_warning(
            "a field of Strava's activities.csv",
        ));
    }
    let unknown = s.sport == Sport::Other("unknown".to_string()) || s.sport_inferred;
    if let (true, Some(t)) = (unknown, &entry.activity_type) {
        s.sport = Sport::from_names(t, None);
        s.warnings
            .side
            .push(format!("sport '{t}' from Strava activities.csv"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_file_names_against_the_list() {
        let csv = "\u{feff}Activity ID,Activity Date,Activity Name,Activity Type,Activity Gear,Filename\n\
                   1,\"Jan 1, 2026\",Morning Run,Run,Pegasus 40,activities/1.fit.gz\n\
                   2,\"Jan 2, 2026\",Lift,Weight Training,,\n\
                   3,\"Jan 3, 2026\",Hills,Trail Run,,activities/3.gpx\n";
        let m = parse_activity_list("export.zip!activities.csv", csv.as_bytes()).unwrap();
        assert_eq!(m.len(), 2);
        let e = &m["export.zip!activities/1.fit.gz"];
        assert_eq!(e.activity_type.as_deref(), Some("Run"));
        assert_eq!(e.gear.as_deref(), Some("Pegasus 40"));
        assert_eq!(m["export.zip!activities/3.gpx"].gear, None);
        let folder = parse_activity_list("/x/export/activities.csv", csv.as_bytes()).unwrap();
        assert!(folder.contains_key("/x/export/activities/3.gpx"));
        assert!(parse_activity_list("activities.csv", b"a,b\n1,2\n").is_err());

        // The row without a file is a strength session at its UTC time.
        let l = parse_list("export.zip!activities.csv", csv.as_bytes()).unwrap();
        assert_eq!(
            l.without_file,
            [ListedSession {
                source: "export.zip!activities.csv (activity 2)".to_string(),
                id: Some("2".to_string()),
                activity_type: Some("Weight Training".to_string()),
                start_utc: None,
                strength: true,
            }]
        );
    }

    #[test]
    fn file_less_rows_are_classified_and_dated() {
        let csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
                   7,\"Nov 17, 2026, 6:30:00 PM\",Gym,weight training,\n\
                   8,\"Nov 18, 2026, 7:05:09 AM\",Yoga,Yoga,\n\
                   9,\"Nov 18, 2026, 8:00:00 AM\",Swim,Swim,\n\
                   10,yesterday,Lift,Crossfit,\n";
        let l = parse_list("/e/activities.csv", csv.as_bytes()).unwrap();
        let got: Vec<(bool, Option<String>)> = l
            .without_file
            .iter()
            .map(|s| (s.strength, s.start_utc.map(|t| t.to_rfc3339())))
            .collect();
        assert_eq!(
            got,
            [
                (true, Some("2026-11-17T18:30:00+00:00".to_string())),
                (true, Some("2026-11-18T07:05:09+00:00".to_string())),
                (false, Some("2026-11-18T08:00:00+00:00".to_string())),
                (true, None),
            ]
        );
        for (text, want) in [
            ("2 Jan 2026, 07:05:09", "2026-01-02T07:05:09+00:00"),
            ("2026-01-02 07:05:09", "2026-01-02T07:05:09+00:00"),
            ("2026-01-02T08:05:09+01:00", "2026-01-02T07:05:09+00:00"),
        ] {
            assert_eq!(parse_strava_date(text).unwrap().to_rfc3339(), want);
        }
    }
}
