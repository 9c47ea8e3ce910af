//! The stages of `calfguard analyze` and `summary`, in order: discover the files, read and reduce
//! each in parallel (one panic-isolated task per file), account for every file, apply the side
//! inputs, evaluate the history, write the report folder, pick the exit code. Each stage lives
//! in its own module; this one only orders them and owns the worker pool, the progress bar, the
//! interrupt flag and the report folder's lifetime.

use crate::athlete::{self, Profile};
use crate::exit::{self, Exit};
use crate::flags;
use crate::ingest;
use crate::ingest::export::{Leaf, LeafRecord, Walker};
pub use crate::ledger::Analysis;
use crate::ledger::{account, drop_same_runs, problem_rows, Parsed};
use crate::metrics::finish::finish;
use crate::metrics::record::ActivityRecord;
use crate::metrics::reduce::{apply_weather, reduce};
use crate::model::{Activity, ReadError};
use crate::periods::{iso_week_label, ActivityFacts};
use crate::report::{self, folder::ReportFolder, Report};
use crate::settings::Settings;
pub use crate::settings::{Context, Options};
use crate::store::tables::{FileRow, Tables};
use crate::store::Store;
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// One activity through phase 1 while its samples are there: the metrics reduced, the track
/// fingerprint taken ([`reduce_one`]); then the run's side of it ([`localise`]).
pub fn summarize(activity: &Activity, ctx: &Context) -> ActivityRecord {
    let mut record = reduce_one(activity, ctx);
    localise(&mut record, ctx);
    record
}

/// Phase 1 and the track fingerprint: a pure function of the activity and the metric
/// parameters, what the store caches.
pub fn reduce_one(activity: &Activity, ctx: &Context) -> ActivityRecord {
    let mut record = reduce(activity, &ctx.metrics);
    record.track = crate::dedup::fingerprint(&activity.samples);
    record
}

/// What follows phase 1 for one record, from the run's settings: the weather joined to its
/// sample times, placement in local time.
pub fn localise(record: &mut ActivityRecord, ctx: &Context) {
    if let (Some(w), Some(d)) = (ctx.weather.as_deref(), record.deferred.as_deref()) {
        if let Some(weathered) = w.join(&d.times.samples()) {
            apply_weather(record, &weathered);
        }
    }
    record.shed_join_data();
    crate::localtime::place(record, ctx.tz, ctx.now);
}

/// The whole per-file task: parse one leaf's bytes and reduce its activities right away (the
/// samples are dropped here), or take its records from the store; then the run's side of each
/// ([`localise`]). A panic anywhere in it, in a reader or in a metric, fails this one file with
/// a row naming it as a bug, and the batch goes on.
fn parse_leaf(
    source: &str,
    hash: u128,
    bytes: &[u8],
    ctx: &Context,
    store: Option<&Store>,
) -> Parsed {
    let task = std::panic::AssertUnwindSafe(|| {
        let hash = store.map(|_| hash);
        let cached = store.zip(hash).and_then(|(s, h)| s.get(source, h));
        let (mut records, broken) = match cached {
            Some(r) => r,
            None => {
                let reduced = read_and_reduce(source, bytes, ctx)?;
                if let (Some(s), Some(h)) = (store, hash) {
                    s.put(source, h, &reduced);
                }
                reduced
            }
        };
        records.iter_mut().for_each(|r| localise(r, ctx));
        Ok((records, broken))
    });
    std::panic::catch_unwind(task).unwrap_or_else(|panic| {
        Err(ReadError::failed(
            format!(
                "internal error while analysing the file (a calfguard bug, please report): {}",
                ingest::panic_text(panic.as_ref())
            ),
            None,
        ))
    })
}

fn read_and_reduce(source: &str, bytes: &[u8], ctx: &Context) -> Parsed {
    let activities = ingest::read_bytes(source, bytes)?;
    if crate::interrupt::requested() {
        // The run's result is dropped: do not spend time reducing what was read.
        return Err(ReadError::failed("interrupted", None));
    }
    let broken = activities.iter().find_map(|a| a.salvaged.clone());
    let records = activities.iter().map(|a| reduce_one(a, ctx)).collect();
    Ok((records, broken))
}

