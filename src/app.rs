//! The stages of `calfguard analyze` and `summary`, in order: discover the files, read and reduce
//! each in parallel (one panic-isolated task per file), account for every file, apply the side
//! inputs, evaluate the history, write the report folder, pick the exit code. Each stage lives
//! in its own module; this one only orders them and owns the worker pool, the progress bar, the
//! interrupt flag and the report folder's lifetime.

use crate::athlete::{self, Profile};
use crate::dedup::DedupRules;
use crate::enrich::weather::Weather;
use crate::exit::{self, Exit};
use crate::flags;
use crate::ingest;
use crate::ingest::export::{LeafRecord, Limits, Walker};
pub use crate::ledger::Analysis;
use crate::ledger::{account, drop_same_runs, problem_rows, Parsed};
use crate::metrics::finish::{finish, FinishParams};
use crate::metrics::record::ActivityRecord;
use crate::metrics::reduce::{reduce, MetricParams};
use crate::model::{Activity, ReadError};
use crate::periods::{iso_week_label, ActivityFacts};
use crate::report::{self, folder::ReportFolder, Report};
use crate::settings::Settings;
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What the per-activity work needs to know about the run.
#[derive(Clone, Debug)]
pub struct Context {
    /// The run's "now" (`--now`, default the clock), for the date check.
    pub now: DateTime<Utc>,
    /// The configured time zone (`--tz`), for activities whose file and position say nothing.
    pub tz: Option<Tz>,
    /// Parameters of the per-activity metrics.
    pub metrics: MetricParams,
    /// Hourly weather (`--weather`), if given.
    pub weather: Option<Arc<Weather>>,
}

impl Context {
    /// A context with default metric parameters and no weather.
    pub fn new(now: DateTime<Utc>, tz: Option<Tz>) -> Context {
        Context {
            now,
            tz,
            metrics: MetricParams::default(),
            weather: None,
        }
    }
}

/// One activity through phase 1 while its samples are there: the weather joined to them, the
/// metrics reduced, the track fingerprint taken; then placed in local time.
pub fn summarize(activity: &Activity, ctx: &Context) -> ActivityRecord {
    let weathered = ctx
        .weather
        .as_deref()
        .and_then(|w| w.join(&activity.samples));
    let mut record = reduce(activity, &ctx.metrics, weathered.as_ref());
    record.track = crate::dedup::fingerprint(&activity.samples);
    crate::localtime::place(&mut record, ctx.tz, ctx.now);
    record
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

/// How to analyse, beyond the run's context.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Resource limits for archives and compressed files.
    pub limits: Limits,
    /// The same-run rule; `None` keeps every recording (`--keep-duplicates`).
    pub dedup: Option<DedupRules>,
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
    let found = ingest::discover::discover(paths, &|dir| {
        // A report (or a run's staging folder) is never read as input.
        report::folder::is_report(dir).then(|| {
            format!(
                "a calfguard report folder (it holds {}): not read as input",
                report::folder::MARKER
            )
        })
    });
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
    let params = FinishParams {
        hr_max_bpm: profile.hr_max_bpm.value,
        hr_rest_bpm: profile.hr_rest_bpm.value,
        sex: profile.sex.value,
        weight_kg: profile.weight_kg.value,
        height_m: profile.height_cm.value.unwrap_or(170.0) / 100.0,
        fluid_intake_l_per_h: config.finish.fluid_intake_l_per_h,
        zones: config.finish.zones,
    };
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

    /// The line on stderr at the end of a run.
    fn line(&self, target: Option<&Path>) -> String {
        let c = &self.analysis.counts;
        let mb_s = if self.secs > 0.0 {
            c.bytes as f64 / 1e6 / self.secs
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
            self.eval.flags.flags.len(),
            self.secs,
            mb_s,
            target
                .map(|t| format!("; report in {}", t.display()))
                .unwrap_or_default()
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
    validate(settings)?;
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
    let config = &settings.config;
    let ctx = Context {
        now: settings.now,
        tz: settings.tz,
        metrics: config.metrics.clone(),
        weather: settings.weather.clone(),
    };
    let options = Options {
        limits: config.limits.clone(),
        dedup: (!settings.keep_duplicates).then(|| config.duplicates.clone()),
    };
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

/// Checks of the command line that need no file read: every input exists, the date range is
/// not empty.
fn validate(settings: &Settings) -> Result<()> {
    for p in &settings.paths {
        if fs::symlink_metadata(p).is_err() {
            anyhow::bail!("input '{}' does not exist", p.display());
        }
    }
    if let (Some(since), Some(until)) = (settings.since, settings.until) {
        if since > until {
            anyhow::bail!(
                "--since {since} is after --until {until}: no activity can match; nothing was read"
            );
        }
    }
    Ok(())
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
    validate(settings)?;
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
    say(&format!("calfguard: wrote {}", path.display()));
    Ok(Exit::Done)
}
