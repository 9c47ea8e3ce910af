//! What happened to every file found: analysed, salvaged, skipped (with why), failed (with
//! what and where), duplicate (of which) or in conflict with another recording. [`account`]
//! turns the walker's per-leaf results into the activities, the rows of `errors.csv` and the
//! [`Counts`]; [`drop_same_runs`] applies the same-run rule and books its duplicates and
//! conflicts. Every file found is counted exactly once.

use crate::dedup::{dedup, DedupRules};
use crate::enrich::strava::{self, parse_list, ListedSession, StravaEntry};
use crate::ingest::discover::{Problem, ProblemKind};
use crate::ingest::export::{Leaf, LeafRecord};
use crate::metrics::record::ActivityRecord;
use crate::model::{Break, ReadError};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What happened to a file that is not simply analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    /// Nothing usable could be read.
    Failed,
    /// Not an activity.
    Skipped,
    /// Kept what came before a break (also in activities.csv).
    Salvaged,
    /// Same content as another file, or the same run as a richer recording: analysed once.
    Duplicate,
    /// Overlaps another recording in time but is not the same run: both kept.
    Conflict,
}

impl ErrorKind {
    /// The name used in `errors.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Failed => "failed",
            ErrorKind::Skipped => "skipped",
            ErrorKind::Salvaged => "salvaged",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::Conflict => "conflict",
        }
    }
}

/// One row of `errors.csv`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ErrorRow {
    /// The file (or archive member).
    pub source: String,
    /// What happened.
    pub kind: ErrorKind,
    /// Why, in plain words.
    pub reason: String,
    /// Where in the file (`byte 0x..`, `line L:C`), if known.
    pub position: String,
    /// For duplicates: the source that was analysed instead.
    pub duplicate_of: String,
}

/// Counts of what happened to every file found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Files (and archive members) found.
    pub found: usize,
    /// Files that gave at least one activity (salvaged included).
    pub analysed: usize,
    /// Of those, files that broke and were salvaged.
    pub salvaged: usize,
    /// Files that are not activities.
    pub skipped: usize,
    /// Files with nothing usable.
    pub failed: usize,
    /// Files with the same content as another, or recordings of a run kept from another file.
    pub duplicate: usize,
    /// Pairs of overlapping recordings that are not the same run (both kept).
    pub conflicts: usize,
    /// Activities (one file may hold several sessions).
    pub activities: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Sessions Strava's activity list names without a file (not files: outside `found`), and
    /// how many of them are strength sessions (counted in their week for ST-LOW).
    pub listed_without_file: usize,
    /// Of those, strength sessions.
    pub listed_strength: usize,
}

impl Counts {
    /// The line on stderr at the end of a run: the counts, the number of flags, the time taken
    /// and the throughput, and where the report is.
    pub fn line(&self, flags: usize, secs: f64, target: Option<&std::path::Path>) -> String {
        let c = self;
        let mb_s = if secs > 0.0 {
            c.bytes as f64 / 1e6 / secs
        } else {
            0.0
        };
        format!(
            "calfguard: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; \
             {} activities, {} conflicts,{} {} flags, in {:.2} s ({:.1} MB/s){}",
            c.found,
            c.analysed,
            c.salvaged,
            c.skipped,
            c.failed,
            c.duplicate,
            c.activities,
            c.conflicts,
            c.listed_text(),
            flags,
            secs,
            mb_s,
            target
                .map(|t| format!("; report in {}", t.display()))
                .unwrap_or_default()
        )
    }

    /// `" 3 sessions listed by Strava without a file (2 strength sessions counted),"`, or
    /// nothing when the lists name none.
    pub fn listed_text(&self) -> String {
        match self.listed_without_file {
            0 => String::new(),
            n => format!(
                " {n} {} listed by Strava without a file ({} strength {} counted),",
                if n == 1 { "session" } else { "sessions" },
                self.listed_strength,
                if self.listed_strength == 1 {
                    "session"
                } else {
                    "sessions"
                }
            ),
        }
    }
}

/// The result of analysing a set of inputs, before it is written.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Per-activity summaries, sorted by start then source.
    pub activities: Vec<ActivityRecord>,
    /// Rows of `errors.csv`, sorted by source then kind.
    pub errors: Vec<ErrorRow>,
    /// What happened to every file.
    pub counts: Counts,
    /// Sessions Strava's activity lists name without a file, each once.
    pub listed: Vec<ListedSession>,
}

/// What the reader hands back for one distinct leaf: its activities reduced (and where the file
/// broke, if it did), or why it gave none.
pub type Parsed = Result<(Vec<ActivityRecord>, Option<Break>), ReadError>;

