//! The store: one SQLite file that caches the per-activity records of phase 1 and holds the
//! last run's tables for queries (`docs/store.md`).
//!
//! - The cache: for every distinct leaf (a file, or an archive member) its phase-1 records
//!   ([`crate::metrics::reduce::reduce`] and the track fingerprint), keyed by the content hash
//!   of its bytes (xxh3-128), [`RECORD_VERSION`] and the hash of the metric parameters
//!   ([`crate::metrics::reduce::MetricParams::hash`]). Everything after phase 1 (the weather,
//!   local time, phase 2, duplicates, periods, flags) is recomputed every run, so a changed
//!   profile, `--tz`, `--weather` or threshold never shows a stale number.
//! - The tables of the last run: `files`, `activities`, `weeks`, `months`, `flags`, with the
//!   columns of the CSV files ([`tables`]), replaced as a whole.
//!
//! A run holds one write transaction from [`Store::open`] to [`Store::save`]: one writer at a
//! time (a second run finds the store busy and runs without it), readers (`sqlite3`, DuckDB)
//! see the previous state until the commit, and an interrupted run leaves the store as it was.
//! Any trouble with the store (corrupt, busy, read-only, disk full, from a newer calfguard) is
//! said on stderr and the run goes on without it: the store holds derived data only.

pub mod tables;

use crate::metrics::record::{ActivityRecord, RECORD_VERSION};
use crate::model::Break;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Version of the store's tables and of the encoding of the cached records. A store of an
/// older version is rebuilt (its cache and tables dropped, with a message); one of a newer
/// version is left alone. 1: records as JSON; 2: records as postcard (a third smaller, encoded
/// and decoded five times faster, `docs/design.md`), the cache an ordinary (rowid) table; 3:
/// the records' heart-rate histograms as whole milliseconds at `2 × bpm` (`metrics::hrtime`).
pub const SCHEMA_VERSION: i64 = 3;

/// The store's file name in its default folder.
pub const FILE_NAME: &str = "calfguard.db";

/// The default store: `$XDG_DATA_HOME/calfguard/calfguard.db` (`~/.local/share/...` on Linux;
/// the platform's data folder elsewhere).
pub fn default_path() -> Option<PathBuf> {
    Some(dirs::data_dir()?.join("calfguard").join(FILE_NAME))
}

/// What the cache keeps of one leaf: its records before placement, and where it broke.
#[derive(Serialize, Deserialize)]
struct CachedLeaf {
    /// The leaf's source when it was cached (records are re-labelled with today's).
    source: String,
    records: Vec<ActivityRecord>,
    /// Where the file broke: reason, position.
    broken: Option<(String, String)>,
}

/// [`CachedLeaf`] borrowed, for writing without a copy.
#[derive(Serialize)]
struct CachedLeafRef<'a> {
    source: &'a str,
    records: &'a [ActivityRecord],
    broken: Option<(&'a str, &'a str)>,
}

/// Phase 1 of one leaf: its records and where it broke.
pub type Reduced = (Vec<ActivityRecord>, Option<Break>);

/// An open store, inside the run's write transaction.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
    params_hash: i64,
    /// The cache held nothing when the run began (a new or rebuilt store): every look-up would
    /// miss, so none is made. (Byte-identical leaves of one run are read once by the walker, so
    /// a run never looks up what it cached itself.)
    was_empty: bool,
    /// The first error met while the run used the store; the run's writes are then dropped.
    failed: Mutex<Option<String>>,
    hits: AtomicUsize,
    misses: AtomicUsize,
}

/// A message about the store, for stderr: `calfguard: store '<path>': <what>`.
pub fn note(path: &Path, what: &str) -> String {
    format!("calfguard: store '{}': {what}", path.display())
}

