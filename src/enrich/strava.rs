//! Strava's `activities.csv`: sport names for files that lack one, and the gear column.
//! [`parse_activity_list`] reads the list; [`apply`] gives one activity its entry.

use crate::ingest::cap_text;
use crate::metrics::record::ActivityRecord;
use crate::model::Sport;
use std::collections::HashMap;

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
    let mut out = HashMap::new();
    for row in reader.records().flatten() {
        let Some(file) = row
            .get(file_col)
            .map(str::trim)
            .filter(|f| !f.is_empty() && f.len() <= MAX_FILENAME_BYTES)
        else {
            continue;
        };
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
    Ok(out)
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
    }
}
