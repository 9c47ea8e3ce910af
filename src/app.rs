//! The pipeline of `calfguard analyze`: discover files, read and reduce them in parallel,
//! account for every file, write the report folder, decide the exit code.

use crate::athlete::{self, Profile};
use crate::cli::{AnalyzeConfig, FailOn};
use crate::config::Config;
use crate::dedup::{dedup, DedupRules};
use crate::flags;
use crate::flags::Severity;
use crate::ingest;
use crate::ingest::export::{Leaf, LeafRecord, Limits, Walker};
use crate::ingest::strava::{parse_activity_list, StravaEntry};
use crate::model::{Break, ReadError, Sport};
use crate::periods::{self, ActivityFacts};
use crate::report::{self, folder::ReportFolder, ErrorKind, ErrorRow};
use crate::summary::{summarize, ActivitySummary, Context, FinishParams, MetricParams, ZoneBasis};
use anyhow::{Context as _, Result};
use chrono::{Datelike, NaiveDate};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How a run ended; each maps to one exit code (see the README and `--help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done, no file failed.
    Done,
    /// 1: some files failed; the report is written.
    Partial,
    /// 2: usage, configuration or output error, or nothing to report.
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
    /// Files with the same content as another, or recordings of a run kept from another file.
    pub duplicate: usize,
    /// Pairs of overlapping recordings that are not the same run (both kept).
    pub conflicts: usize,
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

/// One loose file to read.
#[derive(Clone, Debug)]
struct InputFile {
    path: PathBuf,
    source: String,
}

/// What the reader hands back for one distinct leaf: its activities reduced (and where the file
/// broke, if it did), or why it gave none.
type Parsed = Result<(Vec<ActivitySummary>, Option<Break>), ReadError>;

/// Walk the inputs: files as given, folders recursively in sorted order. Unreadable entries
/// become `failed` rows; a folder reached twice (symlink loop) is walked once; a file reached
/// twice (through symbolic or hard links, or named twice) is read once, under the path met
/// first; a symbolic link inside a folder that leads to a folder outside every input is not
/// followed (one `skipped` row for the link); a calfguard report folder (one holding the marker)
/// is one `skipped` row and is not read.
fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<ErrorRow>) {
    let mut w = Walk {
        roots: paths
            .iter()
            .filter_map(|p| fs::canonicalize(p).ok())
            .collect(),
        ..Walk::default()
    };
    for p in paths {
        w.walk(p, true);
    }
    (w.files, w.errors)
}

/// The state of [`discover`].
#[derive(Default)]
struct Walk {
    /// The inputs, resolved: folders a symbolic link may lead into.
    roots: Vec<PathBuf>,
    files: Vec<InputFile>,
    errors: Vec<ErrorRow>,
    seen_dirs: HashSet<PathBuf>,
    seen_files: HashSet<FileId>,
}

/// What makes two paths the same file: device and inode where there are inodes, else the
/// resolved path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn file_id(path: &Path, meta: &fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        FileId::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId::Path(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

impl Walk {
    fn walk(&mut self, path: &Path, top: bool) {
        let source = crate::names::display_path(path);
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
                self.errors.push(failed(format!("cannot read: {e}")));
                return;
            }
        };
        if meta.is_file() {
            if self.seen_files.insert(file_id(path, &meta)) {
                self.files.push(InputFile {
                    path: path.to_path_buf(),
                    source,
                });
            }
            return;
        }
        if !meta.is_dir() {
            self.errors.push(ErrorRow {
                kind: ErrorKind::Skipped,
                ..failed("not a regular file".to_string())
            });
            return;
        }
        if report::folder::is_report(path) {
            // A report (or a run's staging folder) is never read as input.
            self.errors.push(ErrorRow {
                kind: ErrorKind::Skipped,
                ..failed(format!(
                    "a calfguard report folder (it holds {}): not read as input",
                    report::folder::MARKER
                ))
            });
            return;
        }
        let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link && !top && !self.roots.iter().any(|r| canonical.starts_with(r)) {
            self.errors.push(ErrorRow {
                kind: ErrorKind::Skipped,
                ..failed("symbolic link to a folder outside the inputs: not followed".to_string())
            });
            return;
        }
        if !self.seen_dirs.insert(canonical) {
            return;
        }
        let entries = match fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                self.errors.push(failed(format!("cannot read folder: {e}")));
                return;
            }
        };
        let mut children = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => children.push(e.path()),
                Err(e) => self
                    .errors
                    .push(failed(format!("cannot read folder entry: {e}"))),
            }
        }
        children.sort();
        for child in children {
            self.walk(&child, false);
        }
    }
}

/// Parse one leaf's bytes and reduce its activities right away (the samples are dropped here).
fn parse_leaf(source: &str, bytes: &[u8], ctx: &Context) -> Parsed {
    let activities = ingest::read_bytes(source, bytes)?;
    if crate::interrupt::requested() {
        // The run's result is dropped: do not spend time reducing what was read.
        return Err(ReadError::failed("interrupted", None));
    }
    let broken = activities.iter().find_map(|a| a.salvaged.clone());
    let summaries = activities.iter().map(|a| summarize(a, ctx)).collect();
    Ok((summaries, broken))
}

/// How to analyse, beyond the run's context.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Resource limits for archives and compressed files.
    pub limits: Limits,
    /// The same-run rule; `None` keeps every recording (`--keep-duplicates`).
    pub dedup: Option<DedupRules>,
}

/// Read and reduce every input. `interrupted` is polled between files.
pub fn analyse(
    paths: &[PathBuf],
    ctx: &Context,
    options: &Options,
    progress: &ProgressBar,
    interrupted: &AtomicBool,
) -> Analysis {
    let (files, walk_errors) = discover(paths);
    progress.set_length(files.len() as u64);
    let reader = |source: &str, bytes: &[u8]| parse_leaf(source, bytes, ctx);
    let walker = Walker::new(options.limits.clone(), &reader);
    let records: Vec<LeafRecord<Parsed>> = files
        .par_iter()
        .flat_map_iter(|f| {
            if interrupted.load(Ordering::Relaxed) {
                return Vec::new();
            }
            let r = walker.file(&f.path, &f.source);
            progress.inc(1);
            r
        })
        .collect();
    let mut analysis = account(records, walk_errors);
    if let Some(rules) = &options.dedup {
        drop_same_runs(&mut analysis, rules);
    }
    analysis
}

/// Apply the same-run rule ([`crate::dedup`]): keep the richest recording of each run, list the
/// others as `duplicate` rows with the evidence, and overlapping different recordings as
/// `conflict` rows. A file counts as a duplicate when none of its activities is kept.
fn drop_same_runs(analysis: &mut Analysis, rules: &DedupRules) {
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
fn account(mut records: Vec<LeafRecord<Parsed>>, walk_errors: Vec<ErrorRow>) -> Analysis {
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
    let mut strava: HashMap<String, StravaEntry> = HashMap::new();
    for r in &records {
        if let Leaf::ActivityList { bytes } = &r.leaf {
            match parse_activity_list(&r.source, bytes) {
                Ok(m) => strava.extend(m),
                Err(reason) => errors.push(error_row(&r.source, ErrorKind::Failed, reason, None)),
            }
        }
    }

    let mut activities = Vec::new();
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
                "Strava activity list: read for sport names and gear".to_string(),
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
                                apply_strava(&mut s, strava.get(&r.source));
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
    }
}

/// Name the sport of an activity whose file gave none (or only an inferred one) from Strava's
/// activity list, and keep the gear.
fn apply_strava(s: &mut ActivitySummary, entry: Option<&StravaEntry>) {
    let Some(entry) = entry else {
        return;
    };
    s.gear.clone_from(&entry.gear);
    if entry.cut {
        s.warnings.push(crate::ingest::xml::text_cut_warning(
            "a field of Strava's activities.csv",
        ));
    }
    let unknown = s.sport == Sport::Other("unknown".to_string())
        || s.warnings.iter().any(|w| w.contains("sport inferred"));
    if let (true, Some(t)) = (unknown, &entry.activity_type) {
        s.sport = Sport::from_names(t, None);
        s.warnings
            .push(format!("sport '{t}' from Strava activities.csv"));
    }
}

/// The history evaluated: the athlete profile, the finished per-activity metrics, the
/// periods and the flags.
#[derive(Debug)]
pub struct Evaluation {
    /// The athlete profile and where each value came from.
    pub profile: Profile,
    /// Periods, flags and the rules not judged.
    pub flags: flags::Analysis,
}

/// Resolve the athlete profile, finish every activity's metrics, build the periods and run the
/// flag rules.
pub fn evaluate(analysis: &mut Analysis, file: &Config, zones: ZoneBasis) -> Evaluation {
    let profile = athlete::resolve(&file.athlete, &analysis.activities);
    let params = FinishParams {
        hr_max_bpm: profile.hr_max_bpm.value,
        hr_rest_bpm: profile.hr_rest_bpm.value,
        sex: profile.sex.value,
        weight_kg: profile.weight_kg.value,
        height_m: profile.height_cm.value.unwrap_or(170.0) / 100.0,
        fluid_intake_l_per_h: file.heat.fluid_intake_l_per_h,
        zones,
    };
    analysis
        .activities
        .par_iter_mut()
        .for_each(|a| a.finish(&params));
    let facts: Vec<ActivityFacts> = analysis.activities.iter().map(to_facts).collect();
    let flags = flags::analyse(&facts, &file.thresholds);
    Evaluation { profile, flags }
}

/// The facts the periods and flags need from one activity.
pub fn to_facts(a: &ActivitySummary) -> ActivityFacts {
    use crate::metrics::load::LoadSource as L;
    let m = &a.m;
    ActivityFacts {
        source: a.source.clone(),
        local_date: a.start_local().date_naive(),
        start_utc: a.start_utc,
        end_utc: a.end_utc(),
        date_ok: a.date_ok,
        is_run: a.sport.is_running(),
        is_strength: a.sport == Sport::StrengthTraining,
        distance_m: a.distance_m,
        moving_s: m.moving_s,
        load: m.load,
        load_source: m.load_source.map(|s| match s {
            L::Hr => periods::LoadSource::Hr,
            L::Pace => periods::LoadSource::Pace,
            L::Duration => periods::LoadSource::Duration,
        }),
        hard: m.hard.unwrap_or(false),
        warmup: match m.warmup {
            Some("adequate") => Some(periods::WarmupStatus::Adequate),
            Some("short") => Some(periods::WarmupStatus::Short),
            Some("none") => Some(periods::WarmupStatus::None),
            _ => None,
        },
        warmup_hr_pct: m.warmup_hr_pct,
        steep_descent_m: m.steep_descent_m,
        heat_minutes: m.heat_minutes,
        hot: m.hot.unwrap_or(false),
        heat_index_c: m.heat_index_c,
        wbgt_c: m.wbgt_c,
        heat_band: m.heat_band.map(str::to_string),
        temp_avg_c: m.temp_avg_c,
        sweat_loss_pct: m.sweat_loss_pct,
        electrolytes: m.electrolytes.unwrap_or(false),
        gear: a.gear.clone(),
    }
}

/// Write the report files into `dir`.
pub fn write_report(dir: &Path, analysis: &Analysis, eval: &Evaluation) -> std::io::Result<()> {
    report::write_activities(&dir.join("activities.csv"), &analysis.activities)?;
    crate::fault::abort_at("after-activities");
    report::write_errors(&dir.join("errors.csv"), &analysis.errors)?;
    let p = &eval.flags.periods;
    periods::write_weeks(&dir.join("weeks.csv"), &p.weeks)?;
    periods::write_months(&dir.join("months.csv"), &p.months)?;
    periods::write_flags(&dir.join("flags.csv"), &eval.flags.flags)?;
    report::write_athlete(&dir.join("athlete.csv"), &athlete::rows(&eval.profile))?;
    Ok(())
}

/// The reported week's Monday: `--week`, else the last complete ISO week before `now` in the
/// athlete's zone (`--tz` / `time_zone`, else UTC).
pub fn reported_week(config: &AnalyzeConfig) -> NaiveDate {
    if let Some(w) = config.week {
        return w;
    }
    let today = match config.tz {
        Some(tz) => config.now.with_timezone(&tz).date_naive(),
        None => config.now.date_naive(),
    };
    let this_monday = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
    this_monday - chrono::Duration::days(7)
}

/// A finished run: the analysis, its evaluation, the timing.
pub struct Run {
    /// Activities, error rows, counts.
    pub analysis: Analysis,
    /// Profile, periods, flags.
    pub eval: Evaluation,
    /// Seconds spent.
    pub secs: f64,
    /// Activities found before the `--since`/`--until` filter.
    pub unfiltered: usize,
}

/// Read, reduce, de-duplicate, filter by date, apply the shoes file, evaluate. `Ok(None)` when
/// interrupted.
fn run_pipeline(config: &AnalyzeConfig, started: Instant) -> Result<Option<Run>> {
    validate(config)?;
    let gear = match &config.gear {
        Some(p) => Some(crate::gear::GearFile::load(p).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    crate::interrupt::install();
    let interrupted = crate::interrupt::flag();
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
    let ctx = Context {
        now: config.now,
        tz: config.tz,
        metrics: MetricParams {
            wrist_temp_offset_c: config.file.heat.wrist_temp_offset_c,
            threshold_speed_mps: config
                .file
                .athlete
                .threshold_pace_s_per_km
                .map(|p| 1000.0 / p),
            ..config.file.metrics.clone()
        },
        weather: config.weather.clone(),
    };
    let options = Options {
        limits: Limits {
            max_file_bytes: config
                .file
                .max_file_bytes
                .unwrap_or(Limits::default().max_file_bytes),
            max_in_flight_bytes: config
                .file
                .max_in_flight_bytes
                .unwrap_or(Limits::default().max_in_flight_bytes),
            ..Limits::default()
        },
        dedup: (!config.keep_duplicates).then(|| config.file.duplicates.clone()),
    };
    crate::fault::pause_at("analysis");
    let mut analysis =
        pool.install(|| analyse(&config.paths, &ctx, &options, &progress, interrupted));
    if interrupted.load(Ordering::SeqCst) {
        progress.abandon();
        return Ok(None);
    }
    progress.finish_and_clear();
    let unfiltered = analysis.activities.len();
    if config.since.is_some() || config.until.is_some() {
        analysis.activities.retain(|a| {
            let d = a.start_local().date_naive();
            config.since.is_none_or(|s| d >= s) && config.until.is_none_or(|u| d <= u)
        });
        analysis.counts.activities = analysis.activities.len();
    }
    if let Some(g) = &gear {
        for a in analysis
            .activities
            .iter_mut()
            .filter(|a| a.sport.is_running())
        {
            if let Some(shoe) = g.shoe_for(&a.source, a.start_local().date_naive()) {
                a.gear = Some(shoe.to_string());
            }
        }
    }
    let eval = pool.install(|| evaluate(&mut analysis, &config.file, config.file.zones));
    Ok(Some(Run {
        analysis,
        eval,
        secs: started.elapsed().as_secs_f64(),
        unfiltered,
    }))
}

/// Checks of the command line that need no file read: every input exists, the date range is
/// not empty.
fn validate(config: &AnalyzeConfig) -> Result<()> {
    for p in &config.paths {
        if fs::symlink_metadata(p).is_err() {
            anyhow::bail!("input '{}' does not exist", p.display());
        }
    }
    if let (Some(since), Some(until)) = (config.since, config.until) {
        if since > until {
            anyhow::bail!(
                "--since {since} is after --until {until}: no activity can match; nothing was read"
            );
        }
    }
    Ok(())
}

/// Why a finished run has nothing to report, if so: no file found, no activity file among
/// those found (none failed either), or every activity outside `--since`/`--until`. Then the
/// run ends with exit 2 and writes nothing. A run where files failed and none gave an
/// activity is not this: it writes its report (with the failures) and exits with 1.
fn nothing_to_report(run: &Run, config: &AnalyzeConfig) -> Option<String> {
    let a = &run.analysis;
    if !a.activities.is_empty() {
        return None;
    }
    let searched = config
        .paths
        .iter()
        .map(|p| format!("'{}'", p.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let c = &a.counts;
    if run.unfiltered > 0 {
        let range = match (config.since, config.until) {
            (Some(s), Some(u)) => format!("from {s} to {u}"),
            (Some(s), None) => format!("on or after {s}"),
            (None, Some(u)) => format!("on or before {u}"),
            (None, None) => "in the date range".to_string(),
        };
        let n = run.unfiltered;
        let (the, are) = if n == 1 {
            ("the 1 activity".to_string(), "is")
        } else {
            (format!("all {n} activities"), "are")
        };
        return Some(format!(
            "no activity {range} (--since/--until): {the} found in {searched} {are} outside it"
        ));
    }
    if c.failed > 0 {
        return None;
    }
    if c.found == 0 {
        return Some(format!("no file found in {searched} (empty folders?)"));
    }
    let mut why: Vec<String> = Vec::new();
    if c.skipped > 0 {
        why.push(format!("{} skipped", c.skipped));
    }
    if c.duplicate > 0 {
        why.push(format!("{} duplicate", c.duplicate));
    }
    let examples: Vec<String> = a
        .errors
        .iter()
        .take(3)
        .map(|e| format!("'{}': {}", e.source, e.reason))
        .collect();
    let files = if c.found == 1 { "file" } else { "files" };
    Some(format!(
        "no activity file found in {searched}: {} {files} found, none holds an activity ({}){}",
        c.found,
        why.join(", "),
        if examples.is_empty() {
            String::new()
        } else {
            format!("; e.g. {}", examples.join("; "))
        }
    ))
}

/// The summary of the reported week, as Markdown.
pub fn summary_text(run: &Run, config: &AnalyzeConfig, chart: Option<&str>) -> String {
    let monday = reported_week(config);
    let label = periods::iso_week_label(monday);
    let c = &run.analysis.counts;
    let files_line = format!(
        "Files: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; {} activities.",
        c.found, c.analysed, c.salvaged, c.skipped, c.failed, c.duplicate, c.activities
    );
    let data_end = run
        .analysis
        .activities
        .iter()
        .filter(|a| a.date_ok)
        .map(|a| a.start_local().date_naive())
        .max();
    let conflicts = run
        .analysis
        .errors
        .iter()
        .filter(|e| e.kind == ErrorKind::Conflict)
        .map(|e| format!("{}: {}", e.source, e.reason))
        .collect();
    let f = &run.eval.flags;
    report::summary::summary_markdown(&report::summary::SummaryInput {
        profile: &run.eval.profile,
        weeks: &f.periods.weeks,
        flags: &f.flags,
        not_judged: &f.not_judged,
        week: (&label, monday),
        data_end,
        files_line,
        conflicts,
        units: config.units,
        chart,
    })
}

/// The exit code of a finished run: 3 when `--fail-on` matches a flag in the reported week
/// (this wins), else 1 when a file failed, else 0.
pub fn exit_of(run: &Run, config: &AnalyzeConfig) -> Exit {
    let label = periods::iso_week_label(reported_week(config));
    let min = config.fail_on.map(|f| match f {
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
    });
    if let Some(min) = min {
        if run
            .eval
            .flags
            .flags
            .iter()
            .any(|f| f.period == label && f.severity >= min)
        {
            return Exit::FailOn;
        }
    }
    if run.analysis.counts.failed > 0 {
        Exit::Partial
    } else {
        Exit::Done
    }
}

fn summary_line(run: &Run, target: Option<&Path>) -> String {
    let c = &run.analysis.counts;
    let mb_s = if run.secs > 0.0 {
        c.bytes as f64 / 1e6 / run.secs
    } else {
        0.0
    };
    format!(
        "calfguard: {} found, {} analysed ({} salvaged), {} skipped, {} failed, {} duplicate; \
         {} activities, {} conflicts, {} flags, in {:.2} s ({:.1} MB/s){}",
        c.found,
        c.analysed,
        c.salvaged,
        c.skipped,
        c.failed,
        c.duplicate,
        c.activities,
        c.conflicts,
        run.eval.flags.flags.len(),
        run.secs,
        mb_s,
        target
            .map(|t| format!("; report in {}", t.display()))
            .unwrap_or_default()
    )
}

/// Run `calfguard analyze`. Errors returned here are usage, configuration or output errors
/// (exit 2); per-file problems never are.
///
/// Before any input is read: the inputs must exist, `--out` must be a folder calfguard may
/// replace ([`report::folder::check_out`]: not an input, not inside or above one, not the
/// current, home or root folder; empty, new, or a calfguard report holding nothing else), and
/// no other run may be writing it (the lock).
pub fn run_analyze(config: &AnalyzeConfig) -> Result<Exit> {
    let started = Instant::now();
    validate(config)?;
    // From here on SIGINT, SIGTERM and SIGHUP end the run cleanly (exit 130).
    crate::interrupt::install();
    let refused = || format!("cannot use --out '{}'", config.out.display());
    let target = report::folder::check_out(&config.out, &config.paths).with_context(refused)?;
    let existed = fs::symlink_metadata(&target).is_ok();
    let folder = ReportFolder::open(&target, &config.out).with_context(refused)?;
    let Some(run) = run_pipeline(config, started)? else {
        drop(folder);
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: interrupted; the previous report was left as it was"
        );
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = nothing_to_report(&run, config) {
        drop(folder);
        let kept = if existed {
            format!(
                "the report in '{}' was left as it was",
                config.out.display()
            )
        } else {
            "nothing was written".to_string()
        };
        anyhow::bail!("{why}; {kept}");
    }
    write_report(folder.staging(), &run.analysis, &run.eval)
        .and_then(|()| {
            let f = &run.eval.flags;
            let svg = report::chart::weeks_svg(
                &f.periods.weeks,
                &f.periods.months,
                &f.flags,
                config.units,
            );
            fs::write(folder.staging().join("weeks.svg"), &svg)?;
            let summary = summary_text(&run, config, Some("weeks.svg"));
            fs::write(folder.staging().join("summary.md"), &summary)?;
            let title = format!(
                "calfguard: {}",
                run.eval
                    .profile
                    .name
                    .as_deref()
                    .unwrap_or("calf-risk report")
            );
            let html = report::html::report_html(&title, &summary, &svg, &f.flags, config.units);
            fs::write(folder.staging().join("report.html"), html)
        })
        .with_context(|| {
            format!(
                "cannot write the report in '{}'",
                folder.staging().display()
            )
        })?;
    if crate::interrupt::requested() {
        // Interrupted while the report was being written: it is not swapped in.
        drop(folder);
        let _ = writeln!(
            std::io::stderr(),
            "calfguard: interrupted; the previous report was left as it was"
        );
        return Ok(Exit::Interrupted);
    }
    let target = folder.target().to_path_buf();
    let note = folder
        .commit()
        .with_context(|| format!("cannot replace the report folder '{}'", target.display()))?;
    if let Some(note) = note {
        let _ = writeln!(std::io::stderr(), "calfguard: note: {note}");
    }
    if !config.quiet {
        let _ = writeln!(std::io::stderr(), "{}", summary_line(&run, Some(&target)));
    }
    Ok(exit_of(&run, config))
}

/// Run `calfguard summary`: analyse, print the reported week's summary on stdout. A closed
/// stdout (`| head`) is not an error.
pub fn run_summary(config: &AnalyzeConfig) -> Result<Exit> {
    let started = Instant::now();
    let Some(run) = run_pipeline(config, started)? else {
        let _ = writeln!(std::io::stderr(), "calfguard: interrupted");
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = nothing_to_report(&run, config) {
        anyhow::bail!("{why}");
    }
    let text = summary_text(&run, config, None);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the summary"),
    }
    if !config.quiet {
        let _ = writeln!(std::io::stderr(), "{}", summary_line(&run, None));
    }
    Ok(exit_of(&run, config))
}

/// Run `calfguard init`: write the commented default configuration, never over an existing file
/// unless `force`.
pub fn run_init(path: Option<&Path>, force: bool) -> Result<Exit> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => crate::config::default_path()
            .context("no configuration folder is known on this platform: use --config FILE")?,
    };
    if path.exists() && !force {
        anyhow::bail!("'{}' exists; use --force to replace it", path.display());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("cannot create '{}'", dir.display()))?;
    }
    fs::write(&path, crate::config::DEFAULT_CONFIG)
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    let _ = writeln!(std::io::stderr(), "calfguard: wrote {}", path.display());
    Ok(Exit::Done)
}