fn describe(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as C;
    match e.sqlite_error_code() {
        Some(C::NotADatabase) | Some(C::DatabaseCorrupt) => {
            format!("corrupt or not an SQLite database ({e}); delete it to start a new store")
        }
        Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => {
            "locked by another calfguard run (or another writer)".to_string()
        }
        Some(C::ReadOnly) => format!("read-only ({e})"),
        Some(C::DiskFull) => "the disk is full".to_string(),
        // A write the disk refused: no space left (some file systems), or a file-size limit
        // (`ulimit -f`). SQLite says SQLITE_FULL for the first only when the OS does.
        Some(C::SystemIoFailure)
            if e.sqlite_error()
                .is_some_and(|f| f.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE) =>
        {
            format!("cannot write to its disk (full, or a file-size limit) ({e})")
        }
        Some(C::CannotOpen) | Some(C::PermissionDenied) => format!("cannot open it ({e})"),
        _ => e.to_string(),
    }
}

const RUNNING_WITHOUT: &str = "running without the store";

/// The tables of the schema, without the version table.
const OWN_TABLES: [&str; 7] = [
    "cache",
    "files",
    "activities",
    "weeks",
    "months",
    "flags",
    "meta",
];

impl Store {
    /// Open (or create) the store at `path` for a run whose metric parameters hash to
    /// `params_hash`, and begin the run's write transaction. `Err` is the message to print
    /// (the run goes on without the store); `notes` are messages to print when it opened
    /// (a rebuilt older store).
    pub fn open(path: &Path, params_hash: u64) -> Result<(Store, Vec<String>), String> {
        let fail = |what: String| note(path, &format!("{what}; {RUNNING_WITHOUT}"));
        if let Ok(meta) = std::fs::metadata(path) {
            if !meta.is_file() {
                return Err(fail("not a file".to_string()));
            }
            if meta.permissions().readonly() {
                return Err(fail("read-only (no write permission)".to_string()));
            }
        } else if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(format!("cannot create its folder: {e}")))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| fail(describe(&e)))?;
        let mut notes = Vec::new();
        prepare(&conn, path, &mut notes).map_err(fail)?;
        let was_empty = !conn
            .query_row("SELECT EXISTS (SELECT 1 FROM cache)", [], |r| {
                r.get::<_, bool>(0)
            })
            .map_err(|e| fail(describe(&e)))?;
        Ok((
            Store {
                path: path.to_path_buf(),
                conn: Mutex::new(conn),
                params_hash: params_hash as i64,
                was_empty,
                failed: Mutex::new(None),
                hits: AtomicUsize::new(0),
                misses: AtomicUsize::new(0),
            },
            notes,
        ))
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Cached phase-1 records of a leaf with these bytes, relabelled with `source`. `None`
    /// when not cached, unreadable, or the store failed.
    pub fn get(&self, source: &str, hash: u128) -> Option<Reduced> {
        if self.was_empty {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        if self.has_failed() {
            return None;
        }
        let blob: Option<Vec<u8>> = {
            let conn = self.conn.lock().ok()?;
            let found = conn
                .prepare_cached(
                    "SELECT value FROM cache WHERE hash = ?1 AND record_version = ?2 AND params_hash = ?3",
                )
                .and_then(|mut st| {
                    st.query_row(
                        params![hex(hash), RECORD_VERSION, self.params_hash],
                        |r| r.get(0),
                    )
                    .optional()
                });
            match found {
                Ok(b) => b,
                Err(e) => {
                    drop(conn);
                    self.fail(describe(&e));
                    return None;
                }
            }
        };
        let reduced = blob.and_then(|b| decode(&b, source));
        match reduced {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        reduced
    }

    /// Cache the phase-1 records of a leaf.
    pub fn put(&self, source: &str, hash: u128, reduced: &Reduced) {
        if self.has_failed() {
            return;
        }
        let leaf = CachedLeafRef {
            source,
            records: &reduced.0,
            broken: reduced
                .1
                .as_ref()
                .map(|b| (b.reason.as_str(), b.position.as_str())),
        };
        let Ok(blob) = postcard::to_stdvec(&leaf) else {
            return;
        };
        let Ok(conn) = self.conn.lock() else { return };
        let done = conn
            .prepare_cached(
                "INSERT OR REPLACE INTO cache (hash, record_version, params_hash, value) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![hex(hash), RECORD_VERSION, self.params_hash, blob]));
        if let Err(e) = done {
            drop(conn);
            self.fail(describe(&e));
        }
    }

    /// Leaves found in the cache and not, so far.
    pub fn hits_misses(&self) -> (usize, usize) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    fn has_failed(&self) -> bool {
        self.failed.lock().map(|f| f.is_some()).unwrap_or(true)
    }

    fn fail(&self, what: String) {
        if let Ok(mut f) = self.failed.lock() {
            f.get_or_insert(what);
        }
    }

    /// [`Store::save`] on a thread of its own, so that the tables, the commit and SQLite's
    /// checkpoint of the log run while the caller makes the report: the report never waits for
    /// the store, nor depends on it. [`Saving::wait`] gives the outcome.
    pub fn save_in_background(self, t: tables::Tables) -> Saving {
        let path = self.path.clone();
        let spawned = std::thread::Builder::new()
            .name("calfguard-store".to_string())
            .spawn(move || self.save(&t));
        match spawned {
            Ok(handle) => Saving {
                path,
                handle: Some(handle),
                outcome: None,
            },
            // No thread: the store object went with the closure and was dropped (its
            // transaction rolled back with the connection).
            Err(e) => Saving {
                path: path.clone(),
                handle: None,
                outcome: Some(Err(note(
                    &path,
                    &format!("cannot start a thread to write it ({e}); it was left as it was before this run"),
                ))),
            },
        }
    }

    /// Replace the last run's tables and commit the run's transaction, then close the store
    /// (SQLite copies the log into the database file). `Err` is the message to print; the
    /// store is then left as it was before the run.
    pub fn save(self, t: &tables::Tables) -> Result<(), String> {
        let fail = |what: String| {
            note(
                &self.path,
                &format!("{what}; it was left as it was before this run"),
            )
        };
        let conn = self
            .conn
            .into_inner()
            .map_err(|_| fail("internal error".to_string()))?;
        if let Some(what) = self.failed.into_inner().ok().flatten() {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(fail(what));
        }
        let done = tables::replace(&conn, t).and_then(|()| {
            // Kill-safety test seam: the process dies with the whole run written, uncommitted.
            crate::fault::abort_at("store-commit");
            conn.execute_batch("COMMIT")
        });
        done.map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            fail(describe(&e))
        })
    }
}

