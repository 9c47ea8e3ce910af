//! The stages of `calfguard analyze` and `summary`, in order: discover the files, read and reduce
//! each in parallel (one panic-isolated task per file), account for every file, apply the side
//! inputs, evaluate the history, write the report folder, pick the exit code. Each stage lives
//! in its own module; this one only orders them and owns the worker pool, the progress bar, the
//! interrupt flag and the report folder's lifetime.

use crate::athlete::{self, Profile};
use crate::exit::{self, Exit};
use crate::flags;
use crate::ingest;
use crate::ingest::export::{LeafRecord, Walker};
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
use anyhow::{Context as _, Result};
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
    crate::localtime::place(record, ctx.tz, ctx.now);
}

/// The whole per-file task: parse one leaf's bytes and reduce its activities right away (the
/// samples are dropped here). A panic anywhere in it, in a reader or in a metric, fails this one
/// file with a row naming it as a bug, and the batch goes on.
fn parse_leaf(source: &str, bytes: &[u8], ctx: &Context) -> Parsed {
    let task = std::panic::AssertUnwindSafe(|| read_and_reduce(source, bytes, ctx));
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
    let records = activities.iter().map(|a| summarize(a, ctx)).collect();
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
    let found = ingest::discover::discover(paths, &report::folder::not_an_input);
    progress.set_length(found.files.len() as u64);
    let reader = |source: &str, bytes: &[u8]| parse_leaf(source, bytes, ctx);
    let walker = Walker::new(options.limits.clone(), &reader);
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
    let mut analysis = account(records, problem_rows(found.problems));
    if let Some(rules) = &options.dedup {
        drop_same_runs(&mut analysis, rules);
    }
    analysis
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
    let facts: Vec<ActivityFacts> = analysis.activities.iter().map(ActivityFacts::of).collect();
    let flags = flags::analyse(&facts, &config.thresholds);
    Evaluation { profile, flags }
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

impl Run {
    /// What the report shows, for the reported week of `settings`.
    pub fn report<'a>(&'a self, settings: &Settings) -> Report<'a> {
        Report {
            activities: &self.analysis.activities,
            errors: &self.analysis.errors,
            counts: &self.analysis.counts,
            profile: &self.eval.profile,
            flags: &self.eval.flags,
            week: settings.reported_week(),
            units: settings.units,
        }
    }

    /// The line on stderr at the end of the run ([`crate::ledger::Counts::line`]).
    fn line(&self, target: Option<&Path>) -> String {
        let flags = self.eval.flags.flags.len();
        self.analysis.counts.line(flags, self.secs, target)
    }

    /// The exit code ([`exit::of`]) for the reported week of `settings`.
    pub fn exit(&self, settings: &Settings) -> Exit {
        let label = iso_week_label(settings.reported_week());
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
    crate::fault::pause_at("analysis");
    let mut analysis =
        pool.install(|| analyse(&settings.paths, &ctx, &options, &progress, interrupted));
    if interrupted.load(Ordering::SeqCst) {
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
    Ok(Some(Run {
        analysis,
        eval,
        secs: started.elapsed().as_secs_f64(),
        unfiltered,
    }))
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
    let Some(run) = run_pipeline(settings, started)? else {
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
    if !settings.quiet {
        say(&run.line(Some(&target)));
    }
    Ok(run.exit(settings))
}

/// Run `calfguard summary`: analyse, print the reported week's summary on stdout. A closed
/// stdout (`| head`) is not an error.
pub fn run_summary(settings: &Settings) -> Result<Exit> {
    let started = Instant::now();
    let Some(run) = run_pipeline(settings, started)? else {
        say("calfguard: interrupted");
        return Ok(Exit::Interrupted);
    };
    if let Some(why) = exit::nothing_to_report(&run.analysis, run.unfiltered, settings) {
        anyhow::bail!("{why}");
    }
    let text = report::summary::markdown(&run.report(settings), None);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the summary"),
    }
    if !settings.quiet {
        say(&run.line(None));
    }
    Ok(run.exit(settings))
}

/// Run `calfguard init`: write the commented default configuration
/// ([`crate::config::write_default`]).
pub fn run_init(path: Option<&Path>, force: bool) -> Result<Exit> {
    let path = crate::config::write_default(path, force)?;
    say(&format!("calfguard: wrote {}", path.display()));
    Ok(Exit::Done)
}
