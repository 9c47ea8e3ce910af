//! The store's tables (`docs/store.md`): the cache, and the last run's `files`, `activities`,
//! `weeks`, `months` and `flags`, whose columns are those of the CSV files of the same names
//! ([`crate::report::csv`]): same names, same units, same text, numbers as SQL numbers and an
//! empty cell as NULL.

use crate::flags::Flag;
use crate::ledger::ErrorRow;
use crate::metrics::record::ActivityRecord;
use crate::periods::{Month, Week};
use crate::report::csv::{
    activity_record, flag_record, month_record, week_record, ACTIVITY_COLUMNS, FLAG_COLUMNS,
    MONTH_COLUMNS, WEEK_COLUMNS,
};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};
use std::collections::HashMap;

/// The columns of `files`.
pub const FILE_COLUMNS: [&str; 7] = [
    "source",
    "hash",
    "size_bytes",
    "outcome",
    "reason",
    "position",
    "duplicate_of",
];

/// Columns holding text (or `true`/`false`); every other column of the tables is a number.
const TEXT_COLUMNS: &[&str] = &[
    "source",
    "hash",
    "outcome",
    "reason",
    "position",
    "duplicate_of",
    "format",
    "sport",
    "sub_sport",
    "start_utc",
    "start_local",
    "tz_source",
    "date_ok",
    "device",
    "has_hr",
    "has_position",
    "has_altitude",
    "has_temperature",
    "salvaged",
    "warnings",
    "gear",
    "elevation_source",
    "load_source",
    "hard",
    "warmup",
    "temp_source",
    "hot",
    "heat_band",
    "electrolytes",
    "period",
    "start_date",
    "flags",
    "date",
    "code",
    "category",
    "severity",
    "window",
    "evidence",
    "activity",
    "message",
    "advice",
];

/// Number columns that hold counts (or whole seconds of an offset): `INTEGER`.
const INTEGER_COLUMNS: &[&str] = &[
    "samples",
    "utc_offset_s",
    "runs",
    "hard_runs",
    "hot_long_runs",
    "strength_sessions",
    "rest_days",
    "size_bytes",
];

fn is_text(column: &str) -> bool {
    TEXT_COLUMNS.contains(&column)
}

fn sql_type(column: &str) -> &'static str {
    if is_text(column) {
        "TEXT"
    } else if INTEGER_COLUMNS.contains(&column) {
        "INTEGER"
    } else {
        "REAL"
    }
}

/// One file (or archive member) found by the last run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    /// As in `errors.csv` and `activities.csv`.
    pub source: String,
    /// Content hash (xxh3-128, 32 hex digits), for the leaves that were read.
    pub hash: Option<u128>,
    /// Bytes after decompression.
    pub size_bytes: u64,
}

/// The last run's tables, owned, so that they can be written on a thread of their own while
/// the report is made ([`super::Store::save_in_background`]).
pub struct Tables {
    /// Every leaf found.
    pub files: Vec<FileRow>,
    /// Rows of `errors.csv` (they give each file's outcome).
    pub errors: Vec<ErrorRow>,
    /// As in `activities.csv`.
    pub activities: Vec<ActivityRecord>,
    /// As in `weeks.csv`.
    pub weeks: Vec<Week>,
    /// As in `months.csv`.
    pub months: Vec<Month>,
    /// As in `flags.csv`.
    pub flags: Vec<Flag>,
    /// When the run finished (RFC 3339, UTC).
    pub finished_utc: String,
}

fn create_table(name: &str, columns: &[&str]) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("\"{c}\" {}", sql_type(c)))
        .collect();
    format!("CREATE TABLE {name} ({});\n", cols.join(", "))
}