/// The rows of the files discovery could not read or skipped.
pub fn problem_rows(problems: Vec<Problem>) -> Vec<ErrorRow> {
    problems
        .into_iter()
        .map(|p| ErrorRow {
            source: p.source,
            kind: match p.kind {
                ProblemKind::Failed => ErrorKind::Failed,
                ProblemKind::Skipped => ErrorKind::Skipped,
            },
            reason: p.reason,
            position: String::new(),
            duplicate_of: String::new(),
        })
        .collect()
}

/// Apply the same-run rule ([`crate::dedup`]): keep the richest recording of each run, list the
/// others as `duplicate` rows with the evidence, and overlapping different recordings as
/// `conflict` rows. A file counts as a duplicate when none of its activities is kept.
pub fn drop_same_runs(analysis: &mut Analysis, rules: &DedupRules) {
    let activities = std::mem::take(&mut analysis.activities);
    let out = dedup(activities, rules);
    let kept_sources: HashSet<&str> = out.kept.iter().map(|a| a.source.as_str()).collect();
    let mut dropped_files: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for d in &out.duplicates {
        if !kept_sources.contains(d.copy.source.as_str()) {
            dropped_files
                .entry(d.copy.source.as_str())
                .or_insert((d.kept.as_str(), d.evidence.as_str()));
        }
    }
    for (source, (kept, evidence)) in &dropped_files {
        analysis.counts.analysed = analysis.counts.analysed.saturating_sub(1);
        analysis.counts.duplicate += 1;
        analysis.errors.push(ErrorRow {
            duplicate_of: kept.to_string(),
            ..error_row(
                source,
                ErrorKind::Duplicate,
                format!("same run as {kept}: {evidence}"),
                None,
            )
        });
    }
    // A salvaged file that turned out to be a copy is counted as a duplicate only.
    let dropped: HashSet<&str> = dropped_files.keys().copied().collect();
    let salvaged_dropped = analysis
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Salvaged && dropped.contains(e.source.as_str()))
        .count();
    analysis.counts.salvaged = analysis.counts.salvaged.saturating_sub(salvaged_dropped);
    for c in &out.conflicts {
        analysis.counts.conflicts += 1;
        analysis
            .errors
            .push(error_row(&c.a, ErrorKind::Conflict, c.reason.clone(), None));
    }
    analysis.activities = out.kept;
    analysis.counts.activities = analysis.activities.len();
    analysis.errors.sort();
}

fn error_row(source: &str, kind: ErrorKind, reason: String, position: Option<String>) -> ErrorRow {
    ErrorRow {
        source: source.to_string(),
        kind,
        reason,
        position: position.unwrap_or_default(),
        duplicate_of: String::new(),
    }
}