/// Read and reduce every input, account for every file, drop recordings of the same run.
/// `interrupted` is polled between files.
pub fn analyse(
    paths: &[PathBuf],
    ctx: &Context,
    options: &Options,
    progress: &ProgressBar,
    interrupted: &AtomicBool,
) -> Analysis {
    analyse_with(paths, ctx, options, progress, interrupted, None).0
}

/// [`analyse`] with the records of unchanged leaves taken from `store`, and the leaves found
/// (for the store's `files` table).
pub fn analyse_with(
    paths: &[PathBuf],
    ctx: &Context,
    options: &Options,
    progress: &ProgressBar,
    interrupted: &AtomicBool,
    store: Option<&Store>,
) -> (Analysis, Vec<FileRow>) {
    let found = ingest::discover::discover(paths, &report::folder::not_an_input);
    progress.set_length(found.files.len() as u64);
    let reader =
        |source: &str, hash: u128, bytes: &[u8]| parse_leaf(source, hash, bytes, ctx, store);
    let walker = Walker::with_hash(options.limits.clone(), &reader);
    let records: Vec<LeafRecord<Parsed>> = found
        .files
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
    // The store's `files` table; without a store nothing reads it.
    let files = match store {
        Some(_) => records
            .iter()
            .map(|r| FileRow {
                source: r.source.clone(),
                hash: match r.leaf {
                    Leaf::Content { hash, .. } | Leaf::Copy { hash } => Some(hash),
                    _ => None,
                },
                size_bytes: r.bytes,
            })
            .collect(),
        None => Vec::new(),
    };
    let mut analysis = account(records, problem_rows(found.problems));
    if let Some(rules) = &options.dedup {
        drop_same_runs(&mut analysis, rules);
    }
    (analysis, files)
}

/// The history evaluated: the athlete profile and the periods and flags.
#[derive(Debug)]
pub struct Evaluation {
    /// The athlete profile and where each value came from.
    pub profile: Profile,
    /// Periods, flags and the rules not judged.
    pub flags: flags::Analysis,
}

/// Resolve the athlete profile, finish every activity's metrics (phase 2), build the periods
/// and run the flag rules.
pub fn evaluate(analysis: &mut Analysis, settings: &Settings) -> Evaluation {
    let config = &settings.config;
    let profile = athlete::resolve(&config.athlete, &analysis.activities);
    let params = profile.finish_params(config.finish);
    analysis
        .activities
        .par_iter_mut()
        .for_each(|a| finish(a, &params));
    crate::metrics::finish::link_warmups(&mut analysis.activities);
    let mut facts: Vec<ActivityFacts> = analysis.activities.iter().map(ActivityFacts::of).collect();
    facts.extend(listed_strength(&analysis.listed, settings));
    let flags = flags::analyse(&facts, &config.thresholds);
    Evaluation { profile, flags }
}

/// The strength sessions Strava lists without a file, as facts for the periods (and so for
/// ST-LOW): on the local date of their UTC time (in `--tz` / `athlete.time_zone`, else UTC),
/// within `--since`/`--until`, and only with a plausible date (2000 to now + 1 day).
fn listed_strength<'a>(
    listed: &'a [crate::enrich::strava::ListedSession],
    settings: &'a Settings,
) -> impl Iterator<Item = ActivityFacts> + 'a {
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let latest = settings.now + chrono::Duration::days(1);
    listed.iter().filter(|s| s.strength).filter_map(move |s| {
        let t = s
            .start_utc
            .filter(|t| Some(*t) >= earliest && *t <= latest)?;
        let date = match settings.tz {
            Some(tz) => t.with_timezone(&tz).date_naive(),
            None => t.date_naive(),
        };
        let inside =
            settings.since.is_none_or(|d| date >= d) && settings.until.is_none_or(|d| date <= d);
        inside.then(|| ActivityFacts::new(&s.source, date).strength().starting(t))
    })
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
    /// The store, being written while the report is made ([`Run::finish_store`]).
    store: Option<StoreSave>,
}

