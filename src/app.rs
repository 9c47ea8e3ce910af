//! The pipeline of `calfguard analyze`: discover files, read and reduce them in parallel,
//! account for every file, write the report folder, decide the exit code.

use crate::cli::AnalyzeConfig;
use crate::ingest;
use crate::model::ReadError;
use crate::report::{self, folder::ReportFolder, ErrorKind, ErrorRow};
use crate::summary::{summarize, ActivitySummary};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// How a run ended; each maps to one exit code (see the README and `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, no file failed.
    Done,
    /// 1: some files failed; the report is written.
    Partial,
    /// 2: usage, configuration or output error.
    Usage,
    /// 3: a flag at or above `--fail-on` in the reported week.
    FailOn,
    /// 130: interrupted.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Partial => 1,
            Exit::Usage => 2,
            Exit::FailOn => 3,
            Exit::Interrupted => 130,
        }
    }
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
    /// Files with the same content as another.
    pub duplicate: usize,
    /// Activities (one file may hold several sessions).
    pub activities: usize,
    /// Bytes read.
    pub bytes: u64,
}

/// The result of analysing a set of inputs, before it is written.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Per-activity summaries, sorted by start then source.
    pub activities: Vec<ActivitySummary>,
    /// Rows of `errors.csv`, sorted by source then kind.
    pub errors: Vec<ErrorRow>,
    /// What happened to every file.
    pub counts: Counts,
}

/// One file to read.
#[derive(Clone, Debug)]
struct InputFile {
    path: PathBuf,
    source: String,
}

/// Outcome of one file.
enum FileOutcome {
    Analysed(Vec<ActivitySummary>, Option<ErrorRow>),
    NotAnalysed(ErrorRow),
}

/// Walk the inputs: files as given, folders recursively in sorted order. Unreadable entries and
/// symlink loops become `failed` rows; the walk goes on.
fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<ErrorRow>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        walk(p, &mut files, &mut errors, &mut seen_dirs);
    }
    (files, errors)
}

fn walk(
    path: &Path,
    files: &mut Vec<InputFile>,
    errors: &mut Vec<ErrorRow>,
    seen_dirs: &mut HashSet<PathBuf>,
) {
    let source = path.to_string_lossy().into_owned();
    let failed = |reason: String| ErrorRow {
        source: source.clone(),
        kind: ErrorKind::Failed,
        reason,
        position: String::new(),
        duplicate_of: String::new(),
    };
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(failed(format!("cannot read: {e}")));
            return;
        }
    };
    if meta.is_file() {
        files.push(InputFile {
            path: path.to_path_buf(),
            source,
        });
        return;
    }
    if !meta.is_dir() {
        errors.push(ErrorRow {
            kind: ErrorKind::Skipped,
            ..failed("not a regular file".to_string())
        });
        return;
    }
    // A folder reached twice (a symlink loop or the same folder given twice) is walked once.
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !seen_dirs.insert(canonical) {
        return;
    }
    let entries = match fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(failed(format!("cannot read folder: {e}")));
            return;
        }
    };
    let mut children = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => children.push(e.path()),
            Err(e) => errors.push(failed(format!("cannot read folder entry: {e}"))),
        }
    }
    children.sort();
    for child in children {
        walk(&child, files, errors, seen_dirs);
    }
}

fn read_one(input: &InputFile, now: chrono::DateTime<chrono::Utc>) -> (FileOutcome, u64) {
    let row = |kind, reason: String, position: Option<String>| ErrorRow {
        source: input.source.clone(),
        kind,
        reason,
        position: position.unwrap_or_default(),
        duplicate_of: String::new(),
    };
    let bytes = match fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => {
            return (
                FileOutcome::NotAnalysed(row(ErrorKind::Failed, format!("cannot read: {e}"), None)),
                0,
            )
        }
    };
    let len = bytes.len() as u64;
    let outcome = match ingest::read_bytes(&input.source, &bytes) {
        Ok(activities) if activities.is_empty() => FileOutcome::NotAnalysed(row(
            ErrorKind::Skipped,
            "no activity in file".to_string(),
            None,
        )),
        Ok(activities) => {
            let salvaged = activities
                .iter()
                .find_map(|a| a.salvaged.clone())
                .map(|b| row(ErrorKind::Salvaged, b.reason, Some(b.position)));
            // Reduce and drop the samples right away.
            let summaries = activities.iter().map(|a| summarize(a, now)).collect();
            FileOutcome::Analysed(summaries, salvaged)
        }
        Err(ReadError::Skipped { reason }) => {
            FileOutcome::NotAnalysed(row(ErrorKind::Skipped, reason, None))
        }
        Err(ReadError::Failed { reason, position }) => {
            FileOutcome::NotAnalysed(row(ErrorKind::Failed, reason, position))
        }
    };
    (outcome, len)
}