/// A store being written on its own thread ([`Store::save_in_background`]).
pub struct Saving {
    path: PathBuf,
    handle: Option<std::thread::JoinHandle<Result<(), String>>>,
    outcome: Option<Result<(), String>>,
}

impl Saving {
    /// Wait until the store is committed and closed (or rolled back); `Err` is the message to
    /// print.
    pub fn wait(mut self) -> Result<(), String> {
        self.join()
    }

    fn join(&mut self) -> Result<(), String> {
        if let Some(handle) = self.handle.take() {
            let outcome = handle.join().unwrap_or_else(|_| {
                Err(note(
                    &self.path,
                    "internal error while writing it (a calfguard bug, please report); it was left as it was before this run",
                ))
            });
            self.outcome = Some(outcome);
        }
        self.outcome.take().unwrap_or(Ok(()))
    }
}

impl Drop for Saving {
    /// A run that ends early (an error writing the report) still waits for the store's commit,
    /// so that the process never exits in the middle of it.
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// Set the connection up (WAL, busy timeout), check or create the schema, begin the run's
/// write transaction.
fn prepare(conn: &Connection, path: &Path, notes: &mut Vec<String>) -> Result<(), String> {
    conn.busy_timeout(Duration::from_millis(250))
        .map_err(|e| describe(&e))?;
    // Large pages for a new store (ignored by an existing one): a cold run writes every
    // record once, and 64 KiB pages take a sixteenth of the 4 KiB pages' system calls. The
    // page cache holds the run's whole transaction, so nothing spills to the log before the
    // commit. (The first statement reads the header: a corrupt file fails here.)
    conn.execute_batch("PRAGMA page_size = 65536; PRAGMA cache_size = -65536;")
        .map_err(|e| describe(&e))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(|e| describe(&e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!(
            "cannot use write-ahead logging (journal mode {mode})"
        ));
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")
        .map_err(|e| describe(&e))?;
    if conn.is_readonly("main").unwrap_or(true) {
        return Err("read-only".to_string());
    }
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| describe(&e))?;
    let checked = check_schema(conn, path, notes);
    if let Err(e) = checked {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(e);
    }
    Ok(())
}

/// The schema's version, or `None` for an empty database.
fn schema_version(conn: &Connection) -> Result<Option<i64>, String> {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| describe(&e))?;
    if tables.is_empty() {
        return Ok(None);
    }
    if !tables.iter().any(|t| t == "schema_version") {
        return Err(
            "holds tables but no schema_version: not a calfguard store (it was not touched)"
                .to_string(),
        );
    }
    conn.query_row("SELECT max(version) FROM schema_version", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .map(|v| Some(v.unwrap_or(0)))
    .map_err(|e| describe(&e))
}

fn check_schema(conn: &Connection, path: &Path, notes: &mut Vec<String>) -> Result<(), String> {
    match schema_version(conn)? {
        Some(SCHEMA_VERSION) => Ok(()),
        Some(v) if v > SCHEMA_VERSION => Err(format!(
            "schema version {v} is newer than this calfguard's ({SCHEMA_VERSION}); it was not touched"
        )),
        Some(v) => {
            notes.push(note(
                path,
                &format!(
                    "schema version {v} is older than this calfguard's ({SCHEMA_VERSION}): its cache and tables are rebuilt (the first run reads every file again)"
                ),
            ));
            for t in OWN_TABLES.iter().chain(["schema_version"].iter()) {
                conn.execute_batch(&format!("DROP TABLE IF EXISTS {t}"))
                    .map_err(|e| describe(&e))?;
            }
            create(conn)
        }
        None => create(conn),
    }
}

fn create(conn: &Connection) -> Result<(), String> {
    conn.execute_batch(&tables::schema_sql())
        .and_then(|()| {
            conn.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [SCHEMA_VERSION],
            )
        })
        .map(|_| ())
        .map_err(|e| describe(&e))
}