/// The store being written on its own thread; dropping it waits for the commit and says how it
/// went on stderr.
struct StoreSave {
    saving: Option<crate::store::Saving>,
    path: PathBuf,
    hits: usize,
    misses: usize,
    quiet: bool,
}

impl Drop for StoreSave {
    fn drop(&mut self) {
        let Some(saving) = self.saving.take() else {
            return;
        };
        match saving.wait() {
            Ok(()) if !self.quiet => say(&crate::store::note(
                &self.path,
                &format!("{} files from the cache, {} read", self.hits, self.misses),
            )),
            Ok(()) => {}
            Err(why) => say(&why),
        }
    }
}

impl Run {
    /// Wait for the store's commit (it runs while the report is made) and say how it went.
    pub fn finish_store(&mut self) {
        self.store.take();
    }

    /// The reported week's Monday ([`Settings::reported_week_for`] the end of the data), and
    /// the default week it replaces, if it does.
    pub fn week(&self, settings: &Settings) -> (NaiveDate, Option<NaiveDate>) {
        let data_end = self
            .analysis
            .activities
            .iter()
            .filter(|a| a.date_ok)
            .map(|a| a.start_local().date_naive())
            .max();
        settings.reported_week_for(data_end)
    }

    /// What the report shows, for the reported week of `settings`.
    pub fn report<'a>(&'a self, settings: &Settings) -> Report<'a> {
        let (week, instead_of) = self.week(settings);
        Report {
            activities: &self.analysis.activities,
            errors: &self.analysis.errors,
            counts: &self.analysis.counts,
            profile: &self.eval.profile,
            flags: &self.eval.flags,
            week,
            instead_of,
            units: settings.units,
        }
    }

    /// The lines on stderr at the end of the run: which week is reported when the data ends
    /// before the default week, then the counts ([`crate::ledger::Counts::line`]).
    fn line(&self, settings: &Settings, target: Option<&Path>) -> String {
        let flags = self.eval.flags.flags.len();
        let counts = self.analysis.counts.line(flags, self.secs, target);
        match self.week(settings) {
            (week, Some(default)) => format!(
                "calfguard: the data ends before {}: reporting {}, the last week with data\n{counts}",
                iso_week_label(default),
                iso_week_label(week)
            ),
            _ => counts,
        }
    }

    /// The exit code ([`exit::of`]) for the reported week of `settings`.
    pub fn exit(&self, settings: &Settings) -> Exit {
        let label = iso_week_label(self.week(settings).0);
        let week_flags = self.eval.flags.flags.iter().filter(|f| f.period == label);
        exit::of(
            settings.fail_on,
            week_flags.map(|f| f.severity),
            &self.analysis.counts,
        )
    }
}

/// The progress bar: on stderr when it is a terminal and the run is not quiet.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files")
    {
        bar.set_style(style);
    }
    bar
}