/// Read and reduce every input. `interrupted` is polled between files.
pub fn analyse(
    paths: &[PathBuf],
    now: chrono::DateTime<chrono::Utc>,
    progress: &ProgressBar,
    interrupted: &AtomicBool,
) -> Analysis {
    let (files, mut errors) = discover(paths);
    progress.set_length(files.len() as u64);
    let outcomes: Vec<(FileOutcome, u64)> = files
        .par_iter()
        .filter_map(|f| {
            if interrupted.load(Ordering::Relaxed) {
                return None;
            }
            let r = read_one(f, now);
            progress.inc(1);
            Some(r)
        })
        .collect();

    let mut counts = Counts {
        found: files.len() + errors.len(),
        ..Counts::default()
    };
    counts.failed = errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Failed)
        .count();
    counts.skipped = errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Skipped)
        .count();
    let mut activities = Vec::new();
    for (outcome, bytes) in outcomes {
        counts.bytes += bytes;
        match outcome {
            FileOutcome::Analysed(summaries, salvaged) => {
                counts.analysed += 1;
                if let Some(s) = salvaged {
                    counts.salvaged += 1;
                    errors.push(s);
                }
                activities.extend(summaries);
            }
            FileOutcome::NotAnalysed(row) => {
                match row.kind {
                    ErrorKind::Failed => counts.failed += 1,
                    ErrorKind::Skipped => counts.skipped += 1,
                    ErrorKind::Duplicate => counts.duplicate += 1,
                    ErrorKind::Salvaged => {}
                }
                errors.push(row);
            }
        }
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
    }
}

/// Write the report files into `dir`.
pub fn write_report(dir: &Path, analysis: &Analysis) -> std::io::Result<()> {
    report::write_activities(&dir.join("activities.csv"), &analysis.activities)?;
    report::folder::fault_point("after-activities");
    report::write_errors(&dir.join("errors.csv"), &analysis.errors)?;
    Ok(())
}

/// Run `calfguard analyze`. Errors returned here are usage, configuration or output errors
/// (exit 2); per-file problems never are.
pub fn run_analyze(config: &AnalyzeConfig) -> Result<Exit> {
    let started = Instant::now();
    for p in &config.paths {
        if fs::symlink_metadata(p).is_err() {
            anyhow::bail!("input '{}' does not exist", p.display());
        }
    }
    let folder = ReportFolder::prepare(&config.out)
        .with_context(|| format!("cannot write the report folder '{}'", config.out.display()))?;

    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = Arc::clone(&interrupted);
        // Only one handler per process; a second registration (tests) is harmless to skip.
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    }

    let progress = if !config.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let analysis = pool.install(|| analyse(&config.paths, config.now, &progress, &interrupted));

    if interrupted.load(Ordering::SeqCst) {
        progress.abandon();
        drop(folder);
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: interrupted; the previous report was left as it was"
        );
        return Ok(Exit::Interrupted);
    }
    progress.finish_and_clear();

    write_report(folder.staging(), &analysis).with_context(|| {
        format!(
            "cannot write the report in '{}'",
            folder.staging().display()
        )
    })?;
    let target = folder.target().to_path_buf();
    folder
        .commit()
        .with_context(|| format!("cannot replace the report folder '{}'", target.display()))?;

    let c = &analysis.counts;
    if !config.quiet {
        let secs = started.elapsed().as_secs_f64();
        let mb_s = if secs > 0.0 {
            c.bytes as f64 / 1e6 / secs
        } else {
            0.0
        };
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; \
             {} activities in {:.2} s ({:.1} MB/s); report in {}",
            c.found,
            c.analysed,
            c.salvaged,
            c.skipped,
            c.failed,
            c.duplicate,
            c.activities,
            secs,
            mb_s,
            target.display()
        );
    }
    Ok(if c.failed > 0 {
        Exit::Partial
    } else {
        Exit::Done
    })
}