/// A content hash as 32 hex digits.
pub fn hex(hash: u128) -> String {
    format!("{hash:032x}")
}

fn decode(blob: &[u8], source: &str) -> Option<Reduced> {
    let leaf: CachedLeaf = postcard::from_bytes(blob).ok()?;
    // Records name their file; one cached under another name is relabelled, unless the
    // reader named a record otherwise (then it is read again).
    let mut records = leaf.records;
    for r in &mut records {
        if r.source != leaf.source {
            return None;
        }
        r.source = source.to_string();
    }
    let broken = leaf
        .broken
        .map(|(reason, position)| Break { reason, position });
    Some((records, broken))
}

/// What `calfguard store info` shows.
#[derive(Debug)]
pub struct Info {
    /// Bytes of the database file (the WAL file not included).
    pub size_bytes: u64,
    /// Schema version.
    pub schema_version: Option<i64>,
    /// Rows of `files` (the last run's).
    pub files: i64,
    /// Rows of `activities` (the last run's).
    pub activities: i64,
    /// Cached leaves (every version and parameter set).
    pub cached: i64,
    /// When the last run finished, UTC.
    pub last_run: Option<String>,
}

fn open_existing(path: &Path, flags: OpenFlags) -> Result<Connection, String> {
    if !path.is_file() {
        return Err(format!("no store at '{}'", path.display()));
    }
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| format!("store '{}': {}", path.display(), describe(&e)))?;
    let _ = conn.busy_timeout(Duration::from_millis(250));
    Ok(conn)
}