/// Read, reduce, de-duplicate, filter by date, apply the shoes file, evaluate. `Ok(None)` when
/// interrupted.
fn run_pipeline(settings: &Settings, started: Instant) -> Result<Option<Run>> {
    settings.check()?;
    let gear = match &settings.gear {
        Some(p) => Some(crate::enrich::gear::GearFile::load(p).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    crate::interrupt::install();
    let interrupted = crate::interrupt::flag();
    let progress = progress_bar(settings.quiet);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let (ctx, options) = (settings.context(), settings.options());
    let store = open_store(settings);
    crate::fault::pause_at("analysis");
    let (mut analysis, files) = pool.install(|| {
        analyse_with(
            &settings.paths,
            &ctx,
            &options,
            &progress,
            interrupted,
            store.as_ref(),
        )
    });
    if interrupted.load(Ordering::SeqCst) {
        // The store's transaction is rolled back: it stays as it was.
        progress.abandon();
        return Ok(None);
    }
    progress.finish_and_clear();
    let unfiltered = analysis.activities.len();
    if settings.since.is_some() || settings.until.is_some() {
        analysis.activities.retain(|a| {
            let d = a.start_local().date_naive();
            settings.since.is_none_or(|s| d >= s) && settings.until.is_none_or(|u| d <= u)
        });
        analysis.counts.activities = analysis.activities.len();
    }
    if let Some(g) = &gear {
        g.apply(&mut analysis.activities);
    }
    let eval = pool.install(|| evaluate(&mut analysis, settings));
    let store = store.map(|store| save_store(store, &analysis, &eval, files, settings.quiet));
    Ok(Some(Run {
        analysis,
        eval,
        secs: started.elapsed().as_secs_f64(),
        unfiltered,
        store,
    }))
}

/// The run's store (`--store`, else the default; none with `--no-store`), or `None` with the
/// reason on stderr: the run goes on without it.
fn open_store(settings: &Settings) -> Option<Store> {
    let path = settings.store.as_deref()?;
    match Store::open(path, settings.config.metrics.hash()) {
        Ok((store, notes)) => {
            notes.iter().for_each(|n| say(n));
            Some(store)
        }
        Err(why) => {
            say(&why);
            None
        }
    }
}

/// Write the run's tables to the store and commit, on a thread of its own while the report is
/// made; trouble is said on stderr, never fatal.
fn save_store(
    store: Store,
    analysis: &Analysis,
    eval: &Evaluation,
    files: Vec<FileRow>,
    quiet: bool,
) -> StoreSave {
    let (hits, misses) = store.hits_misses();
    let path = store.path().to_path_buf();
    let periods = &eval.flags.periods;
    let tables = Tables {
        files,
        errors: analysis.errors.clone(),
        activities: analysis.activities.clone(),
        weeks: periods.weeks.clone(),
        months: periods.months.clone(),
        flags: eval.flags.flags.clone(),
        finished_utc: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    };
    StoreSave {
        saving: Some(store.save_in_background(tables)),
        path,
        hits,
        misses,
        quiet,
    }
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Run `calfguard analyze`. Errors returned here are usage, configuration or output errors
/// (exit 2); per-file problems never are.
///
/// Before any input is read: the inputs must exist, `--out` must be a folder calfguard may
/// replace ([`report::folder::check_out`]: not an input, not inside or above one, not the
/// current, home or root folder; empty, new, or a calfguard report holding nothing else), and
/// no other run may be writing it (the lock).
pub fn run_analyze(settings: &Settings) -> Result<Exit> {
    let started = Instant::now();
    settings.check()?;
    // From here on SIGINT, SIGTERM and SIGHUP end the run cleanly (exit 130).
    crate::interrupt::install();
    let out = &settings.out;
    let refused = || format!("cannot use --out '{}'", out.display());
    let target = report::folder::check_out(out, &settings.paths).with_context(refused)?;
    let existed = fs::symlink_metadata(&target).is_ok();
    let folder = ReportFolder::open(&target, out).with_context(refused)?;
    let interrupted = "calfguard: interrupted; the previous report was left as it was";
    let Some(mut run) = run_pipeline(settings, started)? else {
        drop(folder);
        say(interrupted);
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = exit::nothing_to_report(&run.analysis, run.unfiltered, settings) {
        drop(folder);
        let kept = if existed {
            format!("the report in '{}' was left as it was", out.display())
        } else {
            "nothing was written".to_string()
        };
        anyhow::bail!("{why}; {kept}");
    }
    report::write_all(folder.staging(), &run.report(settings)).with_context(|| {
        format!(
            "cannot write the report in '{}'",
            folder.staging().display()
        )
    })?;
    if crate::interrupt::requested() {
        // Interrupted while the report was being written: it is not swapped in.
        drop(folder);
        say(interrupted);
        return Ok(Exit::Interrupted);
    }
    let target = folder.target().to_path_buf();
    let note = folder
        .commit()
        .with_context(|| format!("cannot replace the report folder '{}'", target.display()))?;
    if let Some(note) = note {
        say(&format!("calfguard: note: {note}"));
    }
    run.finish_store();
    if !settings.quiet {
        say(&run.line(settings, Some(&target)));
    }
    Ok(run.exit(settings))
}

/// The format of `calfguard summary` on stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SummaryFormat {
    /// Markdown, as `summary.md` ([`report::summary`]).
    #[default]
    Markdown,
    /// JSON ([`report::json`], `docs/summary-json.md`).
    Json,
}

/// Run `calfguard summary`: analyse, print the reported week's summary on stdout in `format`.
/// A closed stdout (`| head`) is not an error. The exit code is the same in either format.
pub fn run_summary(settings: &Settings, format: SummaryFormat) -> Result<Exit> {
    let started = Instant::now();
    let Some(mut run) = run_pipeline(settings, started)? else {
        say("calfguard: interrupted");
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = exit::nothing_to_report(&run.analysis, run.unfiltered, settings) {
        anyhow::bail!("{why}");
    }
    let exit = run.exit(settings);
    let report = run.report(settings);
    let text = match format {
        SummaryFormat::Markdown => report::summary::markdown(&report, None),
        SummaryFormat::Json => report::json::summary_json(
            &report,
            report::json::RunFacts {
                week: if settings.week.is_some() {
                    report::json::WeekChoice::Option
                } else {
                    report::json::WeekChoice::Default
                },
                fail_on: settings.fail_on,
                exit_code: exit.code(),
            },
        ),
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the summary"),
    }
    run.finish_store();
    if !settings.quiet {
        say(&run.line(settings, None));
    }
    Ok(exit)
}

/// Run `calfguard init`: write the commented default configuration
/// ([`crate::config::write_default`]).
pub fn run_init(path: Option<&Path>, force: bool) -> Result<Exit> {
    let path = crate::config::write_default(path, force)?;
    say(&format!("calfguard: wrote {}", path.display()));
    Ok(Exit::Done)
}

/// The store of `calfguard store ...`: `--store`, else the default.
fn store_path(store: Option<PathBuf>) -> Result<PathBuf> {
    store
        .or_else(crate::store::default_path)
        .context("no data folder for the default store: give --store FILE")
}

/// Run `calfguard store info`: path, size, schema version, rows, on stdout.
pub fn run_store_info(store: Option<PathBuf>) -> Result<Exit> {
    let path = store_path(store)?;
    let i = crate::store::info(&path).map_err(anyhow::Error::msg)?;
    let text = format!(
        "path: {}\nsize_bytes: {}\nschema_version: {}\nfiles: {}\nactivities: {}\ncached_leaves: {}\nlast_run_utc: {}\n",
        path.display(),
        i.size_bytes,
        i.schema_version.map(|v| v.to_string()).unwrap_or_default(),
        i.files,
        i.activities,
        i.cached,
        i.last_run.unwrap_or_default(),
    );
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(Exit::Done)
}

/// Run `calfguard store prune PATHS`: drop the cached results of leaves no longer under
/// `paths` (read and hashed, not parsed).
pub fn run_store_prune(store: Option<PathBuf>, paths: &[PathBuf]) -> Result<Exit> {
    let path = store_path(store)?;
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            anyhow::bail!("input '{}' does not exist", p.display());
        }
    }
    let found = ingest::discover::discover(paths, &report::folder::not_an_input);
    let reader = |_: &str, _: &[u8]| ();
    let walker = Walker::new(crate::ingest::export::Limits::default(), &reader);
    let leaves: Vec<LeafRecord<()>> = found
        .files
        .par_iter()
        .flat_map_iter(|f| walker.file(&f.path, &f.source))
        .collect();
    let mut keep = std::collections::HashSet::new();
    let mut sources: std::collections::HashSet<String> =
        found.problems.into_iter().map(|p| p.source).collect();
    for l in leaves {
        if let Leaf::Content { hash, .. } | Leaf::Copy { hash } = l.leaf {
            keep.insert(hash);
        }
        sources.insert(l.source);
    }
    let (records, files) =
        crate::store::prune(&path, &keep, &sources).map_err(anyhow::Error::msg)?;
    say(&crate::store::note(
        &path,
        &format!(
            "dropped the cached results of {records} leaves and {files} rows of files; {} leaves kept",
            keep.len()
        ),
    ));
    Ok(Exit::Done)
}