/// The statements that create the schema (without its version row). The cache is an ordinary
/// (rowid) table with its key as an index, not `WITHOUT ROWID`: its rows (about 4 KB of records)
/// are too large for a `WITHOUT ROWID` table to pay off (1,000 such rows at 64 KiB pages:
/// inserted, committed and closed in 21-22 ms against 24-27 ms, 11 % smaller, looked up twice as
/// fast).
pub fn schema_sql() -> String {
    let mut sql = String::from(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);\n\
         CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);\n\
         CREATE TABLE cache (hash TEXT NOT NULL, record_version INTEGER NOT NULL, \
         params_hash INTEGER NOT NULL, value BLOB NOT NULL, \
         PRIMARY KEY (hash, record_version, params_hash));\n",
    );
    sql.push_str(&create_table("files", &FILE_COLUMNS));
    sql.push_str(&create_table("activities", ACTIVITY_COLUMNS));
    sql.push_str(&create_table("weeks", &WEEK_COLUMNS));
    sql.push_str(&create_table("months", &MONTH_COLUMNS));
    sql.push_str(&create_table("flags", &FLAG_COLUMNS));
    sql
}

/// A CSV cell as an SQL value: empty is NULL, a number column's cell a number.
fn value(column: &str, cell: String) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    match sql_type(column) {
        "INTEGER" => {
            if let Ok(v) = cell.parse::<i64>() {
                return Value::Integer(v);
            }
        }
        "REAL" => {
            if let Ok(v) = cell.parse::<f64>() {
                return Value::Real(v);
            }
        }
        _ => {}
    }
    Value::Text(cell)
}

fn insert<I>(conn: &Connection, table: &str, columns: &[&str], rows: I) -> rusqlite::Result<()>
where
    I: IntoIterator<Item = Vec<String>>,
{
    let marks = vec!["?"; columns.len()].join(", ");
    let names: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let mut st = conn.prepare(&format!(
        "INSERT INTO {table} ({}) VALUES ({marks})",
        names.join(", ")
    ))?;
    for row in rows {
        let values = columns
            .iter()
            .zip(row)
            .map(|(c, cell)| value(c, cell))
            .collect::<Vec<_>>();
        st.execute(params_from_iter(values))?;
    }
    Ok(())
}

/// Replace the last run's tables with `t`'s (inside the caller's transaction).
pub fn replace(conn: &Connection, t: &Tables) -> rusqlite::Result<()> {
    for table in ["files", "activities", "weeks", "months", "flags"] {
        conn.execute(&format!("DELETE FROM {table}"), [])?;
    }
    let mut outcome: HashMap<&str, &ErrorRow> = HashMap::new();
    for e in &t.errors {
        outcome.entry(e.source.as_str()).or_insert(e);
    }
    let files = t.files.iter().map(|f| {
        let e = outcome.get(f.source.as_str());
        vec![
            f.source.clone(),
            f.hash.map(super::hex).unwrap_or_default(),
            f.size_bytes.to_string(),
            e.map_or("analysed", |e| e.kind.as_str()).to_string(),
            e.map(|e| e.reason.clone()).unwrap_or_default(),
            e.map(|e| e.position.clone()).unwrap_or_default(),
            e.map(|e| e.duplicate_of.clone()).unwrap_or_default(),
        ]
    });
    // Files discovery could not read are in the errors only.
    let leaves: std::collections::HashSet<&str> =
        t.files.iter().map(|f| f.source.as_str()).collect();
    let mut unread: Vec<&ErrorRow> = outcome
        .values()
        .filter(|e| !leaves.contains(e.source.as_str()))
        .copied()
        .collect();
    unread.sort();
    let unread = unread.into_iter().map(|e| {
        vec![
            e.source.clone(),
            String::new(),
            String::new(),
            e.kind.as_str().to_string(),
            e.reason.clone(),
            e.position.clone(),
            e.duplicate_of.clone(),
        ]
    });
    insert(conn, "files", &FILE_COLUMNS, files.chain(unread))?;
    insert(
        conn,
        "activities",
        ACTIVITY_COLUMNS,
        t.activities.iter().map(activity_record),
    )?;
    insert(
        conn,
        "weeks",
        &WEEK_COLUMNS,
        t.weeks.iter().map(week_record),
    )?;
    insert(
        conn,
        "months",
        &MONTH_COLUMNS,
        t.months.iter().map(month_record),
    )?;
    insert(
        conn,
        "flags",
        &FLAG_COLUMNS,
        t.flags.iter().map(flag_record),
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_run_utc', ?1)",
        [&t.finished_utc],
    )?;
    Ok(())
}