/// Read what `store info` shows, without writing.
pub fn info(path: &Path) -> Result<Info, String> {
    let conn = open_existing(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let err = |e: rusqlite::Error| format!("store '{}': {}", path.display(), describe(&e));
    let version = schema_version(&conn)?;
    let count = |t: &str| -> Result<i64, String> {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .map_err(err)
    };
    let (files, activities, cached, last_run) = if version == Some(SCHEMA_VERSION) {
        let last = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_run_utc'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        (count("files")?, count("activities")?, count("cache")?, last)
    } else {
        (0, 0, 0, None)
    };
    Ok(Info {
        size_bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        schema_version: version,
        files,
        activities,
        cached,
        last_run,
    })
}

/// Drop the cached records whose content hash is not in `keep`, and the `files` rows whose
/// source is not in `sources`; returns (records dropped, files rows dropped).
pub fn prune(
    path: &Path,
    keep: &std::collections::HashSet<u128>,
    sources: &std::collections::HashSet<String>,
) -> Result<(usize, usize), String> {
    let mut conn = open_existing(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let err = |e: rusqlite::Error| format!("store '{}': {}", path.display(), describe(&e));
    match schema_version(&conn)? {
        Some(SCHEMA_VERSION) => {}
        v => {
            return Err(format!(
                "store '{}': schema version {v:?}, this calfguard uses {SCHEMA_VERSION}: run analyze once to rebuild it",
                path.display()
            ))
        }
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(err)?;
    let hashes: Vec<String> = tx
        .prepare("SELECT DISTINCT hash FROM cache")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(err)?;
    let keep_hex: std::collections::HashSet<String> = keep.iter().map(|h| hex(*h)).collect();
    let mut dropped = 0;
    for h in hashes.iter().filter(|h| !keep_hex.contains(*h)) {
        dropped += tx
            .execute("DELETE FROM cache WHERE hash = ?1", [h])
            .map_err(err)?;
    }
    let files: Vec<String> = tx
        .prepare("SELECT source FROM files")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(err)?;
    let mut files_dropped = 0;
    for s in files.iter().filter(|s| !sources.contains(*s)) {
        files_dropped += tx
            .execute("DELETE FROM files WHERE source = ?1", [s])
            .map_err(err)?;
    }
    tx.commit().map_err(err)?;
    let _ = conn.execute_batch("VACUUM");
    Ok((dropped, files_dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_tables() -> tables::Tables {
        tables::Tables {
            files: Vec::new(),
            errors: Vec::new(),
            activities: Vec::new(),
            weeks: Vec::new(),
            months: Vec::new(),
            flags: Vec::new(),
            finished_utc: "2026-12-07T00:00:00Z".to_string(),
        }
    }

    /// SQLITE_FULL, what SQLite says when the disk has no room for the database to grow, here
    /// made by `PRAGMA max_page_count` (the database may not grow past its present pages):
    /// the run's writes are dropped, the save says the disk is full, and the store keeps what
    /// it held. (`tests/store.rs` fills the disk under a whole run with a file-size limit.)
    #[test]
    fn a_full_disk_fails_the_save_and_leaves_the_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let (store, _) = Store::open(&path, 7).unwrap();
        store.put("a.fit", 1, &(Vec::new(), None));
        store.save(&no_tables()).unwrap();

        let (store, _) = Store::open(&path, 7).unwrap();
        assert!(store.get("b.fit", 1).is_some(), "the first run's leaf");
        {
            let conn = store.conn.lock().unwrap();
            let pages: i64 = conn
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .unwrap();
            let max: i64 = conn
                .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(max, pages);
        }
        // A leaf too large for the free room: several overflow pages.
        store.put(&"x".repeat(300_000), 2, &(Vec::new(), None));
        assert!(store.has_failed());
        assert!(
            store.get("a.fit", 1).is_none(),
            "no look-ups after a failure"
        );
        let said = store.save(&no_tables()).unwrap_err();
        assert!(
            said.contains("the disk is full") && said.contains("left as it was before this run"),
            "{said}"
        );

        let (store, _) = Store::open(&path, 7).unwrap();
        assert!(store.get("a.fit", 1).is_some());
        assert!(store.get("x", 2).is_none());
        let conn = store.conn.lock().unwrap();
        let cached: i64 = conn
            .query_row("SELECT count(*) FROM cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(cached, 1);
    }
}