/// Turn the leaves into activities, error rows and counts: resolve copies (the first source in
/// sorted order keeps the activity), count non-activity archive members per archive and reason,
/// and apply Strava's activity list.
pub fn account(mut records: Vec<LeafRecord<Parsed>>, walk_errors: Vec<ErrorRow>) -> Analysis {
    records.sort_by(|a, b| a.source.cmp(&b.source));
    let mut counts = Counts {
        found: records.len() + walk_errors.len(),
        ..Counts::default()
    };
    for e in &walk_errors {
        match e.kind {
            ErrorKind::Skipped => counts.skipped += 1,
            _ => counts.failed += 1,
        }
    }
    let mut errors = walk_errors;

    // Copies: every source of a content hash, in sorted order; the first keeps the result.
    let mut holders: HashMap<u128, Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Leaf::Content { hash, .. } | Leaf::Copy { hash } = r.leaf {
            holders.entry(hash).or_default().push(i);
        }
    }
    // The parsed values, moved out of their records (the keeper's summaries are moved on into
    // the activities, not copied).
    let mut parsed: HashMap<u128, Parsed> = HashMap::new();
    for r in &mut records {
        if let Leaf::Content { hash, .. } = r.leaf {
            if let Leaf::Content { value, .. } = std::mem::replace(&mut r.leaf, Leaf::Copy { hash })
            {
                parsed.insert(hash, value);
            }
        }
    }
    // Hashes whose activities were handed to their keeper.
    let mut taken: HashSet<u128> = HashSet::new();

    // Strava activity lists.
    let mut lists: HashMap<String, StravaEntry> = HashMap::new();
    let mut listed: Vec<ListedSession> = Vec::new();
    // A row listed in two copies of the list (the export zip and its unpacked folder) once.
    let mut listed_keys = HashSet::new();
    for r in &records {
        if let Leaf::ActivityList { bytes } = &r.leaf {
            match parse_list(&r.source, bytes) {
                Ok(l) => {
                    lists.extend(l.entries);
                    for s in l.without_file {
                        let key = (s.id.clone(), s.start_utc, s.activity_type.clone());
                        if s.id.is_none() || listed_keys.insert(key) {
                            listed.push(s);
                        }
                    }
                }
                Err(reason) => errors.push(error_row(&r.source, ErrorKind::Failed, reason, None)),
            }
        }
    }
    counts.listed_without_file = listed.len();
    counts.listed_strength = listed.iter().filter(|s| s.strength).count();

    // Reserved whole: the largest allocation of a run, grown by doubling it would be up to
    // twice the records' size (`docs/performance.md`, "Memory").
    let mut activities = Vec::with_capacity(
        parsed
            .values()
            .map(|p| p.as_ref().map_or(0, |(summaries, _)| summaries.len()))
            .sum(),
    );
    // Non-activity members of archives, counted per (archive, kind, reason).
    let mut noise: BTreeMap<(String, ErrorKind, String), usize> = BTreeMap::new();
    for r in &records {
        counts.bytes += r.bytes;
        let outcome: Option<(ErrorKind, String, Option<String>)> = match &r.leaf {
            Leaf::Failed { reason, position } => {
                Some((ErrorKind::Failed, reason.clone(), position.clone()))
            }
            Leaf::NotActivity { reason } => Some((ErrorKind::Skipped, reason.to_string(), None)),
            Leaf::ActivityList { .. } => Some((
                ErrorKind::Skipped,
                "Strava activity list: read for sport names, gear and sessions without a file"
                    .to_string(),
                None,
            )),
            Leaf::Content { hash, .. } | Leaf::Copy { hash } => {
                let group = holders.get(hash).map(Vec::as_slice).unwrap_or(&[]);
                let keeper = group.first().map(|&i| records[i].source.as_str());
                let is_taken = taken.contains(hash);
                match parsed.get_mut(hash) {
                    Some(Ok((summaries, broken))) if !summaries.is_empty() || is_taken => {
                        if keeper == Some(r.source.as_str()) && !is_taken {
                            taken.insert(*hash);
                            counts.analysed += 1;
                            if let Some(b) = broken {
                                counts.salvaged += 1;
                                errors.push(error_row(
                                    &r.source,
                                    ErrorKind::Salvaged,
                                    b.reason.clone(),
                                    Some(b.position.clone()),
                                ));
                            }
                            for mut s in std::mem::take(summaries) {
                                s.source.clone_from(&r.source);
                                strava::apply(&mut s, lists.get(&r.source));
                                activities.push(s);
                            }
                            None
                        } else {
                            counts.duplicate += 1;
                            errors.push(ErrorRow {
                                duplicate_of: keeper.unwrap_or_default().to_string(),
                                ..error_row(
                                    &r.source,
                                    ErrorKind::Duplicate,
                                    "same bytes as another file".to_string(),
                                    None,
                                )
                            });
                            None
                        }
                    }
                    Some(Ok(_)) => {
                        Some((ErrorKind::Skipped, "no activity in file".to_string(), None))
                    }
                    Some(Err(ReadError::Skipped { reason })) => {
                        Some((ErrorKind::Skipped, reason.clone(), None))
                    }
                    Some(Err(ReadError::Failed { reason, position })) => {
                        Some((ErrorKind::Failed, reason.clone(), position.clone()))
                    }
                    None => Some((
                        ErrorKind::Failed,
                        "internal error: parsed copy not found".to_string(),
                        None,
                    )),
                }
            }
        };
        let Some((kind, reason, position)) = outcome else {
            continue;
        };
        match kind {
            ErrorKind::Failed => counts.failed += 1,
            _ => counts.skipped += 1,
        }
        match (&r.archive, kind) {
            (Some(archive), ErrorKind::Skipped) => {
                *noise
                    .entry((archive.to_string(), kind, reason))
                    .or_default() += 1;
            }
            _ => errors.push(error_row(&r.source, kind, reason, position)),
        }
    }
    for ((archive, kind, reason), n) in noise {
        let files = if n == 1 { "file" } else { "files" };
        errors.push(error_row(
            &archive,
            kind,
            format!("{n} {files} in this archive: {reason}"),
            None,
        ));
    }

    counts.activities = activities.len();
    activities.sort_by(|a, b| {
        (a.start_utc, &a.source, a.sport.as_str()).cmp(&(b.start_utc, &b.source, b.sport.as_str()))
    });
    errors.sort();
    Analysis {
        activities,
        errors,
        counts,
        listed,
    }
}
